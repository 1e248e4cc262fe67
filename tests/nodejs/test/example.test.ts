// Runs examples/nodejs under Pulumi's mocks, in phase 2: getSigningKeys reads the public key
// with the management cluster's kubeconfig and it reaches EksaIrsa, with no Secret read as
// a resource; the service account gets the role annotation from the component's output.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { repoRoot } from "./program";

const roleArn = "arn:aws:iam::123456789012:role/prod-reporting-1a2b3c4";
const issuerUrl = "https://s3.us-west-2.amazonaws.com/prod-irsa-1/";

test("examples/nodejs wires getSigningKeys, the component and the annotated service account", async () => {
    const publicKey = fs.readFileSync(path.join(repoRoot, "internal", "signingkey", "testdata", "rsa2048.pem"), "utf8");
    const managementKubeconfig = "apiVersion: v1\nkind: Config\n# the management cluster's\n";
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    const calls: pulumi.runtime.MockCallArgs[] = [];
    pulumi.runtime.setAllConfig(
        { "proj:clusterExists": "true", "proj:clusterName": "prod", "proj:managementKubeconfig": managementKubeconfig },
        ["proj:managementKubeconfig"]);
    await pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registered.push(args);
            if (args.type === "eksa-irsa:index:EksaIrsa") {
                return {
                    id: args.name,
                    state: {
                        ...args.inputs,
                        issuerUrl,
                        podIamConfig: `podIamConfig:\n  serviceAccountIssuer: ${issuerUrl}\n`,
                        serviceAccountAnnotations: { reporting: { "eks.amazonaws.com/role-arn": roleArn } },
                    },
                };
            }
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            calls.push(args);
            if (args.token !== "eksa-irsa:index:getSigningKeys") {
                throw new Error(`unexpected invoke ${args.token}`);
            }
            return { signingKeys: [publicKey], kids: ["kid-of-the-key"] };
        },
    }, "proj", "stack", false);

    const stack = require(path.join(__dirname, "..", "examples", "nodejs", "index.js"));
    const exported = await new Promise<string>(resolve => stack.issuerUrl.apply(resolve));
    // The service account registers once the component's annotations resolve.
    const sa = await registration(registered, "kubernetes:core/v1:ServiceAccount");

    assert.equal(calls.length, 1, "one getSigningKeys call");
    assert.equal(calls[0].inputs.clusterName, "prod");
    assert.equal(unsecret(calls[0].inputs.kubeconfig), managementKubeconfig, "the management cluster's kubeconfig");
    assert.equal(registered.filter(r => r.type === "kubernetes:core/v1:Secret").length, 0,
        "no Secret read as a resource: that would store tls.key in the state");

    const component = registered.find(r => r.type === "eksa-irsa:index:EksaIrsa");
    assert.ok(component, "EksaIrsa registered");
    assert.equal(component.inputs.clusterName, "prod");
    assert.deepEqual(unsecret(component.inputs.signingKeys), [publicKey], "the key getSigningKeys read");
    assert.deepEqual(Object.keys(component.inputs.roles).sort(), ["external-dns", "reporting"]);
    assert.deepEqual(component.inputs.roles.reporting.serviceAccounts, ["apps/reporting"]);
    assert.deepEqual(component.inputs.roles["external-dns"].serviceAccounts, ["kube-system/external-dns"]);
    assert.match(component.inputs.roles["external-dns"].inlinePolicies["route53-changes"], /route53:ChangeResourceRecordSets/);

    assert.deepEqual(sa?.inputs.metadata.annotations, { "eks.amazonaws.com/role-arn": roleArn });
    assert.equal(sa?.inputs.metadata.namespace, "apps");
    assert.equal(exported, issuerUrl);
});

// registration waits, up to a second, for a resource of the type to be registered.
async function registration(registered: pulumi.runtime.MockResourceArgs[], type: string) {
    for (let i = 0; i < 100; i++) {
        const found = registered.find(r => r.type === type);
        if (found) {
            return found;
        }
        await new Promise(resolve => setTimeout(resolve, 10));
    }
    return undefined;
}

// unsecret strips Pulumi's secret wrapper, wherever the SDK put it.
function unsecret(v: any): any {
    if (v && typeof v === "object" && "4dabf18193072939515e22adb298388d" in v) {
        return unsecret(v.value);
    }
    return Array.isArray(v) ? v.map(unsecret) : v;
}
