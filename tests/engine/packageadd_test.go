//go:build engine

package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// TestEnginePackageAdd runs a program in each of the projects `make engine-packages`
// made by `pulumi package add bin/pulumi-resource-eksa-irsa`, as Pulumi's docs teach for
// a package that is not published: the real CLI and language host generated the SDK from
// the plugin's schema into the project's sdks/ and installed it (npm, pip; that needs the
// registries, so it is done before the suite enters its namespace). The program uses
// that SDK, not the one of dist/; `up` creates the component's resources, through the
// plugin Pulumi.yaml's packages entry names, a second preview shows no change, and
// destroy empties the state.
func TestEnginePackageAdd(t *testing.T) {
	root, err := sandbox.RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	e := startEndpoints(t)
	for _, tc := range []struct {
		lang    string
		files   []string          // copied from the project package add made
		links   []string          // linked in from it
		program map[string]string // written beside them
		// generatedSDK says whether the installed SDK is the one package add
		// generated into the project's sdks/.
		generatedSDK func(t *testing.T, project string)
	}{{
		lang:  "nodejs",
		files: []string{"Pulumi.yaml", "package.json", "tsconfig.json"},
		links: []string{"node_modules", "sdks"},
		program: map[string]string{"index.ts": `import * as eksaIrsa from "@eksa-irsa/pulumi-eksa-irsa";

const irsa = new eksaIrsa.EksaIrsa("prod", {
    clusterName: "prod",
    roles: { reporting: { serviceAccounts: ["apps/reporting"] } },
});
export const issuerUrl = irsa.issuerUrl;
export const roleArns = irsa.roleArns;
`},
		generatedSDK: func(t *testing.T, project string) {
			target, err := os.Readlink(filepath.Join(project, "node_modules", "@eksa-irsa", "pulumi-eksa-irsa"))
			if err != nil || target != "../../sdks/eksa-irsa" {
				t.Errorf("node_modules/@eksa-irsa/pulumi-eksa-irsa links to %q (%v), want the generated ../../sdks/eksa-irsa", target, err)
			}
		},
	}, {
		lang:  "python",
		files: []string{"Pulumi.yaml", "requirements.txt"},
		links: []string{"venv", "sdks"},
		program: map[string]string{"__main__.py": `import pulumi
import pulumi_eksa_irsa

irsa = pulumi_eksa_irsa.EksaIrsa(
    "prod",
    cluster_name="prod",
    roles={"reporting": pulumi_eksa_irsa.RoleArgs(service_accounts=["apps/reporting"])},
)
pulumi.export("issuerUrl", irsa.issuer_url)
pulumi.export("roleArns", irsa.role_arns)
`},
		generatedSDK: func(t *testing.T, project string) {
			installed, err := filepath.Glob(filepath.Join(project, "venv", "lib", "python3*", "site-packages", "pulumi_eksa_irsa-*.dist-info", "direct_url.json"))
			if err != nil || len(installed) != 1 {
				t.Fatalf("the venv holds %v (%v), want one pulumi_eksa_irsa", installed, err)
			}
			from, err := os.ReadFile(installed[0]) //nolint:gosec // the project's own virtualenv
			if err != nil || !strings.Contains(string(from), filepath.Join(project, "sdks", "eksa-irsa")) {
				t.Errorf("pulumi_eksa_irsa was installed from %s (%v), want the generated sdks/eksa-irsa", from, err)
			}
		},
	}} {
		t.Run(tc.lang, func(t *testing.T) {
			project := filepath.Join(root, "build", "engine-packages", tc.lang)
			if _, err := os.Stat(filepath.Join(project, ".added")); err != nil {
				t.Fatalf("no project with the package added (`make engine-packages` makes it): %v", err)
			}
			tc.generatedSDK(t, project)
			files := map[string]string{}
			for _, name := range tc.files {
				files[name] = readFile(t, filepath.Join(project, name))
			}
			if !strings.Contains(files["Pulumi.yaml"], "eksa-irsa: eksa-irsa@0.1.0") {
				t.Errorf("package add did not record the package in Pulumi.yaml:\n%s", files["Pulumi.yaml"])
			}
			for name, content := range tc.program {
				files[name] = content
			}
			program := files["Pulumi.yaml"]
			delete(files, "Pulumi.yaml")
			s := newStack(t, e, program, files)
			for _, name := range tc.links {
				if err := os.Symlink(filepath.Join(project, name), filepath.Join(s.Dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			s.Config("aws:region", "us-west-2", false)
			noWarnings(t, "up", s.Up())
			publishedIssuer(t, s)
			state := s.Export()
			state.Find(t, "eksa-irsa:index:EksaIrsa", "prod")
			state.Find(t, "aws:iam/role:Role", "prod-reporting")
			noWarnings(t, "preview", s.Must("preview", "--expect-no-changes"))
			noWarnings(t, "destroy", s.Must("destroy", "--yes", "--skip-preview"))
			if left := s.Export().Deployment.Resources; len(left) > 0 {
				t.Errorf("state after destroy holds %d resources", len(left))
			}
		})
	}
}
