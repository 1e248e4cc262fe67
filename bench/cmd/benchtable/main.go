// Command benchtable prints the table of `make bench`: what the eksa-irsa plugin costs
// next to the bench/baseline fixture (a pulumi-go-provider plugin with one trivial
// component), measured in the same run so the ratios hold on whatever machine runs it,
// and the Construct and computeJwks benchmarks of provider/bench_test.go, which it runs
// with `go test -bench` (or reads from a file given with -gobench). Run it from the
// repository root; it needs the go command.
//
// For each plugin it builds a stripped binary (-trimpath -ldflags "-s -w", as releases
// are built, so that symbol tables do not count), then starts it several times and, each
// time, measures the time from exec to the port line the plugin protocol requires on
// stdout, asks for the schema over gRPC as the engine would, and reads the process's
// peak RSS (VmHWM) before killing it. Runs of the two plugins alternate, so load from
// other work on the machine falls on both.
//
// A plugin started with no arguments serves without an engine: the Pulumi SDK's provider
// main (pulumi/provider.MainContext, which pulumi-go-provider's RunProvider calls) treats
// an empty argument list as attach mode, connects to no host, and still prints its port
// and answers GetSchema. So no fake engine is needed, and both plugins start the same way.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func main() {
	var (
		runs     = flag.Int("runs", 20, "start-ups per plugin; the table shows the median")
		count    = flag.Int("count", 5, "runs of the Go benchmarks; the table shows medians")
		goBench  = flag.String("gobench", "", "read Go benchmark results from this file of `go test -bench -benchmem` output instead of running them")
		ours     = flag.String("plugin", "./provider/cmd/pulumi-resource-eksa-irsa", "package of the plugin to measure")
		baseline = flag.String("baseline", "./bench/baseline", "package of the baseline plugin")
		benchPkg = flag.String("benchpkg", "./provider/", "package holding the Go benchmarks")
	)
	flag.Parse()
	if err := run(*runs, *count, *goBench, *benchPkg, *ours, *baseline); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// goBenchPattern selects the benchmarks of provider/bench_test.go, and only those, should
// other test files of the package add benchmarks of their own.
const goBenchPattern = "^Benchmark(Construct|ComputeJwks)"

func run(runs, count int, goBenchFile, benchPkg, oursPkg, basePkg string) error {
	if runs < 1 || count < 1 {
		return errors.New("-runs and -count must be at least 1")
	}
	// Before anything of ours runs, so the load average shows what else the machine does.
	host := machine()

	// The Go benchmarks first: they fail fastest if the package does not build, and the
	// plugins are then measured with nothing else of ours running.
	var text []byte
	var err error
	if goBenchFile != "" {
		text, err = os.ReadFile(goBenchFile)
	} else {
		text, err = runGoBench(count, benchPkg)
	}
	if err != nil {
		return err
	}
	goBench, err := parseGoBench(bytes.NewReader(text))
	if err != nil {
		return fmt.Errorf("go benchmarks: %w", err)
	}

	dir, err := os.MkdirTemp("", "benchtable-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ours, base := &plugin{name: "eksa-irsa", pkg: oursPkg}, &plugin{name: "baseline", pkg: basePkg}
	for _, pl := range []*plugin{ours, base} {
		fmt.Fprintf(os.Stderr, "building %s (%s)...\n", pl.name, pl.pkg)
		if err := pl.build(dir); err != nil {
			return err
		}
	}

	// One unrecorded start each loads the binaries into the page cache, so the first
	// recorded run of neither pays for reading it from disk.
	for _, pl := range []*plugin{ours, base} {
		if _, err := pl.start(); err != nil {
			return err
		}
	}
	for i := range runs {
		order := []*plugin{ours, base}
		if i%2 == 1 {
			order = []*plugin{base, ours}
		}
		for _, pl := range order {
			m, err := pl.start()
			if err != nil {
				return err
			}
			pl.startups = append(pl.startups, m.startup)
			pl.peaks = append(pl.peaks, m.peakRSS)
		}
	}

	fmt.Print(render(host, ours, base, runs, goBench))
	return nil
}

// runGoBench runs the Go benchmarks of pkg count times, one go test process each, and
// returns their output. Separate runs rather than go test -count: -count repeats each
// benchmark back to back, so the runs of N=10 and of N=100 would lie tens of seconds
// apart and drift in the machine's load would pass for growth. Run by run, the
// benchmarks compared with each other ran seconds apart, and the table compares them
// pairwise, run by run.
func runGoBench(count int, pkg string) ([]byte, error) {
	args := []string{"test", "-run=^$", "-bench=" + goBenchPattern, "-benchmem", "-count=1", pkg}
	var all bytes.Buffer
	for i := range count {
		fmt.Fprintf(os.Stderr, "go %s (run %d of %d) ...\n", strings.Join(args, " "), i+1, count)
		var stdout bytes.Buffer
		cmd := exec.Command("go", args...)
		cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			os.Stderr.Write(stdout.Bytes())
			return nil, fmt.Errorf("go test -bench: %w", err)
		}
		all.Write(stdout.Bytes())
	}
	return all.Bytes(), nil
}

// plugin is one plugin binary and what was measured of it.
type plugin struct {
	name, pkg string
	binary    string
	size      int64
	startups  []time.Duration
	peaks     []int64 // bytes
}

func (pl *plugin) build(dir string) error {
	pl.binary = filepath.Join(dir, pl.name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", pl.binary, pl.pkg) //nolint:gosec // this program's own plugin packages

	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s: %w", pl.pkg, err)
	}
	fi, err := os.Stat(pl.binary)
	if err != nil {
		return err
	}
	pl.size = fi.Size()
	return nil
}

// startMeasure is one start of a plugin.
type startMeasure struct {
	startup time.Duration
	peakRSS int64
}

// start execs the plugin, times it to its port line, requests the schema and reads the
// peak RSS, then kills it. The plugin gets no arguments (attach mode, see the package
// comment) and an environment without Pulumi tracing endpoints, which would make it
// start exporters.
func (pl *plugin) start() (startMeasure, error) {
	cmd := exec.Command(pl.binary) //nolint:gosec // the plugin this program just built
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "PULUMI_OTEL_") || strings.HasPrefix(kv, "PULUMI_TRACING")
	})
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return startMeasure{}, err
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return startMeasure{}, fmt.Errorf("start %s: %w", pl.name, err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	startup := time.Since(began)
	if err != nil {
		return startMeasure{}, fmt.Errorf("%s printed no port line: %w; stderr: %s", pl.name, err, stderr.String())
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return startMeasure{}, fmt.Errorf("%s: first line %q is not a port", pl.name, line)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	if err := getSchema(port); err != nil {
		return startMeasure{}, fmt.Errorf("%s: %w; stderr: %s", pl.name, err, stderr.String())
	}
	peak, err := peakRSS(cmd.Process.Pid)
	if err != nil {
		return startMeasure{}, err
	}
	return startMeasure{startup: startup, peakRSS: peak}, nil
}

// getSchema asks the plugin for its schema, as the engine does for YAML programs and SDK
// generation; it is the one request every plugin answers without configuration.
func getSchema(port int) error {
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := pulumirpc.NewResourceProviderClient(conn).GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	if err != nil {
		return fmt.Errorf("GetSchema: %w", err)
	}
	if len(resp.GetSchema()) < 2 {
		return errors.New("GetSchema returned no schema")
	}
	return nil
}

// peakRSS reads VmHWM, the high-water mark of the resident set, from /proc.
func peakRSS(pid int) (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// samples are Go benchmark results: benchmark name (without the -GOMAXPROCS suffix) →
// unit → values in the order go test printed them, so that the i-th values of two
// benchmarks come from the same go test run and can be compared pairwise.
type samples map[string]map[string][]float64

// parseGoBench reads `go test -bench -benchmem` output, of one or several runs.
func parseGoBench(r io.Reader) (samples, error) {
	out := samples{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil { // iterations
			continue
		}
		name := fields[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if out[name] == nil {
			out[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q: %w", name, fields[i], err)
			}
			out[name][fields[i+1]] = append(out[name][fields[i+1]], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no benchmark results")
	}
	return out, nil
}

// median is the median of a benchmark's values in unit, and whether there are any.
func (s samples) median(name, unit string) (float64, bool) {
	vs := s[name][unit]
	if len(vs) == 0 {
		return 0, false
	}
	return median(vs), true
}

func median[T int64 | time.Duration | float64](vs []T) T {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	// The mean of the two middle values, computed in float64 so it works for every T.
	return T(float64(s[n/2-1])/2 + float64(s[n/2])/2)
}

// machineInfo names what the figures were measured on; absolute figures only compare
// between runs on the same kind of machine, and the load shows whether other work ran.
type machineInfo struct {
	cpus      int
	cpuModel  string
	goVersion string
	load      string
}

func machine() machineInfo {
	m := machineInfo{cpus: runtime.NumCPU(), cpuModel: "unknown", load: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpuModel = strings.TrimSpace(v)
				break
			}
		}
	}
	// The toolchain that built the plugins, which may differ from the one running this.
	m.goVersion = runtime.Version()
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	m.goVersion += " " + runtime.GOOS + "/" + runtime.GOARCH
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.load = strings.Join(f[:3], " ")
		}
	}
	return m
}
