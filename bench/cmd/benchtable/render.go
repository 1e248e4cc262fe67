package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The project's targets for the plugin's cost next to a bare pulumi-go-provider plugin.
// They are printed next to the ratios rather than enforced: timings on a shared machine
// vary, and a benchmark that fails builds on a busy day helps nobody.
const (
	startupTarget = 1.2 // × baseline
	rssTarget     = 1.3 // × baseline
	sizeTarget    = 1.5 // × baseline
	stackTarget   = 1.2 // per-instance construct cost at N=100 ÷ at N=10
	linearTarget  = 1.2 // marginal cost of a role or key, later interval ÷ earlier interval

	// resolvable is how much CPU time the earlier interval of a growth benchmark must add,
	// as a share of the smallest instance's, for its time to be judged: below it, the
	// marginal cost is within the run-to-run noise of the whole construct.
	resolvable = 0.2
)

// render prints the machine and the one table of `make bench`.
func render(m machineInfo, ours, base *plugin, runs int, gb samples) string {
	var out strings.Builder
	fmt.Fprintf(&out, "Machine: %d CPUs (nproc), %s, %s; load average at the start %s.\n\n",
		m.cpus, m.cpuModel, m.goVersion, m.load)
	row := func(cells ...string) { fmt.Fprintf(&out, "| %s |\n", strings.Join(cells, " | ")) }
	row("measure", "eksa-irsa", "baseline", "ratio", "target", "met")
	row("---", "---:", "---:", "---:", "---", "---")

	sizeRatio := float64(ours.size) / float64(base.size)
	row("plugin binary (`-trimpath -ldflags \"-s -w\"`)", mib(ours.size), mib(base.size), times(sizeRatio),
		fmt.Sprintf("≤ %.1f×", sizeTarget), met(sizeRatio <= sizeTarget))

	so, sb := median(ours.startups), median(base.startups)
	r := float64(so) / float64(sb)
	row(fmt.Sprintf("start-up, exec to port line (median of %d; min–max)", runs),
		fmt.Sprintf("%s (%s–%s)", dur(float64(so)), dur(float64(slices.Min(ours.startups))), dur(float64(slices.Max(ours.startups)))),
		fmt.Sprintf("%s (%s–%s)", dur(float64(sb)), dur(float64(slices.Min(base.startups))), dur(float64(slices.Max(base.startups)))),
		times(r), fmt.Sprintf("≤ %.1f×", startupTarget), met(r <= startupTarget))

	po, pb := median(ours.peaks), median(base.peaks)
	r = float64(po) / float64(pb)
	row(fmt.Sprintf("peak RSS after one GetSchema (VmHWM, median of %d)", runs), mib(po), mib(pb),
		times(r), fmt.Sprintf("≤ %.1f×", rssTarget), met(r <= rssTarget))

	if gb == nil {
		return withVerdict(out.String())
	}
	const none = "—"
	notRun := func(label string) { row(label, "not run", none, none, none, none) }

	// Construct of a stack of N instances, per instance. The ratio is taken run by run
	// (see runGoBench) and its median shown; time is judged on CPU time (see timeUnit).
	for _, n := range []int{1, 10, 100} {
		name := fmt.Sprintf("BenchmarkConstruct/N=%d", n)
		label := fmt.Sprintf("Construct per instance, stack of N=%d (3 roles, 1 RSA-2048 key each)", n)
		if gb[name] == nil {
			notRun(label)
			continue
		}
		cells := []string{label, perUnit(gb, name, "instance"), none, none, none, none}
		if ten := "BenchmarkConstruct/N=10"; n == 100 && gb[ten] != nil {
			tu := timeUnit(gb, name, "instance")
			rt, okT := pairedMedian(gb, func(v func(name, unit string, i int) float64, i int) (float64, bool) {
				return v(name, tu, i) / v(ten, tu, i), true
			})
			ra, okA := pairedMedian(gb, func(v func(name, unit string, i int) float64, i int) (float64, bool) {
				return v(name, "allocs/instance", i) / v(ten, "allocs/instance", i), true
			})
			if okT && okA {
				cells[3] = fmt.Sprintf("%s %s, %s allocs vs N=10", times(rt), timeLabel(tu), times(ra))
				cells[5] = met(rt <= stackTarget && ra <= stackTarget)
			}
			cells[4] = fmt.Sprintf("≤ %.1f× N=10", stackTarget)
		}
		row(cells...)
		if n == 100 {
			constructVersusReference(row, gb, name)
		}
	}

	// Growth with roles and keys within one instance. The marginal cost of one more role
	// (key) over the later interval divided by that over the earlier one is about 1 when
	// growth is linear and grows with the count when it is not. Allocations and bytes are
	// exact; CPU time is judged where the earlier interval adds enough to stand out.
	for _, g := range []struct {
		bench, what string
		counts      [3]int
	}{
		{"BenchmarkConstructRoles/roles=%d", "role", [3]int{1, 10, 50}},
		{"BenchmarkConstructKeys/keys=%d", "key", [3]int{1, 5, 20}},
	} {
		label := fmt.Sprintf("Construct of one instance with %d / %d / %d %ss", g.counts[0], g.counts[1], g.counts[2], g.what)
		var names [3]string
		missing := false
		for i, c := range g.counts {
			names[i] = fmt.Sprintf(g.bench, c)
			missing = missing || gb[names[i]] == nil
		}
		if missing {
			notRun(label)
			continue
		}
		tu := timeUnit(gb, names[0], "instance")
		early, late := fmt.Sprintf("%d→%d", g.counts[0], g.counts[1]), fmt.Sprintf("%d→%d", g.counts[1], g.counts[2])
		marginal := func(v func(name, unit string, i int) float64, unit string, i, from, to int) float64 {
			return (v(names[to], unit, i) - v(names[from], unit, i)) / float64(g.counts[to]-g.counts[from])
		}
		growth := func(unit string) (float64, bool) {
			return pairedMedian(gb, func(v func(name, unit string, i int) float64, i int) (float64, bool) {
				e, l := marginal(v, unit, i, 0, 1), marginal(v, unit, i, 1, 2)
				return l / e, e > 0
			})
		}
		med := func(unit string, from, to int) float64 {
			m, _ := pairedMedian(gb, func(v func(name, unit string, i int) float64, i int) (float64, bool) {
				return marginal(v, unit, i, from, to), true
			})
			return m
		}
		var ts, allocs [3]string
		for i, name := range names {
			t, _ := gb.median(name, tu)
			a, _ := gb.median(name, "allocs/instance")
			ts[i], allocs[i] = dur(t), count(a)
		}
		smallest, _ := gb.median(names[0], tu)
		addedEarly := med(tu, 0, 1) * float64(g.counts[1]-g.counts[0])

		ra, okA := growth("allocs/instance")
		rb, okB := growth("B/instance")
		rt, okT := growth(tu)
		judgeTime := addedEarly >= resolvable*smallest
		var ratio []string
		verdict := "?"
		if okA && okB {
			ratio = append(ratio, fmt.Sprintf("%s allocs, %s bytes", times(ra), times(rb)))
			ok := ra <= linearTarget && rb <= linearTarget
			switch {
			case judgeTime && okT:
				ratio = append(ratio, fmt.Sprintf("%s %s", times(rt), timeLabel(tu)))
				ok = ok && rt <= linearTarget
			case judgeTime:
				ratio = append(ratio, timeLabel(tu)+" too noisy to tell")
			default:
				ratio = append(ratio, fmt.Sprintf("%s not judged: %s adds %.0f%%, within noise", timeLabel(tu), early, 100*addedEarly/smallest))
			}
			verdict = met(ok)
		} else {
			ratio = append(ratio, "no growth measured; rerun")
		}
		row(label,
			fmt.Sprintf("%s %s; %s allocs. Per added %s: %s, %s allocs (%s); %s, %s allocs (%s)",
				timeLabel(tu), strings.Join(ts[:], " / "), strings.Join(allocs[:], " / "), g.what,
				dur(med(tu, 0, 1)), count(med("allocs/instance", 0, 1)), early,
				dur(med(tu, 1, 2)), count(med("allocs/instance", 1, 2)), late),
			none, strings.Join(ratio, "; ")+fmt.Sprintf(" (%s ÷ %s)", late, early),
			fmt.Sprintf("linear (≤ %.1f×)", linearTarget), verdict)
	}

	for _, k := range []struct{ name, label string }{
		{"rsa2048", "RSA 2048"}, {"rsa4096", "RSA 4096"}, {"ecP256", "EC P-256"},
	} {
		label := "computeJwks per key, " + k.label + " (Invoke, in-process)"
		name := "BenchmarkComputeJwks/key=" + k.name
		if gb[name] == nil {
			notRun(label)
			continue
		}
		row(label, perUnit(gb, name, "key"), none, none, none, none)
	}
	return withVerdict(out.String())
}

// pairedMedian evaluates f for each go test run in which every benchmark it reads has a
// value, with v(name, unit, i) giving run i's value, and returns the median over the runs
// where f reports its result valid. Taking ratios run by run cancels drift in the
// machine's load between runs.
func pairedMedian(gb samples, f func(v func(name, unit string, i int) float64, i int) (float64, bool)) (float64, bool) {
	var results []float64
	for i := range runsOf(gb) {
		complete := true
		v := func(name, unit string, run int) float64 {
			vs := gb[name][unit]
			if run >= len(vs) {
				complete = false
				return math.NaN()
			}
			return vs[run]
		}
		if r, ok := f(v, i); complete && ok && !math.IsNaN(r) && !math.IsInf(r, 0) {
			results = append(results, r)
		}
	}
	// Fewer valid runs than half means the measure is mostly noise.
	if len(results) == 0 || 2*len(results) < runsOf(gb) {
		return 0, false
	}
	return median(results), true
}

// runsOf is the number of go test runs the samples hold.
func runsOf(gb samples) int {
	n := 0
	for _, units := range gb {
		for _, vs := range units {
			n = max(n, len(vs))
		}
	}
	return n
}

// perUnit formats the median wall time, CPU time (when measured), allocations and bytes
// per unit of one benchmark.
func perUnit(gb samples, name, unit string) string {
	wall, _ := gb.median(name, "ns/"+unit)
	allocs, _ := gb.median(name, "allocs/"+unit)
	bytes, _ := gb.median(name, "B/"+unit)
	cpu := ""
	if v, ok := gb.median(name, "cpu-ns/"+unit); ok {
		cpu = " (CPU " + dur(v) + ")"
	}
	return fmt.Sprintf("%s%s, %s allocs, %s", dur(wall), cpu, count(allocs), bytesIEC(bytes))
}

// timeUnit is the time a target is judged on: the process's CPU time per unit where the
// benchmark measured it (on Linux), else wall time. On a shared machine wall time also
// counts the time other processes held the CPU, which can swamp a 20% difference.
func timeUnit(gb samples, name, unit string) string {
	if _, ok := gb.median(name, "cpu-ns/"+unit); ok {
		return "cpu-ns/" + unit
	}
	return "ns/" + unit
}

func timeLabel(unit string) string {
	if strings.HasPrefix(unit, "cpu-") {
		return "CPU"
	}
	return "time"
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func times(r float64) string { return fmt.Sprintf("%.2f×", r) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func bytesIEC(b float64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.2f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

// dur formats nanoseconds with three significant digits in the largest fitting unit.
func dur(ns float64) string {
	if ns < 0 {
		return "-" + dur(-ns)
	}
	d := time.Duration(math.Round(ns))
	switch {
	case d >= time.Second:
		return sig3(ns/1e9) + " s"
	case d >= time.Millisecond:
		return sig3(ns/1e6) + " ms"
	case d >= time.Microsecond:
		return sig3(ns/1e3) + " µs"
	}
	return sig3(ns) + " ns"
}

func sig3(v float64) string {
	switch {
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// count formats a count with thousands separators, rounded to a whole number.
func count(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// referenceAllocs are the allocations per instance of a stack of N=100 that Construct
// made before the children were registered by type token rather than through the
// provider SDKs (median of 5 runs of make bench). Allocation counts vary between runs
// and machines by a fraction of a percent, unlike times, so they can be compared with a
// figure recorded once; a leaner plugin must not buy its size and memory with a costlier
// Construct.
const referenceAllocs = 29746

// constructVersusReference prints the row that compares Construct's allocations per
// instance at N=100 with referenceAllocs.
func constructVersusReference(row func(...string), gb samples, name string) {
	a, ok := gb.median(name, "allocs/instance")
	if !ok {
		return
	}
	r := a / referenceAllocs
	row("Construct allocations per instance at N=100, against "+count(referenceAllocs)+" before the SDK packages were dropped",
		count(a), "—", times(r), "≤ 1.0× (unchanged or better)", met(r <= 1.005))
}

// withVerdict ends the table with one line that says whether every target was met, and
// names the measures that missed theirs or could not be judged.
func withVerdict(table string) string {
	var missed, unjudged []string
	for line := range strings.Lines(table) {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) < 2 {
			continue
		}
		switch strings.TrimSpace(cells[len(cells)-1]) {
		case met(false):
			missed = append(missed, strings.TrimSpace(cells[0]))
		case "?":
			unjudged = append(unjudged, strings.TrimSpace(cells[0]))
		}
	}
	verdict := "\nAll targets met."
	if len(missed) > 0 {
		verdict = "\nTargets missed: " + strings.Join(missed, "; ") + "."
	}
	if len(unjudged) > 0 {
		verdict += " Not judged (rerun): " + strings.Join(unjudged, "; ") + "."
	}
	return table + verdict + "\n"
}
