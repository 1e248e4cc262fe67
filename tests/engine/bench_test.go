//go:build engine

package engine_test

import (
	"bufio"
	"encoding/json"
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
	"syscall"
	"testing"
	"time"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// The engine benchmark measures and asserts nothing, so it runs only when asked for
// (`make bench` passes -engine-bench); `make test-engine` skips it.
var (
	engineBench      = flag.Bool("engine-bench", false, "run TestEngineBenchmark: preview and up wall time for stacks of several EksaIrsa")
	engineBenchCount = flag.Int("engine-bench-count", 3, "runs of each measurement; the table shows medians")
	engineBenchSizes = flag.String("engine-bench-sizes", "1,10,30", "comma-separated numbers of EksaIrsa per stack; the first is the reference of the ratios")
	engineBenchLangs = flag.String("engine-bench-languages", "yaml,typescript,python", "comma-separated languages of the programs (yaml, typescript, python)")
	engineBenchOut   = flag.String("engine-bench-out", "", "write the markdown table to this file instead of standard output (go test shows a passing test's output only with -v)")
)

// Environment of cmd/rusage-wrapper: where the real plugins are and where it appends its
// records.
const (
	benchRealDirEnv = "EKSA_IRSA_BENCH_REAL_DIR"
	benchRusageEnv  = "EKSA_IRSA_BENCH_RUSAGE_LOG"
)

// meteredPlugins are the executables the benchmark runs through cmd/rusage-wrapper, so
// that the table can split the run's CPU among them: the plugin under test first, then
// the aws stand-in and the language hosts (whose records include the node or python
// process each runs the program in, which they reap).
var meteredPlugins = []string{"pulumi-resource-eksa-irsa", "pulumi-resource-aws", "pulumi-language-yaml", "pulumi-language-nodejs", "pulumi-language-python"}

// benchLanguage is a language the benchmark's programs are written in.
type benchLanguage struct {
	name string
	host string // the language host's executable
	// example and deps name the dependencies `make engine-examples` installed
	// (build/engine-examples/<example>/<deps>), linked into the stack; none for YAML.
	example, deps string
	// program is Pulumi.yaml and the program's files for n EksaIrsa (see benchProgram).
	program func(n int, prefix string) (string, map[string]string)
}

var benchLanguages = []benchLanguage{
	{name: "yaml", host: "pulumi-language-yaml", program: func(n int, prefix string) (string, map[string]string) {
		return benchProgram(n, prefix), nil
	}},
	{name: "typescript", host: "pulumi-language-nodejs", example: "nodejs", deps: "node_modules", program: benchProgramTypeScript},
	{name: "python", host: "pulumi-language-python", example: "python", deps: "venv", program: benchProgramPython},
}

// benchCommand is one CLI command the benchmark times. They run in order, each on the
// stack the commands before it left, unless it asks for a fresh one.
type benchCommand struct {
	label string
	args  []string
	env   []string // added to the stack's environment for this command only
	fresh bool     // on a new, empty stack
}

var benchCommands = []benchCommand{
	{label: "`pulumi preview`, empty stack", args: []string{"preview"}},
	{label: "`pulumi up --skip-preview`, empty stack", args: []string{"up", "--yes", "--skip-preview"}},
	{label: "`pulumi preview` after up, no changes", args: []string{"preview", "--expect-no-changes"}},
	// The file backend rewrites the whole state after every step, which grows with the
	// stack; the same up without those intermediate checkpoints (the final state is still
	// written) shows what the engine and the plugins cost apart from that.
	{label: "`pulumi up --skip-preview`, empty stack, `PULUMI_SKIP_CHECKPOINTS=true`", args: []string{"up", "--yes", "--skip-preview"},
		env: []string{"PULUMI_SKIP_CHECKPOINTS=true"}, fresh: true},
}

// benchSample is what one timed CLI command cost.
type benchSample struct {
	wall    time.Duration
	cpu     time.Duration            // user+system of the CLI and every process it reaped
	plugins map[string]time.Duration // user+system per metered plugin, summed over its starts
	starts  map[string]int           // how many times each metered plugin was started
	fetches int                      // HTTPS requests the local endpoint answered
}

// TestEngineBenchmark times `pulumi preview`, `pulumi up` and a no-change preview (and
// the same up without intermediate checkpoints) for phase-1 stacks of 1, 10 and 30
// EksaIrsa (aws provider only, issuer.verify on, so each IssuerCheck fetches the discovery
// document through the local HTTPS endpoint), and how much of the run's CPU the eksa-irsa
// plugin itself used. It is the engine half of
// `make bench`: a test rather than a Go benchmark because it needs the suite's harness,
// which takes a *testing.T, and because each measurement is a whole CLI run that the
// testing package's b.N loop would only repeat. Each round makes a fresh stack per size,
// sizes interleaved so that drifting load on a shared machine falls on all of them;
// ratios are taken round by round and the table shows medians.
func TestEngineBenchmark(t *testing.T) {
	if !*engineBench {
		t.Skip("a benchmark, not a test: run it with -engine-bench (make bench)")
	}
	sizes, err := parseSizes(*engineBenchSizes)
	if err != nil {
		t.Fatal(err)
	}
	var langs []benchLanguage
	for _, name := range strings.Split(*engineBenchLangs, ",") {
		i := slices.IndexFunc(benchLanguages, func(l benchLanguage) bool { return l.name == strings.TrimSpace(name) })
		if i < 0 {
			t.Fatalf("-engine-bench-languages: no language %q", name)
		}
		langs = append(langs, benchLanguages[i])
	}
	if *engineBenchCount < 1 {
		t.Fatal("-engine-bench-count must be at least 1")
	}
	root, err := sandbox.RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	machineBefore := machineLine()
	wrappers := buildRusageWrappers(t)
	e := startEndpoints(t)

	// samples[language][command][size] holds one sample per round.
	samples := make([][][][]benchSample, len(langs))
	for l := range samples {
		samples[l] = make([][][]benchSample, len(benchCommands))
		for i := range samples[l] {
			samples[l][i] = make([][]benchSample, len(sizes))
		}
	}
	started := time.Now()
	for round := range *engineBenchCount {
		for l, lang := range langs {
			for j, n := range sizes {
				var s *stack
				var log string
				for i, c := range benchCommands {
					if s == nil || c.fresh {
						// Cluster names of their own per stack: bucket names start with the
						// cluster's, and every stack shares the one S3 stand-in.
						program, files := lang.program(n, fmt.Sprintf("r%dl%dn%dc%d", round+1, l, n, i))
						s = newStack(t, e, program, files, wrappers)
						if lang.deps != "" {
							sandbox.LinkExampleDependencies(t, s, lang.example, lang.deps)
						}
						log = filepath.Join(s.Dir, "rusage.jsonl")
						s.Env = append(s.Env, benchRealDirEnv+"="+filepath.Join(root, "bin"), benchRusageEnv+"="+log)
					}
					sample := timeCommand(t, s, e, log, c)
					samples[l][i][j] = append(samples[l][i][j], sample)
					fmt.Fprintf(os.Stderr, "engine bench: round %d/%d, %s, N=%d, %s: %s wall, CPU %s (eksa-irsa %s, host %s), %d HTTPS fetches\n",
						round+1, *engineBenchCount, lang.name, n, c.args[0], round1(sample.wall), round1(sample.cpu),
						round1(sample.plugins[meteredPlugins[0]]), round1(sample.plugins[lang.host]), sample.fetches)
				}
			}
		}
	}
	table := renderEngineBench(langs, sizes, samples, *engineBenchCount, machineBefore, loadAverage(), time.Since(started))
	if *engineBenchOut == "" {
		fmt.Print(table)
		return
	}
	if err := os.WriteFile(*engineBenchOut, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
}

func parseSizes(text string) ([]int, error) {
	var sizes []int
	for _, field := range strings.Split(text, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-engine-bench-sizes: %q is not a positive number", field)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// benchProgram is a phase-1 program of n EksaIrsa, each for a cluster of its own (named
// <prefix>-<i>), in the shape the README teaches: one explicit aws provider, one role
// each, the issuer checked.
func benchProgram(n int, prefix string) string {
	var b strings.Builder
	b.WriteString(`name: engine-bench
runtime: yaml
description: A stack of several EksaIrsa, phase 1, for make bench.
resources:
  aws:
    type: pulumi:providers:aws
    properties:
      region: us-west-2
`)
	for i := range n {
		fmt.Fprintf(&b, `  irsa%02d:
    type: eksa-irsa:index:EksaIrsa
    properties:
      clusterName: %s-%02d
      issuer:
        verify: true
      roles:
        reporting:
          serviceAccounts:
            - apps/reporting
          policyArns:
            - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
    options:
      providers:
        - ${aws}
`, i, prefix, i)
	}
	return b.String()
}

// benchProgramTypeScript is benchProgram in TypeScript: the same resources, made in a loop
// as a TypeScript user writes it.
func benchProgramTypeScript(n int, prefix string) (string, map[string]string) {
	return "name: engine-bench\nruntime: nodejs\n", map[string]string{
		"package.json":  `{"name": "engine-bench", "private": true, "main": "index.ts"}` + "\n",
		"tsconfig.json": `{"compilerOptions": {"strict": true, "target": "es2020", "module": "commonjs", "moduleResolution": "node", "skipLibCheck": true}, "files": ["index.ts"]}` + "\n",
		"index.ts": fmt.Sprintf(`import * as aws from "@pulumi/aws";
import * as eksa from "@eksa-irsa/pulumi-eksa-irsa";

const awsProvider = new aws.Provider("aws", { region: "us-west-2" });
for (let i = 0; i < %d; i++) {
    const id = String(i).padStart(2, "0");
    new eksa.EksaIrsa("irsa" + id, {
        clusterName: %q + "-" + id,
        issuer: { verify: true },
        roles: { reporting: { serviceAccounts: ["apps/reporting"], policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] } },
    }, { providers: { aws: awsProvider } });
}
`, n, prefix),
	}
}

// benchProgramPython is benchProgram in Python, in the virtualenv venv.
func benchProgramPython(n int, prefix string) (string, map[string]string) {
	return "name: engine-bench\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n", map[string]string{
		"__main__.py": fmt.Sprintf(`import pulumi
import pulumi_aws as aws
import pulumi_eksa_irsa as eksa

aws_provider = aws.Provider("aws", region="us-west-2")
for i in range(%d):
    eksa.EksaIrsa(
        f"irsa{i:02d}",
        cluster_name=f"%s-{i:02d}",
        issuer=eksa.IssuerArgs(verify=True),
        roles={"reporting": eksa.RoleArgs(
            service_accounts=["apps/reporting"],
            policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        )},
        opts=pulumi.ResourceOptions(providers={"aws": aws_provider}),
    )
`, n, prefix),
	}
}

// buildRusageWrappers builds cmd/rusage-wrapper once under each metered plugin's name
// into a folder that goes first on the stacks' PATH.
func buildRusageWrappers(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	first := filepath.Join(dir, meteredPlugins[0])
	build := exec.Command("go", "build", "-trimpath", "-o", first, "./cmd/rusage-wrapper")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build cmd/rusage-wrapper: %v\n%s", err, out)
	}
	for _, name := range meteredPlugins[1:] {
		if err := os.Link(first, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// timeCommand runs `pulumi args...` in the stack and returns its wall time, the CPU of
// the whole process tree (the CLI's rusage once reaped includes every child it reaped:
// language host, plugins, wrappers) and the wrappers' records of the metered plugins.
func timeCommand(t *testing.T, s *stack, e *endpoints, log string, c benchCommand) benchSample {
	t.Helper()
	args := c.args
	if err := os.Remove(log); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	drain(e.Requests)
	cmd := s.Command(args...)
	cmd.Env = slices.Concat(cmd.Env, c.env)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	sample := benchSample{wall: time.Since(start), plugins: map[string]time.Duration{}, starts: map[string]int{}}
	if err != nil {
		t.Fatalf("pulumi %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		sample.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	sample.fetches = len(drain(e.Requests))
	f, err := os.Open(log) //nolint:gosec // the wrappers' log in the stack's folder
	if err != nil {
		t.Fatalf("no rusage records from the wrapped plugins: %v", err)
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		var rec struct {
			Name   string        `json:"name"`
			User   time.Duration `json:"user"`
			System time.Duration `json:"system"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &rec); err != nil {
			t.Fatalf("rusage record %q: %v", scanner.Bytes(), err)
		}
		sample.plugins[rec.Name] += rec.User + rec.System
		sample.starts[rec.Name]++
	}
	if sample.starts[meteredPlugins[0]] == 0 {
		t.Fatalf("pulumi %s did not start %s through the wrapper", strings.Join(args, " "), meteredPlugins[0])
	}
	return sample
}

// renderEngineBench is the markdown of `make bench`'s engine table.
func renderEngineBench(langs []benchLanguage, sizes []int, samples [][][][]benchSample, count int, before, after string, took time.Duration) string {
	var b strings.Builder
	names := make([]string, len(langs))
	for l, lang := range langs {
		names[l] = lang.name
	}
	fmt.Fprintf(&b, "Engine: the real `pulumi` CLI and language hosts (%s), this checkout's plugin, the aws stand-in; phase-1 stacks of %s EksaIrsa (one role each, `issuer.verify` on). Medians of %d rounds (ratios and shares taken round by round), %s in all.\n\n",
		strings.Join(names, ", "), joinInts(sizes, ", "), count, took.Round(time.Second))
	fmt.Fprintf(&b, "Machine: %s; load average at the end %s.\n\n", before, after)
	b.WriteString("| command | language | N | wall (min–max) | wall per component | per component ÷ N=" + strconv.Itoa(sizes[0]) + " | each added component | CPU, whole run | eksa-irsa CPU (starts) | eksa-irsa share | aws stand-in / language host share | HTTPS fetches |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for i, c := range benchCommands {
		for l, lang := range langs {
			renderEngineBenchRows(&b, c.label, lang, sizes, samples[l][i])
		}
	}
	return b.String()
}

// renderEngineBenchRows are the table's rows of one command in one language, a row per
// size; samples[size] holds one sample per round.
func renderEngineBenchRows(b *strings.Builder, label string, lang benchLanguage, sizes []int, samples [][]benchSample) {
	for j, n := range sizes {
		runs := samples[j]
		walls := collect(runs, func(s benchSample) float64 { return s.wall.Seconds() })
		perComponent := median(walls) / float64(n)
		ratio, added := "—", "—"
		if j > 0 {
			var ratios, marginals []float64
			for r := range runs {
				ref, prev := samples[0][r], samples[j-1][r]
				ratios = append(ratios, (runs[r].wall.Seconds()/float64(n))/(ref.wall.Seconds()/float64(sizes[0])))
				marginals = append(marginals, (runs[r].wall-prev.wall).Seconds()/float64(n-sizes[j-1]))
			}
			ratio = fmt.Sprintf("%.2f×", median(ratios))
			added = fmt.Sprintf("%s (N=%d→%d)", seconds(median(marginals)), sizes[j-1], n)
		}
		share := func(name string) float64 {
			return median(collect(runs, func(s benchSample) float64 { return s.plugins[name].Seconds() / s.cpu.Seconds() }))
		}
		ours := meteredPlugins[0]
		fmt.Fprintf(b, "| %s | %s | %d | %s (%s–%s) | %s | %s | %s | %s | %s (%s) | %.0f%% | %.0f%% / %.0f%% | %s |\n",
			label, lang.name, n,
			seconds(median(walls)), seconds(slices.Min(walls)), seconds(slices.Max(walls)),
			seconds(perComponent), ratio, added,
			seconds(median(collect(runs, func(s benchSample) float64 { return s.cpu.Seconds() }))),
			seconds(median(collect(runs, func(s benchSample) float64 { return s.plugins[ours].Seconds() }))),
			joinInts(distinct(collect(runs, func(s benchSample) float64 { return float64(s.starts[ours]) })), "/"),
			100*share(ours), 100*share("pulumi-resource-aws"), 100*share(lang.host),
			joinInts(distinct(collect(runs, func(s benchSample) float64 { return float64(s.fetches) })), "/"))
	}
}

func collect(runs []benchSample, f func(benchSample) float64) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = f(r)
	}
	return out
}

func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// distinct are the different values of counts, in order, so a count that varied between
// rounds shows every value it took.
func distinct(values []float64) []int {
	var out []int
	for _, v := range values {
		if n := int(v); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func joinInts(values []int, sep string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, sep)
}

// seconds formats a duration given in seconds with three significant digits.
func seconds(s float64) string {
	switch {
	case s >= 10:
		return fmt.Sprintf("%.1f s", s)
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	default:
		return fmt.Sprintf("%.0f ms", s*1000)
	}
}

func round1(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }

// machineLine describes the machine as the other `make bench` table does, so two tables of
// one run read alike: CPUs, model, Go, and the load average before anything of ours runs.
func machineLine() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		scanner := bufio.NewScanner(f)
		for scanner.Scan() {
			if k, v, ok := strings.Cut(scanner.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		_ = f.Close()
	}
	return fmt.Sprintf("%d CPUs, %s, %s %s/%s; load average at the start %s",
		runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH, loadAverage())
}

func loadAverage() string {
	f, err := os.Open("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	text, _ := io.ReadAll(f)
	fields := strings.Fields(string(text))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}
