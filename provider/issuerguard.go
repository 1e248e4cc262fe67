package provider

import (
	"context"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuerguard"
)

// IssuerGuardToken is the IssuerGuard resource's type token, fixed because EksaIrsa
// registers it by name and its state records it.
const IssuerGuardToken = "eksa-irsa:index:IssuerGuard"

// issuerGuardSuffix names an EksaIrsa's guard after the component alone, never after the
// issuer, so that it keeps its URN, and with it the recorded issuer, across a rename.
const issuerGuardSuffix = "-issuer-guard"

// IssuerGuard is the eksa-irsa:index:IssuerGuard resource: it records which issuer name an
// EksaIrsa publishes under, and its Check, which sees the recorded inputs beside the new
// ones, refuses at preview a rename that would delete the published issuer while pods
// still hold its tokens. The component itself cannot see its old inputs, and the renamed
// resources get new URNs, so no other place sees both names. It makes no cloud call. The
// rule is in package issuerguard; this type only maps Pulumi's life cycle onto it.
type IssuerGuard struct{}

// IssuerGuardArgs are what the rule needs of the program: the component's name (for the
// resource names a message lists), issuer.name, the form of issuer.previous and the
// opt-in to a deliberate replacement.
type IssuerGuardArgs struct {
	Component         string  `pulumi:"component"`
	IssuerName        *string `pulumi:"issuerName,optional"`
	PreviousName      *string `pulumi:"previousName,optional"`
	PreviousElsewhere *bool   `pulumi:"previousElsewhere,optional"`
	AllowReplace      *bool   `pulumi:"allowReplace,optional"`
	Region            *string `pulumi:"region,optional"`
}

// IssuerGuardState is the inputs: what the next Check compares with.
type IssuerGuardState struct {
	IssuerGuardArgs
}

var (
	_ infer.CustomResource[IssuerGuardArgs, IssuerGuardState] = (*IssuerGuard)(nil)
	_ infer.CustomCheck[IssuerGuardArgs]                      = (*IssuerGuard)(nil)
	_ infer.CustomUpdate[IssuerGuardArgs, IssuerGuardState]   = (*IssuerGuard)(nil)
	_ infer.CustomDiff[IssuerGuardArgs, IssuerGuardState]     = (*IssuerGuard)(nil)
)

// Annotate names and documents the resource.
func (g *IssuerGuard) Annotate(an infer.Annotator) {
	an.SetToken("index", "IssuerGuard")
	an.Describe(g, "Records the name an `EksaIrsa` publishes its issuer under, and refuses at preview a change of "+
		"`issuer.name` that would delete the published issuer (its bucket, documents and OIDC provider) while the "+
		"cluster's pods hold tokens naming it, unless `issuer.previous` keeps it published or `issuer.allowReplace` "+
		"says the replacement is meant. `EksaIrsa` creates one per component, `<component>-issuer-guard`; it makes no "+
		"cloud call.")
}

// Annotate documents the inputs.
func (a *IssuerGuardArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.Component, "The `EksaIrsa`'s name, which the issuer's resource names start with.")
	an.Describe(&a.IssuerName, "Its `issuer.name`; none for an unnamed issuer.")
	an.Describe(&a.PreviousName, "With `issuer.previous` in the settings form: the kept issuer's `name` (`\"\"` for none).")
	an.Describe(&a.PreviousElsewhere, "`true` with `issuer.previous` in the trust form (an issuer published elsewhere).")
	an.Describe(&a.AllowReplace, "Its `issuer.allowReplace`: a rename or a region change is meant, whatever it deletes.")
	an.Describe(&a.Region, "The region of the AWS provider the `EksaIrsa` is given: a change of it replaces every AWS "+
		"resource of the component.")
}

// Check refuses, with one failure naming the field and the fix, an issuer rename the
// recorded inputs say would delete the published issuer; a new guard has nothing recorded
// and accepts anything.
func (*IssuerGuard) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[IssuerGuardArgs], error) {
	args, failures, err := infer.DefaultCheck[IssuerGuardArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[IssuerGuardArgs]{Inputs: args, Failures: failures}, err
	}
	var old *issuerguard.Published
	if req.OldInputs.Len() > 0 {
		old = &issuerguard.Published{}
		if name := req.OldInputs.Get("issuerName"); name.IsString() {
			old.Name = name.AsString()
		}
		if region := req.OldInputs.Get("region"); region.IsString() {
			old.Region = region.AsString()
		}
	}
	if err := issuerguard.Check(old, args.update()); err != nil {
		failures = append(failures, p.CheckFailure{Reason: err.Error()})
	}
	return infer.CheckResponse[IssuerGuardArgs]{Inputs: args, Failures: failures}, nil
}

// update is what the program asks for, as the rule reads it.
func (a IssuerGuardArgs) update() issuerguard.Update {
	u := issuerguard.Update{Component: a.Component, Name: valueOr(a.IssuerName, ""), AllowReplace: valueOr(a.AllowReplace, false),
		Region: valueOr(a.Region, "")}
	switch {
	case valueOr(a.PreviousElsewhere, false):
		u.Previous = issuerguard.ElsewherePrevious
	case a.PreviousName != nil:
		u.Previous, u.PreviousName = issuerguard.KeptPrevious, *a.PreviousName
	}
	return u
}

// Diff updates the guard in place when the issuer's name or the region changes, which
// Check has let through, so that the next Check compares with them; the other inputs only
// say how this update may change them, so a change of those alone (adding or removing
// issuer.previous or issuer.allowReplace) is no change, and the guard is never replaced.
func (*IssuerGuard) Diff(_ context.Context, req infer.DiffRequest[IssuerGuardArgs, IssuerGuardState],
) (infer.DiffResponse, error) {
	diff := map[string]p.PropertyDiff{}
	if valueOr(req.State.IssuerName, "") != valueOr(req.Inputs.IssuerName, "") {
		diff["issuerName"] = p.PropertyDiff{Kind: p.Update, InputDiff: true}
	}
	if valueOr(req.State.Region, "") != valueOr(req.Inputs.Region, "") {
		diff["region"] = p.PropertyDiff{Kind: p.Update, InputDiff: true}
	}
	return infer.DiffResponse{HasChanges: len(diff) > 0, DetailedDiff: diff}, nil
}

// Create records the inputs; there is nothing else to make.
func (*IssuerGuard) Create(_ context.Context, req infer.CreateRequest[IssuerGuardArgs],
) (infer.CreateResponse[IssuerGuardState], error) {
	return infer.CreateResponse[IssuerGuardState]{ID: req.Name, Output: IssuerGuardState{req.Inputs}}, nil
}

// Update records the new inputs, which Check has let through.
func (*IssuerGuard) Update(_ context.Context, req infer.UpdateRequest[IssuerGuardArgs, IssuerGuardState],
) (infer.UpdateResponse[IssuerGuardState], error) {
	return infer.UpdateResponse[IssuerGuardState]{Output: IssuerGuardState{req.Inputs}}, nil
}
