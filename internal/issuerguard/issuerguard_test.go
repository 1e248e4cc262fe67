package issuerguard_test

import (
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuerguard"
)

func TestCheck(t *testing.T) {
	unnamed := &issuerguard.Published{Name: ""}
	cdn := &issuerguard.Published{Name: "cdn"}
	for _, tc := range []struct {
		name string
		old  *issuerguard.Published
		u    issuerguard.Update
		// want is every fragment the error must hold; nil means allowed.
		want []string
	}{
		{name: "nothing recorded yet: a new stack or one made before the guard", old: nil,
			u: issuerguard.Update{Component: "irsa", Name: "cdn"}},
		{name: "same name", old: cdn, u: issuerguard.Update{Component: "irsa", Name: "cdn"}},
		{name: "still unnamed", old: unnamed, u: issuerguard.Update{Component: "irsa"}},
		{name: "removing previous after a move keeps the name", old: cdn,
			u: issuerguard.Update{Component: "irsa", Name: "cdn"}},
		{name: "named without previous", old: unnamed, u: issuerguard.Update{Component: "irsa", Name: "cdn"},
			want: []string{`issuer.name: changing it from none to "cdn" without issuer.previous`, "irsa-bucket, irsa-oidc-provider",
				"every pod would lose AWS access", "issuer.previous: {}", "docs/changing-the-issuer.md",
				"issuer.allowReplace: true", "restore the program without issuer.name"}},
		{name: "renamed without previous", old: cdn, u: issuerguard.Update{Component: "irsa", Name: "cdn2"},
			want: []string{`from "cdn" to "cdn2"`, "irsa-cdn-bucket", "issuer.previous: {name: cdn}", "restore issuer.name: cdn"}},
		{name: "name removed without previous", old: cdn, u: issuerguard.Update{Component: "irsa"},
			want: []string{`from "cdn" to none`, "issuer.previous: {name: cdn}"}},
		{name: "renamed deliberately", old: cdn,
			u: issuerguard.Update{Component: "irsa", Name: "cdn2", AllowReplace: true}},
		{name: "move keeping the unnamed issuer", old: unnamed,
			u: issuerguard.Update{Component: "irsa", Name: "cdn", Previous: issuerguard.KeptPrevious}},
		{name: "move keeping the named issuer", old: cdn,
			u: issuerguard.Update{Component: "irsa", Previous: issuerguard.KeptPrevious, PreviousName: "cdn"}},
		{name: "previous keeps another name", old: cdn,
			u: issuerguard.Update{Component: "irsa", Name: "cdn3", Previous: issuerguard.KeptPrevious, PreviousName: "cdn2"},
			want: []string{`issuer.previous.name: "cdn2", but the issuer this stack publishes is named "cdn"`, "irsa-cdn-bucket",
				"issuer.previous: {name: cdn}", "issuer.allowReplace: true"}},
		{name: "previous forgets the old name", old: cdn,
			u:    issuerguard.Update{Component: "irsa", Name: "cdn2", Previous: issuerguard.KeptPrevious},
			want: []string{"issuer.previous.name: not given, but", `named "cdn"`}},
		{name: "previous given as a trust while this stack's own issuer is renamed", old: unnamed,
			u: issuerguard.Update{Component: "irsa", Name: "cdn", Previous: issuerguard.ElsewherePrevious},
			want: []string{"issuer.previous: names an issuer published elsewhere", "unnamed (irsa-bucket",
				`renaming it to "cdn"`, "issuer.previous: {}", "issuer.allowReplace: true"}},
		{name: "trust form with the name unchanged: the component's issuer stays", old: unnamed,
			u: issuerguard.Update{Component: "irsa", Previous: issuerguard.ElsewherePrevious}},
		{name: "same region", old: &issuerguard.Published{Region: "us-west-2"},
			u: issuerguard.Update{Component: "irsa", Region: "us-west-2"}},
		{name: "region not recorded", old: unnamed, u: issuerguard.Update{Component: "irsa", Region: "eu-central-1"}},
		{name: "region not known yet", old: &issuerguard.Published{Region: "us-west-2"}, u: issuerguard.Update{Component: "irsa"}},
		{name: "region changed", old: &issuerguard.Published{Region: "us-west-2"},
			u: issuerguard.Update{Component: "irsa", Region: "eu-central-1"},
			want: []string{`the AWS provider's region: changes from "us-west-2" to "eu-central-1"`, "every AWS resource of irsa",
				"issuer.previous cannot keep the old issuer across regions", `Keep the provider's region "us-west-2"`,
				"docs/changing-the-issuer.md", "issuer.allowReplace: true"}},
		{name: "region changed with a move still refused", old: &issuerguard.Published{Region: "us-west-2"},
			u:    issuerguard.Update{Component: "irsa", Name: "cdn", Previous: issuerguard.KeptPrevious, Region: "eu-central-1"},
			want: []string{"region: changes"}},
		{name: "region changed deliberately", old: &issuerguard.Published{Name: "cdn", Region: "us-west-2"},
			u: issuerguard.Update{Component: "irsa", Region: "eu-central-1", AllowReplace: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := issuerguard.Check(tc.old, tc.u)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("allowed; want a refusal")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}
