// A platform stack for one EKS Anywhere cluster: the IRSA issuer, OIDC provider and two
// roles, and, once the cluster exists, its signing key and the pod identity webhook.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as eksa from "@eksa-irsa/pulumi-eksa-irsa";

const config = new pulumi.Config();
const clusterName = config.get("clusterName") ?? "prod";
// The phase, stated rather than guessed: false for the first run (phase 1), when the cluster
// and so its signing key do not exist yet; true once the cluster is created.
const clusterExists = config.getBoolean("clusterExists") ?? false;

const awsProvider = new aws.Provider("aws", { region: (config.get("region") ?? "us-west-2") as aws.Region });
// The workload cluster runs the pods and gets the pod identity webhook.
const workload = new k8s.Provider("workload", { kubeconfig: config.getSecret("workloadKubeconfig") });

// Phase 2: the public key of the cluster's <cluster>-sa secret, which lives on the management
// cluster (for a standalone cluster, the cluster itself). getSigningKeys reads only its
// tls.crt: reading the secret as a Kubernetes resource would store its tls.key, the private
// key that signs every service-account token, in the state.
const signingKeys = clusterExists
    ? eksa.getSigningKeysOutput({ kubeconfig: config.requireSecret("managementKubeconfig"), clusterName }).signingKeys
    : [];

const irsa = new eksa.EksaIrsa(clusterName, {
    clusterName,
    signingKeys,
    roles: {
        reporting: {
            serviceAccounts: ["apps/reporting"],
            policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        },
        "external-dns": {
            serviceAccounts: ["kube-system/external-dns"],
            inlinePolicies: {
                "route53-changes": JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "route53:ChangeResourceRecordSets", Resource: "arn:aws:route53:::hostedzone/*" },
                        { Effect: "Allow", Action: ["route53:ListHostedZones", "route53:ListResourceRecordSets"], Resource: "*" },
                    ],
                }),
            },
        },
    },
    tags: { team: "platform" },
}, { providers: { aws: awsProvider, kubernetes: workload } });

// The workload's service account, annotated with its role; not a stack output, since it
// has no value in phase 1.
if (clusterExists) {
    new k8s.core.v1.ServiceAccount("reporting", {
        metadata: {
            name: "reporting",
            namespace: "apps",
            annotations: irsa.serviceAccountAnnotations.apply(annotations => annotations["reporting"]),
        },
    }, { provider: workload });
}

export const issuerUrl = irsa.issuerUrl;
export const podIamConfig = irsa.podIamConfig;
