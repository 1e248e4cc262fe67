package provider_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// Issuers of the clusters the shared roles below trust, as EksaIrsa outputs them: an
// S3 path-style issuer of a generated bucket, one in a shared bucket, a custom domain.
var (
	hostA = "s3." + mockRegion + ".amazonaws.com/a-irsa-20261127000000000000000001"
	hostB = "s3." + mockRegion + ".amazonaws.com/platform-oidc/clusters/b"
	hostC = "oidc.example.com/clusters/c"
)

func oidcARN(hostPath string) string {
	return "arn:aws:iam::" + mockAccount + ":oidc-provider/" + hostPath
}

func trustOf(hostPath string, accounts ...any) map[string]any {
	return map[string]any{"oidcProviderArn": oidcARN(hostPath), "issuerHostPath": hostPath, "serviceAccounts": accounts}
}

// sharedRole is a ServiceAccountRole trusted by clusters a and b with every role field.
func sharedRole() map[string]any {
	return map[string]any{
		"trusts": []any{
			trustOf(hostA, "apps/reporting"),
			trustOf(hostB, "apps/reporting", "batch/*"),
		},
		"policyArns":           []any{s3ReadOnly},
		"policies":             map[string]any{"reports-bucket": "arn:aws:iam::123456789012:policy/reports-bucket"},
		"inlinePolicies":       map[string]any{"send": `{"Version":"2012-10-17","Statement":[]}`},
		"maxSessionDuration":   7200,
		"permissionsBoundary":  "arn:aws:iam::123456789012:policy/boundary",
		"path":                 "/shared/",
		"description":          "reporting in every cluster",
		"stsRegionalEndpoints": false,
		"tokenExpiration":      3600,
		"tags":                 map[string]any{"team": "platform"},
	}
}

// sarRun is one Construct of a ServiceAccountRole: what it registered, its outputs or
// error, and the warnings it logged.
type sarRun struct {
	aws      *fakeAWS
	state    property.Map
	err      error
	warnings []string
}

// constructRole builds a ServiceAccountRole named name; dryRun makes it a preview.
func constructRole(t *testing.T, name string, inputs map[string]any, dryRun bool) sarRun {
	t.Helper()
	return constructLogging(t, provider.ServiceAccountRoleToken, name, inputs, dryRun)
}

// constructLogging builds the component token named name and keeps its warnings.
func constructLogging(t *testing.T, token tokens.Type, name string, inputs map[string]any, dryRun bool) sarRun {
	t.Helper()
	run := sarRun{aws: &fakeAWS{}}
	server := newServer(t, run.aws)
	resp, err := server.Construct(p.ConstructRequest{
		Urn:    presource.NewURN("test", "proj", "", token, name),
		Inputs: toValue(t, inputs).AsMap(),
		DryRun: dryRun,
	})
	run.state, run.err = resp.State, err
	for _, l := range engineLogs(t, server) {
		if l.GetSeverity().String() == "WARNING" {
			run.warnings = append(run.warnings, l.GetMessage())
		}
	}
	return run
}

// expectRefused checks that the run failed at preview with an error containing every
// string of want, and that nothing was registered before it failed.
func (run sarRun) expectRefused(t *testing.T, want []string) {
	t.Helper()
	if run.err == nil {
		t.Fatal("accepted")
	}
	for _, w := range want {
		if !strings.Contains(run.err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, run.err)
		}
	}
	if len(run.aws.children) != 0 {
		t.Errorf("registered %v before failing", run.aws.names())
	}
}

func mustConstructRole(t *testing.T, inputs map[string]any) sarRun {
	t.Helper()
	run := constructRole(t, "shared", inputs, false)
	if run.err != nil {
		t.Fatalf("construct: %v", run.err)
	}
	return run
}

func TestServiceAccountRoleTrustsEachIssuer(t *testing.T) {
	run := mustConstructRole(t, sharedRole())
	want := slices.Sorted(slices.Values([]string{
		tAttachment + " shared-AmazonS3ReadOnlyAccess",
		tAttachment + " shared-reports-bucket",
		tRole + " shared",
		tRolePolicy + " shared-inline-send",
	}))
	if got := run.aws.names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("children:\n got %v\nwant %v", got, want)
	}
	role := run.aws.named(t, "shared").Inputs
	if role.Get("maxSessionDuration").AsNumber() != 7200 || str(t, role, "path") != "/shared/" ||
		str(t, role, "description") != "reporting in every cluster" ||
		str(t, role, "permissionsBoundary") != "arn:aws:iam::123456789012:policy/boundary" ||
		str(t, role.Get("tags").AsMap(), "team") != "platform" {
		t.Errorf("role inputs = %v", role)
	}
	if got := str(t, run.aws.named(t, "shared-reports-bucket").Inputs, "policyArn"); got != "arn:aws:iam::123456789012:policy/reports-bucket" {
		t.Errorf("policies attachment = %q", got)
	}

	doc := []byte(str(t, role, "assumeRolePolicy"))
	var parsed struct {
		Statement []struct{ Principal struct{ Federated string } }
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	var federated []string
	for _, st := range parsed.Statement {
		federated = append(federated, st.Principal.Federated)
	}
	if want := []string{oidcARN(hostA), oidcARN(hostB)}; !reflect.DeepEqual(federated, want) {
		t.Errorf("statements trust %v, want one per issuer in order %v", federated, want)
	}
	admits := func(host, sub string) bool {
		ok, err := iameval.AllowsAssumeRole(doc, iameval.WebIdentity(oidcARN(host), host, sub, "sts.amazonaws.com"))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, tt := range []struct {
		host, sub string
		admit     bool
	}{
		{hostA, "system:serviceaccount:apps:reporting", true},
		{hostB, "system:serviceaccount:apps:reporting", true},
		{hostB, "system:serviceaccount:batch:export", true},
		{hostA, "system:serviceaccount:batch:export", false},
		{hostC, "system:serviceaccount:apps:reporting", false},
	} {
		if got := admits(tt.host, tt.sub); got != tt.admit {
			t.Errorf("%s from %s: admitted = %v, want %v", tt.sub, tt.host, got, tt.admit)
		}
	}

	roleArn := "arn:aws:iam::" + mockAccount + ":role/shared-1a2b3c4"
	if str(t, run.state, "roleArn") != roleArn || str(t, run.state, "roleName") != "shared-1a2b3c4" {
		t.Errorf("outputs = %v", run.state)
	}
	wantAnnotations := map[string]any{
		"eks.amazonaws.com/role-arn":               roleArn,
		"eks.amazonaws.com/sts-regional-endpoints": "false",
		"eks.amazonaws.com/token-expiration":       "3600",
	}
	if got := plain(run.state.Get("serviceAccountAnnotations")); !reflect.DeepEqual(got, wantAnnotations) {
		t.Errorf("serviceAccountAnnotations = %v, want %v", got, wantAnnotations)
	}
}

// TestServiceAccountRoleStatementsFor1To5Issuers checks the statement per issuer and
// that each issuer keeps its own audiences and service accounts.
func TestServiceAccountRoleStatementsFor1To5Issuers(t *testing.T) {
	hosts := []string{hostA, hostB, hostC, "oidc.example.com/clusters/d", "oidc-e.example.com"}
	for _, n := range []int{1, 2, 5} {
		var trusts []any
		for i := range n {
			tr := trustOf(hosts[i], "apps/reporting")
			if i == 2 {
				tr["audiences"] = []any{"vault"}
			}
			trusts = append(trusts, tr)
		}
		run := mustConstructRole(t, map[string]any{"trusts": trusts})
		var doc struct {
			Statement []struct {
				Principal struct{ Federated string }
				Condition map[string]map[string]any
			}
		}
		if err := json.Unmarshal([]byte(str(t, run.aws.named(t, "shared").Inputs, "assumeRolePolicy")), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Statement) != n {
			t.Fatalf("%d issuers: %d statements", n, len(doc.Statement))
		}
		for i, st := range doc.Statement {
			wantAud := "sts.amazonaws.com"
			if i == 2 {
				wantAud = "vault"
			}
			eq := st.Condition["StringEquals"]
			if st.Principal.Federated != oidcARN(hosts[i]) || eq[hosts[i]+":aud"] != wantAud ||
				eq[hosts[i]+":sub"] != "system:serviceaccount:apps:reporting" || len(eq) != 2 {
				t.Errorf("%d issuers: statement %d = %+v", n, i, st)
			}
		}
	}
}

// TestServiceAccountRoleIsBuiltLikeEksaIrsaRoles: the role fields of a ServiceAccountRole
// trusting one cluster give the same resources as the same role in that cluster's
// EksaIrsa, because both go through one construction path.
func TestServiceAccountRoleIsBuiltLikeEksaIrsaRoles(t *testing.T) {
	in := phase1()
	fields := map[string]any{
		"policyArns":           []any{s3ReadOnly},
		"policies":             map[string]any{"extra": "arn:aws:iam::123456789012:policy/extra"},
		"inlinePolicies":       map[string]any{"send": `{"Version":"2012-10-17","Statement":[]}`},
		"maxSessionDuration":   7200,
		"path":                 "/shared/",
		"stsRegionalEndpoints": true,
	}
	roleIn := map[string]any{"serviceAccounts": []any{"apps/reporting", "batch/*"}}
	for k, v := range fields {
		roleIn[k] = v
	}
	in["roles"] = map[string]any{"reporting": roleIn}
	irsa, state := mustConstruct(t, in)
	trust := state.Get("trust").AsMap()
	hostPath := "s3." + mockRegion + ".amazonaws.com/" + generatedBucket
	if str(t, trust, "issuerHostPath") != hostPath || str(t, trust, "oidcProviderArn") != oidcARN(hostPath) {
		t.Fatalf("trust output = %v", trust)
	}

	sarIn := map[string]any{"trusts": []any{map[string]any{
		"oidcProviderArn": str(t, trust, "oidcProviderArn"), "issuerHostPath": str(t, trust, "issuerHostPath"),
		"serviceAccounts": []any{"apps/reporting", "batch/*"},
	}}}
	for k, v := range fields {
		sarIn[k] = v
	}
	shared := constructRole(t, "irsa-reporting", sarIn, false)
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	for _, c := range shared.aws.children {
		same := irsa.named(t, c.Name).Inputs
		if c.Name == "irsa-reporting" {
			same = same.Delete("tags") // EksaIrsa adds its cluster tag
		}
		if !c.Inputs.Equals(same) {
			t.Errorf("%s differs:\n shared %v\n EksaIrsa %v", c.Name, c.Inputs, same)
		}
	}
	if len(shared.aws.children) != 4 {
		t.Errorf("children = %v", shared.aws.names())
	}
	if plain(shared.state.Get("serviceAccountAnnotations")).(map[string]any)["eks.amazonaws.com/sts-regional-endpoints"] != "true" ||
		!reflect.DeepEqual(plain(shared.state.Get("serviceAccountAnnotations")), plain(state.Get("serviceAccountAnnotations").AsMap().Get("reporting"))) {
		t.Errorf("annotations differ: %v vs %v", plain(shared.state.Get("serviceAccountAnnotations")), plain(state.Get("serviceAccountAnnotations")))
	}
}

// TestServiceAccountRoleBadInput: every rule fails before a resource is registered,
// naming the field and the fix.
func TestServiceAccountRoleBadInput(t *testing.T) {
	many := func(n int) []any {
		var out []any
		for i := range n {
			out = append(out, "apps/reporting-service-account-"+strings.Repeat("x", 3)+string(rune('a'+i%26))+string(rune('a'+i/26)))
		}
		return out
	}
	cases := []struct {
		name   string
		mutate func(in map[string]any)
		field  string
		fix    string
	}{
		{"no trusts", func(in map[string]any) { in["trusts"] = []any{} }, "trusts", "EksaIrsa trust output"},
		{"no provider ARN", func(in map[string]any) { delete(trustAt(in, 1), "oidcProviderArn") }, "trusts[1].oidcProviderArn", "trust.oidcProviderArn"},
		{"no host path", func(in map[string]any) { delete(trustAt(in, 0), "issuerHostPath") }, "trusts[0].issuerHostPath", "trust.issuerHostPath"},
		{"no service accounts", func(in map[string]any) { trustAt(in, 1)["serviceAccounts"] = []any{} }, "trusts[1].serviceAccounts", "namespace/name"},
		{"every service account", func(in map[string]any) { trustAt(in, 0)["serviceAccounts"] = []any{"*/*"} }, "trusts[0].serviceAccounts[0]", "<namespace>/*"},
		{"duplicate service account", func(in map[string]any) {
			trustAt(in, 0)["serviceAccounts"] = []any{"apps/reporting", "apps/reporting"}
		}, "trusts[0].serviceAccounts[1]", "remove one"},
		{"empty audience", func(in map[string]any) { trustAt(in, 0)["audiences"] = []any{""} }, "trusts[0].audiences[0]", "remove it"},
		{"provider ARN that is not one", func(in map[string]any) {
			trustAt(in, 1)["oidcProviderArn"] = "arn:aws:iam::123456789012:role/x"
		}, "trusts[1].oidcProviderArn", "oidc-provider/"},
		{"provider of another issuer", func(in map[string]any) { trustAt(in, 1)["oidcProviderArn"] = oidcARN(hostC) },
			"trusts[1].oidcProviderArn", "whose URL is https://" + hostB},
		{"issuer URL instead of host path", func(in map[string]any) { trustAt(in, 0)["issuerHostPath"] = "https://" + hostA },
			"trusts[0].issuerHostPath", "without https://"},
		{"one issuer twice", func(in map[string]any) { in["trusts"] = append(in["trusts"].([]any), trustOf(hostA, "batch/x")) },
			"trusts[2]", "already trusted by trusts[0]"},
		{"trust policy over the quota", func(in map[string]any) { trustAt(in, 0)["serviceAccounts"] = many(40) },
			"trusts", "trustPolicyMaxLength"},
		{"trust policy over a lowered quota", func(in map[string]any) { in["trustPolicyMaxLength"] = 600 },
			"trusts", "over the quota of 600"},
		{"no quota", func(in map[string]any) { in["trustPolicyMaxLength"] = 0 }, "trustPolicyMaxLength", "quota"},
		{"bad policy ARN", func(in map[string]any) { in["policyArns"] = []any{"AmazonS3ReadOnlyAccess"} }, "policyArns[0]", "arn:aws:iam::"},
		{"bad policies ARN", func(in map[string]any) { in["policies"] = map[string]any{"x": "reports"} }, "policies.x", "arn:aws:iam::"},
		{"bad attachment name", func(in map[string]any) { in["policies"] = map[string]any{"my policy": s3ReadOnly} }, "policies.my policy", "rename the key"},
		{"token lifetime too short", func(in map[string]any) { in["tokenExpiration"] = 60 }, "tokenExpiration", "600 to 86400"},
		{"inline policy not JSON", func(in map[string]any) { in["inlinePolicies"] = map[string]any{"x": "{"} }, "inlinePolicies.x", "IAM policy document"},
		{"session too long", func(in map[string]any) { in["maxSessionDuration"] = 50000 }, "maxSessionDuration", "3600 to 43200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := sharedRole()
			tc.mutate(in)
			for _, dryRun := range []bool{true, false} {
				run := constructRole(t, "shared", in, dryRun)
				if run.err == nil {
					t.Fatalf("construct succeeded (preview %v); want an error naming %s", dryRun, tc.field)
				}
				msg := run.err.Error()
				if !strings.Contains(msg, tc.field) || !strings.Contains(msg, tc.fix) {
					t.Errorf("error does not name %q with the fix %q:\n%s", tc.field, tc.fix, msg)
				}
				if len(run.aws.children) != 0 {
					t.Errorf("bad input registered %v before failing", run.aws.names())
				}
			}
		})
	}
	long := strings.Repeat("r", 57)
	if run := constructRole(t, long, sharedRole(), true); run.err == nil || !strings.Contains(run.err.Error(), "shorten the resource name") {
		t.Errorf("a 57-character name: err = %v, want the IAM role name limit", run.err)
	}
}

func trustAt(in map[string]any, i int) map[string]any {
	return in["trusts"].([]any)[i].(map[string]any)
}

// TestServiceAccountRolePreviewWithUnknownIssuers is the first preview of a stack that
// creates the clusters' issuers and the shared role together: ARNs and host paths are
// unknown. The trust policy is then only bounded; it fails when it cannot fit, warns when
// it may not, and is planned with an unknown document otherwise.
func TestServiceAccountRolePreviewWithUnknownIssuers(t *testing.T) {
	unknown := func(accounts ...any) map[string]any {
		return map[string]any{
			"oidcProviderArn": property.New(property.Computed), "issuerHostPath": property.New(property.Computed),
			"serviceAccounts": accounts,
		}
	}
	many := make([]any, 60)
	for i := range many {
		many[i] = "apps/reporting-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}

	one := constructRole(t, "shared", map[string]any{"trusts": []any{unknown("apps/reporting")}}, true)
	if one.err != nil || len(one.warnings) != 0 {
		t.Errorf("one unknown issuer, one account: err %v, warnings %v; it fits whatever the issuer", one.err, one.warnings)
	}
	if doc := one.aws.named(t, "shared").Inputs.Get("assumeRolePolicy"); !doc.IsComputed() {
		t.Errorf("assumeRolePolicy = %v, want unknown until the issuer is", doc)
	}

	three := constructRole(t, "shared", map[string]any{"trusts": []any{
		unknown("apps/reporting"), unknown("apps/reporting"), trustOf(hostC, "apps/reporting"),
	}}, true)
	if three.err != nil {
		t.Fatalf("three issuers, two unknown: %v", three.err)
	}
	if len(three.warnings) != 1 || !strings.Contains(three.warnings[0], "trusts: the trust policy will be") ||
		!strings.Contains(three.warnings[0], "checked again") || !strings.Contains(three.warnings[0], "2048") {
		t.Errorf("warnings = %q, want one saying the size is checked once the issuers are known", three.warnings)
	}
	three.aws.named(t, "shared")

	over := constructRole(t, "shared", map[string]any{"trusts": []any{unknown(many...)}}, true)
	if over.err == nil || !strings.Contains(over.err.Error(), "at least") || !strings.Contains(over.err.Error(), "trustPolicyMaxLength") {
		t.Errorf("60 accounts: err = %v, want an error at preview whatever the issuer", over.err)
	}
	if len(over.aws.children) != 0 {
		t.Errorf("registered %v", over.aws.names())
	}

	// A known host path makes an unknown ARN's length known: the size is exact.
	knownHost := map[string]any{"oidcProviderArn": property.New(property.Computed), "issuerHostPath": hostA, "serviceAccounts": many[:45]}
	exact := constructRole(t, "shared", map[string]any{"trusts": []any{knownHost}}, true)
	if exact.err == nil || strings.Contains(exact.err.Error(), "at least") || !strings.Contains(exact.err.Error(), "characters as IAM counts them") {
		t.Errorf("known host path, unknown ARN: err = %v, want the exact size", exact.err)
	}
	if !slices.Contains(exact.aws.invokes, "aws:index/getPartition:getPartition") {
		t.Errorf("an unknown ARN's partition comes from the AWS provider; invokes %v", exact.aws.invokes)
	}
}
