package serviceaccount

import (
	"reflect"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

func account(t *testing.T, s string) policy.ServiceAccount {
	t.Helper()
	a, err := policy.ParseServiceAccount("x", s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestValidateMode(t *testing.T) {
	for _, m := range []Mode{None, Create, Annotate} {
		wanterr.Check(t, "roles.r.serviceAccount", ValidateMode("roles.r.serviceAccount", m), "")
	}
	wanterr.Check(t, "roles.r.serviceAccount", ValidateMode("roles.r.serviceAccount", "patch"), `give "create"`)
}

func TestModeTypes(t *testing.T) {
	if Create.Type() != "kubernetes:core/v1:ServiceAccount" || Annotate.Type() != "kubernetes:core/v1:ServiceAccountPatch" || None.Type() != "" {
		t.Errorf("types: create %q, annotate %q, none %q", Create.Type(), Annotate.Type(), None.Type())
	}
}

func TestCheckRoles(t *testing.T) {
	dns := []policy.ServiceAccount{account(t, "kube-system/external-dns")}
	for _, tt := range []struct {
		name  string
		roles []Role
		want  []string
	}{
		{"distinct accounts", []Role{{"roles.a.serviceAccount", Create, dns}, {"roles.b.serviceAccount", Annotate, []policy.ServiceAccount{account(t, "apps/a")}}}, nil},
		{"patterns are fine without objects", []Role{{"roles.a.serviceAccount", None, []policy.ServiceAccount{account(t, "apps/*")}}}, nil},
		{"a pattern cannot be made", []Role{{"roles.a.serviceAccount", Create, []policy.ServiceAccount{account(t, "apps/*")}}},
			[]string{`roles.a.serviceAccount: "apps/*" is a pattern, and create needs service accounts named exactly`}},
		{"one account, two roles", []Role{{"roles.a.serviceAccount", Create, dns}, {"roles.b.serviceAccount", Annotate, dns}},
			[]string{`roles.b.serviceAccount: service account "kube-system/external-dns" is already made or annotated by roles.a.serviceAccount`}},
		{"one account, one role making it and one leaving it alone", []Role{{"roles.a.serviceAccount", Create, dns}, {"roles.b.serviceAccount", None, dns}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wanterr.List(t, CheckRoles(tt.roles), tt.want)
		})
	}
}

func TestInputsHoldOnlyWhatIsManaged(t *testing.T) {
	got := Inputs(account(t, "kube-system/external-dns"), map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/dns"})
	want := map[string]any{
		"apiVersion": "v1", "kind": "ServiceAccount",
		"metadata": map[string]any{
			"name": "external-dns", "namespace": "kube-system",
			"annotations": map[string]any{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/dns"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Inputs = %v, want %v", got, want)
	}
	if name := ResourceName("irsa-external-dns", account(t, "kube-system/external-dns")); name != "irsa-external-dns-sa-kube-system-external-dns" {
		t.Errorf("ResourceName = %q", name)
	}
}
