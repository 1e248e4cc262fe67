// Package provider serves the eksa-irsa Pulumi package: the EksaIrsa, IssuerBucket,
// ServiceAccountRole and IssuerOidcProvider components, the IssuerCheck resource and the computeJwks and
// getSigningKeys functions. It is deliberately thin: every rule about keys, documents,
// names, policies and limits lives in the internal packages, so this package only decodes
// inputs, calls those rules and turns the result into Pulumi resources and outputs.
package provider

import (
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// Name is the Pulumi package name; tokens, the plugin binary and every SDK derive from it.
const Name = "eksa-irsa"

// Version is stamped at build time with -ldflags "-X ...provider.Version=<v>" so that the
// plugin reports the release it was built from; the default marks an unstamped build.
var Version = "0.1.0-dev"

// EksaIrsaToken is the component's type token. It is a constant because outside Construct
// pulumi-go-provider has no token to hand, and tests and users depend on this exact name.
const EksaIrsaToken = "eksa-irsa:index:EksaIrsa"

// ComputeJwksToken is the function's type token, fixed for the same reason.
const ComputeJwksToken = "eksa-irsa:index:computeJwks"

// PluginDownloadURL is where Pulumi fetches the plugin for a program whose SDK came from a
// package registry: the GitHub releases of this repository, whose archives are named
// pulumi-resource-eksa-irsa-v<version>-<os>-<arch>.tar.gz as the CLI expects.
const PluginDownloadURL = "github://api.github.com/eksa-irsa/pulumi-eksa-irsa"

// Provider returns the eksa-irsa provider. The language map pins every SDK's package name
// and import path because the generators' defaults assume a package Pulumi itself
// publishes: the npm scope @pulumi, which this project cannot publish to, and a Go import
// path made of the repository URL and the package name ("https://github.com/…/sdk/go/
// eksa-irsa", no valid import path). The module map makes this Go package, named
// provider, the schema's index module.
func Provider() p.Provider {
	prov, err := infer.NewProviderBuilder().
		WithDisplayName("EKS Anywhere IRSA").
		WithDescription("IAM Roles for Service Accounts (IRSA) for EKS Anywhere clusters: "+
			"an S3-hosted OIDC issuer, the IAM OIDC provider and roles, and the pod identity webhook, as one component.").
		WithKeywords("eks-anywhere", "irsa", "iam", "oidc", "kubernetes", "aws", "category/cloud", "kind/component").
		WithHomepage("https://github.com/eksa-irsa/pulumi-eksa-irsa").
		WithRepository("https://github.com/eksa-irsa/pulumi-eksa-irsa").
		WithPublisher("eksa-irsa").
		WithLicense("Apache-2.0").
		WithPluginDownloadURL(PluginDownloadURL).
		WithLanguageMap(languageMap()).
		WithModuleMap(map[tokens.ModuleName]tokens.ModuleName{"provider": "index"}).
		WithComponents(infer.ComponentF(NewEksaIrsa), infer.ComponentF(NewIssuerBucket), infer.ComponentF(NewServiceAccountRole),
			infer.ComponentF(NewIssuerOidcProvider)).
		WithFunctions(infer.Function(&ComputeJwks{})).
		WithFunctions(infer.Function(&GetSigningKeys{})).
		WithResources(infer.Resource(&IssuerCheck{}), infer.Resource(&IssuerGuard{})).
		Build()
	if err != nil {
		// Build only fails on a programming error in the declarations above.
		panic(err)
	}
	return withInputKinds(withSchemaFixes(prov))
}

// languageMap names each SDK after the product and keeps the generated SDKs installable on
// their own: npm and PyPI metadata, a Go SDK that is its own module (sdk/go.mod), so that
// `go get` of the SDK brings only the Pulumi SDK rather than the provider's dependencies,
// and a Java package without the generator's Gradle files (there is no Gradle where this
// project builds; javagen writes a Maven pom instead).
func languageMap() map[string]any {
	return map[string]any{
		"nodejs": map[string]any{
			"packageName":          "@eksa-irsa/pulumi-eksa-irsa",
			"packageDescription":   "IAM Roles for Service Accounts on EKS Anywhere, as one Pulumi component.",
			"respectSchemaVersion": true,
			// The lowest releases the generated code works with: IssuerCheck.exists() calls
			// runtime.existsResource / exists_resource, which 3.269.0 added to both SDKs.
			// make test runs the SDK's tests with exactly these lower bounds.
			"dependencies": map[string]string{
				"@pulumi/pulumi": "^3.269.0",
			},
		},
		"python": map[string]any{
			"packageName":          "pulumi_eksa_irsa",
			"respectSchemaVersion": true,
			"requires": map[string]string{
				"pulumi": ">=3.269.0,<4.0.0",
			},
			"pyproject": map[string]any{"enabled": true},
		},
		"go": map[string]any{
			"importBasePath":                 "github.com/eksa-irsa/pulumi-eksa-irsa/sdk/go/eksairsa",
			"modulePath":                     "github.com/eksa-irsa/pulumi-eksa-irsa/sdk",
			"rootPackageName":                "eksairsa",
			"generateResourceContainerTypes": true,
			// Input types for every object type: the Go generator otherwise leaves out those
			// used only in plain lists (ServiceAccountRole.trusts), yet names them in the args.
			"generateExtraInputTypes":       true,
			"respectSchemaVersion":          true,
			"disableInputTypeRegistrations": false,
		},
		"java": map[string]any{
			"basePackage": "io.github.eksairsa",
			"packages":    map[string]string{Name: "eksairsa"},
			"buildFiles":  "none",
			"dependencies": map[string]string{
				"com.pulumi:pulumi": "1.12.0",
			},
		},
	}
}
