//go:build engine

package engine_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// languageProgram is the small program TestEngineLanguage* runs in TypeScript and in
// Python: an IAM policy of its own whose ARN (an output, unknown until the policy exists)
// is attached, through the role's policies (policyArns takes only plain strings), to the
// reporting role of an EksaIrsa named irsa, as the YAML programs of
// the suite name it, so that the messages of a bad input read the same.
type languageProgram struct {
	clusterName     string
	serviceAccounts []string
	signingKey      string // a signing key given as it is, or none
}

// typescript renders the program as a TypeScript project: index.ts with the package.json
// and tsconfig.json of examples/nodejs.
func (p languageProgram) typescript(t *testing.T) map[string]string {
	t.Helper()
	keys := "[]"
	if p.signingKey != "" {
		keys = "[" + jsonString(p.signingKey) + "]"
	}
	return map[string]string{
		"package.json":  `{"name": "engine-langs", "private": true, "main": "index.ts"}` + "\n",
		"tsconfig.json": exampleFile(t, "nodejs", "tsconfig.json"),
		"index.ts": `import * as aws from "@pulumi/aws";
import * as eksa from "@eksa-irsa/pulumi-eksa-irsa";

const awsProvider = new aws.Provider("aws", { region: "us-west-2" });
// A policy of this program: the role gets its ARN, an output of this update.
const reports = new aws.iam.Policy("reports", {
    policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }],
    }),
}, { provider: awsProvider });

const irsa = new eksa.EksaIrsa("irsa", {
    clusterName: ` + jsonString(p.clusterName) + `,
    signingKeys: ` + keys + `,
    roles: {
        reporting: {
            serviceAccounts: ` + jsonList(p.serviceAccounts) + `,
            policies: { reports: reports.arn },
        },
    },
}, { providers: { aws: awsProvider } });

export const issuerUrl = irsa.issuerUrl;
export const roleArns = irsa.roleArns;
`,
	}
}

// python renders the program as a Python project, __main__.py, run in the virtualenv
// venv.
func (p languageProgram) python(*testing.T) map[string]string {
	keys := "[]"
	if p.signingKey != "" {
		keys = "[" + jsonString(p.signingKey) + "]"
	}
	return map[string]string{
		"__main__.py": `import json

import pulumi
import pulumi_aws as aws
import pulumi_eksa_irsa as eksa

aws_provider = aws.Provider("aws", region="us-west-2")
# A policy of this program: the role gets its ARN, an output of this update.
reports = aws.iam.Policy(
    "reports",
    policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
    }),
    opts=pulumi.ResourceOptions(provider=aws_provider),
)

irsa = eksa.EksaIrsa(
    "irsa",
    cluster_name=` + jsonString(p.clusterName) + `,
    signing_keys=` + keys + `,
    roles={
        "reporting": eksa.RoleArgs(
            service_accounts=` + jsonList(p.serviceAccounts) + `,
            policies={"reports": reports.arn},
        ),
    },
    opts=pulumi.ResourceOptions(providers={"aws": aws_provider}),
)

pulumi.export("issuerUrl", irsa.issuer_url)
pulumi.export("roleArns", irsa.role_arns)
`,
	}
}

// TestEngineLanguageTypeScript checks under the real engine, for a TypeScript program,
// what differs by language (see checkLanguage).
func TestEngineLanguageTypeScript(t *testing.T) {
	checkLanguage(t, "nodejs", "node_modules", "name: engine-langs\nruntime: nodejs\n", languageProgram.typescript, "")
}

// TestEngineLanguagePython checks under the real engine, for a Python program, what
// differs by language (see checkLanguage). Beside a bad input's message, Python users also
// read tracebacks of Pulumi's Python SDK: the engine stops the update at the error while
// the program still waits on its other registrations, the host interrupts the program
// (SIGINT, so "KeyboardInterrupt" and "resource monitor shut down"), and the program's
// stderr reaches the diagnostics before or after the message, as the two race. Neither
// the program nor the provider can prevent that.
func TestEngineLanguagePython(t *testing.T) {
	checkLanguage(t, "python", "venv", `name: engine-langs
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: venv
`, languageProgram.python, "pulumi_eksa_irsa")
}

// checkLanguage runs, in one stack, what a language's SDK and host decide rather than
// the provider: an input that is an output of another resource of the program (a
// policy's ARN) resolves and reaches the role; adding a service account to the role
// shows the same `preview --diff` in every language, the page a reviewer reads in a
// pull request (testdata/preview-add-service-account-languages.golden); and a bad input
// fails the preview with the very message a YAML user reads (the goldens of
// TestEngineBadInput, alone; where the language's SDK prints tracebacks of its own,
// among lines that never name sdkTraceback, this package's SDK module), with no Go stack
// trace and no private key. The dependencies are those `make engine-examples` installed for the
// example of lang, linked in.
func checkLanguage(t *testing.T, lang, deps, project string, render func(languageProgram, *testing.T) map[string]string, sdkTraceback string) {
	e := startEndpoints(t)
	prog := languageProgram{clusterName: clusterName, serviceAccounts: []string{"apps/reporting"}}
	s := newStack(t, e, project, render(prog, t))
	sandbox.LinkExampleDependencies(t, s, lang, deps)
	writeFiles := func(p languageProgram) {
		for name, content := range render(p, t) {
			if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}

	noWarnings(t, "up", s.Up())
	issuer := publishedIssuer(t, s)

	t.Run("a policy ARN that is an output reaches the role", func(t *testing.T) {
		state := s.Export()
		policyArn, _ := state.Find(t, "aws:iam/policy:Policy", "reports").Outputs["arn"].(string)
		role := state.Find(t, "aws:iam/role:Role", "irsa-reporting").ID
		if !strings.HasPrefix(policyArn, "arn:aws:iam::") {
			t.Fatalf("the policy's arn output is %q", policyArn)
		}
		var attached []string
		for _, c := range s.AWSCalls() {
			if c["method"] == "Create" && c["preview"] != true && c["type"] == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" {
				inputs, _ := c["inputs"].(map[string]any)
				attached = append(attached, fmt.Sprintf("%v to %v", inputs["policyArn"], inputs["role"]))
			}
		}
		if want := policyArn + " to " + role; len(attached) != 1 || attached[0] != want {
			t.Errorf("the stand-in attached %v, want once %s", attached, want)
		}
	})

	t.Run("adding a service account previews as in every language", func(t *testing.T) {
		added := prog
		added.serviceAccounts = []string{"apps/reporting", "apps/billing"}
		writeFiles(added)
		golden(t, "preview-add-service-account-languages.golden", normalizePreview(s.Must("preview", "--diff"), issuer))
		writeFiles(prog)
	})

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	privatePEM := string(kubetest.PrivatePEM(t, key))
	for _, tc := range []struct {
		name   string // the case of TestEngineBadInput, whose golden holds YAML's message
		secret string // what must not appear in the output
		bad    languageProgram
	}{
		{name: "cluster name", bad: languageProgram{clusterName: "Prod_Cluster", serviceAccounts: prog.serviceAccounts}},
		{name: "private key as a signing key", secret: privateKeyBody(privatePEM), bad: languageProgram{clusterName: clusterName, serviceAccounts: prog.serviceAccounts, signingKey: privatePEM}},
	} {
		t.Run("bad input: "+tc.name, func(t *testing.T) {
			writeFiles(tc.bad)
			defer writeFiles(prog)
			out, err := s.Run("preview")
			if err == nil {
				t.Fatalf("preview succeeded; want it to fail:\n%s", out)
			}
			yamlGolden, err := os.ReadFile(filepath.Join("testdata", "bad-input-"+strings.ReplaceAll(tc.name, " ", "-")+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			got, want := withoutStackHeader(errorLines(out)), withoutStackHeader(string(yamlGolden))
			besides, found := cutLines(got, want)
			switch {
			case !found:
				t.Errorf("the message differs from YAML's; got:\n%s\nwant:\n%s\nfull output:\n%s", got, want, out)
			case sdkTraceback == "" && len(besides) > 0:
				t.Errorf("the diagnostics hold more than YAML's message:\n%s\nfull output:\n%s", strings.Join(besides, "\n"), out)
			case sdkTraceback != "" && strings.Contains(strings.Join(besides, "\n"), sdkTraceback):
				t.Errorf("a traceback runs through this package's SDK (%s):\n%s", sdkTraceback, out)
			}
			noGoStackTrace(t, out)
			if tc.secret != "" && strings.Contains(out, tc.secret) {
				t.Errorf("the output holds the private key")
			}
		})
	}

	noWarnings(t, "destroy", s.Must("destroy", "--yes", "--skip-preview"))
}

// withoutStackHeader drops the line that names the stack the diagnostics belong to
// ("pulumi:pulumi:Stack (<project>-<stack>):"), which differs by project only.
func withoutStackHeader(message string) string {
	var lines []string
	for line := range strings.SplitSeq(message, "\n") {
		if !strings.HasPrefix(line, "pulumi:pulumi:Stack (") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// exampleFile is a file of examples/<lang>.
func exampleFile(t *testing.T, lang, name string) string {
	t.Helper()
	root, err := sandbox.RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile(filepath.Join(root, "examples", lang, name)) //nolint:gosec // the repository's example
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

// jsonString is s as a JSON string literal, which TypeScript and Python read as the same
// string.
func jsonString(s string) string {
	quoted, _ := json.Marshal(s)
	return string(quoted)
}

// jsonList is a list of strings as a JSON array, a literal in TypeScript and Python.
func jsonList(items []string) string {
	quoted, _ := json.Marshal(items)
	return string(quoted)
}
