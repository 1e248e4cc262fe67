//go:build engine

package engine_test

import "github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"

// The suite's names for the sandbox's parts, which every test uses.
type (
	stack        = sandbox.Stack
	endpoints    = sandbox.Endpoints
	cluster      = sandbox.Cluster
	deployment   = sandbox.Deployment
	resource     = sandbox.Resource
	resourceStep = sandbox.ResourceStep
)

var (
	newStack       = sandbox.NewStack
	startEndpoints = sandbox.StartEndpoints
	startCluster   = sandbox.StartCluster
)
