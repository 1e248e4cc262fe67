package provider

import (
	"context"

	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubekeys"
)

// GetSigningKeysToken is the function's type token, fixed because programs and SDKs name it.
const GetSigningKeysToken = "eksa-irsa:index:getSigningKeys"

// GetSigningKeys is the getSigningKeys function: the cluster's public service-account
// signing keys, read so that the private key never reaches the program or its state, as
// it would through a generic read of the `<cluster>-sa` secret.
type GetSigningKeys struct{}

// GetSigningKeysArgs are getSigningKeys's inputs.
type GetSigningKeysArgs struct {
	Kubeconfig  string  `pulumi:"kubeconfig" provider:"secret"`
	Context     *string `pulumi:"context,optional"`
	ClusterName string  `pulumi:"clusterName"`
	Namespace   *string `pulumi:"namespace,optional"`
	Source      *string `pulumi:"source,optional"`
}

// GetSigningKeysResult carries the keys, ready for EksaIrsa's signingKeys.
type GetSigningKeysResult struct {
	SigningKeys []string `pulumi:"signingKeys"`
	Kids        []string `pulumi:"kids"`
}

var _ infer.Fn[GetSigningKeysArgs, GetSigningKeysResult] = (*GetSigningKeys)(nil)

// Annotate names and documents the function.
func (f *GetSigningKeys) Annotate(an infer.Annotator) {
	an.SetToken("index", "getSigningKeys")
	an.Describe(f, "Reads the public service-account signing keys of an EKS Anywhere cluster, for EksaIrsa's `signingKeys`, "+
		"without the private key ever reaching the program or its state (reading the `<cluster>-sa` secret as a resource would store its `tls.key`). "+
		"With `source: secret` (the default) it reads only `tls.crt` of the secret `<namespace>/<clusterName>-sa`, which needs `get` on that one secret; "+
		"with `source: apiserver` it reads the cluster's own `/openid/v1/jwks`, which needs the ClusterRole `system:service-account-issuer-discovery`. "+
		"It fails, naming what to fix, rather than return no keys; in phase 1, before the cluster exists, do not call it.")
}

// Annotate documents the function's inputs.
func (a *GetSigningKeysArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.Kubeconfig, "Kubeconfig text of the cluster to read from: for `source: secret` the management cluster "+
		"(for a standalone cluster, the cluster itself), for `source: apiserver` the cluster itself.")
	an.Describe(&a.Context, "Kubeconfig context to use. Defaults to its current-context.")
	an.Describe(&a.ClusterName, "The EKS Anywhere cluster's metadata.name; the secret read is `<clusterName>-sa`.")
	an.Describe(&a.Namespace, "Namespace of the `<clusterName>-sa` secret. Defaults to `eksa-system`.")
	an.Describe(&a.Source, "`secret` (the default): the secret's `tls.crt`; `apiserver`: the API server's `/openid/v1/jwks`.")
}

// Annotate documents the function's result.
func (r *GetSigningKeysResult) Annotate(an infer.Annotator) {
	an.Describe(&r.SigningKeys, "The public keys as PEM (`PUBLIC KEY`), never empty; pass them to EksaIrsa's `signingKeys`.")
	an.Describe(&r.Kids, "The key IDs of signingKeys, in the same order, as kube-apiserver writes them into tokens.")
}

// Invoke reads the keys; every rule and message lives in internal/kubekeys.
func (*GetSigningKeys) Invoke(ctx context.Context, req infer.FunctionRequest[GetSigningKeysArgs],
) (infer.FunctionResponse[GetSigningKeysResult], error) {
	in := req.Input
	keys, err := kubekeys.Fetch(ctx, kubekeys.Request{
		Kubeconfig:  []byte(in.Kubeconfig),
		Context:     valueOr(in.Context, ""),
		ClusterName: in.ClusterName,
		Namespace:   valueOr(in.Namespace, kubekeys.DefaultNamespace),
		Source:      kubekeys.Source(valueOr(in.Source, string(kubekeys.SourceSecret))),
	})
	if err != nil {
		return infer.FunctionResponse[GetSigningKeysResult]{}, err
	}
	return infer.FunctionResponse[GetSigningKeysResult]{Output: GetSigningKeysResult{SigningKeys: keys.PEMs, Kids: keys.KeyIDs}}, nil
}
