// Package tlsstandin simulates pulumi-tls v5.2.0 for engine tests on machines where the
// real plugin cannot be built. Nothing about it is fake but the plugin: keys and X.509
// certificates are real (Go's crypto), so a real kube-apiserver can call a webhook
// that serves them; property names, defaults, key usages, replace semantics and early
// renewal follow the upstream provider.
package tlsstandin

import (
	_ "embed"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"time"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
)

// Identity of the real provider this plugin stands in for.
const (
	Name    = "tls"
	Version = "5.2.0"
)

// Resource type tokens.
const (
	privateKeyToken     = "tls:index/privateKey:PrivateKey"
	selfSignedToken     = "tls:index/selfSignedCert:SelfSignedCert"
	certRequestToken    = "tls:index/certRequest:CertRequest"
	locallySignedToken  = "tls:index/locallySignedCert:LocallySignedCert"
	earlyRenewalHours   = "earlyRenewalHours"
	readyForRenewalProp = "readyForRenewal"
)

// schema is the package schema, with the property names of pulumi-tls v5.2.0's Go SDK.
//
//go:embed schema.json
var schema []byte

// Schema returns the package schema GetSchema serves.
func Schema() []byte { return schema }

// Env is what the stand-in reads from its environment.
type Env struct {
	// LogPath receives one JSON line per call; empty logs nothing.
	LogPath string
	// Now is the clock; nil means time.Now. Certificates are valid from Now, and
	// renewal windows are judged by it.
	Now func() time.Time
}

// EnvFromOS reads EKSA_IRSA_STANDIN_LOG.
func EnvFromOS() Env {
	return Env{LogPath: os.Getenv(standin.LogEnv)}
}

// New returns the stand-in tls provider.
func New(env Env) *standin.Provider {
	return standin.New(standin.Options{
		Name:    Name,
		Version: Version,
		Schema:  schema,
		Kinds:   kinds(),
		LogPath: env.LogPath,
		Now:     env.Now,
	})
}

// kinds is the behaviour of every type. Upstream, every input replaces the resource but
// a certificate's earlyRenewalHours, which is updated in place.
func kinds() map[string]*standin.Kind {
	k := map[string]*standin.Kind{
		privateKeyToken: {
			Computed: []string{"privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh", "publicKeyPem",
				"publicKeyOpenssh", "publicKeyFingerprintMd5", "publicKeyFingerprintSha256", "rsaBits", "ecdsaCurve"},
			Check:  checkPrivateKey,
			Create: createPrivateKey,
		},
		selfSignedToken: {
			Computed:     certComputed("keyAlgorithm"),
			Check:        checkCert,
			ForceReplace: renewalDue,
			Create:       createSelfSigned,
			Update:       updateCert,
			Read:         readCert,
		},
		certRequestToken: {
			Computed: []string{"certRequestPem", "keyAlgorithm"},
			Create:   createCertRequest,
		},
		locallySignedToken: {
			Computed:     certComputed("caKeyAlgorithm"),
			Check:        checkCert,
			ForceReplace: renewalDue,
			Create:       createLocallySigned,
			Update:       updateCert,
			Read:         readCert,
		},
	}
	inputs := schemaInputs()
	for token, kind := range k {
		kind.Replaces = slices.DeleteFunc(inputs[token], func(p string) bool { return p == earlyRenewalHours })
	}
	return k
}

// certComputed lists a certificate's computed outputs.
func certComputed(algorithm string) []string {
	return []string{"certPem", "validityStartTime", "validityEndTime", readyForRenewalProp, algorithm,
		earlyRenewalHours, "isCaCertificate", "setSubjectKeyId"}
}

// schemaInputs lists each resource's input names from the schema.
func schemaInputs() map[string][]string {
	var spec struct {
		Resources map[string]struct {
			InputProperties map[string]json.RawMessage `json:"inputProperties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(schema, &spec); err != nil {
		panic("embedded tls schema: " + err.Error())
	}
	out := map[string][]string{}
	for token, r := range spec.Resources {
		for name := range r.InputProperties {
			out[token] = append(out[token], name)
		}
		sort.Strings(out[token])
	}
	return out
}
