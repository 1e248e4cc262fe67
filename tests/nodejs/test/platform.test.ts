// Runs the platform program under Pulumi's mocks and records what the TypeScript SDK
// sends for IssuerBucket, EksaIrsa and ServiceAccountRole; provider/sdk_replay_test.go compares and
// replays the recording.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { repoRoot } from "./program";
import { platformProgram } from "./platform";
import type * as eksaTypes from "@eksa-irsa/pulumi-eksa-irsa";

// What the mocks answer for the IssuerBucket, as the provider would.
const issuerBucketOutputs = {
    bucketName: "issuers-irsa-20261127000000000000000001",
    issuerUrls: { staging: "https://oidc.example.com/staging", prod: "https://oidc.example.com/prod" },
};

const stagingTrust = {
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/staging",
    issuerHostPath: "oidc.example.com/staging",
};

// The webhook TLS modes are typed constants whose wire values are the strings programs
// have always sent; a misspelt mode does not compile.
const certManager: eksaTypes.types.enums.WebhookTLS = "certManager";
// @ts-expect-error "cert-manager" is not a WebhookTLS
const misspelt: eksaTypes.types.enums.WebhookTLS = "cert-manager";

test("WebhookTLS constants are the wire strings", () => {
    const eksa: typeof eksaTypes = require("@eksa-irsa/pulumi-eksa-irsa");
    assert.equal(eksa.WebhookTLS.Generated, "generated");
    assert.equal(eksa.WebhookTLS.CertManager, certManager);
    assert.notEqual(misspelt, certManager);
});

test("the TypeScript SDK sends the platform program's inputs", async () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    await pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registered.push(args);
            const state = args.type === "eksa-irsa:index:EksaIrsa" ? { ...args.inputs, trust: stagingTrust }
                : args.type === "eksa-irsa:index:IssuerBucket" ? { ...args.inputs, ...issuerBucketOutputs }
                : args.inputs;
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return args.inputs;
        },
    }, "proj", "stack", false);

    const eksa = require("@eksa-irsa/pulumi-eksa-irsa");
    const { reporting } = platformProgram(eksa);
    await new Promise(resolve => reporting.urn.apply(resolve));

    const recorded: Record<string, unknown> = {};
    for (const type of ["eksa-irsa:index:IssuerBucket", "eksa-irsa:index:EksaIrsa", "eksa-irsa:index:ServiceAccountRole"]) {
        const components = registered.filter(r => r.type === type);
        assert.equal(components.length, 1, `exactly one ${type} registered`);
        assert.equal(components[0].custom, false, `${type} is a component, constructed by the provider`);
        recorded[components[0].name] = components[0].inputs;
    }
    const out = path.join(repoRoot, "tests", "sdk", "recorded", "nodejs-platform.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(recorded, null, 2) + "\n");
});
