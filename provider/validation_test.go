package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
)

// TestBadInputFailsAtConstruct lists every input rule: each bad input must fail before
// any resource is registered, with an error that names the field and says how to fix it.
func TestBadInputFailsAtConstruct(t *testing.T) {
	good := newRSAKey(t, 2048)
	small := newRSAKey(t, 1024)
	private := rsaPrivatePEM(t)

	cases := []struct {
		name   string
		mutate func(in map[string]any)
		field  string // the wire path the error must name
		fix    string // a word of the fix the error must give
	}{
		{"cluster name not DNS", func(in map[string]any) { in["clusterName"] = "Prod_1" }, "clusterName", "lowercase"},
		{"http issuer", func(in map[string]any) { in["issuer"] = map[string]any{"url": "http://oidc.example.com"} }, "issuer.url", "https"},
		{"issuer with trailing slash", func(in map[string]any) { in["issuer"] = map[string]any{"url": "https://oidc.example.com/prod/"} }, "issuer.url", `use "https://oidc.example.com/prod"`},
		{"issuer with query", func(in map[string]any) { in["issuer"] = map[string]any{"url": "https://oidc.example.com/?a=b"} }, "issuer.url", "query"},
		{"bad bucket name", func(in map[string]any) { in["issuer"] = map[string]any{"bucketName": "My_Bucket"} }, "issuer.bucketName", "lowercase"},
		{"existing bucket without name", func(in map[string]any) { in["issuer"] = map[string]any{"createBucket": false} }, "issuer.bucketName", "existing bucket"},
		{"key prefix with leading slash", func(in map[string]any) { in["issuer"] = map[string]any{"keyPrefix": "/clusters"} }, "issuer.keyPrefix", "/"},
		{"reuse provider without arn", func(in map[string]any) { in["oidcProvider"] = map[string]any{"create": false} }, "oidcProvider.arn", "ARN"},
		{"arn while creating", func(in map[string]any) {
			in["oidcProvider"] = map[string]any{"arn": "arn:aws:iam::123456789012:oidc-provider/x"}
		}, "oidcProvider.arn", "create"},
		{"empty audiences", func(in map[string]any) { in["oidcProvider"] = map[string]any{"audiences": []any{}} }, "oidcProvider.audiences", "omit"},
		{"bad thumbprint", func(in map[string]any) { in["oidcProvider"] = map[string]any{"thumbprints": []any{"abc"}} }, "oidcProvider.thumbprints[0]", "40 hex"},
		{"empty service accounts", func(in map[string]any) { role(in)["serviceAccounts"] = []any{} }, "roles.reporting.serviceAccounts", "namespace/name"},
		{"invalid namespace", func(in map[string]any) { role(in)["serviceAccounts"] = []any{"Apps/reporting"} }, "roles.reporting.serviceAccounts[0]", "namespace"},
		{"invalid name", func(in map[string]any) { role(in)["serviceAccounts"] = []any{"apps/Reporting_1"} }, "roles.reporting.serviceAccounts[0]", "name"},
		{"no slash", func(in map[string]any) { role(in)["serviceAccounts"] = []any{"reporting"} }, "roles.reporting.serviceAccounts[0]", "namespace/name"},
		{"subject matching every service account", func(in map[string]any) { role(in)["serviceAccounts"] = []any{"*/*"} }, "roles.reporting.serviceAccounts[0]", "<namespace>/*"},
		{"duplicate service account", func(in map[string]any) {
			role(in)["serviceAccounts"] = []any{"apps/reporting", "apps/reporting"}
		}, "roles.reporting.serviceAccounts[1]", "remove"},
		{"bad policy arn", func(in map[string]any) { role(in)["policyArns"] = []any{"AmazonS3ReadOnlyAccess"} }, "roles.reporting.policyArns[0]", "arn:aws:iam::"},
		{"session too long", func(in map[string]any) { role(in)["maxSessionDuration"] = 50000 }, "roles.reporting.maxSessionDuration", "43200"},
		{"bad path", func(in map[string]any) { role(in)["path"] = "irsa" }, "roles.reporting.path", "start and end with '/'"},
		{"bad role key", func(in map[string]any) {
			in["roles"] = map[string]any{"my role": map[string]any{"serviceAccounts": []any{"apps/a"}}}
		}, "roles.my role", "rename"},
		{"duplicate keys", func(in map[string]any) { in["signingKeys"] = []any{good.pem, good.pem} }, "signingKeys[1]", "remove"},
		{"unparsable PEM", func(in map[string]any) { in["signingKeys"] = []any{"-----BEGIN PUBLIC KEY-----\nnope\n"} }, "signingKeys[0]", "tls.crt"},
		{"RSA below 2048 bits", func(in map[string]any) { in["signingKeys"] = []any{small.pem} }, "signingKeys[0]", "2048"},
		{"private key", func(in map[string]any) { in["signingKeys"] = []any{private} }, "signingKeys[0]", "tls.crt"},
		{"empty key", func(in map[string]any) { in["signingKeys"] = []any{"  "} }, "signingKeys[0]", "empty"},
		{"token expiration too short", func(in map[string]any) { in["webhook"] = map[string]any{"tokenExpiration": 60} }, "webhook.tokenExpiration", "600"},
		{"no replicas", func(in map[string]any) { in["webhook"] = map[string]any{"replicas": 0} }, "webhook.replicas", "at least 1"},
		{"unknown tls mode", func(in map[string]any) { in["webhook"] = map[string]any{"tls": "selfSigned"} }, "webhook.tls", "generated"},
		{"invalid webhook namespace", func(in map[string]any) { in["webhook"] = map[string]any{"namespace": "Pod_Identity"} }, "webhook.namespace", "lowercase"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := phase1()
			tc.mutate(in)
			aws, _, err := construct(t, in)
			if err == nil {
				t.Fatalf("construct succeeded; want an error naming %s", tc.field)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.field) {
				t.Errorf("error does not name %q:\n%s", tc.field, msg)
			}
			if !strings.Contains(msg, tc.fix) {
				t.Errorf("error does not say how to fix (%q):\n%s", tc.fix, msg)
			}
			if len(aws.children) != 0 {
				t.Errorf("bad input registered %d resources before failing: %v", len(aws.children), aws.names())
			}
		})
	}
}

// TestPrivateKeyNeverEchoed proves that a private key passed by mistake appears in no
// error, in PEM or base64 form.
func TestPrivateKeyNeverEchoed(t *testing.T) {
	private := rsaPrivatePEM(t)
	for _, form := range []string{private, base64.StdEncoding.EncodeToString([]byte(private))} {
		in := phase1()
		in["signingKeys"] = []any{form}
		_, _, err := construct(t, in)
		if err == nil {
			t.Fatal("a private key was accepted")
		}
		for _, line := range strings.Split(strings.TrimSpace(private), "\n") {
			if strings.HasPrefix(line, "-----") {
				continue
			}
			if strings.Contains(err.Error(), line) {
				t.Fatalf("the error contains private key material: %q", line)
			}
		}
		if strings.Contains(err.Error(), form[:40]) {
			t.Fatalf("the error echoes the input")
		}
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	in := phase1()
	in["clusterName"] = "Bad_Name"
	role(in)["serviceAccounts"] = []any{}
	in["issuer"] = map[string]any{"url": "http://x"}
	_, _, err := construct(t, in)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, field := range []string{"clusterName", "roles.reporting.serviceAccounts", "issuer.url"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error lacks %s:\n%v", field, err)
		}
	}
}

func role(in map[string]any) map[string]any {
	return in["roles"].(map[string]any)["reporting"].(map[string]any)
}

func rsaPrivatePEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}
