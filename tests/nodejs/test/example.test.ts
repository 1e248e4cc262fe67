// Runs examples/nodejs under Pulumi's mocks, in phase 2: the <cluster>-sa secret is read
// from the management cluster and its tls.crt reaches EksaIrsa; the service account gets
// the role annotation from the component's output.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { repoRoot } from "./program";

const roleArn = "arn:aws:iam::123456789012:role/prod-reporting-1a2b3c4";
const issuerUrl = "https://s3.us-west-2.amazonaws.com/prod-irsa-1/";

test("examples/nodejs wires the secret, the component and the annotated service account", async () => {
    const tlsCrt = Buffer.from(fs.readFileSync(
        path.join(repoRoot, "internal", "signingkey", "testdata", "rsa2048.pem"))).toString("base64");
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    pulumi.runtime.setAllConfig({ "proj:clusterExists": "true", "proj:clusterName": "prod" });
    await pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registered.push(args);
            switch (args.type) {
                case "kubernetes:core/v1:Secret":
                    return { id: args.id ?? args.name, state: { data: { "tls.crt": tlsCrt, "tls.key": "never read" } } };
                case "eksa-irsa:index:EksaIrsa":
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
            return args.inputs;
        },
    }, "proj", "stack", false);

    const stack = require(path.join(__dirname, "..", "examples", "nodejs", "index.js"));
    const exported = await new Promise<string>(resolve => stack.issuerUrl.apply(resolve));
    await new Promise<string>(resolve => stack.reportingServiceAccount.apply(resolve));

    const secretRead = registered.find(r => r.type === "kubernetes:core/v1:Secret");
    assert.equal(secretRead?.id, "eksa-system/prod-sa", "the signing key is read from eksa-system/<cluster>-sa");

    const component = registered.find(r => r.type === "eksa-irsa:index:EksaIrsa");
    assert.ok(component, "EksaIrsa registered");
    assert.equal(component.inputs.clusterName, "prod");
    assert.deepEqual(unsecret(component.inputs.signingKeys), [tlsCrt], "tls.crt, and only it, is passed");
    assert.deepEqual(Object.keys(component.inputs.roles).sort(), ["external-dns", "reporting"]);
    assert.deepEqual(component.inputs.roles.reporting.serviceAccounts, ["apps/reporting"]);
    assert.deepEqual(component.inputs.roles["external-dns"].serviceAccounts, ["kube-system/external-dns"]);
    assert.match(component.inputs.roles["external-dns"].inlinePolicies["route53-changes"], /route53:ChangeResourceRecordSets/);

    const sa = registered.find(r => r.type === "kubernetes:core/v1:ServiceAccount");
    assert.deepEqual(sa?.inputs.metadata.annotations, { "eks.amazonaws.com/role-arn": roleArn });
    assert.equal(sa?.inputs.metadata.namespace, "apps");
    assert.equal(exported, issuerUrl);
});

// unsecret strips Pulumi's secret wrapper, wherever the SDK put it.
function unsecret(v: any): any {
    if (v && typeof v === "object" && "4dabf18193072939515e22adb298388d" in v) {
        return unsecret(v.value);
    }
    return Array.isArray(v) ? v.map(unsecret) : v;
}
