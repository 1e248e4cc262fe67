package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const sampleBench = `goos: linux
goarch: amd64
pkg: github.com/eksa-irsa/pulumi-eksa-irsa/provider
cpu: AMD EPYC
BenchmarkConstruct/N=10-2   	       3	  60577488 ns/op	   1973776 B/instance	     28470 allocs/instance	   6057749 ns/instance	19737757 B/op	  284699 allocs/op
BenchmarkConstruct/N=10-2   	       3	  60000000 ns/op	   1973776 B/instance	     28470 allocs/instance	   6000000 ns/instance	19737757 B/op	  284699 allocs/op
BenchmarkConstruct/N=10-2   	       3	  70000000 ns/op	   1973776 B/instance	     28480 allocs/instance	   7000000 ns/instance	19737757 B/op	  284699 allocs/op
BenchmarkComputeJwks/key=rsa2048         	       3	     82076 ns/op	     29109 B/key	       286.0 allocs/key	     82076 ns/key	   29109 B/op	     286 allocs/op
PASS
ok  	github.com/eksa-irsa/pulumi-eksa-irsa/provider	4.296s
`

func TestParseGoBenchTakesMediansAndStripsProcs(t *testing.T) {
	got, err := parseGoBench(strings.NewReader(sampleBench))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.median("BenchmarkConstruct/N=10", "ns/instance"); v != 6057749 {
		t.Errorf("median ns/instance = %v, want 6057749", v)
	}
	if v, _ := got.median("BenchmarkConstruct/N=10", "allocs/instance"); v != 28470 {
		t.Errorf("median allocs/instance = %v, want 28470", v)
	}
	// Without GOMAXPROCS > 1 go test prints no -N suffix; the name must survive as is.
	if v, _ := got.median("BenchmarkComputeJwks/key=rsa2048", "allocs/key"); v != 286 {
		t.Errorf("allocs/key = %v, want 286 (got names %v)", v, keys(got))
	}
}

func TestParseGoBenchRejectsOutputWithoutResults(t *testing.T) {
	if _, err := parseGoBench(strings.NewReader("PASS\nok  \tpkg\t0.1s\n")); err == nil {
		t.Error("no error for output without benchmark lines")
	}
}

func TestMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("odd: %v", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Errorf("even durations: %v, want 2 (mean of 2 and 3, truncated)", got)
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{dur(6057749), "6.06 ms"},
		{dur(82076), "82.1 µs"},
		{dur(950), "950 ns"},
		{dur(1.5e9), "1.50 s"},
		{count(28470.4), "28,470"},
		{count(286), "286"},
		{count(1234567), "1,234,567"},
		{bytesIEC(29109), "28.4 KiB"},
		{bytesIEC(1973776), "1.88 MiB"},
		{times(1.0449), "1.04×"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestRenderMarksMissedTargets(t *testing.T) {
	gb, err := parseGoBench(strings.NewReader(sampleBench))
	if err != nil {
		t.Fatal(err)
	}
	ours := &plugin{size: 3 << 20, startups: []time.Duration{40e6}, peaks: []int64{80 << 20}}
	base := &plugin{size: 1 << 20, startups: []time.Duration{20e6}, peaks: []int64{40 << 20}}
	out := render(machineInfo{cpus: 2, cpuModel: "cpu", goVersion: "go", load: "0"}, ours, base, 1, gb)
	for _, want := range []string{
		"| plugin binary (`-trimpath -ldflags \"-s -w\"`) | 3.0 MiB | 1.0 MiB | 3.00× | ≤ 1.5× | **no** |",
		"| start-up, exec to port line (median of 1; min–max) | 40.0 ms (40.0 ms–40.0 ms) | 20.0 ms (20.0 ms–20.0 ms) | 2.00× | ≤ 1.2× | **no** |",
		"| peak RSS after one GetSchema (VmHWM, median of 1) | 80.0 MiB | 40.0 MiB | 2.00× | ≤ 1.3× | **no** |",
		"\nTargets missed: plugin binary (`-trimpath -ldflags \"-s -w\"`); start-up, exec to port line (median of 1; min–max); peak RSS after one GetSchema (VmHWM, median of 1)",
		"| Construct per instance, stack of N=1 (3 roles, 1 RSA-2048 key each) | not run |",
		"| computeJwks per key, RSA 2048 (Invoke, in-process) | 82.1 µs, 286 allocs, 28.4 KiB |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderJudgesGrowth(t *testing.T) {
	line := func(name string, cpu, allocs float64) string {
		return fmt.Sprintf("%s 1 %.0f ns/instance %.0f cpu-ns/instance %.0f allocs/instance %.0f B/instance\n",
			name, cpu, cpu, allocs, 100*allocs)
	}
	// Roles: quadratic (each role costs more than the last). Keys: the first interval
	// adds no allocations at all, which a real key never does.
	text := line("BenchmarkConstructRoles/roles=1", 1e6, 1000) +
		line("BenchmarkConstructRoles/roles=10", 2e6, 2000) +
		line("BenchmarkConstructRoles/roles=50", 20e6, 20000) +
		line("BenchmarkConstructKeys/keys=1", 5e6, 1000) +
		line("BenchmarkConstructKeys/keys=5", 4e6, 1000) +
		line("BenchmarkConstructKeys/keys=20", 6e6, 1500)
	gb, err := parseGoBench(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	pl := &plugin{size: 1, startups: []time.Duration{1}, peaks: []int64{1}}
	out := render(machineInfo{}, pl, pl, 1, gb)
	for _, want := range []string{
		"| 4.05× allocs, 4.05× bytes; 4.05× CPU (10→50 ÷ 1→10) | linear (≤ 1.2×) | **no** |",
		"| no growth measured; rerun (5→20 ÷ 1→5) | linear (≤ 1.2×) | ? |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderPairsRunsAndLeavesSmallTimesUnjudged(t *testing.T) {
	line := func(name string, cpu, allocs float64) string {
		return fmt.Sprintf("%s 1 %.0f ns/instance %.0f cpu-ns/instance %.0f allocs/instance %.0f B/instance\n",
			name, cpu, cpu, allocs, 100*allocs)
	}
	// Two go test runs; the machine was twice as busy during the first. Run by run, N=100
	// costs 1.05 times N=10; compared across runs it could look like anything.
	var text strings.Builder
	for _, load := range []float64{2, 1} {
		text.WriteString(line("BenchmarkConstruct/N=10", load*5e6, 1000))
		text.WriteString(line("BenchmarkConstruct/N=100", load*5.25e6, 1000))
		// Keys add 100 allocations each but only 1% of CPU per key: linear, and the
		// time is too small to judge.
		text.WriteString(line("BenchmarkConstructKeys/keys=1", load*10e6, 1000))
		text.WriteString(line("BenchmarkConstructKeys/keys=5", load*10.4e6, 1400))
		text.WriteString(line("BenchmarkConstructKeys/keys=20", load*11.9e6, 2900))
	}
	gb, err := parseGoBench(strings.NewReader(text.String()))
	if err != nil {
		t.Fatal(err)
	}
	pl := &plugin{size: 1, startups: []time.Duration{1}, peaks: []int64{1}}
	out := render(machineInfo{}, pl, pl, 1, gb)
	for _, want := range []string{
		"| 1.05× CPU, 1.00× allocs vs N=10 | ≤ 1.2× N=10 | yes |",
		"| Construct allocations per instance at N=100, against 29,746 before the SDK packages were dropped | 1,000 | — | 0.03× | ≤ 1.0× (unchanged or better) | yes |",
		"| 1.00× allocs, 1.00× bytes; CPU not judged: 1→5 adds 4%, within noise (5→20 ÷ 1→5) | linear (≤ 1.2×) | yes |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func keys(m samples) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestRenderSaysWhenEveryTargetIsMet(t *testing.T) {
	pl := &plugin{size: 1, startups: []time.Duration{1}, peaks: []int64{1}}
	if out := render(machineInfo{}, pl, pl, 1, nil); !strings.HasSuffix(out, "\nAll targets met.\n") {
		t.Errorf("a table with every target met does not end by saying so:\n%s", out)
	}
}
