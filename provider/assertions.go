package provider

import (
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Every type the schema is inferred from documents itself through Annotate, and every
// component constructor has the shape infer.ComponentF takes. Checked at compile time,
// so a renamed method or a changed signature fails the build instead of silently
// dropping documentation from the schema and the SDKs.
var (
	_ infer.Annotated = (*EksaIrsaArgs)(nil)
	_ infer.Annotated = (*Issuer)(nil)
	_ infer.Annotated = (*IssuerDomain)(nil)
	_ infer.Annotated = (*OidcProvider)(nil)
	_ infer.Annotated = (*Role)(nil)
	_ infer.Annotated = (*Webhook)(nil)
	_ infer.Annotated = (*WebhookImage)(nil)
	_ infer.Annotated = (*EksaIrsa)(nil)
	_ infer.Annotated = (*IssuerBucketArgs)(nil)
	_ infer.Annotated = (*IssuerBucket)(nil)
	_ infer.Annotated = (*ServiceAccountRoleArgs)(nil)
	_ infer.Annotated = (*Trust)(nil)
	_ infer.Annotated = (*ServiceAccountRole)(nil)
	_ infer.Annotated = (*IssuerTrust)(nil)
	_ infer.Annotated = (*ComputeJwks)(nil)
	_ infer.Annotated = (*ComputeJwksArgs)(nil)
	_ infer.Annotated = (*ComputeJwksResult)(nil)
	_ infer.Annotated = (*GetSigningKeys)(nil)
	_ infer.Annotated = (*GetSigningKeysArgs)(nil)
	_ infer.Annotated = (*GetSigningKeysResult)(nil)
	_ infer.Annotated = (*IssuerCheck)(nil)
	_ infer.Annotated = (*IssuerCheckArgs)(nil)
	_ infer.Annotated = (*IssuerCheckState)(nil)

	_ infer.ComponentFn[EksaIrsaArgs, *EksaIrsa]                     = NewEksaIrsa
	_ infer.ComponentFn[IssuerBucketArgs, *IssuerBucket]             = NewIssuerBucket
	_ infer.ComponentFn[ServiceAccountRoleArgs, *ServiceAccountRole] = NewServiceAccountRole

	_ pulumi.ComponentResource = (*EksaIrsa)(nil)
	_ pulumi.ComponentResource = (*IssuerBucket)(nil)
	_ pulumi.ComponentResource = (*ServiceAccountRole)(nil)
)
