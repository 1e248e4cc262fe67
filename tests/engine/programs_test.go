//go:build engine

package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/docblocks"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// TestEngineRepositoryPrograms runs every program of the repository as a user would run
// it, `pulumi up` then `pulumi preview --expect-no-changes` then `pulumi destroy`: the
// root Pulumi.yaml and each YAML block of README.md, of the pages under docs/ and of the
// embedded docs that declares resources, and each TypeScript, Python and Go block that is
// not marked as a fragment. YAML blocks that are fragments of a program get the project
// header a user's Pulumi.yaml has; TypeScript, Python and Go blocks become the index.ts,
// __main__.py or main.go of a project with the dependencies `make engine-examples`
// installed for the examples (for Go, the go.mod and go.sum tidied against these blocks).
// Default providers get their settings from the stack's config (aws:region) and
// KUBECONFIG, as on a user's machine; a program that reads the kubeconfigs or
// clusterExists from its config gets the suite's cluster, which exists.
func TestEngineRepositoryPrograms(t *testing.T) {
	root, err := sandbox.RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	e := startEndpoints(t)
	c := startCluster(t, clusterName, "https://s3.us-west-2.amazonaws.com/unused-by-these-programs")
	c.PlayKubelet(t, webhookNamespace)
	c.API.EnsureNamespace(t, "apps")
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(c.API.Kubeconfig("admin")), 0o600); err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(e.CAFile)
	if err != nil {
		t.Fatal(err)
	}

	rootProgram, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml")) //nolint:gosec // the repository's program
	if err != nil {
		t.Fatal(err)
	}
	programs := map[string]docblocks.Block{"Pulumi.yaml": {Lang: "yaml", Text: string(rootProgram)}}
	for name, block := range repositoryPrograms(t, root) {
		programs[name] = block
	}
	count := map[string]int{}
	for _, b := range programs {
		count[b.Lang]++
	}
	if count["yaml"] < 6 || count["typescript"] < 6 || count["python"] < 6 || count["go"] < 6 {
		t.Fatalf("found %v programs; the README and every component's docs have at least one of each language", count)
	}

	for name, block := range programs {
		t.Run(name, func(t *testing.T) {
			text := block.Text
			// A project of its own per program: the stand-in names buckets after the
			// URN, and a program that failed before its destroy must not hold the next
			// one's bucket name.
			files, example, deps := asLanguageProject(t, block, "docs-example-"+slug(name))
			if strings.Contains(text, "openid-configuration") {
				// The IssuerCheck examples check documents their user published at
				// https://oidc.example.com/prod; publish them there.
				discovery, jwks := e.PublishStatic(t, "https://oidc.example.com/prod", c.PublicKeyPEM(t))
				files["openid-configuration"], files["keys.json"] = discovery, jwks
			}
			if strings.Contains(text, "private-ca.pem") {
				// An issuer behind a private CA: the suite's endpoints have one.
				files["private-ca.pem"] = string(ca)
			}
			program := files["Pulumi.yaml"]
			delete(files, "Pulumi.yaml")
			s := newStack(t, e, program, files)
			// As on a user's machine: a kubeconfig and a region in the environment, which
			// explicit providers without settings of their own fall back to.
			s.Env = append(s.Env, "KUBECONFIG="+kubeconfig, "AWS_REGION=us-west-2")
			if block.Lang == "typescript" {
				// tsc checks these blocks strictly (`make test-docs-nodejs`); here the host
				// only transpiles them, which saves its type-check on every command.
				s.Env = append(s.Env, "PULUMI_NODEJS_TRANSPILE_ONLY=true")
			}
			if err := os.Symlink(filepath.Join(root, "bin"), filepath.Join(s.Dir, "bin")); err != nil {
				t.Fatal(err)
			}
			if example != "" {
				sandbox.LinkExampleDependencies(t, s, example, deps...)
			}
			s.Config("aws:region", "us-west-2", false)
			for _, key := range []string{"managementKubeconfig", "workloadKubeconfig", "kubeconfig"} {
				if readsConfig(block.Lang, text, key) {
					s.Config(key, c.API.Kubeconfig("admin"), true)
				}
			}
			if readsConfig(block.Lang, text, "clusterExists") {
				s.Config("clusterExists", "true", false)
			}
			s.Up()
			s.Must("preview", "--expect-no-changes")
			s.Must("destroy", "--yes", "--skip-preview")
		})
	}
}

// repositoryPrograms are the programs among the blocks of the pages a reader sees
// (README.md, docs/ and the resources' embedded docs), named "<file>:line-<n>": the YAML
// blocks that declare resources, and the TypeScript and Python blocks not marked as
// fragments. They are found by the parser the docs checks use, so that a program indented
// under a list item runs as surely as one at the start of a line, and a block marked as a
// fragment does not.
func repositoryPrograms(t *testing.T, root string) map[string]docblocks.Block {
	t.Helper()
	blocks, err := docblocks.All(root)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]docblocks.Block{}
	for _, b := range blocks {
		if b.Fragment {
			continue
		}
		switch b.Lang {
		case "typescript", "python", "go":
		case "yaml":
			var doc map[string]any
			if err := yaml.Unmarshal([]byte(b.Text), &doc); err != nil {
				t.Errorf("%s: a YAML block that is not YAML: %v", b.Where(), err)
				continue
			}
			if _, ok := doc["resources"]; !ok {
				continue
			}
		default:
			continue
		}
		out[fmt.Sprintf("%s:line-%d", b.File, b.Line)] = b
	}
	return out
}

// asLanguageProject is the project's files for a program block, named project, and the
// example whose installed dependencies it needs linked in ("" for YAML), and which of them.
func asLanguageProject(t *testing.T, b docblocks.Block, project string) (files map[string]string, example string, deps []string) {
	t.Helper()
	switch b.Lang {
	case "typescript":
		return map[string]string{
			"Pulumi.yaml":   "name: " + project + "\nruntime: nodejs\n",
			"package.json":  `{"name": "` + project + `", "private": true, "main": "index.ts"}` + "\n",
			"tsconfig.json": exampleFile(t, "nodejs", "tsconfig.json"),
			"index.ts":      b.Text,
		}, "nodejs", []string{"node_modules"}
	case "python":
		return map[string]string{
			"Pulumi.yaml": "name: " + project + "\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n",
			"__main__.py": b.Text,
		}, "python", []string{"venv"}
	case "go":
		return map[string]string{
			"Pulumi.yaml": "name: " + project + "\nruntime: go\n",
			"main.go":     b.Text,
		}, "go", []string{"go.mod", "go.sum"}
	default:
		return map[string]string{"Pulumi.yaml": asProject(b.Text, project)}, "", nil
	}
}

// readsConfig says whether a program in lang reads the configuration value key: declares
// it under config: (YAML), or names it as a string (TypeScript, Python, Go).
func readsConfig(lang, text, key string) bool {
	if lang == "yaml" {
		return regexp.MustCompile(`(?m)^  ` + key + `:`).MatchString(text)
	}
	return strings.Contains(text, `"`+key+`"`)
}

// asProject gives a program fragment the header of a Pulumi.yaml, named project.
func asProject(text, project string) string {
	if regexp.MustCompile(`(?m)^runtime:`).MatchString(text) {
		return text
	}
	return "name: " + project + "\nruntime: yaml\n" + text
}

var notNameChars = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a program's name (file and line) into letters, digits and dashes.
func slug(name string) string {
	return strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(name), "-"), "-")
}
