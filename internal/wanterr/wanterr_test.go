package wanterr

import "testing"

func TestGoSyntax(t *testing.T) {
	for msg, want := range map[string]string{
		"couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type struct { APIVersion string }": "Go value of type",
		"cannot unmarshal object into Go struct field Role.roles of type string":                                                        "Go struct field",
		"want map[string]interface {}": "map[s",
		"got []interface {}":           "[]i",
		"got *v1.Secret":               "*v1.Secret",
		"json.RawMessage":              "json.RawMessage",
		"roles.reporting.policies.AmazonS3ReadOnlyAccess: rename the key":                        "",
		"x509.Certificate is not a public key":                                                   "x509.Certificate",
		"value %!s(int=3)":                                                                       "%!",
		"issuer.url: use \"https://oidc.example.com/prod\"":                                      "",
		"signingKeys[0]: a PEM block of type \"RSA PRIVATE KEY\" is a private key; pass tls.crt": "",
		"webhook.tokenExpiration: 600 to 86400 seconds; eks.amazonaws.com/role-arn":              "",
	} {
		if got := GoSyntax(msg); got != want {
			t.Errorf("GoSyntax(%q) = %q, want %q", msg, got, want)
		}
	}
}
