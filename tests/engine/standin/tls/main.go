// Command pulumi-resource-tls is the stand-in tls provider plugin of the engine tests:
// it answers as pulumi-tls 5.2.0, making real keys and X.509 certificates.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/tlsstandin"
)

func main() {
	p := tlsstandin.New(tlsstandin.EnvFromOS())
	err := provider.Main(tlsstandin.Name, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return p, nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}
