/**
 * End to end with the real Pulumi CLI and engine (built from Go modules), a local file backend and the
 * CPP simulator: what a release engineer sees when running `pulumi up`.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/pulumi-cli";
import { e2eSuite, processesOf, resourcesOf, until } from "./helpers";

const CANARY = "e2e-canary-token-5b8c1d";
const GOLIVE = path.join(REPO_ROOT, "examples/golive");
const NOWAIT = path.join(REPO_ROOT, "examples/golive-nowait");
const longGoLive = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };

const e2e = e2eSuite(CANARY);
let counter = 0;

/** A new offer on the simulator and a new stack of `projectDir` pointed at it. */
async function setup(
  options: { seed?: Record<string, unknown>; projectDir?: string; config?: Record<string, string> } = {},
) {
  const offerId = `e2e-${++counter}`;
  e2e.sim.addOffer({ publisherId: "contoso", offerId, ...options.seed });
  const stack = e2e.stack({ projectDir: options.projectDir ?? GOLIVE, stackName: `s${counter}` });
  await e2e.init(stack, { publisherId: "contoso", offerId, endpoint: e2e.sim.url }, options.config);
  return { offerId, stack };
}

const isGoLive = (r: { type: string }) => r.type === "pulumi-nodejs:dynamic/cloudpartner:OfferGoLive";

test("pulumi preview sends no go-live", async () => {
  const { offerId, stack } = await setup();
  const preview = await stack.ok(["preview"]);
  expect(preview.stdout).toMatch(/\+ .*offer-live/);
  expect(e2e.sim.count({ offerId })).toBe(0);
});

test("pulumi up takes the offer live: progress, outputs, one POST, no token in state, small __provider", async () => {
  const { offerId, stack } = await setup();
  const up = await stack.ok(["up", "--yes"]);
  expect(up.stdout).toContain(`[contoso/${offerId}] go-live accepted`);
  expect(up.stdout).toMatch(new RegExp(`\\[contoso/${offerId}\\] go-live running: \\w`));
  expect(up.stdout).toContain(`[contoso/${offerId}] go-live succeeded`);
  const outputs = await stack.outputs();
  expect(outputs).toMatchObject({ status: "succeeded", currentStep: "Live" });
  expect(outputs.operationLocation).toMatch(new RegExp(`/offers/${offerId}/operations/`));
  expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);

  const exported = await stack.exportState();
  expect(exported).not.toContain(CANARY);
  const resource = resourcesOf(exported).find(isGoLive);
  const provider = (resource?.outputs?.__provider as string) ?? "";
  expect(provider.length).toBeGreaterThan(100);
  expect(provider.length).toBeLessThan(8 * 1024);
  expect(up.stdout + up.stderr).not.toContain(CANARY);
});

test.each([
  ["400 (never published)", { state: "neverPublished" }, /HTTP 400.*published/],
  ["404 (unknown offer)", undefined, /was not found \(HTTP 404/],
])("pulumi up fails on %s with the API's message; nothing in state", async (_name, seed, message) => {
  const { offerId, stack } = await setup({ seed });
  if (!seed) await stack.ok(["config", "set", "offerId", `${offerId}-missing`]);
  const up = await stack.run(["up", "--yes"]);
  expect(up.code).not.toBe(0);
  expect(up.stdout + up.stderr).toMatch(message);
  expect(resourcesOf(await stack.exportState()).filter(isGoLive)).toHaveLength(0);
});

test("timeout keeps the operation in state; the next pulumi up resumes it with one POST in total", async () => {
  const { offerId, stack } = await setup({ seed: { goLive: longGoLive }, config: { timeoutSeconds: "1" } });
  const first = await stack.run(["up", "--yes"]);
  expect(first.code).not.toBe(0);
  expect(first.stdout + first.stderr).toMatch(/Stopped waiting for contoso\/e2e-\d+ after .*still running/);
  const saved = resourcesOf(await stack.exportState()).find(isGoLive);
  expect(saved?.outputs).toMatchObject({ status: "running" });
  expect(saved?.outputs?.operationLocation).toMatch(/\/operations\//);

  e2e.sim.advance(2 * 10 ** 9);
  const second = await stack.ok(["up", "--yes"]);
  expect(second.stdout).toContain("resuming go-live");
  expect((await stack.outputs()).status).toBe("succeeded");
  expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("wait: false, then pulumi refresh updates status; pulumi destroy leaves the offer live", async () => {
  const { offerId, stack } = await setup({ seed: { goLive: longGoLive }, projectDir: NOWAIT });
  await stack.ok(["up", "--yes"]);
  expect(await stack.outputs()).toMatchObject({ status: "running", isLive: false });
  e2e.sim.advance(2 * 10 ** 9);
  await stack.ok(["refresh", "--yes"]);
  const refreshed = resourcesOf(await stack.exportState()).find(isGoLive);
  expect(refreshed?.outputs?.status).toBe("succeeded");
  const destroy = await stack.ok(["destroy", "--yes"]);
  expect(destroy.stdout).toContain("removing the go-live record from the stack only");
  expect(resourcesOf(await stack.exportState()).filter(isGoLive)).toHaveLength(0);
  expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("the token set with `pulumi config set --secret` never shows in plain text", async () => {
  const { stack } = await setup();
  const configFile = fs.readFileSync(stack.configFile, "utf8");
  expect(configFile).toMatch(/cloudpartner:accessToken:\s*\n\s*secure: /);
  expect(configFile).not.toContain(CANARY);
  const shown = await stack.ok(["config"]);
  expect(shown.stdout).toMatch(/cloudpartner:accessToken\s+\[secret\]/);
  expect(shown.stdout).not.toContain(CANARY);
  const up = await stack.ok(["up", "--yes"]);
  expect(up.stdout + up.stderr).not.toContain(CANARY);
  expect(await stack.exportState()).not.toContain(CANARY);
  const auth = e2e.sim.requests.filter((r) => r.kind === "golive").map((r) => r.headers.authorization);
  expect(auth.every((a) => a === `Bearer ${CANARY}`)).toBe(true);
});

test("pulumi up killed with SIGKILL mid-poll: clear the pending create, pulumi up attaches, one POST", async () => {
  const { offerId, stack } = await setup({ seed: { goLive: longGoLive } });
  const first = stack.start(["up", "--yes"]);
  await until(() => e2e.sim.count({ kind: "operation", offerId }) >= 2, "the first up to poll");
  const providerHosts = () =>
    processesOf(stack).filter((cmd) => /dynamic-provider|pulumi-resource-pulumi-nodejs/.test(cmd));
  expect(providerHosts()).toHaveLength(1);
  // SIGKILL the CLI alone, as a cancelled CI job does: its plugins are left behind without an engine.
  const exited = new Promise((resolve) => first.child.once("exit", resolve));
  first.child.kill("SIGKILL");
  await exited;
  // The orphaned plugins (provider host, language host, program) notice that their engine is gone and exit
  // instead of polling for days.
  await until(() => providerHosts().length === 0, "the orphaned provider host to exit", 15_000);
  await until(() => processesOf(stack).length === 0, "every process of the killed run to exit", 15_000);
  first.killGroup();
  expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);

  // What Pulumi asks of users after a killed run (documented in the README): the killed process still
  // holds the stack lock, and the resource is a pending create.
  const locked = await stack.run(["up", "--yes"]);
  expect(locked.code).not.toBe(0);
  expect(locked.stdout + locked.stderr).toMatch(/locked.*pulumi cancel/s);
  await stack.ok(["cancel", "--yes"]);
  const refresh = await stack.ok(["refresh", "--yes", "--clear-pending-creates"]);
  expect(refresh.stdout + refresh.stderr).not.toContain(CANARY);

  const lookups = e2e.sim.count({ kind: "submissions", offerId });
  const second = stack.run(["up", "--yes"]);
  await until(
    () => e2e.sim.count({ kind: "submissions", offerId }) > lookups,
    "the second up to look for a running go-live",
  );
  e2e.sim.advance(2 * 10 ** 9);
  const result = await second;
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("already running; attaching");
  expect((await stack.outputs()).status).toBe("succeeded");
  expect(resourcesOf(await stack.exportState()).find(isGoLive)?.outputs).toMatchObject({ attached: true });
  expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
});
