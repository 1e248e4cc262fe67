package main

import (
	"context"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// ExistsResource forwards to the engine, as the proxy's other methods do. The host's source
// is of an earlier Pulumi tag than the packages it is built with here (the CLI's, so that the
// two share one compile), whose resource monitor has this method besides.
func (p *monitorProxy) ExistsResource(
	ctx context.Context, req *pulumirpc.ExistsResourceRequest,
) (*pulumirpc.ExistsResourceResponse, error) {
	return p.target.ExistsResource(ctx, req)
}
