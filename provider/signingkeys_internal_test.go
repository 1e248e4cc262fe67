package provider

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type noResources struct{}

func (noResources) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name + "-id", args.Inputs, nil
}

func (noResources) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return args.Args, nil
}

// withContext runs f with a Pulumi context under mocks.
func withContext(t *testing.T, f func(ctx *pulumi.Context)) {
	t.Helper()
	err := pulumi.RunErr(func(ctx *pulumi.Context) error { f(ctx); return nil },
		pulumi.WithMocks("proj", "stack", noResources{}))
	if err != nil {
		t.Fatal(err)
	}
}

// TestSigningKeysOfAnotherShapeAreAnError: whatever reaches awaitSigningKeys that is not
// a list of strings is an error naming signingKeys. Taken as "no keys", it would turn a
// phase-2 stack back into phase 1 and plan to delete keys.json and the webhook.
func TestSigningKeysOfAnotherShapeAreAnError(t *testing.T) {
	for name, value := range map[string]any{
		"a number":      42,
		"a list of any": []any{"-----BEGIN PUBLIC KEY-----"},
		"a map":         map[string]any{"tls.crt": "x"},
		"a string":      "-----BEGIN PUBLIC KEY-----",
		"nothing":       nil,
	} {
		withContext(t, func(ctx *pulumi.Context) {
			keys := pulumi.StringArrayOutput{OutputState: pulumi.Any(value).OutputState}
			got, err := awaitSigningKeys(ctx, keys)
			if err == nil {
				t.Errorf("%s: awaitSigningKeys = %+v, want an error", name, got)
				return
			}
			if !strings.Contains(err.Error(), "signingKeys") || !strings.Contains(err.Error(), "list of") {
				t.Errorf("%s: error %q does not name signingKeys and the fix", name, err)
			}
		})
	}
	// The shapes that do mean "no keys yet" stay phase 1.
	for name, keys := range map[string]pulumi.StringArrayInput{
		"no input":   nil,
		"empty list": pulumi.StringArray{},
		"nil list":   pulumi.ToStringArray(nil),
	} {
		withContext(t, func(ctx *pulumi.Context) {
			got, err := awaitSigningKeys(ctx, keys)
			if err != nil || got.phase2 {
				t.Errorf("%s: awaitSigningKeys = %+v, %v; want phase 1", name, got, err)
			}
		})
	}
}
