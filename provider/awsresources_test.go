package provider

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// TestAWSRegistersLikeTheSDK proves that registerAWS adds what pulumi-aws' SDK
// constructors add to a registration: the provider version the SDK of go.mod's version
// asks for (so awsVersion follows go.mod), and the aliases of renamed types. Each case
// registers the same inputs both ways and compares the requests field by field, apart
// from the call-site stack. The test binary may link the SDK; only the plugin must not.
func TestAWSRegistersLikeTheSDK(t *testing.T) {
	tags := func() pulumi.StringMap { return pulumi.StringMap{"team": pulumi.String("platform")} }
	for _, tc := range []struct {
		name   string
		token  string
		viaSDK func(*pulumi.Context, ...pulumi.ResourceOption) error
		viaUs  pulumi.Map
	}{
		{
			name: "role", token: awsRoleToken,
			viaSDK: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := iam.NewRole(ctx, "r", &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}"), Path: pulumi.String("/x/"), Tags: tags()}, opts...)
				return err
			},
			viaUs: pulumi.Map{"assumeRolePolicy": pulumi.String("{}"), "path": pulumi.String("/x/"), "tags": tags()},
		},
		{
			name: "bucket, renamed from aws:s3/bucket:Bucket", token: awsBucketToken,
			viaSDK: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := s3.NewBucketV2(ctx, "r", &s3.BucketV2Args{BucketPrefix: pulumi.String("prod-"), Tags: tags()}, opts...)
				return err
			},
			viaUs: pulumi.Map{"bucketPrefix": pulumi.String("prod-"), "tags": tags()},
		},
		{
			name: "object, renamed from aws:s3/BucketObject:BucketObject", token: awsBucketObjectToken,
			viaSDK: func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := s3.NewBucketObjectv2(ctx, "r", &s3.BucketObjectv2Args{Bucket: pulumi.String("b"), Key: pulumi.String("k")}, opts...)
				return err
			},
			viaUs: pulumi.Map{"bucket": pulumi.String("b"), "key": pulumi.String("k")},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sdk := registrationOf(t, tc.token, tc.viaSDK)
			ours := registrationOf(t, tc.token, func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
				_, err := newAWSResource(ctx, tc.token, "r", tc.viaUs, opts...)
				return err
			})
			if ours != sdk {
				t.Errorf("registration differs from the SDK's\nours: %s\nSDK:  %s", ours, sdk)
			}
		})
	}
}

// registrationOf runs register under mocks, after a resource the registered one depends
// on, and returns the RegisterResource request of type token as JSON without the stack
// trace and source position, which name the calling code rather than the resource.
func registrationOf(t *testing.T, token string, register func(*pulumi.Context, ...pulumi.ResourceOption) error) string {
	t.Helper()
	mocks := &registrationMocks{token: token}
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
	if mocks.request == "" {
		t.Fatalf("no %s registered", token)
	}
	return mocks.request
}

// registrationMocks records the RegisterResource request of one type.
type registrationMocks struct {
	token   string
	mu      sync.Mutex
	request string
}

func (m *registrationMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.TypeToken == m.token && args.RegisterRPC != nil {
		rpc := proto.Clone(args.RegisterRPC).(*pulumirpc.RegisterResourceRequest)
		rpc.StackTrace, rpc.SourcePosition = nil, nil
		text, err := protojson.Marshal(rpc)
		if err != nil {
			return "", nil, err
		}
		m.mu.Lock()
		m.request = string(text)
		m.mu.Unlock()
	}
	return args.Name + "-id", args.Inputs, nil
}

func (m *registrationMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}
