package provider_test

import (
	"crypto/elliptic"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// childChanges is what `pulumi preview` would show between two constructs: children
// added or removed (by name), and the inputs that differ for children in both.
type childChanges struct {
	added, removed []string            // "<type> <name>"
	changed        map[string][]string // name -> changed input keys (or "type")
}

func compareChildren(before, after *fakeAWS) childChanges {
	index := func(f *fakeAWS) map[string]child {
		m := map[string]child{}
		for _, c := range f.children {
			m[c.Name] = c
		}
		return m
	}
	b, a := index(before), index(after)
	ch := childChanges{changed: map[string][]string{}}
	for name, c := range a {
		old, ok := b[name]
		if !ok {
			ch.added = append(ch.added, c.Type+" "+name)
			continue
		}
		if old.Type != c.Type {
			ch.changed[name] = append(ch.changed[name], "type")
		}
		keys := map[string]bool{}
		for k := range old.Inputs.All {
			keys[k] = true
		}
		for k := range c.Inputs.All {
			keys[k] = true
		}
		for k := range keys {
			if !old.Inputs.Get(k).Equals(c.Inputs.Get(k)) {
				ch.changed[name] = append(ch.changed[name], k)
			}
		}
		sort.Strings(ch.changed[name])
	}
	for name, c := range b {
		if _, ok := a[name]; !ok {
			ch.removed = append(ch.removed, c.Type+" "+name)
		}
	}
	sort.Strings(ch.added)
	sort.Strings(ch.removed)
	return ch
}

// The children that hold the issuer: changing roles, or anything but the keys, must not
// touch them, or a routine change would re-upload documents or replace the provider.
var issuerChildren = []string{
	"irsa-bucket", "irsa-ownership", "irsa-public-access", "irsa-bucket-policy",
	"irsa-discovery", "irsa-jwks", "irsa-issuer-check", "irsa-oidc-provider",
}

// TestNoSurpriseDiffs changes one thing at a time and checks that exactly the children
// it concerns change, by name and by input, and that every other child keeps its name
// and its inputs, so a preview of such a change shows nothing else.
func TestNoSurpriseDiffs(t *testing.T) {
	rsa1, rsa2 := newRSAKey(t, 2048), newRSAKey(t, 2048)
	ec := newECKey(t, elliptic.P256())
	withKeys := func(keys ...testKey) func(map[string]any) {
		return func(in map[string]any) {
			pems := make([]any, len(keys))
			for i, k := range keys {
				pems[i] = k.pem
			}
			in["signingKeys"] = pems
		}
	}
	roles := func(in map[string]any) map[string]any { return in["roles"].(map[string]any) }
	reporting := func(in map[string]any) map[string]any { return roles(in)["reporting"].(map[string]any) }

	tests := []struct {
		name    string
		before  func(map[string]any) // applied to everyInput; nil: as is
		after   func(map[string]any)
		added   []string
		removed []string
		changed map[string][]string
	}{
		{
			name: "add a role",
			after: func(in map[string]any) {
				roles(in)["batch"] = map[string]any{
					"serviceAccounts": []any{"batch/exporter"},
					"policyArns":      []any{s3ReadOnly},
					"inlinePolicies":  map[string]any{"send": `{"Version":"2012-10-17","Statement":[]}`},
				}
			},
			added: []string{
				tAttachment + " irsa-batch-AmazonS3ReadOnlyAccess",
				tRole + " irsa-batch",
				tRolePolicy + " irsa-batch-inline-send",
			},
		},
		{
			name: "change a role's policies and service accounts",
			after: func(in map[string]any) {
				r := reporting(in)
				r["serviceAccounts"] = []any{"apps/reporting", "batch/*", "apps/report-viewer"}
				r["policyArns"] = []any{route53Change}
				r["inlinePolicies"] = map[string]any{
					"read-bucket": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`,
				}
			},
			added:   []string{tAttachment + " irsa-reporting-route53-change-records"},
			removed: []string{tAttachment + " irsa-reporting-AmazonS3ReadOnlyAccess", tRolePolicy + " irsa-reporting-inline-write-queue"},
			changed: map[string][]string{
				"irsa-reporting":                    {"assumeRolePolicy"},
				"irsa-reporting-inline-read-bucket": {"policy"},
			},
		},
		{
			name: "add an entry to a role's policies",
			after: func(in map[string]any) {
				reporting(in)["policies"].(map[string]any)["audit"] = "arn:aws:iam::123456789012:policy/audit"
			},
			added: []string{tAttachment + " irsa-reporting-audit"},
		},
		{
			name:    "remove an entry from a role's policies",
			after:   func(in map[string]any) { delete(reporting(in)["policies"].(map[string]any), "extra") },
			removed: []string{tAttachment + " irsa-reporting-extra"},
		},
		{
			name: "map a role's service accounts in the webhook's ConfigMap",
			after: func(in map[string]any) {
				roles(in)["reporting"].(map[string]any)["serviceAccounts"] = []any{"apps/reporting"}
				reporting(in)["webhookConfigMap"] = true
			},
			changed: map[string][]string{"irsa-reporting": {"assumeRolePolicy"}, "irsa-webhook": {"values"}},
		},
		{
			name:    "remove a role",
			after:   func(in map[string]any) { delete(roles(in), "external-dns") },
			removed: []string{tAttachment + " irsa-external-dns-route53-change-records", tRole + " irsa-external-dns"},
		},
		{
			name:    "add a second key of the same algorithm",
			before:  withKeys(rsa1),
			after:   withKeys(rsa2, rsa1),
			changed: map[string][]string{"irsa-jwks": {"content"}, "irsa-issuer-check": {"jwks"}},
		},
		{
			name:    "drop the old key after a rotation",
			before:  withKeys(rsa2, rsa1),
			after:   withKeys(rsa2),
			changed: map[string][]string{"irsa-jwks": {"content"}, "irsa-issuer-check": {"jwks"}},
		},
		{
			name:   "add an EC key to an RSA set",
			before: withKeys(rsa1),
			after:  withKeys(rsa1, ec),
			changed: map[string][]string{
				"irsa-jwks": {"content"}, "irsa-discovery": {"content"}, "irsa-issuer-check": {"discoveryDocument", "jwks"},
			},
		},
		{
			name:    "turn the legacy key off",
			before:  withKeys(rsa1),
			after:   func(in map[string]any) { withKeys(rsa1)(in); in["legacyKeyWithoutKid"] = false },
			changed: map[string][]string{"irsa-jwks": {"content"}, "irsa-issuer-check": {"jwks"}},
		},
		{
			name:    "change the webhook's replicas",
			after:   func(in map[string]any) { in["webhook"].(map[string]any)["replicas"] = 4 },
			changed: map[string][]string{"irsa-webhook": {"values"}},
		},
		{
			name:   "phase 1 to phase 2",
			before: func(in map[string]any) { delete(in, "signingKeys") },
			after:  withKeys(rsa1),
			added:  phase2Additions,
			// The check now also reads keys.json; its issuer URL stays, so it is not replaced.
			changed: map[string][]string{"irsa-issuer-check": {"jwks"}},
		},
		{
			name:    "turn the issuer check off",
			after:   func(in map[string]any) { in["issuer"].(map[string]any)["verify"] = false },
			removed: []string{tIssuerCheck + " irsa-issuer-check"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, after := everyInput(t, rsa1, ec), everyInput(t, rsa1, ec)
			if tt.before != nil {
				tt.before(before)
				tt.before(after)
			}
			tt.after(after)
			b, _ := mustConstruct(t, before)
			a, _ := mustConstruct(t, after)
			got := compareChildren(b, a)

			wantAdded := slices.Sorted(slices.Values(tt.added))
			wantRemoved := slices.Sorted(slices.Values(tt.removed))
			if !slices.Equal(got.added, wantAdded) {
				t.Errorf("added\n %v\nwant\n %v", got.added, wantAdded)
			}
			if !slices.Equal(got.removed, wantRemoved) {
				t.Errorf("removed\n %v\nwant\n %v", got.removed, wantRemoved)
			}
			want := tt.changed
			if want == nil {
				want = map[string][]string{}
			}
			if !reflect.DeepEqual(got.changed, want) {
				t.Errorf("changed inputs\n %v\nwant\n %v", got.changed, want)
			}
			// Spelled out for the issuer: whatever else changes, these keep their inputs
			// unless the case is about them.
			for _, name := range issuerChildren {
				if _, expected := want[name]; expected {
					continue
				}
				if keys := got.changed[name]; len(keys) > 0 {
					t.Errorf("%s changed (%v); the case does not concern it", name, keys)
				}
			}
			t.Logf("%d children before, %d after; changed %v", len(b.children), len(a.children), slices.Sorted(maps.Keys(got.changed)))
		})
	}
}

// TestChangingOnlyRolesKeepsIssuerIdentical is the property behind the role cases above,
// stated without a list: after any change confined to roles, every child whose name is
// not a role's has the same type and inputs.
func TestChangingOnlyRolesKeepsIssuerIdentical(t *testing.T) {
	rsaKey, ecKey := newRSAKey(t, 2048), newECKey(t, elliptic.P384())
	before, after := everyInput(t, rsaKey, ecKey), everyInput(t, rsaKey, ecKey)
	after["roles"] = map[string]any{
		"other": map[string]any{"serviceAccounts": []any{"other/*"}, "path": "/other/"},
	}
	b, _ := mustConstruct(t, before)
	a, _ := mustConstruct(t, after)
	isRoleChild := func(name string) bool {
		return strings.HasPrefix(name, "irsa-reporting") || strings.HasPrefix(name, "irsa-external-dns") || strings.HasPrefix(name, "irsa-other")
	}
	kept := 0
	for _, c := range b.children {
		if isRoleChild(c.Name) {
			continue
		}
		now := a.named(t, c.Name)
		if now.Type != c.Type || !now.Inputs.Equals(c.Inputs) {
			t.Errorf("%s changed although only roles did", c.Name)
		}
		kept++
	}
	for _, name := range issuerChildren {
		a.named(t, name) // fails if missing
	}
	t.Logf("%d non-role children unchanged", kept)
}
