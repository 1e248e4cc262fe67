package provider

import (
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/serviceaccount"
)

// ServiceAccountMode is what a role does about its Kubernetes service accounts.
type ServiceAccountMode string

var _ infer.Enum[ServiceAccountMode] = ServiceAccountMode("")

// Values lists the modes for the schema and every SDK's constants.
func (ServiceAccountMode) Values() []infer.EnumValue[ServiceAccountMode] {
	return []infer.EnumValue[ServiceAccountMode]{
		{Name: "None", Value: ServiceAccountMode(serviceaccount.None),
			Description: "Nothing is made; put the serviceAccountAnnotations on the service accounts yourself."},
		{Name: "Create", Value: ServiceAccountMode(serviceaccount.Create),
			Description: "A ServiceAccount per listed service account, carrying the role's annotations."},
		{Name: "Annotate", Value: ServiceAccountMode(serviceaccount.Annotate),
			Description: "The role's annotations added to existing service accounts by server-side apply (ServiceAccountPatch), owning only them."},
	}
}

// docServiceAccountMode documents the serviceAccount field of both components.
const docServiceAccountMode = "What to do about the role's service accounts in the cluster, through the `kubernetes` " +
	"provider the component is given: `none` (the default), `create` (a ServiceAccount per service account, with the " +
	"role's annotations) or `annotate` (the annotations added to existing service accounts by server-side apply, owning " +
	"only them; removing the role removes only them). Needs service accounts named exactly, each made or annotated by " +
	"one role. EksaIrsa does it in phase 2, once the cluster exists."

// newServiceAccountObjects makes or annotates the role's service accounts in the
// cluster of the component's kubernetes provider, as mode says; nothing for none. The
// objects are registered by type token, as the webhook's are (newKubeObject), with the
// Kubernetes SDK's version as the provider version and only the name, namespace and
// annotations, so a patch owns nothing else of the account.
func newServiceAccountObjects(ctx *pulumi.Context, rs roleSettings, accounts []policy.ServiceAccount,
	annotations pulumi.StringMapOutput, opts ...pulumi.ResourceOption,
) error {
	token := rs.serviceAccountMode.Type()
	if token == "" {
		return nil
	}
	for _, account := range accounts {
		metadata := annotations.ApplyT(func(a map[string]string) map[string]any {
			return serviceaccount.Inputs(account, a)["metadata"].(map[string]any)
		}).(pulumi.MapOutput)
		var object pulumi.CustomResourceState
		err := ctx.RegisterResource(token, serviceaccount.ResourceName(rs.resourceName, account), pulumi.Map{
			"apiVersion": pulumi.String("v1"),
			"kind":       pulumi.String("ServiceAccount"),
			"metadata":   metadata,
		}, &object, utilities.PkgResourceDefaultOpts(opts)...)
		if err != nil {
			return err
		}
	}
	return nil
}

// checkServiceAccountObjects checks the roles of one cluster that make or annotate
// their service accounts.
func checkServiceAccountObjects(roles []roleSettings) problems {
	var claims []serviceaccount.Role
	for _, rs := range roles {
		claims = append(claims, serviceaccount.Role{Field: rs.field + "serviceAccount", Mode: rs.serviceAccountMode, Accounts: rs.accounts})
	}
	return serviceaccount.CheckRoles(claims)
}
