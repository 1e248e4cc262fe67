//go:build apiserver

package webhook_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// resourcePaths are the REST collections of the kinds the chart renders, and whether each
// is namespaced; a kind not listed fails the test, so a chart that grows one is noticed.
var resourcePaths = map[string]struct {
	plural     string
	namespaced bool
}{
	"Namespace":                    {"namespaces", false},
	"ServiceAccount":               {"serviceaccounts", true},
	"Secret":                       {"secrets", true},
	"ConfigMap":                    {"configmaps", true},
	"Service":                      {"services", true},
	"ClusterRole":                  {"clusterroles", false},
	"ClusterRoleBinding":           {"clusterrolebindings", false},
	"Role":                         {"roles", true},
	"RoleBinding":                  {"rolebindings", true},
	"Deployment":                   {"deployments", true},
	"PodDisruptionBudget":          {"poddisruptionbudgets", true},
	"MutatingWebhookConfiguration": {"mutatingwebhookconfigurations", false},
}

// collection is the REST path of obj's collection; objects without a namespace go to
// defaultNamespace, as Helm's client sends them.
func collection(t *testing.T, obj map[string]any, defaultNamespace string) string {
	t.Helper()
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	rp, ok := resourcePaths[kind]
	if !ok {
		t.Fatalf("the chart rendered a %s %s, which the suite does not know how to create", apiVersion, kind)
	}
	base := "/apis/" + apiVersion
	if !strings.Contains(apiVersion, "/") {
		base = "/api/" + apiVersion
	}
	if !rp.namespaced {
		return base + "/" + rp.plural
	}
	namespace, _ := obj["metadata"].(map[string]any)["namespace"].(string)
	if namespace == "" {
		namespace = defaultNamespace
	}
	return base + "/namespaces/" + namespace + "/" + rp.plural
}

// kindName is "Kind/name" of an object, for messages.
func kindName(obj map[string]any) string {
	name, _ := obj["metadata"].(map[string]any)["name"].(string)
	return fmt.Sprintf("%v/%s", obj["kind"], name)
}

// serverVersion is the API server's gitVersion.
func serverVersion(t *testing.T, s *kubetest.APIServer) string {
	t.Helper()
	v, _ := s.Get(t, "/version")["gitVersion"].(string)
	return v
}

// apiVersions are the group versions the API server's discovery lists, as Helm reads
// them from a cluster to fill .Capabilities.APIVersions.
func apiVersions(t *testing.T, s *kubetest.APIServer) []string {
	t.Helper()
	var out []string
	for _, v := range s.Get(t, "/api")["versions"].([]any) {
		out = append(out, v.(string))
	}
	for _, g := range s.Get(t, "/apis")["groups"].([]any) {
		for _, v := range g.(map[string]any)["versions"].([]any) {
			out = append(out, v.(map[string]any)["groupVersion"].(string))
		}
	}
	sort.Strings(out)
	return out
}
