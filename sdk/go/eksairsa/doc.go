// IAM Roles for Service Accounts (IRSA) for EKS Anywhere clusters: an S3-hosted OIDC issuer, the IAM OIDC provider and roles, and the pod identity webhook, as one component.
package eksairsa
