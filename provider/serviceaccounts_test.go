package provider_test

import (
	"reflect"
	"strings"
	"testing"
)

const (
	tServiceAccount      = "kubernetes:core/v1:ServiceAccount"
	tServiceAccountPatch = "kubernetes:core/v1:ServiceAccountPatch"
)

// withServiceAccountModes makes reporting create its service accounts and external-dns
// annotate its own.
func withServiceAccountModes(in map[string]any) map[string]any {
	role(in)["serviceAccounts"] = []any{"apps/reporting", "batch/reporting"}
	role(in)["serviceAccount"] = "create"
	role(in)["tokenExpiration"] = 3600
	in["roles"].(map[string]any)["external-dns"].(map[string]any)["serviceAccount"] = "annotate"
	return in
}

// TestServiceAccountsCreatedAndAnnotated: in phase 2, create registers one
// ServiceAccount per service account and annotate one ServiceAccountPatch, each holding
// only its name, namespace and the role's annotations, under the component.
func TestServiceAccountsCreatedAndAnnotated(t *testing.T) {
	key := newRSAKey(t, 2048)
	aws, state := mustConstruct(t, withServiceAccountModes(phase2(key)))

	var created []string
	for _, c := range aws.byType(tServiceAccount) {
		created = append(created, c.Name)
	}
	if want := []string{"irsa-reporting-sa-apps-reporting", "irsa-reporting-sa-batch-reporting"}; !reflect.DeepEqual(created, want) {
		t.Fatalf("ServiceAccounts = %v, want %v", created, want)
	}
	patches := aws.byType(tServiceAccountPatch)
	if len(patches) != 1 || patches[0].Name != "irsa-external-dns-sa-kube-system-external-dns" {
		t.Fatalf("ServiceAccountPatches = %v", patches)
	}

	reportingArn := str(t, state.Get("roleArns").AsMap(), "reporting")
	for _, tt := range []struct {
		object      child
		namespace   string
		name        string
		annotations map[string]any
	}{
		{aws.named(t, "irsa-reporting-sa-batch-reporting"), "batch", "reporting", map[string]any{
			"eks.amazonaws.com/role-arn": reportingArn, "eks.amazonaws.com/token-expiration": "3600",
		}},
		{patches[0], "kube-system", "external-dns", map[string]any{
			"eks.amazonaws.com/role-arn": str(t, state.Get("roleArns").AsMap(), "external-dns"),
		}},
	} {
		in := tt.object.Inputs
		if str(t, in, "apiVersion") != "v1" || str(t, in, "kind") != "ServiceAccount" {
			t.Errorf("%s: apiVersion/kind = %v", tt.object.Name, in)
		}
		metadata := plain(in.Get("metadata")).(map[string]any)
		want := map[string]any{"name": tt.name, "namespace": tt.namespace, "annotations": tt.annotations}
		if !reflect.DeepEqual(metadata, want) {
			t.Errorf("%s: metadata = %v, want only %v", tt.object.Name, metadata, want)
		}
		if in.Len() != 3 {
			t.Errorf("%s: inputs %v, want apiVersion, kind and metadata only", tt.object.Name, in)
		}
		if !strings.HasSuffix(tt.object.Parent, "::irsa") {
			t.Errorf("%s: parent %q, want the component", tt.object.Name, tt.object.Parent)
		}
	}
	// The annotations are the role's own output, so the object waits for the role.
	if role := aws.named(t, "irsa-reporting"); !aws.named(t, "irsa-reporting-sa-apps-reporting").dependsOn(role) {
		t.Error("the ServiceAccount does not depend on its role")
	}
	// Every annotation the component outputs is on the object.
	if got := plain(state.Get("serviceAccountAnnotations").AsMap().Get("reporting")); !reflect.DeepEqual(got,
		plain(aws.named(t, "irsa-reporting-sa-apps-reporting").Inputs.Get("metadata")).(map[string]any)["annotations"]) {
		t.Errorf("object annotations differ from serviceAccountAnnotations.reporting = %v", got)
	}
}

// TestServiceAccountsWaitForPhase2: in phase 1 there is no cluster yet, so nothing is
// registered in it; and the default mode registers nothing in either phase.
func TestServiceAccountsWaitForPhase2(t *testing.T) {
	aws, _ := mustConstruct(t, withServiceAccountModes(phase1()))
	if n := len(aws.byType(tServiceAccount)) + len(aws.byType(tServiceAccountPatch)); n != 0 {
		t.Errorf("phase 1 registered %d service-account objects", n)
	}
	aws, _ = mustConstruct(t, phase2(newRSAKey(t, 2048)))
	if n := len(aws.byType(tServiceAccount)) + len(aws.byType(tServiceAccountPatch)); n != 0 {
		t.Errorf("serviceAccount none registered %d service-account objects", n)
	}
}

func TestServiceAccountModesAtPreview(t *testing.T) {
	for _, tt := range []struct {
		name    string
		mutate  func(in map[string]any)
		message string
	}{
		{"a pattern to create", func(in map[string]any) {
			role(in)["serviceAccounts"] = []any{"apps/*"}
			role(in)["serviceAccount"] = "create"
		}, `roles.reporting.serviceAccount: "apps/*" is a pattern, and create needs service accounts named exactly`},
		{"one account, two roles", func(in map[string]any) {
			role(in)["serviceAccount"] = "create"
			in["roles"].(map[string]any)["other"] = map[string]any{"serviceAccounts": []any{"apps/reporting"}, "serviceAccount": "annotate"}
		}, `service account "apps/reporting" is already made or annotated by roles.`},
		{"unknown mode", func(in map[string]any) { role(in)["serviceAccount"] = "patch" }, `roles.reporting.serviceAccount: "patch" is not a mode`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := phase2(newRSAKey(t, 2048))
			tt.mutate(in)
			aws, _, err := preview(t, in)
			if err == nil || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("err = %v, want %q", err, tt.message)
			}
			if len(aws.children) != 0 {
				t.Errorf("registered %v before failing", aws.names())
			}
		})
	}
}

// TestServiceAccountRoleMakesItsServiceAccounts: a ServiceAccountRole trusting one
// cluster (a role in another account, say) makes its service accounts there; with
// several clusters it refuses, having one kubernetes provider.
func TestServiceAccountRoleMakesItsServiceAccounts(t *testing.T) {
	run := mustConstructRole(t, map[string]any{"trusts": []any{trustOf(hostA, "apps/reporting")}, "serviceAccount": "create"})
	object := run.aws.named(t, "shared-sa-apps-reporting")
	if object.Type != tServiceAccount {
		t.Fatalf("type %s", object.Type)
	}
	annotations := plain(object.Inputs.Get("metadata")).(map[string]any)["annotations"]
	if !reflect.DeepEqual(annotations, plain(run.state.Get("serviceAccountAnnotations"))) {
		t.Errorf("annotations = %v, want the role's %v", annotations, plain(run.state.Get("serviceAccountAnnotations")))
	}

	bad := constructRole(t, "shared", map[string]any{
		"trusts": []any{trustOf(hostA, "apps/reporting"), trustOf(hostB, "apps/reporting")}, "serviceAccount": "annotate",
	}, true)
	if bad.err == nil || !strings.Contains(bad.err.Error(), `serviceAccount: "annotate" needs one cluster`) || len(bad.aws.children) != 0 {
		t.Errorf("two clusters: err = %v, children %v", bad.err, bad.aws.names())
	}
}
