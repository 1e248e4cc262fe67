package provider_test

import (
	"strings"
	"testing"
)

// TestRetainKubernetesObjects: by default a delete of the stack uninstalls what the
// component made in the workload cluster (only the namespace, which may hold other
// things, is always left); retainKubernetesObjects marks every one of those objects
// retainOnDelete, so that a destroy after the cluster is gone never calls it, while no
// AWS or TLS resource is ever retained, so the destroy still removes them all.
func TestRetainKubernetesObjects(t *testing.T) {
	withAccounts := func() map[string]any {
		in := phase2(newRSAKey(t, 2048))
		roles := in["roles"].(map[string]any)
		roles["reporting"].(map[string]any)["serviceAccount"] = "create"
		roles["external-dns"].(map[string]any)["serviceAccount"] = "annotate"
		return in
	}
	kubeObjects := func(aws *fakeAWS) map[string]bool {
		retained := map[string]bool{}
		for _, c := range aws.children {
			if strings.HasPrefix(c.Type, "kubernetes:") {
				retained[c.Type+" "+c.Name] = c.Retained
			} else if c.Retained {
				t.Errorf("%s %s is retained on delete: a destroy would leave it behind", c.Type, c.Name)
			}
		}
		return retained
	}
	want := []string{
		"kubernetes:core/v1:Namespace irsa-webhook-namespace",
		"kubernetes:core/v1:Secret irsa-webhook-tls",
		"kubernetes:helm.sh/v3:Release irsa-webhook",
		"kubernetes:core/v1:ServiceAccount irsa-reporting-sa-apps-reporting",
		"kubernetes:core/v1:ServiceAccountPatch irsa-external-dns-sa-kube-system-external-dns",
	}

	for _, tc := range []struct {
		name   string
		retain any // nil: not given
	}{
		{"default", nil},
		{"false", false},
		{"true", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := withAccounts()
			if tc.retain != nil {
				in["retainKubernetesObjects"] = tc.retain
			}
			aws, _ := mustConstruct(t, in)
			got := kubeObjects(aws)
			if len(got) != len(want) {
				t.Errorf("Kubernetes objects = %v, want %v", got, want)
			}
			for _, key := range want {
				retained, ok := got[key]
				if !ok {
					t.Errorf("%s not registered; registered: %v", key, got)
					continue
				}
				wantRetained := tc.retain == true || strings.Contains(key, ":Namespace ")
				if retained != wantRetained {
					t.Errorf("%s retainOnDelete = %v, want %v", key, retained, wantRetained)
				}
			}
		})
	}
}
