package provider_test

// Benchmarks of what a `pulumi preview` of a stack costs in the plugin as the
// stack grows. `make bench` runs them and folds the results into its table. They assert
// nothing about speed, since timings on a shared machine would make any threshold flaky;
// they only measure.
//
// Everything runs through pulumi-go-provider's in-process integration server with the
// harness's fake AWS, so the figures include what a real plugin does per Construct (infer
// decoding the inputs, a Pulumi context, gRPC registrations to a resource monitor), with a
// mock answering in place of the engine. Keys are generated once, outside the timed loops.

import (
	"crypto/elliptic"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// BenchmarkConstruct constructs a stack of N EksaIrsa instances per iteration, each with
// three roles and one RSA-2048 signing key (phase 2, so the webhook and its TLS resources
// are registered too). Per-instance figures that stay flat from N=10 to N=100 mean a
// stack's preview grows linearly with the number of clusters in it.
func BenchmarkConstruct(b *testing.B) {
	key := benchRSAKeys(b, 1)
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			reqs := make([]p.ConstructRequest, n)
			for i := range reqs {
				reqs[i] = benchConstructRequest(b, i, 3, key)
			}
			benchConstructStack(b, reqs)
		})
	}
}

// BenchmarkConstructRoles constructs one instance with 1, 10 and 50 roles, to show that the
// cost of a role does not depend on how many other roles the instance has.
func BenchmarkConstructRoles(b *testing.B) {
	key := benchRSAKeys(b, 1)
	for _, roles := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("roles=%d", roles), func(b *testing.B) {
			benchConstructStack(b, []p.ConstructRequest{benchConstructRequest(b, 0, roles, key)})
		})
	}
}

// BenchmarkConstructKeys constructs one instance (three roles) with 1, 5 and 20 signing
// keys, as in a long rotation, to show that the cost of a key does not depend on how many
// other keys there are (duplicate detection, JWKS and discovery rendering).
func BenchmarkConstructKeys(b *testing.B) {
	all := benchRSAKeys(b, 20)
	for _, keys := range []int{1, 5, 20} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			benchConstructStack(b, []p.ConstructRequest{benchConstructRequest(b, 0, 3, all[:keys])})
		})
	}
}

// BenchmarkComputeJwks invokes computeJwks with one key of each kind. It goes through the
// provider's Invoke (in-process, no gRPC) rather than calling internal/signingkey and
// internal/oidcdoc directly, because what users pay per call includes the function's
// input decoding and result encoding, and for parsing a public key those are of the same
// order as the cryptography. With one key per call the figure is the cost per key,
// including the legacy copy of the current key that the default legacyKeyWithoutKid adds.
func BenchmarkComputeJwks(b *testing.B) {
	for _, kind := range []struct {
		name string
		key  func() testKey
	}{
		{"rsa2048", func() testKey { return benchRSAKeys(b, 1)[0] }},
		{"rsa4096", func() testKey { return newRSAKey(b, 4096) }},
		{"ecP256", func() testKey { return newECKey(b, elliptic.P256()) }},
	} {
		key := kind.key()
		// No "-<digits>" at the end of a name: go test appends -GOMAXPROCS that way.
		b.Run("key="+kind.name, func(b *testing.B) {
			server := newServer(b, &fakeAWS{})
			req := p.InvokeRequest{
				Token: provider.ComputeJwksToken,
				Args:  toValue(b, map[string]any{"signingKeys": []any{key.pem}}).AsMap(),
			}
			measure(b, 1, "key", func() error {
				resp, err := server.Invoke(req)
				if err == nil && len(resp.Failures) > 0 {
					err = fmt.Errorf("computeJwks: %v", resp.Failures)
				}
				return err
			})
		})
	}
}

// benchConstructStack constructs every request once per iteration through one server, as
// one plugin process serves every Construct of a preview, and reports per-instance
// figures. One untimed construct first starts the server's lazily created fake engine and
// monitor, so their start-up is not charged to the stack.
func benchConstructStack(b *testing.B, reqs []p.ConstructRequest) {
	aws := &fakeAWS{}
	server := newServer(b, aws)
	if _, err := server.Construct(reqs[0]); err != nil {
		b.Fatalf("construct: %v", err)
	}
	measure(b, len(reqs), "instance", func() error {
		// The fake AWS records every child for tests; forget the previous iteration's so
		// its memory does not grow with b.N.
		aws.mu.Lock()
		aws.children, aws.invokes = aws.children[:0], aws.invokes[:0]
		aws.mu.Unlock()
		for _, req := range reqs {
			if _, err := server.Construct(req); err != nil {
				return fmt.Errorf("construct %s: %w", req.Urn.Name(), err)
			}
		}
		return nil
	})
}

// measure runs op in the benchmark loop and reports per unit (one op covers units units)
// wall time, CPU time, allocations and bytes. CPU time is that of the whole process (the
// provider, the fake engine's gRPC server, the garbage collector), which other work on a
// shared machine disturbs much less than wall time, so `make bench` judges its targets on
// it and on allocations; wall time is what a user waits. The error check guards against timing a
// failure (a rejected input returns early and would look fast); it is not an assertion
// on results.
func measure(b *testing.B, units int, unit string, op func() error) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpuBefore, cpuErr := processCPU()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	cpuAfter, _ := processCPU()
	runtime.ReadMemStats(&after)
	total := float64(b.N * units)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/"+unit)
	if cpuErr == nil {
		b.ReportMetric(float64((cpuAfter-cpuBefore).Nanoseconds())/total, "cpu-ns/"+unit)
	}
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/"+unit)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/total, "B/"+unit)
}

// processCPU is the user plus system CPU time of this process so far, read from
// /proc/self/stat (in clock ticks of 10 ms; a benchmark runs for about a second, so the
// error stays near 1%). /proc rather than syscall.Getrusage keeps this file compiling on
// every platform; elsewhere than Linux the CPU metric is simply not reported.
func processCPU() (time.Duration, error) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may contain spaces; fields are counted after it.
	_, rest, ok := strings.Cut(string(stat), ") ")
	if !ok {
		return 0, fmt.Errorf("unexpected /proc/self/stat: %q", stat)
	}
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc/self/stat: %q", stat)
	}
	// utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	const userHZ = 100 // USER_HZ, fixed for /proc on Linux
	return time.Duration(ticks) * (time.Second / userHZ), nil
}

// benchConstructRequest is the Construct request of instance i of a stack: its own
// component and cluster name, roles roles of one service account and one managed policy
// each, and the given signing keys.
func benchConstructRequest(b *testing.B, i, roles int, keys []testKey) p.ConstructRequest {
	roleInputs := make(map[string]any, roles)
	for r := range roles {
		roleInputs[fmt.Sprintf("role-%02d", r)] = map[string]any{
			"serviceAccounts": []any{fmt.Sprintf("apps/sa-%02d", r)},
			"policyArns":      []any{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
		}
	}
	pems := make([]any, len(keys))
	for k, key := range keys {
		pems[k] = key.pem
	}
	inputs := map[string]any{
		"clusterName": fmt.Sprintf("cluster-%03d", i),
		"signingKeys": pems,
		"roles":       roleInputs,
		"tags":        map[string]any{"team": "platform"},
	}
	return p.ConstructRequest{
		Urn:    presource.NewURN("bench", "proj", "", provider.EksaIrsaToken, fmt.Sprintf("irsa-%03d", i)),
		Inputs: toValue(b, inputs).AsMap(),
	}
}

var (
	benchKeysMu sync.Mutex
	benchKeys   []testKey
)

// benchRSAKeys returns n distinct RSA-2048 keys, generated once per test binary run and
// shared by every benchmark, since generating them costs more than what is measured.
func benchRSAKeys(b *testing.B, n int) []testKey {
	b.Helper()
	benchKeysMu.Lock()
	defer benchKeysMu.Unlock()
	for len(benchKeys) < n {
		benchKeys = append(benchKeys, newRSAKey(b, 2048))
	}
	return benchKeys[:n]
}
