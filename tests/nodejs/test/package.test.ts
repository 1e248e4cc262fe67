// Checks the npm package as installed from dist/: a real install (not a link into the
// repository), with the entry points, README and LICENSE a registry page and a program
// need, the plugin's download server for the language host, and one @pulumi/pulumi.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const packageName = "@eksa-irsa/pulumi-eksa-irsa";
const testProject = path.resolve(__dirname, "..", "..");

test("the npm package is installed from its tarball with main, types, README, LICENSE and plugin server", () => {
    const manifestPath = require.resolve(`${packageName}/package.json`);
    const dir = path.dirname(manifestPath);
    assert.equal(fs.realpathSync(dir), path.join(testProject, "node_modules", ...packageName.split("/")),
        "installed as files into this project's node_modules, not linked to a directory of the repository");

    const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
    assert.equal(manifest.main, "index.js");
    assert.equal(manifest.types, "index.d.ts");
    assert.ok(fs.existsSync(path.join(dir, manifest.main)), "main exists");
    assert.ok(fs.existsSync(path.join(dir, manifest.types)), "types exist");
    assert.equal(require.resolve(packageName), path.join(dir, "index.js"), "require() finds main");
    assert.match(fs.readFileSync(path.join(dir, "README.md"), "utf8"), /npm install @eksa-irsa\/pulumi-eksa-irsa/);
    assert.match(fs.readFileSync(path.join(dir, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
    assert.deepEqual(manifest.pulumi, {
        resource: true,
        name: "eksa-irsa",
        version: manifest.version,
        server: "github://api.github.com/eksa-irsa/pulumi-eksa-irsa",
    });
});

test("the SDK and the program share one @pulumi/pulumi", () => {
    const dir = path.dirname(require.resolve(`${packageName}/package.json`));
    assert.equal(require.resolve("@pulumi/pulumi", { paths: [dir] }), require.resolve("@pulumi/pulumi"),
        "a second copy would keep its own runtime state, and the SDK's resources would not register with the program's");
});
