package provider

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// helmReleaseToken is the type of pulumi-kubernetes' Helm release resource.
const helmReleaseToken = "kubernetes:helm.sh/v3:Release"

// helmRelease holds the inputs of the webhook's Helm release that the component sets;
// nil fields are left out, as the SDK leaves out unset fields.
type helmRelease struct {
	Name       pulumi.StringInput
	Chart      pulumi.StringInput
	Namespace  pulumi.StringInput
	Values     pulumi.MapInput
	Version    pulumi.StringInput // nil: the chart's own (local charts)
	Repository pulumi.StringInput // nil: none (oci:// and local charts)
}

// newHelmRelease registers a kubernetes:helm.sh/v3:Release the way the Kubernetes SDK's
// helmv3.NewRelease does: the same inputs, compat "true", and the SDK's version as the
// provider version (through the SDK's own utilities.PkgResourceDefaultOpts, so it follows
// go.mod); TestHelmReleaseRegistersLikeTheSDK compares the two registrations.
//
// It does not call helmv3.NewRelease because the SDK's helm/v3 package imports its
// kubernetes/yaml package, which imports every Kubernetes API group of the SDK (some 60
// packages, about 170,000 symbols, each package registering its types at start-up),
// although the component only ever creates this one resource. That import alone made the
// plugin binary 2.1 times as large (122 MiB instead of 58 MiB stripped) and added about
// half to its start-up time and resident memory; see docs/benchmarks.md. The
// component reads no output of the release, so the resource declares none.
func newHelmRelease(ctx *pulumi.Context, name string, r helmRelease, opts ...pulumi.ResourceOption) error {
	inputs := pulumi.Map{
		"chart":     r.Chart,
		"compat":    pulumi.String("true"),
		"name":      r.Name,
		"namespace": r.Namespace,
		"values":    r.Values,
	}
	if r.Version != nil {
		inputs["version"] = r.Version
	}
	if r.Repository != nil {
		inputs["repositoryOpts"] = pulumi.Map{"repo": r.Repository}
	}
	var release pulumi.CustomResourceState
	return ctx.RegisterResource(helmReleaseToken, name, inputs, &release, utilities.PkgResourceDefaultOpts(opts)...)
}
