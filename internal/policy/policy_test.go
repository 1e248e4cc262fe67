package policy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
)

const field = "roles.reporting.serviceAccounts[1]"

func TestParseServiceAccount(t *testing.T) {
	tests := []struct {
		in      string
		want    ServiceAccount
		subject string
		wild    bool
		err     []string // besides the field, which every error must name
	}{
		{in: "default/my-app", want: ServiceAccount{"default", "my-app"}, subject: "system:serviceaccount:default:my-app"},
		{in: "kube-system/aws-node", want: ServiceAccount{"kube-system", "aws-node"}, subject: "system:serviceaccount:kube-system:aws-node"},
		{in: "ns1/app.v2.reader", want: ServiceAccount{"ns1", "app.v2.reader"}, subject: "system:serviceaccount:ns1:app.v2.reader"},
		{in: "0ns/0", want: ServiceAccount{"0ns", "0"}, subject: "system:serviceaccount:0ns:0"},
		{in: strings.Repeat("n", 63) + "/" + strings.Repeat("a", 253), want: ServiceAccount{strings.Repeat("n", 63), strings.Repeat("a", 253)},
			subject: "system:serviceaccount:" + strings.Repeat("n", 63) + ":" + strings.Repeat("a", 253)},
		{in: "reporting/*", want: ServiceAccount{"reporting", "*"}, subject: "system:serviceaccount:reporting:*", wild: true},
		{in: "*/fluent-bit", want: ServiceAccount{"*", "fluent-bit"}, subject: "system:serviceaccount:*:fluent-bit", wild: true},
		{in: "team-*/app", want: ServiceAccount{"team-*", "app"}, subject: "system:serviceaccount:team-*:app", wild: true},
		{in: "jobs/export-*-worker", want: ServiceAccount{"jobs", "export-*-worker"}, subject: "system:serviceaccount:jobs:export-*-worker", wild: true},
		{in: "jobs/*-worker.*", want: ServiceAccount{"jobs", "*-worker.*"}, subject: "system:serviceaccount:jobs:*-worker.*", wild: true},
		{in: "*-prod/*", want: ServiceAccount{"*-prod", "*"}, subject: "system:serviceaccount:*-prod:*", wild: true},

		{in: "", err: []string{"is empty", "namespace/name"}},
		{in: "my-app", err: []string{`"my-app" has no "/"`, `"default/my-app"`}},
		{in: "a/b/c", err: []string{`"a/b/c" has 2 "/"`, "exactly one"}},
		{in: "/my-app", err: []string{"empty namespace", `"default/my-app"`}},
		{in: "reporting/", err: []string{"empty name", `"reporting/*"`}},
		{in: "/", err: []string{"empty namespace"}},
		{in: "*/*", err: []string{"every service account of every namespace", `"<namespace>/*"`}},
		{in: "**/*", err: []string{"every service account of every namespace", `"<namespace>/*"`}},
		{in: "*/***", err: []string{"every service account of every namespace"}},
		{in: "default/app?", err: []string{"'?'", "use '*'"}},
		{in: "?/*", err: []string{"'?'", "use '*'"}},
		{in: "Default/app", err: []string{`namespace "Default" must be lowercase`, `use "default"`}},
		{in: "default/My-App", err: []string{`name "My-App" must be lowercase`, `use "my-app"`}},
		{in: strings.Repeat("n", 64) + "/app", err: []string{"namespace", "64 characters", "at most 63"}},
		{in: "ns/" + strings.Repeat("a", 254), err: []string{"name", "254 characters", "at most 253"}},
		{in: "my.ns/app", err: []string{`namespace "my.ns" contains '.'`, "lowercase letters, digits and '-'"}},
		{in: "ns/my_app", err: []string{`name "my_app" contains '_'`, "lowercase letters, digits, '-' and '.'"}},
		{in: "ns/my app", err: []string{`contains ' '`}},
		{in: "ns /app", err: []string{`contains ' '`}},
		{in: "-ns/app", err: []string{`namespace "-ns" must start with a lowercase letter or digit`, "remove the '-'"}},
		{in: "ns-/app", err: []string{`namespace "ns-" must end with a lowercase letter or digit`, "remove the '-'"}},
		{in: "ns/app-", err: []string{`name "app-" must end with`, "remove the '-'"}},
		{in: "ns/.app", err: []string{`name ".app" must start and end with`, "remove the '.'"}},
		{in: "ns/app.", err: []string{`name "app." must start and end with`, "remove the '.'"}},
		{in: "ns/app.-x", err: []string{`name "app.-x" must start with a lowercase letter or digit, also after each '.'`}},
		{in: "ns/a..b", err: []string{"empty part between dots", "remove the extra '.'"}},
		{in: "ns/*-.x", err: []string{`name "*-.x" must end with a lowercase letter or digit, also before each '.'`}},
		{in: "-*/app", err: []string{`namespace "-*" must start with`}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseServiceAccount(field, tt.in)
			if len(tt.err) > 0 {
				if err == nil {
					t.Fatalf("ParseServiceAccount = %+v, want an error", got)
				}
				if !strings.HasPrefix(err.Error(), field) {
					t.Errorf("error %q does not start with the field %q", err, field)
				}
				for _, w := range tt.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseServiceAccount: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if s := got.Subject(); s != tt.subject {
				t.Errorf("Subject() = %q, want %q", s, tt.subject)
			}
			if w := got.HasWildcard(); w != tt.wild {
				t.Errorf("HasWildcard() = %v, want %v", w, tt.wild)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("String() = %q, want the input %q", s, tt.in)
			}
		})
	}
}

const (
	providerARN = "arn:aws:iam::111122223333:oidc-provider/s3.us-west-2.amazonaws.com/my-cluster-oidc"
	hostPath    = "s3.us-west-2.amazonaws.com/my-cluster-oidc"
)

func accounts(t *testing.T, specs ...string) []ServiceAccount {
	t.Helper()
	var out []ServiceAccount
	for _, s := range specs {
		a, err := ParseServiceAccount("test", s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestTrustPolicyGolden(t *testing.T) {
	tests := []struct {
		golden    string
		audiences []string
		accounts  []string
	}{
		{"trust-one.json", []string{"sts.amazonaws.com"}, []string{"reporting/report-exporter"}},
		{"trust-several.json", []string{"sts.amazonaws.com"}, []string{"reporting/report-exporter", "kube-system/aws-node", "reporting/report-exporter"}},
		{"trust-wildcard-only.json", []string{"sts.amazonaws.com"}, []string{"reporting/*"}},
		{"trust-mixed.json", []string{"sts.amazonaws.com"}, []string{"kube-system/aws-node", "team-*/exporter", "reporting/*"}},
		{"trust-audiences.json", []string{"sts.amazonaws.com", "my-app", "sts.amazonaws.com"}, []string{"reporting/report-exporter"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := TrustPolicy(providerARN, hostPath, tt.audiences, accounts(t, tt.accounts...))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tt.golden, got)
		})
	}
}

// TestTrustPolicyOperators states the operator rule directly, independent of formatting:
// all subjects under StringEquals when exact, all under StringLike as soon as one has a
// wildcard, and the audience always under StringEquals.
func TestTrustPolicyOperators(t *testing.T) {
	type cond map[string]map[string]any
	tests := []struct {
		name     string
		accounts []string
		want     cond
	}{
		{
			name:     "exact",
			accounts: []string{"a/x", "b/y"},
			want: cond{"StringEquals": {
				hostPath + ":aud": "sts.amazonaws.com",
				hostPath + ":sub": []any{"system:serviceaccount:a:x", "system:serviceaccount:b:y"},
			}},
		},
		{
			name:     "one wildcard moves every subject to StringLike",
			accounts: []string{"a/x", "b/*"},
			want: cond{
				"StringEquals": {hostPath + ":aud": "sts.amazonaws.com"},
				"StringLike":   {hostPath + ":sub": []any{"system:serviceaccount:a:x", "system:serviceaccount:b:*"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := TrustPolicy(providerARN, hostPath, []string{"sts.amazonaws.com"}, accounts(t, tt.accounts...))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Version   string
				Statement []struct {
					Effect    string
					Principal map[string]string
					Action    string
					Condition cond
				}
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Version != "2012-10-17" || len(doc.Statement) != 1 {
				t.Fatalf("want Version 2012-10-17 and one statement, got %s", out)
			}
			s := doc.Statement[0]
			if s.Effect != "Allow" || s.Action != "sts:AssumeRoleWithWebIdentity" || s.Principal["Federated"] != providerARN {
				t.Errorf("statement = %+v", s)
			}
			gotJSON, _ := json.Marshal(s.Condition)
			wantJSON, _ := json.Marshal(tt.want)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("Condition = %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestTrustPolicyErrors(t *testing.T) {
	aud := []string{"sts.amazonaws.com"}
	one := []ServiceAccount{{"a", "b"}}
	tests := []struct {
		name      string
		arn, host string
		audiences []string
		accounts  []ServiceAccount
		want      []string
	}{
		{"no accounts", providerARN, hostPath, aud, nil, []string{"serviceAccounts must not be empty", "namespace/name"}},
		{"no audiences", providerARN, hostPath, nil, one, []string{"oidcProvider.audiences must not be empty", "sts.amazonaws.com"}},
		{"empty audience", providerARN, hostPath, []string{"sts.amazonaws.com", ""}, one, []string{"oidcProvider.audiences[1] is empty", "remove it"}},
		{"no provider", "", hostPath, aud, one, []string{"OIDC provider ARN is empty", "oidcProvider.arn"}},
		{"URL instead of host path", providerARN, "https://" + hostPath, aud, one, []string{"without https://", "HostPath"}},
		{"zero account", providerARN, hostPath, aud, []ServiceAccount{{"a", "b"}, {}}, []string{"serviceAccounts[1]", "ParseServiceAccount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := TrustPolicy(tt.arn, tt.host, tt.audiences, tt.accounts)
			if err == nil {
				t.Fatalf("TrustPolicy = %s, want an error", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestBucketPolicyGolden(t *testing.T) {
	tests := []struct {
		name      string
		partition string
		bucket    string
		keys      []string
	}{
		{"no-prefix", "aws", "my-cluster-oidc", []string{".well-known/openid-configuration", "keys.json"}},
		{"prefix", "aws", "shared-oidc", []string{"clusters/prod/.well-known/openid-configuration", "clusters/prod/keys.json"}},
		{"aws-cn", "aws-cn", "my-cluster-oidc", []string{".well-known/openid-configuration", "keys.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmt, err := PublicReadStatement(tt.partition, tt.bucket, tt.keys)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "public-read-"+tt.name+".json", stmt)
			pol, err := BucketPolicy(stmt)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "bucket-policy-"+tt.name+".json", pol)
		})
	}
}

// TestBucketPolicyKeepsOtherStatements checks that statements are embedded verbatim, in
// order: a policy for a bucket holding other statements must not lose or alter them.
func TestBucketPolicyKeepsOtherStatements(t *testing.T) {
	other := json.RawMessage(`{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
	read, err := PublicReadStatement("aws", "b", []string{"keys.json"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := BucketPolicy(other, read)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version   string
		Statement []json.RawMessage
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) != 2 {
		t.Fatalf("got %s", out)
	}
	for i, want := range []json.RawMessage{other, read} {
		var g, w bytes.Buffer
		_ = json.Compact(&g, doc.Statement[i])
		_ = json.Compact(&w, want)
		if g.String() != w.String() {
			t.Errorf("Statement[%d] = %s, want %s", i, g.String(), w.String())
		}
	}
}

func TestPublicReadStatementErrors(t *testing.T) {
	keys := []string{"keys.json"}
	tests := []struct {
		name              string
		partition, bucket string
		keys              []string
		want              []string
	}{
		{"no partition", "", "b", keys, []string{"partition is empty", `"aws"`}},
		{"no bucket", "aws", "", keys, []string{"issuer.bucketName is empty"}},
		{"no keys", "aws", "b", nil, []string{"no object keys", "issuer.ObjectKeys"}},
		{"empty key", "aws", "b", []string{""}, []string{"object key", "issuer.ObjectKeys"}},
		{"leading slash", "aws", "b", []string{"/keys.json"}, []string{`"/keys.json"`, "leading '/'"}},
		{"wildcard would publish the bucket", "aws", "b", []string{"*"}, []string{`"*"`, "exactly that object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := PublicReadStatement(tt.partition, tt.bucket, tt.keys)
			if err == nil {
				t.Fatalf("PublicReadStatement = %s, want an error", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestBucketPolicyErrors(t *testing.T) {
	tests := []struct {
		name  string
		stmts []json.RawMessage
		want  string
	}{
		{"none", nil, "at least one statement"},
		{"invalid JSON", []json.RawMessage{json.RawMessage(`{"Sid":`)}, "statement 0 is not a JSON object"},
		{"not an object", []json.RawMessage{json.RawMessage(`{}`), json.RawMessage(`["x"]`)}, "statement 1 is not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := BucketPolicy(tt.stmts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("BucketPolicy = %s, %v; want an error containing %q", out, err, tt.want)
			}
		})
	}
}

// TestCloudFrontReadGolden pins the statement of CloudFront hosting in each partition:
// the object ARNs and the distribution ARN carry the partition, the principal is the
// CloudFront service principal in all of them.
func TestCloudFrontReadGolden(t *testing.T) {
	keys := []string{".well-known/openid-configuration", "keys.json"}
	tests := []struct {
		partition, bucket, distribution string
		keys                            []string
	}{
		{"aws", "my-cluster-oidc", "arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL", keys},
		{"aws-cn", "my-cluster-oidc", "arn:aws-cn:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL", keys},
		{"aws-us-gov", "my-cluster-oidc", "arn:aws-us-gov:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL", keys},
		{"aws", "shared-oidc", "arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL",
			[]string{"prod/.well-known/openid-configuration", "prod/keys.json", "dev/.well-known/openid-configuration", "dev/keys.json"}},
	}
	for _, tt := range tests {
		name := tt.partition
		if len(tt.keys) > 2 {
			name = "prefixes"
		}
		t.Run(name, func(t *testing.T) {
			stmt, err := CloudFrontReadStatement(tt.partition, tt.bucket, tt.keys, tt.distribution)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "cloudfront-read-"+name+".json", stmt)
			if bytes.Contains(stmt, []byte(`"*"`)) {
				t.Errorf("CloudFront hosting must grant nothing to \"*\":\n%s", stmt)
			}
			pol, err := BucketPolicy(stmt)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "bucket-policy-cloudfront-"+name+".json", pol)
		})
	}
}

func TestCloudFrontReadStatementErrors(t *testing.T) {
	const dist = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL"
	keys := []string{"keys.json"}
	tests := []struct {
		name                            string
		partition, bucket, distribution string
		keys                            []string
		want                            []string
	}{
		{"no bucket", "aws", "", dist, keys, []string{"issuer.bucketName is empty"}},
		{"wildcard key", "aws", "b", dist, []string{"*"}, []string{`"*"`, "exactly that object"}},
		{"empty distribution", "aws", "b", "", keys, []string{"not a CloudFront distribution ARN", "arn output"}},
		{"another service", "aws", "b", "arn:aws:s3:::b", keys, []string{`"arn:aws:s3:::b"`}},
		{"another partition", "aws-cn", "b", dist, keys, []string{"partition aws-cn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := CloudFrontReadStatement(tt.partition, tt.bucket, tt.keys, tt.distribution)
			if err == nil {
				t.Fatalf("CloudFrontReadStatement = %s, want an error", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
