// The shared program of tests/sdk: the same EksaIrsa, written with the TypeScript SDK.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as eksaTypes from "@eksa-irsa/pulumi-eksa-irsa";

export const repoRoot = path.resolve(__dirname, "..", "..", "..", "..");
const fixture = (name: string) =>
    fs.readFileSync(path.join(repoRoot, "internal", "signingkey", "testdata", name), "utf8");

export function program(eksa: typeof eksaTypes): eksaTypes.EksaIrsa {
    return new eksa.EksaIrsa("prod", {
        clusterName: "prod",
        signingKeys: [pulumi.secret(fixture("rsa2048.pem")), fixture("ec-p256.pem")],
        legacyKeyWithoutKid: false,
        issuer: { keyPrefix: "clusters/prod" },
        oidcProvider: { audiences: ["sts.amazonaws.com"] },
        roles: {
            reporting: {
                serviceAccounts: ["apps/reporting"],
                policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                maxSessionDuration: 7200,
            },
            "external-dns": {
                serviceAccounts: ["kube-system/external-dns"],
                inlinePolicies: {
                    "route53-changes": JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{
                            Effect: "Allow",
                            Action: "route53:ChangeResourceRecordSets",
                            Resource: "arn:aws:route53:::hostedzone/*",
                        }],
                    }),
                },
                path: "/irsa/",
                description: "external-dns updates DNS records",
                name: "prod-external-dns",
                presets: { externalDns: { hostedZoneArns: ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] } },
                serviceAccount: eksa.ServiceAccountMode.Create,
            },
        },
        webhook: {
            namespace: "irsa-system",
            replicas: 3,
            tokenExpiration: 3600,
            image: { registry: "registry.example.com" },
            values: { nodeSelector: { "kubernetes.io/os": "linux" } },
        },
        tags: { team: "platform" },
    });
}
