// The platform program of tests/sdk: an IssuerBucket hosting the issuers of two clusters,
// one cluster's EksaIrsa publishing into it (through its outputs), and a
// ServiceAccountRole shared by that cluster (through its trust output) and another
// cluster, written with the TypeScript SDK.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as eksaTypes from "@eksa-irsa/pulumi-eksa-irsa";
import { repoRoot } from "./program";

const fixture = (name: string) =>
    fs.readFileSync(path.join(repoRoot, "internal", "signingkey", "testdata", name), "utf8");

// A policy created elsewhere in the program: its ARN reaches `policies` as an output.
export const reportsBucketPolicy = pulumi.output("arn:aws:iam::123456789012:policy/reports-bucket");

export function platformProgram(eksa: typeof eksaTypes) {
    const issuers = new eksa.IssuerBucket("issuers", {
        prefixes: ["staging", "prod"],
        hosting: eksa.Hosting.CloudFront,
        priceClass: eksa.PriceClass.PriceClassAll,
        domain: {
            name: "oidc.example.com",
            certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
            zoneId: "Z0123456789ABCDEFGHIJ",
        },
        tags: { team: "platform" },
    });
    const staging = new eksa.EksaIrsa("staging", {
        clusterName: "staging",
        signingKeys: [fixture("ec-p256.pem")],
        issuer: {
            bucketName: issuers.bucketName,
            createBucket: false,
            keyPrefix: "staging",
            url: issuers.issuerUrls.apply(urls => urls["staging"]),
        },
        roles: {
            reporting: {
                serviceAccounts: ["apps/reporting"],
                policies: { "reports-bucket": reportsBucketPolicy },
                stsRegionalEndpoints: true,
                tokenExpiration: 3600,
            },
            "external-dns": {
                serviceAccounts: ["kube-system/external-dns"],
                policyArns: ["arn:aws:iam::123456789012:policy/route53-change-records"],
                webhookConfigMap: true,
            },
        },
        webhook: { tls: eksa.WebhookTLS.CertManager, serviceAccountLookupGracePeriod: "2s" },
        trustPolicyMaxLength: 4096,
    });
    const prodHostPath = "s3.eu-central-1.amazonaws.com/prod-irsa-20261127000000000000000001";
    const reporting = new eksa.ServiceAccountRole("reporting", {
        trusts: [
            { ...liftTrust(staging.trust), serviceAccounts: ["apps/reporting"] },
            {
                oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${prodHostPath}`,
                issuerHostPath: prodHostPath,
                serviceAccounts: ["apps/reporting", "batch/*"],
                audiences: ["sts.amazonaws.com"],
            },
        ],
        policyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        policies: { "reports-bucket": reportsBucketPolicy },
        inlinePolicies: {
            "send-reports": JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }],
            }),
        },
        maxSessionDuration: 7200,
        permissionsBoundary: "arn:aws:iam::123456789012:policy/boundary",
        path: "/shared/",
        description: "reporting in every cluster",
        stsRegionalEndpoints: false,
        tokenExpiration: 3600,
        trustPolicyMaxLength: 4096,
        tags: { team: "platform" },
    });
    return { issuers, staging, reporting };
}

// liftTrust turns EksaIrsa's trust output into the two inputs a trusts entry takes.
function liftTrust(trust: pulumi.Output<eksaTypes.types.output.IssuerTrust>) {
    return { oidcProviderArn: trust.oidcProviderArn, issuerHostPath: trust.issuerHostPath };
}
