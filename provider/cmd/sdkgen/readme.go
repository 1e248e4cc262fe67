package main

import (
	"bytes"
	"fmt"
	"text/template"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// fullReadme is where every input, output and rule is documented (the overview links the
// guides and the reference); the SDK READMEs stay short and point there.
const fullReadme = "https://github.com/eksa-irsa/pulumi-eksa-irsa/blob/main/docs/_index.md"

// sdkReadme is one language's registry page: npm, PyPI, pkg.go.dev and Maven Central show
// the README that ships in the package.
type sdkReadme struct {
	Language string
	Install  string // shell commands or a build-file snippet
	Fence    string // code fence language of Install
	Program  string
	Code     string // code fence language of Program
}

// readmePaths is where each language's README goes under sdk/: pyproject.toml names the
// one beside it, and the Python generator also ships one inside the package.
var readmePaths = map[string][]string{
	"go":     {"go/eksairsa/README.md"},
	"java":   {"java/README.md"},
	"nodejs": {"nodejs/README.md"},
	"python": {"python/README.md", "python/pulumi_eksa_irsa/README.md"},
}

func readmes(version string) map[string]sdkReadme {
	return map[string]sdkReadme{
		"nodejs": {Language: "TypeScript and JavaScript", Fence: "sh", Code: "typescript",
			Install: "npm install @eksa-irsa/pulumi-eksa-irsa",
			Program: `import * as eksa from "@eksa-irsa/pulumi-eksa-irsa";

const irsa = new eksa.EksaIrsa("prod", {
    clusterName: "prod",
    roles: {
        reporting: {
            serviceAccounts: ["apps/reporting"],
            policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        },
    },
});

export const podIamConfig = irsa.podIamConfig;`},
		"python": {Language: "Python", Fence: "sh", Code: "python",
			Install: "pip install pulumi_eksa_irsa",
			Program: `import pulumi
import pulumi_eksa_irsa as eksa

irsa = eksa.EksaIrsa("prod", cluster_name="prod", roles={
    "reporting": eksa.RoleArgs(
        service_accounts=["apps/reporting"],
        policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    ),
})

pulumi.export("podIamConfig", irsa.pod_iam_config)`},
		"go": {Language: "Go", Fence: "sh", Code: "go",
			Install: "go get github.com/eksa-irsa/pulumi-eksa-irsa/sdk@v" + version,
			Program: `package main

import (
	"github.com/eksa-irsa/pulumi-eksa-irsa/sdk/go/eksairsa"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		irsa, err := eksairsa.NewEksaIrsa(ctx, "prod", &eksairsa.EksaIrsaArgs{
			ClusterName: "prod",
			Roles: map[string]eksairsa.RoleArgs{"reporting": {
				ServiceAccounts: []string{"apps/reporting"},
				PolicyArns:      []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
			}},
		})
		if err != nil {
			return err
		}
		ctx.Export("podIamConfig", irsa.PodIamConfig)
		return nil
	})
}`},
		"java": {Language: "Java", Fence: "xml", Code: "java",
			Install: `<dependency>
  <groupId>io.github.eksa-irsa</groupId>
  <artifactId>eksa-irsa</artifactId>
  <version>` + version + `</version>
</dependency>`,
			Program: `import com.pulumi.Pulumi;
import io.github.eksairsa.eksairsa.EksaIrsa;
import io.github.eksairsa.eksairsa.EksaIrsaArgs;
import io.github.eksairsa.eksairsa.inputs.RoleArgs;
import java.util.Map;

public class App {
    public static void main(String[] args) {
        Pulumi.run(ctx -> {
            var irsa = new EksaIrsa("prod", EksaIrsaArgs.builder()
                .clusterName("prod")
                .roles(Map.of("reporting", RoleArgs.builder()
                    .serviceAccounts("apps/reporting")
                    .policyArns("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
                    .build()))
                .build());
            ctx.export("podIamConfig", irsa.podIamConfig());
        });
    }
}`},
	}
}

var readmeTemplate = template.Must(template.New("README.md").Parse(`# eksa-irsa for {{.Readme.Language}}

{{.Description}}

` + "`EksaIrsa`" + ` replaces the manual steps of IAM Roles for Service Accounts on EKS Anywhere
clusters with self-hosted signing keys: the S3-hosted OIDC discovery document and JWKS, the
IAM OIDC provider, one IAM role per workload with its trust policy, and the pod identity
webhook in the cluster.

## Install

` + "```" + `{{.Readme.Fence}}
{{.Readme.Install}}
` + "```" + `

The first time a program uses it, Pulumi downloads the matching plugin,
` + "`pulumi-resource-eksa-irsa`" + ` v{{.Version}}, from the project's GitHub releases
(` + "`{{.PluginDownloadURL}}`" + `).

## Use

` + "```" + `{{.Readme.Code}}
{{.Readme.Program}}
` + "```" + `

Run ` + "`pulumi up`" + ` before the cluster exists and paste the ` + "`podIamConfig`" + ` output into the
EKS Anywhere cluster spec. Once the cluster exists, pass the public key of its
` + "`<cluster>-sa`" + ` secret (` + "`tls.crt`" + `) as ` + "`signingKeys`" + ` and a Kubernetes provider for the workload
cluster, and ` + "`pulumi up`" + ` again: the JWKS is published and the webhook installed.

Every input, output and rule, and complete platform stacks: {{.FullReadme}}
`))

// addReadme puts the language's registry README into files, in place of the generators'
// one-line description.
func addReadme(files map[string][]byte, lang string, pkg *schema.Package) error {
	if pkg.Version == nil {
		return fmt.Errorf("the schema has no version")
	}
	r, ok := readmes(pkg.Version.String())[lang]
	if !ok {
		return fmt.Errorf("no README for %s", lang)
	}
	var buf bytes.Buffer
	if err := readmeTemplate.Execute(&buf, map[string]any{
		"Readme":            r,
		"Description":       pkg.Description,
		"Version":           pkg.Version.String(),
		"PluginDownloadURL": pkg.PluginDownloadURL,
		"FullReadme":        fullReadme,
	}); err != nil {
		return err
	}
	for _, path := range readmePaths[lang] {
		files[path] = buf.Bytes()
	}
	return nil
}
