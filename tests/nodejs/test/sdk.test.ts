// Runs the shared program under Pulumi's mocks and records what the TypeScript SDK sends
// for the component; provider/sdk_replay_test.go compares and replays the recording.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { program, repoRoot } from "./program";

const componentType = "eksa-irsa:index:EksaIrsa";
const secretSig = "4dabf18193072939515e22adb298388d";

test("the TypeScript SDK sends the program's inputs to eksa-irsa:index:EksaIrsa", async () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    await pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            registered.push(args);
            return {
                id: `${args.name}-id`,
                state: { ...args.inputs, issuerUrl: "https://s3.eu-central-1.amazonaws.com/prod-irsa/clusters/prod" },
            };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return args.inputs;
        },
    }, "proj", "stack", false);

    const eksa = require("@eksa-irsa/pulumi-eksa-irsa");
    const component = program(eksa);
    const issuerUrl = await new Promise<string>(resolve => component.issuerUrl.apply(resolve));

    const components = registered.filter(r => r.type === componentType);
    assert.equal(components.length, 1, "exactly one EksaIrsa registered");
    const [c] = components;
    assert.equal(c.name, "prod");
    assert.equal(c.custom, false, "EksaIrsa is a component, constructed by the provider");
    assert.equal(c.inputs.signingKeys[secretSig] !== undefined, true, "a secret key stays secret on the wire");
    assert.equal(issuerUrl, "https://s3.eu-central-1.amazonaws.com/prod-irsa/clusters/prod", "outputs come back typed");

    const out = path.join(repoRoot, "tests", "sdk", "recorded", "nodejs.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(c.inputs, null, 2) + "\n");
});

test("the TypeScript SDK calls eksa-irsa:index:getSigningKeys in both forms", async () => {
    const calls: pulumi.runtime.MockCallArgs[] = [];
    await pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs) {
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            calls.push(args);
            return { signingKeys: ["-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n"], kids: ["k1"] };
        },
    }, "proj", "stack", false);
    const eksa = require("@eksa-irsa/pulumi-eksa-irsa");

    const direct = await eksa.getSigningKeys({ kubeconfig: "kc", clusterName: "prod", namespace: "ns", source: "apiserver", context: "ctx" });
    assert.deepEqual(direct.kids, ["k1"]);
    const output = eksa.getSigningKeysOutput({ kubeconfig: pulumi.secret("kc"), clusterName: "prod" });
    const kids = await new Promise<string[]>(resolve => output.kids.apply(resolve));
    assert.deepEqual(kids, ["k1"]);

    assert.equal(calls.length, 2);
    for (const c of calls) {
        assert.equal(c.token, "eksa-irsa:index:getSigningKeys");
    }
    assert.deepEqual(calls[0].inputs, { kubeconfig: "kc", clusterName: "prod", namespace: "ns", source: "apiserver", context: "ctx" },
        "wire names of the schema");
    assert.equal(calls[1].inputs.clusterName, "prod");
});
