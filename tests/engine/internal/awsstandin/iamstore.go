package awsstandin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
)

// Folders of the IAM directory.
const (
	// RolesDir holds one <role name>.json per role: its trust policy, the bytes IAM
	// returns as AssumeRolePolicyDocument. A test edits it as a user edits the trust
	// policy in the console.
	RolesDir = "roles"
	// OIDCProvidersDir holds one file per OIDC provider of the account, named by
	// OIDCProviderFile.
	OIDCProvidersDir = "oidc-providers"
)

// OIDCProviderFile is the file name of the provider of an issuer URL: the URL without
// https://, path-escaped, plus .json.
func OIDCProviderFile(issuerURL string) string {
	return url.PathEscape(strings.TrimPrefix(issuerURL, "https://")) + ".json"
}

// OIDCProviderRecord is an OIDC provider as the IAM directory keeps it.
type OIDCProviderRecord struct {
	ARN            string   `json:"arn"`
	URL            string   `json:"url"`
	ClientIDList   []string `json:"clientIdList"`
	ThumbprintList []string `json:"thumbprintList"`
}

// iamStore keeps the account's roles and OIDC providers as files of dir, so that a test
// can see and change them as the AWS console would; with no dir it keeps nothing, and
// reads find everything as the state says.
type iamStore struct {
	dir string
}

func (s iamStore) enabled() bool { return s.dir != "" }

// AccountsDir holds, as accounts/<account id>/, the IAM state of each account other than
// AccountID that a provider reaches through assumeRole: IAM allows one OIDC provider per
// URL in each account, not one in all.
const AccountsDir = "accounts"

// in is the store of the account a provider configuration works in.
func (s iamStore) in(cfg resource.PropertyMap) iamStore {
	if a := accountOf(cfg); s.enabled() && a != AccountID {
		return iamStore{dir: filepath.Join(s.dir, AccountsDir, a)}
	}
	return s
}

// accountOf is the account of assumeRole.roleArn in a provider configuration, or
// AccountID.
func accountOf(cfg resource.PropertyMap) string {
	v, ok := cfg["assumeRole"]
	if !ok {
		return AccountID
	}
	v = standin.Plain(v)
	var m resource.PropertyMap
	switch {
	case v.IsObject():
		m = v.ObjectValue()
	case v.IsString():
		var raw map[string]any
		if json.Unmarshal([]byte(v.StringValue()), &raw) == nil {
			m = resource.NewPropertyMapFromMap(raw)
		}
	}
	if parts := strings.Split(standin.StringOr(m, "roleArn", ""), ":"); len(parts) > 4 && len(parts[4]) == 12 {
		return parts[4]
	}
	return AccountID
}

// file is the path of name in folder, refusing names that would leave it.
func (s iamStore) file(folder, name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("the stand-in cannot store %s %q", folder, name)
	}
	return filepath.Join(s.dir, folder, name), nil
}

// write replaces a file atomically, so a test never reads half of it.
func write(path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, content, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// putRole records a role's trust policy.
func (s iamStore) putRole(name, trustPolicy string) error {
	if !s.enabled() {
		return nil
	}
	p, err := s.file(RolesDir, name+".json")
	if err != nil {
		return err
	}
	return write(p, []byte(trustPolicy))
}

// roleExists reports whether the role is recorded.
func (s iamStore) roleExists(name string) (bool, error) {
	if !s.enabled() {
		return false, nil
	}
	p, err := s.file(RolesDir, name+".json")
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// readRole returns a role's trust policy, and false when the role does not exist.
func (s iamStore) readRole(name string) (string, bool, error) {
	p, err := s.file(RolesDir, name+".json")
	if err != nil {
		return "", false, err
	}
	b, err := os.ReadFile(p) //nolint:gosec // a file of the stand-in's own directory
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	return string(b), err == nil, err
}

// deleteRole forgets a role; a role already gone is no error, as the provider treats
// NoSuchEntity on delete.
func (s iamStore) deleteRole(name string) error {
	if !s.enabled() {
		return nil
	}
	p, err := s.file(RolesDir, name+".json")
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// oidcProvider returns the recorded provider of an issuer URL, or nil.
func (s iamStore) oidcProvider(issuerURL string) (*OIDCProviderRecord, error) {
	if !s.enabled() {
		return nil, nil
	}
	p, err := s.file(OIDCProvidersDir, OIDCProviderFile(issuerURL))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p) //nolint:gosec // a file of the stand-in's own directory
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec OIDCProviderRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return &rec, nil
}

// putOIDCProvider records a provider.
func (s iamStore) putOIDCProvider(rec OIDCProviderRecord) error {
	if !s.enabled() {
		return nil
	}
	p, err := s.file(OIDCProvidersDir, OIDCProviderFile(rec.URL))
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return write(p, append(b, '\n'))
}

// deleteOIDCProvider forgets the provider of an issuer URL.
func (s iamStore) deleteOIDCProvider(issuerURL string) error {
	if !s.enabled() {
		return nil
	}
	p, err := s.file(OIDCProvidersDir, OIDCProviderFile(issuerURL))
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// observeRole reads a role back as the provider's Read does: gone when IAM has no such
// role, else its trust policy as IAM returns it, into both inputs and outputs, so that
// refresh shows a policy edited outside the program and the next update sets it back.
func (s iamStore) observeRole(r *standin.Request) (standin.Observed, error) {
	s = s.in(r.Config)
	if !s.enabled() {
		return standin.Observed{}, nil
	}
	policy, ok, err := s.readRole(r.ID)
	if err != nil || !ok {
		return standin.Observed{Gone: err == nil}, err
	}
	if equivalentJSON(policy, standin.StringOr(r.OldOutputs, "assumeRolePolicy", "")) {
		// The provider keeps the state's text when IAM's is the same policy.
		return standin.Observed{}, nil
	}
	seen := standin.Observed{Inputs: resource.PropertyMap{}, Outputs: resource.PropertyMap{}}
	standin.Set(seen.Inputs, "assumeRolePolicy", policy)
	standin.Set(seen.Outputs, "assumeRolePolicy", policy)
	return seen, nil
}

// observeOIDCProvider reads a provider back: gone when IAM has none for its URL.
func (s iamStore) observeOIDCProvider(r *standin.Request) (standin.Observed, error) {
	s = s.in(r.Config)
	if !s.enabled() {
		return standin.Observed{}, nil
	}
	rec, err := s.oidcProvider(standin.StringOr(r.OldOutputs, "url", ""))
	if err != nil {
		return standin.Observed{}, err
	}
	return standin.Observed{Gone: rec == nil || rec.ARN != r.ID}, nil
}

// equivalentJSON reports whether two documents are the same JSON value, whatever their
// spacing and key order.
func equivalentJSON(a, b string) bool {
	if a == b {
		return true
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
