package provider

import (
	"context"

	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/oidcdoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/signingkey"
)

// ComputeJwks is the computeJwks function: the JWKS the component would upload, for
// people who host the issuer documents themselves.
type ComputeJwks struct{}

// ComputeJwksArgs are computeJwks's inputs; they mean what the component's inputs of the
// same names mean.
type ComputeJwksArgs struct {
	SigningKeys         []string `pulumi:"signingKeys"`
	LegacyKeyWithoutKid *bool    `pulumi:"legacyKeyWithoutKid,optional"`
}

// ComputeJwksResult carries the JWKS document.
type ComputeJwksResult struct {
	Jwks string `pulumi:"jwks"`
}

var _ infer.Fn[ComputeJwksArgs, ComputeJwksResult] = (*ComputeJwks)(nil)

// Annotate names and documents the function.
func (f *ComputeJwks) Annotate(an infer.Annotator) {
	an.SetToken("index", "computeJwks")
	an.Describe(f, "Computes the JWKS (`keys.json`) that EksaIrsa publishes for the given public signing keys, "+
		"byte for byte, for issuers hosted outside the component.")
}

// Annotate documents the function's inputs.
func (a *ComputeJwksArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.SigningKeys, "Public signing keys, current first; PEM or the base64 of a PEM as in a secret's `tls.crt`.")
	an.Describe(&a.LegacyKeyWithoutKid, "Also publish the current key with an empty `kid`. Defaults to `true`.")
}

// Annotate documents the function's result.
func (r *ComputeJwksResult) Annotate(an infer.Annotator) {
	an.Describe(&r.Jwks, "The JWKS document (JSON).")
}

// Invoke parses the keys and renders the JWKS with the same code the component uses.
func (*ComputeJwks) Invoke(_ context.Context, req infer.FunctionRequest[ComputeJwksArgs],
) (infer.FunctionResponse[ComputeJwksResult], error) {
	keys, err := signingkey.ParseAll(req.Input.SigningKeys)
	if err != nil {
		return infer.FunctionResponse[ComputeJwksResult]{}, err
	}
	doc, err := oidcdoc.JWKS(keys, valueOr(req.Input.LegacyKeyWithoutKid, true))
	if err != nil {
		return infer.FunctionResponse[ComputeJwksResult]{}, err
	}
	return infer.FunctionResponse[ComputeJwksResult]{Output: ComputeJwksResult{Jwks: string(doc)}}, nil
}
