// Command pulumi-resource-aws is the stand-in aws provider plugin of the engine tests:
// it answers as pulumi-aws 6.83.4 for the resources the eksa-irsa component creates,
// without calling AWS.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/awsstandin"
)

func main() {
	p := awsstandin.New(awsstandin.EnvFromOS())
	err := provider.Main(awsstandin.Name, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return p, nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}
