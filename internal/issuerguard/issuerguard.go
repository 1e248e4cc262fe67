// Package issuerguard decides whether an update may change which issuer an EksaIrsa
// publishes under which names. The issuer's resources (bucket, documents, check, OIDC
// provider) are named after issuer.name, so a new name deletes them and creates others,
// while every pod of the cluster holds tokens that name the old issuer: without the old
// issuer kept published (issuer.previous), every pod loses AWS access at once. The
// component cannot see its old inputs, and the renamed resources have new URNs, so the
// rule runs where the old and new values meet: in the Check of a resource with a stable
// name. This package holds the rule alone, with no Pulumi types, so it is tested as a
// table.
package issuerguard

import (
	"fmt"
)

// GuideURL is the guide the refusals point to for moving a running cluster.
const GuideURL = "docs/changing-the-issuer.md"

// Published is what the guard records of the issuer an EksaIrsa publishes: the name its
// resources are called after ("" for none), and the region of the AWS provider it is
// published through ("" when not recorded).
type Published struct {
	Name   string
	Region string
}

// PreviousForm says what issuer.previous holds, which decides whether a rename keeps the
// old issuer published.
type PreviousForm int

const (
	// NoPrevious: issuer.previous is not given; nothing keeps the old issuer.
	NoPrevious PreviousForm = iota
	// KeptPrevious: issuer.previous holds the settings this component published the old
	// issuer with, so it goes on publishing it under previous.name.
	KeptPrevious
	// ElsewherePrevious: issuer.previous holds the trust of an issuer published
	// elsewhere; the component does not keep its own old issuer.
	ElsewherePrevious
)

// Update is what the program asks for now.
type Update struct {
	// Component is the EksaIrsa's name, which the resource names start with.
	Component string
	// Name is issuer.name ("" for none).
	Name string
	// Previous is the form of issuer.previous, and PreviousName its name when Kept.
	Previous     PreviousForm
	PreviousName string
	// AllowReplace is issuer.allowReplace: the user means to replace the issuer.
	AllowReplace bool
	// Region is the AWS provider's region ("" when not known yet).
	Region string
}

// Check refuses an update that renames the published issuer without keeping the old one
// published, unless the user said it is meant. old is nil when nothing was recorded
// (a new stack, or one made before the guard existed): there is nothing to compare
// with, so anything goes. The error names the field and each way out.
func Check(old *Published, u Update) error {
	if old == nil || u.AllowReplace {
		return nil
	}
	if old.Region != "" && u.Region != "" && old.Region != u.Region {
		return regionChange(old, u)
	}
	if old.Name == u.Name {
		return nil
	}
	oldResources := resources(u.Component, old.Name)
	keep := keepHint(old.Name)
	switch u.Previous {
	case KeptPrevious:
		if u.PreviousName == old.Name {
			return nil
		}
		given := "not given"
		if u.PreviousName != "" {
			given = fmt.Sprintf("%q", u.PreviousName)
		}
		return fmt.Errorf("issuer.previous.name: %s, but the issuer this stack publishes is %s (%s), so this update "+
			"would delete it while it is meant to be kept; set %s, or, to replace the old issuer deliberately, "+
			"issuer.allowReplace: true",
			given, named(old.Name), oldResources, keep)
	case ElsewherePrevious:
		return fmt.Errorf("issuer.previous: names an issuer published elsewhere (issuerHostPath), but the issuer this "+
			"stack publishes, %s (%s), is the one being left, and renaming it to %s deletes it and its OIDC "+
			"provider: give issuer.previous the settings it was published with instead (%s, see %s), or, to replace "+
			"the old issuer deliberately, set issuer.allowReplace: true",
			named(old.Name), oldResources, describe(u.Name), keep, GuideURL)
	}
	return fmt.Errorf("issuer.name: changing it from %s to %s without issuer.previous deletes the issuer this stack "+
		"publishes (%s) and creates another, while the tokens every pod holds name the old issuer, so every pod would "+
		"lose AWS access. To move the cluster, keep the old issuer published: set %s (see %s); to replace the issuer "+
		"deliberately, set issuer.allowReplace: true; otherwise restore %s",
		describe(old.Name), describe(u.Name), oldResources, keep, GuideURL, restore(old.Name))
}

// regionChange refuses a change of the AWS provider's region. pulumi-aws replaces a
// provider whose region changes, and with it every resource it manages: the issuer's
// bucket (a new name, so a new issuer URL), its documents and OIDC provider, and the
// roles (new ARNs, which the service accounts' annotations name). issuer.previous cannot
// keep the old issuer, since both issuers are published through this one provider.
func regionChange(old *Published, u Update) error {
	return fmt.Errorf("the AWS provider's region: changes from %q to %q, which replaces every AWS resource of %s: "+
		"the issuer's bucket (a new bucket, so a new issuer URL), its documents and OIDC provider, and the roles (new "+
		"ARNs), while every pod's tokens name the old issuer and its service account the old role, so every pod would "+
		"lose AWS access; issuer.previous cannot keep the old issuer across regions, since both issuers are published "+
		"through this one provider. Keep the provider's region %q (IAM is global, and STS reads the issuer from any "+
		"region), and move the issuer to another hosting, bucket or domain with issuer.previous if it must be served "+
		"from elsewhere (see %s); to replace everything deliberately, set issuer.allowReplace: true",
		old.Region, u.Region, u.Component, old.Region, GuideURL)
}

// describe is a name as a message says it.
func describe(name string) string {
	if name == "" {
		return "none"
	}
	return fmt.Sprintf("%q", name)
}

// named says what an issuer is called, as a message says it.
func named(name string) string {
	if name == "" {
		return "unnamed"
	}
	return fmt.Sprintf("named %q", name)
}

// resources lists the first resources of an issuer, as the user finds them in a preview.
func resources(component, name string) string {
	prefix := component
	if name != "" {
		prefix += "-" + name
	}
	return prefix + "-bucket, " + prefix + "-oidc-provider, ..."
}

// keepHint is the issuer.previous that keeps an issuer of the given name published.
func keepHint(name string) string {
	if name == "" {
		return "issuer.previous: {} with the old issuer's other settings as they were"
	}
	return "issuer.previous: {name: " + name + "} with the old issuer's other settings as they were"
}

// restore is how the program says the old name again.
func restore(name string) string {
	if name == "" {
		return "the program without issuer.name"
	}
	return "issuer.name: " + name
}
