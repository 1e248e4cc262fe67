package awsstandin_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/awsstandin"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
	st "github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin/standintest"
)

// iamClient is the stand-in for us-west-2 with S3 and IAM directories, and faults.
func iamClient(t *testing.T, faults string) (c *st.Client, s3Dir, iamDir string) {
	s3Dir, iamDir = t.TempDir(), t.TempDir()
	p := awsstandin.New(awsstandin.Env{S3Dir: s3Dir, IAMDir: iamDir, Faults: faults})
	return st.New(t, p, st.Props(map[string]any{"region": "us-west-2"})), s3Dir, iamDir
}

const (
	trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x:sub":"system:serviceaccount:apps:reporting"}}}]}`
	wider = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/x"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
)

func TestRefreshFindsADeletedObjectGone(t *testing.T) {
	c, s3Dir, _ := iamClient(t, "")
	bucket, _, _ := c.MustCreate(st.URN("aws:s3/bucketV2:BucketV2", "b"), st.Props(map[string]any{"bucket": "issuer"}))
	urn := st.URN("aws:s3/bucketObjectv2:BucketObjectv2", "jwks")
	id, in, out := c.MustCreate(urn, st.Props(map[string]any{"bucket": bucket, "key": "keys.json", "content": "{}"}))
	if got, _, _, err := c.ReadAll(urn, id, in, out); err != nil || got != "keys.json" {
		t.Fatalf("Read of a stored object: id %q (%v), want keys.json", got, err)
	}
	if err := os.Remove(filepath.Join(s3Dir, bucket, "keys.json")); err != nil {
		t.Fatal(err)
	}
	if got, _, props, err := c.ReadAll(urn, id, in, out); err != nil || got != "" || len(props) != 0 {
		t.Errorf("Read of a deleted object: id %q, properties %v (%v); want it reported gone", got, props, err)
	}
}

func TestRefreshReadsTheTrustPolicyBack(t *testing.T) {
	c, _, iamDir := iamClient(t, "")
	urn := st.URN("aws:iam/role:Role", "reporting")
	id, in, out := c.MustCreate(urn, st.Props(map[string]any{"name": "reporting", "assumeRolePolicy": trust}))
	stored := filepath.Join(iamDir, awsstandin.RolesDir, "reporting.json")
	if got, err := os.ReadFile(stored); err != nil || string(got) != trust {
		t.Fatalf("stored trust policy %q (%v), want the input", got, err)
	}

	// The same policy with other spacing is no change, as the provider compares policies.
	if err := os.WriteFile(stored, []byte(strings.ReplaceAll(trust, ",", ", ")), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ins, outs, err := c.ReadAll(urn, id, in, out); err != nil ||
		standin.StringOr(ins, "assumeRolePolicy", "") != trust || standin.StringOr(outs, "assumeRolePolicy", "") != trust {
		t.Errorf("Read of an equivalent policy changed the state: %v %v (%v)", ins["assumeRolePolicy"], outs["assumeRolePolicy"], err)
	}

	if err := os.WriteFile(stored, []byte(wider), 0o600); err != nil {
		t.Fatal(err)
	}
	gotID, ins, outs, err := c.ReadAll(urn, id, in, out)
	if err != nil || gotID != id || standin.StringOr(ins, "assumeRolePolicy", "") != wider ||
		standin.StringOr(outs, "assumeRolePolicy", "") != wider {
		t.Fatalf("Read of an edited policy: id %q, inputs %v, outputs %v (%v); want the edit in both",
			gotID, ins["assumeRolePolicy"], outs["assumeRolePolicy"], err)
	}
	// The next update sets the program's policy back.
	diff := c.Diff(urn, id, ins, outs, in)
	if len(diff.GetReplaces()) > 0 || !strings.Contains(strings.Join(diff.GetDiffs(), ","), "assumeRolePolicy") {
		t.Errorf("diff after the edit: %v, want an update of assumeRolePolicy", diff)
	}
	if _, err := c.Update(urn, id, ins, outs, in, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(stored); string(got) != trust {
		t.Errorf("after Update IAM holds %s, want the program's policy", got)
	}

	if err := c.Delete(urn, id, in, out); err != nil {
		t.Fatal(err)
	}
	if gotID, _, _, err := c.ReadAll(urn, id, in, out); err != nil || gotID != "" {
		t.Errorf("Read of a deleted role: id %q (%v), want it gone", gotID, err)
	}
}

func TestRoleNameTakenIsEntityAlreadyExists(t *testing.T) {
	c, _, _ := iamClient(t, "")
	props := st.Props(map[string]any{"name": "reporting", "assumeRolePolicy": trust})
	c.MustCreate(st.URN("aws:iam/role:Role", "a"), props)
	_, _, err := c.Create(st.URN("aws:iam/role:Role", "b"), props, false)
	if err == nil || !strings.Contains(err.Error(), "StatusCode: 409") ||
		!strings.HasSuffix(err.Error(), "api error EntityAlreadyExists: Role with name reporting already exists.") {
		t.Errorf("a second role of the same name: %v, want IAM's EntityAlreadyExists", err)
	}
}

func TestOneOIDCProviderPerURL(t *testing.T) {
	c, _, iamDir := iamClient(t, "")
	const url = "https://s3.us-west-2.amazonaws.com/prod-irsa-shared"
	props := st.Props(map[string]any{"url": url, "clientIdLists": []string{"sts.amazonaws.com"}})
	first := st.URN("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "first")
	id, in, out := c.MustCreate(first, props)
	file := filepath.Join(iamDir, awsstandin.OIDCProvidersDir, awsstandin.OIDCProviderFile(url))
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the provider is not recorded: %v", err)
	}
	_, _, err := c.Create(st.URN("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "second"), props, false)
	want := regexp.MustCompile(`^creating IAM OIDC Provider: operation error IAM: CreateOpenIDConnectProvider, ` +
		`https response error StatusCode: 409, RequestID: [0-9a-f-]{36}, api error EntityAlreadyExists: ` +
		`Provider with url https://s3.us-west-2.amazonaws.com/prod-irsa-shared already exists.$`)
	if err == nil || !want.MatchString(err.Error()) {
		t.Errorf("a second provider for the URL: %v, want IAM's EntityAlreadyExists", err)
	}
	if err := c.Delete(first, id, in, out); err != nil {
		t.Fatal(err)
	}
	if gotID, _, _, err := c.ReadAll(first, id, in, out); err != nil || gotID != "" {
		t.Errorf("Read of a deleted provider: id %q (%v), want it gone", gotID, err)
	}
	c.MustCreate(st.URN("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "second"), props)
}

func TestFaultsRefuseTheChosenCalls(t *testing.T) {
	c, _, iamDir := iamClient(t, "Create:aws:iam/role:Role:Throttling, Update:aws:iam/role:Role:ExpiredToken")
	urn := st.URN("aws:iam/role:Role", "reporting")
	props := st.Props(map[string]any{"name": "reporting", "assumeRolePolicy": trust})
	if _, _, err := c.Create(urn, props, true); err != nil {
		t.Errorf("a preview was refused: %v", err)
	}
	_, _, err := c.Create(urn, props, false)
	throttled := regexp.MustCompile(`^creating IAM Role \(reporting\): operation error IAM: CreateRole, exceeded maximum ` +
		`number of attempts, 25, https response error StatusCode: 400, RequestID: [0-9a-f-]{36}, api error Throttling: Rate exceeded$`)
	if err == nil || !throttled.MatchString(err.Error()) {
		t.Errorf("Create: %v, want IAM's throttling after the provider's retries", err)
	}
	if _, err := os.Stat(filepath.Join(iamDir, awsstandin.RolesDir, "reporting.json")); !os.IsNotExist(err) {
		t.Errorf("a refused create left a role: %v", err)
	}
	// Other types are untouched.
	c.MustCreate(st.URN("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "p"),
		st.Props(map[string]any{"url": "https://example.com/x", "clientIdLists": []string{"sts.amazonaws.com"}}))

	out := resource.PropertyMap{}
	standin.Set(out, "name", "reporting")
	standin.Set(out, "assumeRolePolicy", trust)
	_, err = c.Update(urn, "reporting", props, out, st.Props(map[string]any{"name": "reporting", "assumeRolePolicy": wider}), false)
	expired := regexp.MustCompile(`^updating IAM Role \(reporting\) assume role policy: operation error IAM: UpdateAssumeRolePolicy, ` +
		`https response error StatusCode: 403, RequestID: [0-9a-f-]{36}, api error ExpiredToken: The security token included in the request is expired$`)
	if err == nil || !expired.MatchString(err.Error()) {
		t.Errorf("Update: %v, want STS's expired token", err)
	}
}

func TestFaultsThatDoNotParseFailEveryCall(t *testing.T) {
	for _, spec := range []string{"Create:aws:iam/role:Role", "Put:aws:iam/role:Role:Throttling",
		"Create:aws:iam/role:Role:SlowDown", "Create:aws:iam/user:User:Throttling"} {
		c, _, _ := iamClient(t, spec)
		_, _, err := c.Create(st.URN("aws:s3/bucketV2:BucketV2", "b"), st.Props(map[string]any{"bucket": "issuer"}), false)
		if err == nil || !strings.Contains(err.Error(), awsstandin.FaultsEnv) {
			t.Errorf("%s: %v, want an error naming %s", spec, err, awsstandin.FaultsEnv)
		}
	}
}

func TestOIDCProvidersPerAccount(t *testing.T) {
	s3Dir, iamDir := t.TempDir(), t.TempDir()
	env := awsstandin.Env{S3Dir: s3Dir, IAMDir: iamDir}
	const url = "https://s3.us-west-2.amazonaws.com/prod-irsa-shared"
	props := st.Props(map[string]any{"url": url, "clientIdLists": []string{"sts.amazonaws.com"}})
	urn := st.URN("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "p")
	a := st.New(t, awsstandin.New(env), st.Props(map[string]any{"region": "us-west-2"}))
	a.MustCreate(urn, props)
	// A provider that assumes a role of another account registers the same URL there.
	b := st.New(t, awsstandin.New(env), st.Props(map[string]any{"region": "us-west-2",
		"assumeRole": map[string]any{"roleArn": "arn:aws:iam::222233334444:role/deploy"}}))
	id, in, out := b.MustCreate(urn, props)
	inB := filepath.Join(iamDir, awsstandin.AccountsDir, "222233334444", awsstandin.OIDCProvidersDir, awsstandin.OIDCProviderFile(url))
	if _, err := os.Stat(inB); err != nil {
		t.Errorf("the other account's provider is not kept apart: %v", err)
	}
	if _, _, err := b.Create(st.URN("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "q"), props, false); err == nil {
		t.Error("a second provider for the URL in the other account was accepted")
	}
	if err := b.Delete(urn, id, in, out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(iamDir, awsstandin.OIDCProvidersDir, awsstandin.OIDCProviderFile(url))); err != nil {
		t.Errorf("deleting in the other account removed the default account's provider: %v", err)
	}
}
