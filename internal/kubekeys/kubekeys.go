// Package kubekeys reads a cluster's public service-account signing keys through the
// Kubernetes API, for programs that must never hold the private half. Two places have
// them:
//
//   - the `<cluster>-sa` secret Cluster API keeps in namespace eksa-system of the
//     management cluster (for a standalone cluster, the cluster itself): its tls.crt is
//     the public key, its tls.key the private key that signs every service-account token
//     of the cluster;
//   - the JWKS the cluster's own API server serves at /openid/v1/jwks.
//
// A program that reads the secret with a generic Kubernetes "get" stores tls.key in its
// state, where anyone who can read the state can mint tokens for every role trusting the
// cluster. Here only tls.crt is ever decoded into a Go value, the response buffer is
// zeroed once parsed, and no error quotes a response body other than an API server's
// Status message.
//
// This file holds what needs no network: input rules, decoding of responses and the
// errors that say what to fix; fetch.go does the request.
package kubekeys

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/k8sname"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/signingkey"
)

// Source says where the keys are read from.
type Source string

const (
	// SourceSecret reads tls.crt of the secret <namespace>/<clusterName>-sa, usually on the
	// management cluster. It needs "get" on that one secret.
	SourceSecret Source = "secret"
	// SourceAPIServer reads the JWKS the cluster's API server serves. It needs no access to
	// the management cluster, only the ClusterRole system:service-account-issuer-discovery.
	SourceAPIServer Source = "apiserver"
)

// DefaultNamespace is where EKS Anywhere keeps the `<cluster>-sa` secret.
const DefaultNamespace = "eksa-system"

// JWKSPath is where kube-apiserver serves the public keys of its service-account issuer.
const JWKSPath = "/openid/v1/jwks"

// Request is what to read, and with which credentials.
type Request struct {
	// Kubeconfig is the kubeconfig text of the cluster to read from.
	Kubeconfig []byte
	// Context names the kubeconfig context to use; empty means its current-context.
	Context string
	// ClusterName is the EKS Anywhere cluster's metadata.name; the secret is
	// <ClusterName>-sa.
	ClusterName string
	// Namespace holds the secret; empty means DefaultNamespace.
	Namespace string
	// Source is where to read from; empty means SourceSecret.
	Source Source
}

// withDefaults fills the optional fields.
func (r Request) withDefaults() Request {
	if r.Namespace == "" {
		r.Namespace = DefaultNamespace
	}
	if r.Source == "" {
		r.Source = SourceSecret
	}
	return r
}

// Validate checks the request before anything is sent, naming the input to fix. Wire
// names of the function's inputs prefix the errors.
func (r Request) Validate() error {
	r = r.withDefaults()
	var errs []error
	if len(r.Kubeconfig) == 0 {
		errs = append(errs, errors.New("kubeconfig is empty; pass the kubeconfig text of the cluster to read from "+
			"(for source \"secret\", the management cluster of the cluster)"))
	}
	if err := issuer.ValidateClusterName(r.ClusterName); err != nil {
		errs = append(errs, err)
	}
	if err := k8sname.ValidateNamespace("namespace", r.Namespace); err != nil {
		errs = append(errs, err)
	}
	if r.Source != SourceSecret && r.Source != SourceAPIServer {
		errs = append(errs, fmt.Errorf("source %q is not supported; use %q (the tls.crt of the <cluster>-sa secret) or %q (the API server's %s)",
			string(r.Source), SourceSecret, SourceAPIServer, JWKSPath))
	}
	return errors.Join(errs...)
}

// Keys are the public keys read, each as a PKIX "PUBLIC KEY" PEM, with their kids in the
// same order. It is never empty: reading no key is an error, since an empty list would
// turn a stack that publishes keys back into one that does not.
type Keys struct {
	PEMs   []string
	KeyIDs []string
}

// Target is one read: what is asked of which server, in the words its errors use.
type Target struct {
	Source      Source
	ClusterName string
	Namespace   string
	// Server is the API server's URL as the kubeconfig gives it.
	Server string
	// User is the kubeconfig user (its users[] entry) the request authenticates as.
	User string
}

// NewTarget is the target of a validated request sent to server as user.
func NewTarget(r Request, server, user string) Target {
	r = r.withDefaults()
	return Target{Source: r.Source, ClusterName: r.ClusterName, Namespace: r.Namespace, Server: server, User: user}
}

// SecretName is the name of the secret Cluster API keeps the signing key pair in.
func (t Target) SecretName() string { return t.ClusterName + "-sa" }

// Path is the API path to GET.
func (t Target) Path() string {
	if t.Source == SourceAPIServer {
		return JWKSPath
	}
	return "/api/v1/namespaces/" + t.Namespace + "/secrets/" + t.SecretName()
}

// Accept is the media type to ask for: kube-apiserver answers a request for the JWKS in
// anything but application/jwk-set+json with 406 Not Acceptable.
func (t Target) Accept() string {
	if t.Source == SourceAPIServer {
		return "application/jwk-set+json, application/json"
	}
	return "application/json"
}

// what names the object read, for errors.
func (t Target) what() string {
	if t.Source == SourceAPIServer {
		return "the service-account issuer keys (" + JWKSPath + ")"
	}
	return fmt.Sprintf("secret %s/%s", t.Namespace, t.SecretName())
}

// Decode reads the keys from the body of a 200 response to a GET of Path. It does not
// keep body; the caller zeroes it afterwards.
func (t Target) Decode(body []byte) (Keys, error) {
	if t.Source == SourceAPIServer {
		return t.decodeJWKS(body)
	}
	return t.decodeSecret(body)
}

// secretTLSCrt is the part of a Secret that is read. Only data["tls.crt"] has a field, so
// encoding/json skips every other value, tls.key included, without making a Go value of
// it.
type secretTLSCrt struct {
	Kind string `json:"kind"`
	Type string `json:"type"`
	Data struct {
		TLSCrt []byte `json:"tls.crt"`
	} `json:"data"`
}

func (t Target) decodeSecret(body []byte) (Keys, error) {
	var secret secretTLSCrt
	if err := json.Unmarshal(body, &secret); err != nil {
		// Described by a field or an offset, never a value.
		return Keys{}, fmt.Errorf("%s from %s: the response is not a Kubernetes object (%s); is the kubeconfig's server a Kubernetes API server?",
			t.what(), t.Server, jsondoc.Describe(err))
	}
	if secret.Kind != "Secret" {
		return Keys{}, fmt.Errorf("%s from %s: the response is a %q, not a Secret; is the kubeconfig's server a Kubernetes API server?",
			t.what(), t.Server, secret.Kind)
	}
	crt := secret.Data.TLSCrt
	defer clear(crt)
	if len(crt) == 0 {
		return Keys{}, fmt.Errorf("%s (type %s) on %s has no tls.crt; the service-account key secret Cluster API makes for the cluster is of type kubernetes.io/tls "+
			"with the public key in tls.crt: check clusterName and namespace", t.what(), secret.Type, t.Server)
	}
	key, err := signingkey.Parse(string(crt))
	if err != nil {
		return Keys{}, fmt.Errorf("%s on %s: its tls.crt is not a usable public key: %w", t.what(), t.Server, err)
	}
	return keysOf([]signingkey.Key{key})
}

func (t Target) decodeJWKS(body []byte) (Keys, error) {
	keys, err := signingkey.ParseJWKS(body)
	var kidErr *signingkey.KeyIDError
	switch {
	case errors.As(err, &kidErr):
		// Tokens carry the served kid; a JWKS published with another one never matches them.
		return Keys{}, fmt.Errorf("%s from %s: %w; the API server signs with an external signer that names its keys differently, "+
			"which an issuer published from public keys alone cannot match: its tokens would not verify", t.what(), t.Server, err)
	case errors.Is(err, signingkey.ErrEmptyJWKS):
		return Keys{}, fmt.Errorf("%s from %s: the API server serves no keys; was it started with --service-account-key-file?", t.what(), t.Server)
	case err != nil:
		return Keys{}, fmt.Errorf("%s from %s: %w", t.what(), t.Server, err)
	}
	return keysOf(keys)
}

// keysOf renders keys as PEM, in order.
func keysOf(keys []signingkey.Key) (Keys, error) {
	var out Keys
	for _, k := range keys {
		text, err := k.PEM()
		if err != nil {
			return Keys{}, err
		}
		out.PEMs = append(out.PEMs, text)
		out.KeyIDs = append(out.KeyIDs, k.KeyID)
	}
	return out, nil
}

// apiStatus is the part of a Kubernetes Status object (the body of an API error) that is
// shown to users: its message says who was refused what.
type apiStatus struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// StatusError explains a response other than 200 to a GET of Path: what the code means
// for this read and what to do about it. Only the message of a Kubernetes Status body is
// quoted, never anything else the server sent.
func (t Target) StatusError(code int, body []byte) error {
	var status apiStatus
	detail := ""
	if json.Unmarshal(body, &status) == nil && status.Kind == "Status" && status.Message != "" {
		detail = ": " + status.Message
	}
	prefix := fmt.Sprintf("cannot read %s of cluster %q from %s: %d %s%s", t.what(), t.ClusterName, t.Server, code, http.StatusText(code), detail)
	user := t.User
	if user == "" {
		user = "<user>"
	}
	switch {
	case code == http.StatusUnauthorized:
		return fmt.Errorf("%s; the API server did not accept the credentials of kubeconfig user %s: renew them (tokens and client certificates expire) or use a kubeconfig for this cluster",
			prefix, user)
	case code == http.StatusForbidden && t.Source == SourceAPIServer:
		return fmt.Errorf("%s; the kubeconfig's user may not read the service-account issuer's keys: bind it to the ClusterRole system:service-account-issuer-discovery, "+
			"e.g. kubectl create clusterrolebinding eksa-irsa-issuer-discovery --clusterrole=system:service-account-issuer-discovery --user=%s",
			prefix, user)
	case code == http.StatusForbidden:
		return fmt.Errorf("%s; the kubeconfig's user needs permission to get secrets named %q in namespace %q, and nothing more: "+
			"kubectl -n %s create role %s-signing-key --verb=get --resource=secrets --resource-name=%s && "+
			"kubectl -n %s create rolebinding %s-signing-key --role=%s-signing-key --user=%s",
			prefix, t.SecretName(), t.Namespace,
			t.Namespace, t.ClusterName, t.SecretName(),
			t.Namespace, t.ClusterName, t.ClusterName, user)
	case code == http.StatusNotFound && t.Source == SourceAPIServer:
		return fmt.Errorf("%s; the API server does not serve its service-account issuer keys (Kubernetes 1.21 and later do): use source %q instead",
			prefix, SourceSecret)
	case code == http.StatusNotFound:
		return fmt.Errorf("%s; the cluster may not exist yet: in phase 1, before the cluster is created, do not call getSigningKeys and leave signingKeys empty. "+
			"Otherwise check clusterName and namespace, and that the kubeconfig is the management cluster's (a workload cluster's %s secret lives there). "+
			"%s",
			prefix, t.SecretName(), pinHint)
	}
	return errors.New(prefix)
}

// UnreachableError explains a request that got no response at all.
func (t Target) UnreachableError(host string, err error) error {
	return fmt.Errorf("cannot reach the API server of cluster %q at %s to read %s: %w; check the kubeconfig's server address and certificate authority, and that the cluster is running. %s",
		t.ClusterName, host, t.what(), err, pinHint)
}

// pinHint is the way on when the keys cannot be read because the cluster or its secret
// is gone: the keys the issuer already serves are public and enough to keep the AWS side
// as it is, and to take the stack down.
const pinHint = "If it was deleted, or to work without it: give signingKeys the keys the issuer serves " +
	"(its keys.json, or the component's jwks output) in place of getSigningKeys, which republishes the same JWKS"
