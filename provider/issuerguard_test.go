package provider_test

import (
	"strings"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

var guardURN = presource.NewURN("test", "proj", "", provider.IssuerGuardToken, "irsa-issuer-guard")

// guardServer is the provider as the engine serves it, for the guard's life cycle.
func guardServer(t *testing.T) integration.Server {
	t.Helper()
	server, err := integration.NewServer(t.Context(), provider.Name, semver.MustParse("0.1.0"),
		integration.WithProvider(provider.Provider()))
	if err != nil {
		t.Fatal(err)
	}
	return plainSpoken{server, t}
}

// guardInputs are the guard's inputs as EksaIrsa gives them, the component irsa in
// us-west-2, with extra (key, value) pairs, each value a string or a bool.
func guardInputs(extra ...any) property.Map {
	m := map[string]property.Value{"component": property.New("irsa"), "region": property.New("us-west-2")}
	for i := 0; i+1 < len(extra); i += 2 {
		switch v := extra[i+1].(type) {
		case string:
			m[extra[i].(string)] = property.New(v)
		case bool:
			m[extra[i].(string)] = property.New(v)
		}
	}
	return property.NewMap(m)
}

// TestIssuerGuardLifeCycle: the guard's Check reads the recorded inputs the engine passes
// as the old ones and refuses, as one failure without a property, what the rule refuses;
// a new guard accepts anything; Diff updates in place for a new name or region only, and
// Create and Update record the inputs.
func TestIssuerGuardLifeCycle(t *testing.T) {
	server := guardServer(t)
	for _, tc := range []struct {
		name     string
		old, new property.Map
		want     string // the failure's start; "" for none
	}{
		{"a new guard", property.Map{}, guardInputs("issuerName", "cdn"), ""},
		{"unchanged", guardInputs(), guardInputs(), ""},
		{"renamed", guardInputs(), guardInputs("issuerName", "cdn"), `issuer.name: changing it from none to "cdn" without issuer.previous`},
		{"renamed with previous", guardInputs(), guardInputs("issuerName", "cdn", "previousName", ""), ""},
		{"renamed with a trust as previous", guardInputs(), guardInputs("issuerName", "cdn", "previousElsewhere", true), "issuer.previous: names an issuer published elsewhere"},
		{"renamed deliberately", guardInputs(), guardInputs("issuerName", "cdn", "allowReplace", true), ""},
		{"another region", guardInputs(), guardInputs("region", "eu-central-1"), `the AWS provider's region: changes from "us-west-2" to "eu-central-1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := server.Check(p.CheckRequest{Urn: guardURN, State: tc.old, Inputs: tc.new})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == "" && len(resp.Failures) > 0:
				t.Errorf("refused: %v", resp.Failures)
			case tc.want != "" && (len(resp.Failures) != 1 || resp.Failures[0].Property != "" || !strings.HasPrefix(resp.Failures[0].Reason, tc.want)):
				t.Errorf("failures %v, want one starting %q", resp.Failures, tc.want)
			}
		})
	}

	created, err := server.Create(p.CreateRequest{Urn: guardURN, Properties: guardInputs()})
	if err != nil || created.ID == "" || !created.Properties.Equals(guardInputs()) {
		t.Fatalf("create: %v, id %q, state %v", err, created.ID, created.Properties)
	}
	for _, tc := range []struct {
		name string
		news property.Map
		want []string // the inputs whose change is an update
	}{
		{"no change", guardInputs(), nil},
		{"previous and allowReplace alone", guardInputs("previousName", "", "allowReplace", true), nil},
		{"a new name", guardInputs("issuerName", "cdn", "allowReplace", true), []string{"issuerName"}},
		{"a new region", guardInputs("region", "eu-central-1", "allowReplace", true), []string{"region"}},
	} {
		t.Run("diff: "+tc.name, func(t *testing.T) {
			diff, err := server.Diff(p.DiffRequest{Urn: guardURN, ID: created.ID, State: created.Properties, Inputs: tc.news})
			if err != nil {
				t.Fatal(err)
			}
			if diff.HasChanges != (len(tc.want) > 0) || len(diff.DetailedDiff) != len(tc.want) {
				t.Fatalf("diff %+v, want updates of %v", diff, tc.want)
			}
			for _, key := range tc.want {
				if d, ok := diff.DetailedDiff[key]; !ok || d.Kind != p.Update {
					t.Errorf("%s: %+v, want an update in place", key, d)
				}
			}
			for key, d := range diff.DetailedDiff {
				if d.Kind != p.Update {
					t.Errorf("%s: %+v; the guard is never replaced", key, d)
				}
			}
		})
	}

	updated, err := server.Update(p.UpdateRequest{Urn: guardURN, ID: created.ID, State: created.Properties, Inputs: guardInputs("issuerName", "cdn")})
	if err != nil || !updated.Properties.Equals(guardInputs("issuerName", "cdn")) {
		t.Errorf("update: %v, state %v", err, updated.Properties)
	}
}
