// Command pulumi-resource-kubernetes is the real Kubernetes provider plugin, built for the
// engine tests from the one pulumi-kubernetes provider commit the module proxy serves
// (github.com/pulumi/pulumi-kubernetes/provider/v4 at v4.0.0-20260115033456-f47bc2d6f199,
// not a release). The schema and Terraform mapping it serves are that commit's own,
// copied beside this file by tests/engine/tools/build before the build.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
