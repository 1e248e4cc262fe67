package provider

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
)

func parsedAccounts(t *testing.T, specs ...string) []policy.ServiceAccount {
	t.Helper()
	accounts, errs := parseServiceAccounts("serviceAccounts", specs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return accounts
}

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

// TestTrustPolicyDocumentRefusesOverQuota checks the check made when the trust policy's
// values resolve, the one left when they were unknown at preview.
func TestTrustPolicyDocumentRefusesOverQuota(t *testing.T) {
	host := "oidc.example.com/prod"
	trusts := []policy.IssuerTrust{{ProviderARN: "arn:aws:iam::123456789012:oidc-provider/" + host, HostPath: host,
		Audiences: []string{"sts.amazonaws.com"}, Accounts: parsedAccounts(t, "apps/reporting")}}
	doc, err := trustPolicyDocument("trusts", trusts, 2048)
	if err != nil {
		t.Fatal(err)
	}
	size := len(strings.Join(strings.Fields(doc), ""))
	if _, err := trustPolicyDocument("trusts", trusts, size); err != nil {
		t.Errorf("quota = size %d: %v", size, err)
	}
	if _, err := trustPolicyDocument("trusts", trusts, size-1); err == nil || !strings.Contains(err.Error(), "trusts: the trust policy is") {
		t.Errorf("quota below the size: err = %v", err)
	}
	trusts[0].ProviderARN = "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/staging"
	if _, err := trustPolicyDocument("trusts", trusts, 2048); err == nil || !strings.Contains(err.Error(), "trusts: ") {
		t.Errorf("provider of another issuer: err = %v", err)
	}
}
