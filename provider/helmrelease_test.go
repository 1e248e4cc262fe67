package provider

import (
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// TestHelmReleaseRegistersLikeTheSDK proves that newHelmRelease sends the engine exactly
// the registration the Kubernetes SDK's helmv3.NewRelease sends, field by field (type,
// name, inputs, dependencies, provider version, options), apart from the call-site stack
// the SDK records for diagnostics. The test binary may link helm/v3; only the plugin must
// not (see TestPluginLinksNoKubernetesAPIGroups). When an SDK upgrade makes NewRelease
// send something new, this fails and newHelmRelease must follow.
func TestHelmReleaseRegistersLikeTheSDK(t *testing.T) {
	values := func() pulumi.MapOutput {
		return pulumi.Map{
			"replicaCount": pulumi.Int(2),
			"pki":          pulumi.Map{"caBundle": pulumi.ToSecret(pulumi.String("CA")).(pulumi.StringOutput)},
			"list":         pulumi.Array{pulumi.String("a"), pulumi.Bool(true)},
		}.ToMapOutput()
	}
	for name, withRepository := range map[string]bool{"repository chart": true, "local chart": false} {
		t.Run(name, func(t *testing.T) {
			viaSDK := registerRelease(t, func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				args := &helmv3.ReleaseArgs{
					Name:      pulumi.String("pod-identity-webhook"),
					Chart:     pulumi.String("amazon-eks-pod-identity-webhook"),
					Namespace: pulumi.String("ns").ToStringOutput(),
					Values:    values(),
				}
				if withRepository {
					args.Version = pulumi.String("2.6.5")
					args.RepositoryOpts = &helmv3.RepositoryOptsArgs{Repo: pulumi.String("https://charts.example.com")}
				}
				_, err := helmv3.NewRelease(ctx, "webhook", args, opts...)
				return err
			})
			viaUs := registerRelease(t, func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				r := helmRelease{
					Name:      pulumi.String("pod-identity-webhook"),
					Chart:     pulumi.String("amazon-eks-pod-identity-webhook"),
					Namespace: pulumi.String("ns").ToStringOutput(),
					Values:    values(),
				}
				if withRepository {
					r.Version = pulumi.String("2.6.5")
					r.Repository = pulumi.String("https://charts.example.com")
				}
				return newHelmRelease(ctx, "webhook", r, opts...)
			})
			if viaUs != viaSDK {
				t.Errorf("registration differs from helmv3.NewRelease's\nours: %s\nSDK:  %s", viaUs, viaSDK)
			}
		})
	}
}

// TestPluginLinksNoKubernetesAPIGroups keeps the main finding of the benchmarks from
// regressing: importing the Kubernetes SDK's helm/v3 package (for helmv3.NewRelease)
// pulls in its kubernetes/yaml package and through it every API group of the SDK, which
// doubled the plugin's size, start-up time and memory. newHelmRelease registers the
// release without it; this fails if anything brings the import back.
func TestPluginLinksNoKubernetesAPIGroups(t *testing.T) {
	// go test runs under the go command, so it is on PATH; without it the guard must fail,
	// not pass silently.
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to list the plugin's packages: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "./cmd/pulumi-resource-eksa-irsa").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, heavy := range []string{
		"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/yaml",
		"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3",
	} {
		if slices.Contains(strings.Fields(string(out)), heavy) {
			t.Errorf("the plugin links %s, which links every Kubernetes API group of the SDK; "+
				"register the resource directly as newHelmRelease does", heavy)
		}
	}
}

// registerRelease runs register under mocks, after a resource the release depends on,
// and returns the release's RegisterResource request as JSON without the stack trace and
// source position, which name the calling code rather than the resource.
func registerRelease(t *testing.T, register func(*pulumi.Context, ...pulumi.ResourceOption) error) string {
	t.Helper()
	mocks := &releaseMocks{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		var dep pulumi.CustomResourceState
		if err := ctx.RegisterResource("test:index:Dependency", "dep", pulumi.Map{}, &dep); err != nil {
			return err
		}
		return register(ctx, pulumi.DependsOn([]pulumi.Resource{&dep}))
	}, pulumi.WithMocks("project", "stack", mocks))
	if err != nil {
		t.Fatal(err)
	}
	mocks.mu.Lock()
	defer mocks.mu.Unlock()
	if mocks.release == "" {
		t.Fatal("no Release registered")
	}
	return mocks.release
}

type releaseMocks struct {
	mu      sync.Mutex
	release string
}

func (m *releaseMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.TypeToken == helmReleaseToken && args.RegisterRPC != nil {
		rpc := proto.Clone(args.RegisterRPC).(*pulumirpc.RegisterResourceRequest)
		rpc.StackTrace, rpc.SourcePosition = nil, nil
		text, err := protojson.Marshal(rpc)
		if err != nil {
			return "", nil, err
		}
		m.mu.Lock()
		m.release = string(text)
		m.mu.Unlock()
	}
	return args.Name + "-id", args.Inputs, nil
}

func (m *releaseMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}
