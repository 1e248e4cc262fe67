package provider_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"gopkg.in/yaml.v3"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/docblocks"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// docExamples are the code blocks of the resources' embedded documentation, by file and
// language, in order.
func docExamples(t *testing.T) map[string]map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	out := map[string]map[string][]string{}
	for _, file := range files {
		text, err := os.ReadFile(file) //nolint:gosec // the repository's docs
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), "{{% examples %}}") || !strings.Contains(string(text), "{{% /examples %}}") {
			t.Errorf("%s: no {{%% examples %%}} section, so no SDK shows an example", file)
		}
		blocks, err := docblocks.Parse(file, text)
		if err != nil {
			t.Fatal(err)
		}
		out[file] = map[string][]string{}
		for _, b := range blocks {
			out[file][b.Lang] = append(out[file][b.Lang], b.Text)
		}
	}
	return out
}

// repositoryBlocks are the code blocks of every markdown page a reader sees (README.md,
// docs/ and the embedded docs), by language; fragments are left out, as nothing can
// compile them, but they must be marked.
func repositoryBlocks(t *testing.T, lang string) []docblocks.Block {
	t.Helper()
	all, err := docblocks.All("..")
	if err != nil {
		t.Fatal(err)
	}
	var out []docblocks.Block
	for _, b := range all {
		if b.Lang == lang && !b.Fragment {
			out = append(out, b)
		}
	}
	return out
}

// TestDocsShowEveryLanguage: the registry page and each SDK's doc comment show the
// example in their own language, so every example exists in each of them.
func TestDocsShowEveryLanguage(t *testing.T) {
	for file, blocks := range docExamples(t) {
		n := len(blocks["typescript"])
		if n == 0 {
			t.Errorf("%s has no example", file)
		}
		for _, lang := range []string{"python", "go", "yaml"} {
			if len(blocks[lang]) != n {
				t.Errorf("%s: %d TypeScript examples but %d in %s", file, n, len(blocks[lang]), lang)
			}
		}
	}
}

// TestDocYAMLExamplesMatchSchema type-checks the YAML programs of every page against the
// schema, as TestYAMLProgramMatchesSchema does for Pulumi.yaml: every property they set
// exists with its type, required ones are there, and every output they read exists. (The
// engine suite also runs those that declare resources.) A YAML block that is no Pulumi
// program, such as a cluster spec's excerpt, must still parse.
func TestDocYAMLExamplesMatchSchema(t *testing.T) {
	spec, err := p.GetSchema(t.Context(), provider.Name, "0.1.0", provider.Provider())
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`\$\{(\w+)\.(\w+)`)
	programs := 0
	for _, b := range repositoryBlocks(t, "yaml") {
		text := b.Text
		var top map[string]any
		if err := yaml.Unmarshal([]byte(text), &top); err != nil {
			t.Errorf("%s: a YAML block that is not YAML: %v", b.Where(), err)
			continue
		}
		if !isPulumiProgram(top) {
			continue
		}
		programs++
		var program struct {
			Resources map[string]struct {
				Type       string         `yaml:"type"`
				Properties map[string]any `yaml:"properties"`
			} `yaml:"resources"`
			Variables map[string]map[string]struct {
				Function  string         `yaml:"function"`
				Arguments map[string]any `yaml:"arguments"`
			} `yaml:"variables"`
		}
		if err := yaml.Unmarshal([]byte(text), &program); err != nil {
			t.Errorf("%s: %v", b.Where(), err)
			continue
		}
		where := b.Where()
		types := map[string]schema.ResourceSpec{}
		for name, r := range program.Resources {
			if !strings.HasPrefix(r.Type, provider.Name+":") {
				continue // another package's resource, such as a provider: the engine suite runs those
			}
			res, ok := spec.Resources[r.Type]
			if !ok {
				t.Errorf("%s: resources.%s has type %q, which the schema does not have", where, name, r.Type)
				continue
			}
			types[name] = res
			checkObject(t, spec, where+" resources."+name, r.Properties, res.InputProperties, res.RequiredInputs)
		}
		for name, v := range program.Variables {
			if call, ok := v["fn::invoke"]; ok {
				fn, ok := spec.Functions[call.Function]
				if !ok {
					t.Errorf("%s: variables.%s invokes %q, which the schema does not have", where, name, call.Function)
					continue
				}
				checkObject(t, spec, where+" variables."+name, call.Arguments, fn.Inputs.Properties, fn.Inputs.Required)
			}
		}
		for _, m := range ref.FindAllStringSubmatch(text, -1) {
			if res, ok := types[m[1]]; ok {
				if _, ok := res.Properties[m[2]]; !ok {
					t.Errorf("%s reads %s.%s, which is not an output", where, m[1], m[2])
				}
			}
		}
	}
	if programs == 0 {
		t.Error("no YAML program found in the docs")
	}
	t.Logf("%d YAML programs type-checked against the schema", programs)
}

// isPulumiProgram tells a Pulumi YAML program (or the part of one a page shows) from
// other YAML, such as an excerpt of a cluster spec.
func isPulumiProgram(top map[string]any) bool {
	for _, key := range []string{"resources", "variables", "outputs"} {
		if _, ok := top[key]; ok {
			return true
		}
	}
	return false
}

// TestDocGoExamplesCompile vets every Go block of every page against the Go SDK of this
// checkout, so an example cannot drift from the SDK it documents. A Go block is a whole
// program (package main) or is marked as a fragment.
func TestDocGoExamplesCompile(t *testing.T) {
	// Inside the module, so the examples build against sdk/ through its replace
	// directive; a directory starting with '_' is left out of ./... patterns.
	dir, err := os.MkdirTemp(".", "_docexamples")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var pkgs []string
	for _, b := range repositoryBlocks(t, "go") {
		if !strings.HasPrefix(b.Text, "package main\n") {
			t.Errorf("%s: a Go block that is not a program (package main); make it one, or mark it %s", b.Where(), docblocks.FragmentMarker)
			continue
		}
		pkg := filepath.Join(dir, b.Name())
		if err := os.MkdirAll(pkg, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, "main.go"), []byte("// "+b.Where()+"\n"+b.Text), 0o644); err != nil { //nolint:gosec // an example
			t.Fatal(err)
		}
		pkgs = append(pkgs, "./"+pkg)
	}
	if len(pkgs) == 0 {
		t.Fatal("no Go program found in the docs")
	}
	// Named one by one: ./... patterns skip directories starting with '_'.
	out, err := exec.Command("go", append([]string{"vet"}, pkgs...)...).CombinedOutput() //nolint:gosec // directories this test wrote
	if err != nil {
		t.Fatalf("the Go blocks of the docs do not compile:\n%s", out)
	}
	t.Logf("%d Go programs vetted", len(pkgs))
}

// TestDocShellBlocksParse: every shell block a reader may paste is at least valid bash.
func TestDocShellBlocksParse(t *testing.T) {
	blocks := repositoryBlocks(t, "sh")
	if len(blocks) == 0 {
		t.Fatal("no shell block found in the docs")
	}
	for _, b := range blocks {
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(b.Text)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", b.Where(), err, out)
		}
	}
	t.Logf("%d shell blocks parsed", len(blocks))
}

// TestDocJSONBlocksParse: a JSON block is JSON.
func TestDocJSONBlocksParse(t *testing.T) {
	for _, b := range repositoryBlocks(t, "json") {
		if !json.Valid([]byte(b.Text)) {
			t.Errorf("%s: a JSON block that is not JSON", b.Where())
		}
	}
}

// TestDocJavaBlocksAreFragments: nothing here compiles a Java block, so a whole Java
// program on a page would rot unseen; Java appears only as marked fragments.
func TestDocJavaBlocksAreFragments(t *testing.T) {
	for _, b := range repositoryBlocks(t, "java") {
		t.Errorf("%s: a Java block that is not marked %s; no test compiles Java from the docs", b.Where(), docblocks.FragmentMarker)
	}
}

// TestDocLinksResolve: every relative link of README.md and docs/ leads to a file of the
// repository and, with a #fragment, to a heading of that file, so moving a section
// cannot leave a reader at a dead end.
func TestDocLinksResolve(t *testing.T) {
	files, err := docblocks.Files("..")
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	checked := 0
	for _, file := range files {
		text, err := os.ReadFile(filepath.Join("..", file)) //nolint:gosec // the repository's docs
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(withoutCode(string(text)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, fragment, _ := strings.Cut(target, "#")
			resolved := filepath.Join("..", file)
			if path != "" {
				resolved = filepath.Join("..", filepath.Dir(file), path)
			}
			body, err := os.ReadFile(resolved) //nolint:gosec // a file the docs link to
			if err != nil {
				if info, serr := os.Stat(resolved); serr == nil && info.IsDir() && fragment == "" {
					checked++
					continue
				}
				t.Errorf("%s links %q, which does not exist", file, target)
				continue
			}
			if fragment != "" && !slices.Contains(anchors(string(body)), fragment) {
				t.Errorf("%s links %q, but %s has no heading #%s", file, target, resolved, fragment)
			}
			checked++
		}
	}
	t.Logf("%d relative links resolved", checked)
}

// anchors are the fragment names GitHub gives a markdown file's headings.
func anchors(text string) []string {
	var out []string
	heading := regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
	drop := regexp.MustCompile(`[^\p{L}\p{N}_\- ]`)
	for _, m := range heading.FindAllStringSubmatch(withoutCode(text), -1) {
		out = append(out, strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(strings.TrimSpace(m[1])), ""), " ", "-"))
	}
	return out
}

// withoutCode drops fenced code blocks, whose lines are neither links nor headings.
func withoutCode(text string) string {
	var out []string
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
