/**
 * Loading the package on a Node.js older than package.json `engines` fails at once, naming both versions, from
 * every entry point (needs `npm run build`). Runs the machine's own `node` found outside npm's PATH; skipped only
 * when that one is new enough.
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { nodeVersionProblem, REQUIRED_NODE_VERSION } from "../../provider/core/node-version";

const ROOT = path.resolve(__dirname, "../..");
const env = { PATH: "/usr/local/bin:/usr/bin:/bin" };
const probe = spawnSync("node", ["-p", "process.versions.node"], { env, encoding: "utf8" });
const oldNode = probe.status === 0 ? probe.stdout.trim() : undefined;
const testOld = oldNode && nodeVersionProblem(oldNode) ? test : test.skip;

test("the required version comes from package.json engines; versions compare numerically", () => {
  expect(`>=${REQUIRED_NODE_VERSION}`).toBe(require("../../package.json").engines.node);
  expect(nodeVersionProblem("20.20.2", "22.19.0")).toMatch(
    /needs Node\.js 22\.19\.0 or newer, but runs on Node\.js 20\.20\.2/,
  );
  expect(nodeVersionProblem("22.9.0", "22.19.0")).toBeDefined();
  expect(nodeVersionProblem("22.19.0", "22.19.0")).toBeUndefined();
  expect(nodeVersionProblem("22.20.0", "22.19.0")).toBeUndefined();
  expect(nodeVersionProblem("24.0.0", "22.19.0")).toBeUndefined();
});

testOld.each([
  ["the package (index)", ["dist/provider/index.js"]],
  ["the CLI", ["dist/provider/cli.js", "--version"]],
  ["the module serialized providers load", ["-e", "require('./dist/provider/provider')"]],
])(`on the machine's old Node.js, %s fails at once naming both versions`, (_what, args) => {
  expect(existsSync(path.join(ROOT, "dist/provider/index.js"))).toBe(true);
  const result = spawnSync("node", args, { cwd: ROOT, env, encoding: "utf8" });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(
    `pulumi-cloudpartner needs Node.js ${REQUIRED_NODE_VERSION} or newer, but runs on Node.js ${oldNode}`,
  );
  expect(result.stderr).not.toContain("reading 'bind'");
});
