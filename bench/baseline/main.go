// Command baseline is the floor that `make bench` compares the eksa-irsa plugin with: a
// pulumi-go-provider plugin serving one trivial component (one string in, one string out,
// no child resources) and nothing else. It links exactly what every pulumi-go-provider
// component plugin links (the provider framework, the Pulumi Go SDK, gRPC), so the ratio
// of our figures to its figures is the cost of what eksa-irsa adds on top of that.
//
// It is a benchmark fixture, not a product: keep it minimal, and keep it built the same
// way as the real plugin (infer builder, ComponentF, module mapped to index), so the two
// differ only in what they serve.
package main

import (
	"context"
	"fmt"
	"os"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// EchoArgs is the component's only input.
type EchoArgs struct {
	Text string `pulumi:"text"`
}

// Echo returns its input as its only output and registers no children.
type Echo struct {
	pulumi.ResourceState

	Text pulumi.StringOutput `pulumi:"text"`
}

// NewEcho constructs the component.
func NewEcho(ctx *pulumi.Context, name string, args EchoArgs, opts ...pulumi.ResourceOption) (*Echo, error) {
	comp := &Echo{}
	if err := ctx.RegisterComponentResource("baseline:index:Echo", name, comp, opts...); err != nil {
		return nil, err
	}
	comp.Text = pulumi.String(args.Text).ToStringOutput()
	return comp, nil
}

func provider() p.Provider {
	prov, err := infer.NewProviderBuilder().
		WithModuleMap(map[tokens.ModuleName]tokens.ModuleName{"main": "index"}).
		WithComponents(infer.ComponentF(NewEcho)).
		Build()
	if err != nil {
		panic(err)
	}
	return prov
}

func main() {
	if err := provider().Run(context.Background(), "baseline", "0.0.1"); err != nil {
		fmt.Fprintf(os.Stderr, "baseline: %v\n", err)
		os.Exit(1)
	}
}
