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

// TestEngineRepositoryPrograms runs every YAML program of the repository as a user would
// run it, `pulumi up` then `pulumi preview --expect-no-changes` then `pulumi destroy`:
// the root Pulumi.yaml and each YAML block of README.md, of the pages under docs/ and of
// the embedded docs that declares resources. Blocks that are fragments of a program get the project header a
// user's Pulumi.yaml has; default providers get their settings from the stack's config
// (aws:region) and KUBECONFIG, as on a user's machine.
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

	programs := map[string]string{}
	rootProgram, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml")) //nolint:gosec // the repository's program
	if err != nil {
		t.Fatal(err)
	}
	programs["Pulumi.yaml"] = string(rootProgram)
	for name, block := range yamlPrograms(t, root) {
		programs[name] = block
	}
	if len(programs) < 6 {
		t.Fatalf("found %d YAML programs (%v); the README and every component's docs have at least one", len(programs), keys(programs))
	}

	for name, text := range programs {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			if strings.Contains(text, "fn::readFile: openid-configuration") {
				// The IssuerCheck example checks documents its user published at
				// https://oidc.example.com/prod; publish them there.
				discovery, jwks := e.PublishStatic(t, "https://oidc.example.com/prod", c.PublicKeyPEM(t))
				files["openid-configuration"], files["keys.json"] = discovery, jwks
			}
			// A project of its own per program: the stand-in names buckets after the
			// URN, and a program that failed before its destroy must not hold the next
			// one's bucket name.
			s := newStack(t, e, asProject(text, "docs-example-"+slug(name)), files)
			// As on a user's machine: a kubeconfig and a region in the environment, which
			// explicit providers without settings of their own fall back to.
			s.Env = append(s.Env, "KUBECONFIG="+kubeconfig, "AWS_REGION=us-west-2")
			if err := os.Symlink(filepath.Join(root, "bin"), filepath.Join(s.Dir, "bin")); err != nil {
				t.Fatal(err)
			}
			s.Config("aws:region", "us-west-2", false)
			for _, key := range []string{"managementKubeconfig", "workloadKubeconfig", "kubeconfig"} {
				if regexp.MustCompile(`(?m)^  ` + key + `:`).MatchString(text) {
					s.Config(key, c.API.Kubeconfig("admin"), true)
				}
			}
			s.Up()
			s.Must("preview", "--expect-no-changes")
			s.Must("destroy", "--yes", "--skip-preview")
		})
	}
}

// yamlPrograms are the YAML blocks that declare resources in the pages a reader sees
// (README.md, docs/ and the resources' embedded docs), named "<file>:line-<n>": found by
// the parser the docs checks use, so that a program indented under a list item runs as
// surely as one at the start of a line, and a block marked as a fragment does not.
func yamlPrograms(t *testing.T, root string) map[string]string {
	t.Helper()
	blocks, err := docblocks.All(root)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range blocks {
		if b.Lang != "yaml" || b.Fragment {
			continue
		}
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(b.Text), &doc); err != nil {
			t.Errorf("%s: a YAML block that is not YAML: %v", b.Where(), err)
			continue
		}
		if _, ok := doc["resources"]; ok {
			out[fmt.Sprintf("%s:line-%d", b.File, b.Line)] = b.Text
		}
	}
	return out
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

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
