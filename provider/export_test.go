package provider

import (
	"context"
	"net"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuercheck"
)

// WithIssuerCheckNetwork returns ctx under which IssuerCheck dials with dial instead of
// the network and retries on clock instead of the wall clock. Tests serve the provider
// with it, so checks reach loopback servers under real host names and never sleep.
func WithIssuerCheckNetwork(ctx context.Context, dial func(ctx context.Context, network, address string) (net.Conn, error),
	clock issuercheck.Clock,
) context.Context {
	return context.WithValue(ctx, issuerCheckEnvKey{}, issuerCheckEnv{dial: dial, clock: clock})
}
