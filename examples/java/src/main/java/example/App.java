// A platform stack for one EKS Anywhere cluster: the IRSA issuer, OIDC provider and two
// roles, and, once the cluster exists, its signing key and the pod identity webhook.
package example;

import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.core.Output;
import com.pulumi.kubernetes.core.v1.ServiceAccount;
import com.pulumi.kubernetes.core.v1.ServiceAccountArgs;
import com.pulumi.kubernetes.meta.v1.inputs.ObjectMetaArgs;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import io.github.eksairsa.eksairsa.EksaIrsa;
import io.github.eksairsa.eksairsa.EksaIrsaArgs;
import io.github.eksairsa.eksairsa.EksairsaFunctions;
import io.github.eksairsa.eksairsa.inputs.GetSigningKeysArgs;
import io.github.eksairsa.eksairsa.inputs.RoleArgs;
import java.util.List;
import java.util.Map;

public class App {
    public static void main(String[] args) {
        Pulumi.run(App::stack);
    }

    static void stack(Context ctx) {
        var config = ctx.config();
        var clusterName = config.get("clusterName").orElse("prod");
        // The phase, stated rather than guessed: false for the first run (phase 1), when the
        // cluster and so its signing key do not exist yet; true once the cluster is created.
        var clusterExists = config.getBoolean("clusterExists").orElse(false);

        var awsProvider = new com.pulumi.aws.Provider("aws", com.pulumi.aws.ProviderArgs.builder()
            .region(config.get("region").orElse("us-west-2"))
            .build());
        // The workload cluster runs the pods and gets the pod identity webhook. The newest
        // kubernetes Java SDK is 4.0.0, so the plugin the webhook's Helm release needs is
        // asked for here.
        var workload = new com.pulumi.kubernetes.Provider("workload", com.pulumi.kubernetes.ProviderArgs.builder()
            .kubeconfig(config.getSecret("workloadKubeconfig").applyValue(kubeconfig -> kubeconfig.orElse(null)))
            .build(), CustomResourceOptions.builder()
            .version("4.32.0")
            .build());

        // Phase 2: the public key of the cluster's <cluster>-sa secret, which lives on the
        // management cluster (for a standalone cluster, the cluster itself). getSigningKeys
        // reads only its tls.crt: reading the secret as a Kubernetes resource would store its
        // tls.key, the private key that signs every service-account token, in the state.
        Output<List<String>> signingKeys = clusterExists
            ? EksairsaFunctions.getSigningKeys(GetSigningKeysArgs.builder()
                .kubeconfig(config.requireSecret("managementKubeconfig"))
                .clusterName(clusterName)
                .build()).applyValue(keys -> keys.signingKeys())
            : Output.of(List.of());

        var irsa = new EksaIrsa(clusterName, EksaIrsaArgs.builder()
            .clusterName(clusterName)
            .signingKeys(signingKeys)
            .roles(Map.of(
                "reporting", RoleArgs.builder()
                    .serviceAccounts("apps/reporting")
                    .policyArns("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
                    .build(),
                "external-dns", RoleArgs.builder()
                    .serviceAccounts("kube-system/external-dns")
                    .inlinePolicies(Map.of("route53-changes", """
                        {
                          "Version": "2012-10-17",
                          "Statement": [
                            {"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets", "Resource": "arn:aws:route53:::hostedzone/*"},
                            {"Effect": "Allow", "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets"], "Resource": "*"}
                          ]
                        }"""))
                    .build()))
            .tags(Map.of("team", "platform"))
            .build(), ComponentResourceOptions.builder()
            .providers(awsProvider, workload)
            .build());

        // The workload's service account, annotated with its role; not a stack output, since
        // it has no value in phase 1.
        if (clusterExists) {
            new ServiceAccount("reporting", ServiceAccountArgs.builder()
                .metadata(ObjectMetaArgs.builder()
                    .name("reporting")
                    .namespace("apps")
                    .annotations(irsa.serviceAccountAnnotations().applyValue(annotations -> annotations.get("reporting")))
                    .build())
                .build(), CustomResourceOptions.builder()
                .provider(workload)
                .build());
        }

        ctx.export("issuerUrl", irsa.issuerUrl());
        ctx.export("podIamConfig", irsa.podIamConfig());
    }
}
