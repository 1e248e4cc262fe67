package provider_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"gopkg.in/yaml.v3"

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
	block := regexp.MustCompile("(?s)```(\\w+)\\n(.*?)```")
	out := map[string]map[string][]string{}
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), "{{% examples %}}") || !strings.Contains(string(text), "{{% /examples %}}") {
			t.Errorf("%s: no {{%% examples %%}} section, so no SDK shows an example", file)
		}
		out[file] = map[string][]string{}
		for _, m := range block.FindAllStringSubmatch(string(text), -1) {
			out[file][m[1]] = append(out[file][m[1]], m[2])
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

// TestDocYAMLExamplesMatchSchema type-checks the YAML examples against the schema, as
// TestYAMLProgramMatchesSchema does for Pulumi.yaml: every property the examples set
// exists with its type, required ones are there, and every output they read exists.
func TestDocYAMLExamplesMatchSchema(t *testing.T) {
	spec, err := p.GetSchema(t.Context(), provider.Name, "0.1.0", provider.Provider())
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`\$\{(\w+)\.(\w+)`)
	for file, blocks := range docExamples(t) {
		for i, text := range blocks["yaml"] {
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
				t.Errorf("%s YAML example %d: %v", file, i, err)
				continue
			}
			where := file + " YAML example"
			types := map[string]schema.ResourceSpec{}
			for name, r := range program.Resources {
				if strings.HasPrefix(r.Type, "pulumi:providers:") {
					continue // another package's provider, such as the AWS provider of a second account
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
	}
}

// TestDocGoExamplesCompile vets every Go example against the Go SDK of this checkout, so
// an example cannot drift from the SDK it documents.
func TestDocGoExamplesCompile(t *testing.T) {
	// Inside the module, so the examples build against sdk/ through its replace
	// directive; a directory starting with '_' is left out of ./... patterns.
	dir, err := os.MkdirTemp(".", "_docexamples")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var pkgs []string
	for file, blocks := range docExamples(t) {
		for i, code := range blocks["go"] {
			pkg := filepath.Join(dir, strings.TrimSuffix(filepath.Base(file), ".md")+string(rune('a'+i)))
			if err := os.MkdirAll(pkg, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(pkg, "main.go"), []byte(code), 0o644); err != nil {
				t.Fatal(err)
			}
			pkgs = append(pkgs, "./"+pkg)
		}
	}
	// Named one by one: ./... patterns skip directories starting with '_'.
	out, err := exec.Command("go", append([]string{"vet"}, pkgs...)...).CombinedOutput() //nolint:gosec // directories this test wrote
	if err != nil {
		t.Fatalf("the Go examples of docs/*.md do not compile:\n%s", out)
	}
	t.Logf("%d Go examples vetted", len(pkgs))
}
