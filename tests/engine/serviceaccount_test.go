//go:build engine

package engine_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// roleArnAnnotation is the annotation the webhook reads a role from, under its default
// prefix.
const roleArnAnnotation = "eks.amazonaws.com/role-arn"

// TestEngineServiceAccounts: a role with `serviceAccount: create` makes its ServiceAccount
// in the real cluster with exactly the role's annotations; one with `annotate` adds the
// annotations to an account another tool made, by server-side apply, owning only them and
// leaving that tool's label and annotation alone; removing both roles deletes the made
// account and takes back only the annotations added to the other.
func TestEngineServiceAccounts(t *testing.T) {
	prog := program{chart: sandbox.ChartPath(t), extraRoles: `        made:
          serviceAccounts: [apps/made]
          serviceAccount: create
        annotated:
          serviceAccounts: [apps/existing]
          serviceAccount: annotate
`}
	p := upBothPhasesWith(t, prog, func(c *cluster) {
		c.API.EnsureNamespace(t, "apps")
		code, body := c.API.Do(t, kubetest.Admin, http.MethodPost, "/api/v1/namespaces/apps/serviceaccounts?fieldManager=helm", map[string]any{
			"apiVersion": "v1", "kind": "ServiceAccount",
			"metadata": map[string]any{
				"name": "existing", "labels": map[string]any{"team": "x"},
				"annotations": map[string]any{"owner": "helm"},
			},
		})
		if code != http.StatusCreated {
			t.Fatalf("create apps/existing: %d %s", code, body)
		}
	})
	out := p.stack.Outputs()
	arns, _ := out["roleArns"].(map[string]any)
	annotations, _ := out["serviceAccountAnnotations"].(map[string]any)

	t.Run("create makes the account with exactly the role's annotations", func(t *testing.T) {
		made := metadataOf(t, p.cluster.API.Get(t, "/api/v1/namespaces/apps/serviceaccounts/made"))
		want, _ := annotations["made"].(map[string]any)
		if !maps.Equal(stringMap(made.Annotations), stringMap(want)) {
			t.Errorf("apps/made annotations %v, want the serviceAccountAnnotations output %v", made.Annotations, want)
		}
		if made.Annotations[roleArnAnnotation] != arns["made"] {
			t.Errorf("apps/made role ARN %v, want %v", made.Annotations[roleArnAnnotation], arns["made"])
		}
	})

	t.Run("annotate adds the annotations and owns nothing else", func(t *testing.T) {
		existing := metadataOf(t, p.cluster.API.Get(t, "/api/v1/namespaces/apps/serviceaccounts/existing"))
		if existing.Annotations[roleArnAnnotation] != arns["annotated"] {
			t.Errorf("apps/existing role ARN %v, want %v", existing.Annotations[roleArnAnnotation], arns["annotated"])
		}
		if existing.Labels["team"] != "x" || existing.Annotations["owner"] != "helm" {
			t.Errorf("apps/existing lost what helm set: labels %v, annotations %v", existing.Labels, existing.Annotations)
		}
		for _, entry := range existing.ManagedFields {
			if entry.Manager == "helm" {
				continue
			}
			owned := ownedLeaves(entry.FieldsV1, "")
			for _, field := range owned {
				if !strings.HasPrefix(field, ".f:metadata.f:annotations.f:eks.amazonaws.com/") {
					t.Errorf("manager %s (%s) owns %s, beyond the role's annotations (all: %v)", entry.Manager, entry.Operation, field, owned)
				}
			}
		}
	})

	t.Run("a second preview shows no change", func(t *testing.T) {
		p.stack.Must("preview", "--expect-no-changes")
	})

	t.Run("removing the roles removes exactly what they added", func(t *testing.T) {
		p.stack.WriteProgram(program{chart: p.program.chart, phase2: true}.yaml())
		p.stack.Up()
		if p.cluster.Exists(t, "/api/v1/namespaces/apps/serviceaccounts/made") {
			t.Error("apps/made still exists after its role was removed")
		}
		existing := metadataOf(t, p.cluster.API.Get(t, "/api/v1/namespaces/apps/serviceaccounts/existing"))
		if _, ok := existing.Annotations[roleArnAnnotation]; ok {
			t.Errorf("apps/existing keeps %s after its role was removed: %v", roleArnAnnotation, existing.Annotations)
		}
		if existing.Labels["team"] != "x" || existing.Annotations["owner"] != "helm" {
			t.Errorf("apps/existing lost what helm set: labels %v, annotations %v", existing.Labels, existing.Annotations)
		}
	})
}

// objectMetadata is what the test reads of an object's metadata.
type objectMetadata struct {
	Labels        map[string]string
	Annotations   map[string]string
	ManagedFields []struct {
		Manager   string
		Operation string
		FieldsV1  map[string]any
	}
}

func metadataOf(t *testing.T, obj map[string]any) objectMetadata {
	t.Helper()
	raw, err := json.Marshal(obj["metadata"])
	if err != nil {
		t.Fatal(err)
	}
	var m objectMetadata
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// ownedLeaves lists the leaf paths of a managedFields fieldsV1 set.
func ownedLeaves(fields map[string]any, prefix string) []string {
	var out []string
	for k, v := range fields {
		if k == "." {
			continue
		}
		sub, _ := v.(map[string]any)
		if len(sub) == 0 {
			out = append(out, prefix+"."+k)
			continue
		}
		out = append(out, ownedLeaves(sub, prefix+"."+k)...)
	}
	return out
}

func stringMap(m any) map[string]string {
	out := map[string]string{}
	switch x := m.(type) {
	case map[string]string:
		return x
	case map[string]any:
		for k, v := range x {
			s, _ := v.(string)
			out[k] = s
		}
	}
	return out
}
