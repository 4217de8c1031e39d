/**
 * The native provider plugin `pulumi-resource-cloudpartner` with the real Pulumi CLI and engine, a local file
 * backend and the CPP simulator: a Node.js program on the generated SDK (sdk/nodejs), the migration of a stack
 * made with the dynamic OfferGoLive class, customTimeouts, Ctrl-C and `pulumi import`.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import {
  type LocalStack,
  linkNativeNodeSdk,
  linkSelfPackage,
  NATIVE_PLUGIN_DIR,
  REPO_ROOT,
} from "../../scripts/lib/pulumi-cli";
import { e2eSuite, processesOf, resourcesOf, type StateResource, until } from "./helpers";

const CANARY = "e2e-native-canary-7c2a9f";
const GOLIVE = path.join(REPO_ROOT, "examples/golive");
const NATIVE_PROGRAM = path.join(REPO_ROOT, "tests/e2e/programs/golive-native/index.ts");
const longGoLive = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };

const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/cloudpartner:OfferGoLive";
const NATIVE_TYPE = "cloudpartner:index:OfferGoLive";

const e2e = e2eSuite(CANARY, { link: [linkSelfPackage, linkNativeNodeSdk] });
let counter = 0;

/**
 * A new offer and a stack of examples/golive pointed at the simulator, with the plugin's folder on PATH
 * (how users without `plugins.providers` install it). `native` swaps the program for the native one.
 */
async function setup(
  options: { seed?: Record<string, unknown>; config?: Record<string, string>; native?: boolean } = {},
) {
  const offerId = `e2e-native-${++counter}`;
  e2e.sim.addOffer({ publisherId: "contoso", offerId, ...options.seed });
  const stack = e2e.stack({ projectDir: GOLIVE, stackName: `n${counter}`, extraPath: [NATIVE_PLUGIN_DIR] });
  await e2e.init(stack, { publisherId: "contoso", offerId, endpoint: e2e.sim.url }, options.config);
  if (options.native) useNativeProgram(stack);
  return { offerId, stack };
}

/** The same project and resource name on the native provider (what a user edits in index.ts). */
function useNativeProgram(stack: LocalStack): void {
  fs.copyFileSync(NATIVE_PROGRAM, path.join(stack.projectDir, "index.ts"));
}

async function goLives(stack: LocalStack): Promise<StateResource[]> {
  return resourcesOf(await stack.exportState()).filter(
    (r) => r.type === NATIVE_TYPE || r.type === DYNAMIC_TYPE,
  );
}

/** Every POST the simulator took for the offer (go-live, publish, cancel): migration must send none. */
const posts = (offerId: string) => e2e.sim.count({ method: "POST", offerId });

describe("migration from the dynamic OfferGoLive class", () => {
  test("a go-live done by the dynamic class moves to the native resource: alias, no replace, 0 requests sent", async () => {
    const { offerId, stack } = await setup();
    await stack.ok(["up", "--yes"]);
    const [dynamic] = await goLives(stack);
    expect(dynamic).toMatchObject({ type: DYNAMIC_TYPE, outputs: { status: "succeeded" } });
    expect(posts(offerId)).toBe(1);

    useNativeProgram(stack);
    await stack.ok(["config", "set", "--path", "migrateFromDynamic", "true"]);
    const preview = await stack.ok(["preview", "--diff"]);
    expect(preview.stdout).not.toMatch(/replace/i);
    const up = await stack.ok(["up", "--yes"]);
    expect(up.stdout).not.toMatch(/replace|create/i);

    const after = await goLives(stack);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      type: NATIVE_TYPE,
      id: dynamic?.id,
      outputs: { status: "succeeded", operationId: dynamic?.outputs?.operationId },
    });
    expect(posts(offerId)).toBe(1);
    // Settled: the next run has nothing to do.
    await stack.ok(["up", "--yes", "--expect-no-changes"]);
    expect(posts(offerId)).toBe(1);
    // Nothing changed, so the engine kept the old outputs, with the dynamic provider's serialized code (inert:
    // the native provider never runs it). A refresh reads the go-live again and drops it.
    await stack.ok(["refresh", "--yes"]);
    const refreshed = await goLives(stack);
    expect(refreshed[0]?.outputs?.__provider).toBeUndefined();
    expect(refreshed[0]?.inputs?.__provider).toBeUndefined();
    expect(refreshed[0]?.outputs).toMatchObject({ status: "succeeded" });
    await stack.ok(["up", "--yes", "--expect-no-changes"]);
    expect(posts(offerId)).toBe(1);
    expect(up.stdout + up.stderr + (await stack.exportState())).not.toContain(CANARY);
  });

  test("a go-live still running (dynamic timeout) moves too, and the native resource resumes it: 1 POST in total", async () => {
    const { offerId, stack } = await setup({ seed: { goLive: longGoLive }, config: { timeoutSeconds: "1" } });
    expect((await stack.run(["up", "--yes"])).code).not.toBe(0);
    expect((await goLives(stack))[0]).toMatchObject({ type: DYNAMIC_TYPE, outputs: { status: "running" } });

    useNativeProgram(stack);
    await stack.ok(["config", "set", "migrateFromDynamic", "true"]);
    await stack.ok(["config", "rm", "timeoutSeconds"]);
    e2e.sim.advance(2 * 10 ** 9);
    const up = await stack.ok(["up", "--yes"]);
    expect(up.stdout).not.toMatch(/replac/i);
    const after = await goLives(stack);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ type: NATIVE_TYPE, outputs: { status: "succeeded" } });
    expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
    expect(posts(offerId)).toBe(1);
  });
});

describe("native resource with the real CLI", () => {
  test("customTimeouts create 5s ends a long go-live with partial state; the next pulumi up resumes it: 1 POST", async () => {
    const { offerId, stack } = await setup({
      seed: { goLive: longGoLive },
      config: { createTimeout: "5s" },
      native: true,
    });
    const started = Date.now();
    const first = await stack.run(["up", "--yes"]);
    const seconds = (Date.now() - started) / 1000;
    expect(first.code).not.toBe(0);
    expect(first.stdout + first.stderr).toMatch(
      /Stopped waiting for contoso\/e2e-native-\d+ after .*still running/,
    );
    // The limit named is the one that ended the wait.
    expect(first.stdout + first.stderr).toMatch(
      /the limit set by the resource option customTimeouts\.create/,
    );
    expect(first.stdout + first.stderr).toMatch(/or raise customTimeouts\.create\./);
    expect(seconds).toBeGreaterThanOrEqual(5);
    // Progress lines reach the CLI through the engine's Log service, under the resource.
    expect(first.stdout).toMatch(/go-live accepted; operation /);
    const [saved] = await goLives(stack);
    expect(saved).toMatchObject({ type: NATIVE_TYPE, outputs: { status: "running" } });
    expect(saved?.outputs?.operationLocation).toMatch(/\/operations\//);

    e2e.sim.advance(2 * 10 ** 9);
    const second = await stack.ok(["up", "--yes"]);
    expect(second.stdout).toMatch(/offer-live updated .*\[diff: ~status\]/);
    expect(second.stdout).toMatch(/resuming go-live .*\(no new request\)/);
    expect(second.stdout).toMatch(/go-live succeeded/);
    expect(await stack.outputs()).toMatchObject({ status: "succeeded", currentStep: "Live" });
    expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(CANARY);
    expect(await stack.exportState()).not.toContain(CANARY);
  });

  test("Ctrl-C (SIGINT to the process group) mid-poll: clean exit, no process left, the next pulumi up finishes: 1 POST", async () => {
    const { offerId, stack } = await setup({ seed: { goLive: longGoLive }, native: true });
    const run = stack.start(["up", "--yes"]);
    await until(() => e2e.sim.count({ kind: "operation", offerId }) >= 2, "the first up to poll");
    const plugins = () => processesOf(stack).filter((cmd) => cmd.includes("provider/native/main.js"));
    expect(plugins()).toHaveLength(1);
    const exit = new Promise<number | null>((resolve) => run.child.once("exit", (code) => resolve(code)));
    const interrupted = Date.now();
    // What a terminal does on Ctrl-C: SIGINT to the foreground process group (CLI, hosts, program, plugin).
    if (run.child.pid) process.kill(-run.child.pid, "SIGINT");
    const code = await exit;
    const exitSeconds = (Date.now() - interrupted) / 1000;
    expect(code).not.toBe(0);
    expect(exitSeconds).toBeLessThan(15);
    await until(
      () => processesOf(stack).length === 0,
      "every process of the interrupted run to exit",
      10_000,
    );
    expect(run.output()).not.toContain(CANARY);
    const [saved] = await goLives(stack);
    expect(saved).toMatchObject({ type: NATIVE_TYPE, outputs: { status: "running" } });

    // No lock left behind, no `pulumi cancel` or `--clear-pending-creates` needed.
    e2e.sim.advance(2 * 10 ** 9);
    const next = await stack.ok(["up", "--yes"]);
    expect(next.stdout).toMatch(/offer-live updated/);
    expect(await stack.outputs()).toMatchObject({ status: "succeeded" });
    expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
    console.log(`SIGINT → CLI exit in ${exitSeconds.toFixed(1)} s (code ${code})`);
  });

  test("pulumi import adopts a go-live started elsewhere with 0 POSTs; pulumi up then waits for it", async () => {
    const { offerId, stack } = await setup({ seed: { goLive: longGoLive }, native: true });
    // Someone started the go-live outside Pulumi (e.g. in the portal).
    const response = await fetch(
      `${e2e.sim.url}/api/publishers/contoso/offers/${offerId}/golive?api-version=2017-10-31`,
      { method: "POST", headers: { authorization: `Bearer ${CANARY}` } },
    );
    expect(response.status).toBe(202);
    const postsBefore = posts(offerId);
    // `pulumi import` does not run the program: the endpoint comes from the provider configuration.
    await stack.ok(["config", "set", "cloudpartner:endpoint", e2e.sim.url]);

    const imported = await stack.ok([
      "import",
      NATIVE_TYPE,
      "offer-live",
      `contoso/${offerId}/golive/current`,
      "--yes",
      "--generate-code=false",
    ]);
    expect(imported.stdout + imported.stderr).not.toContain(CANARY);
    const [adopted] = await goLives(stack);
    expect(adopted).toMatchObject({ type: NATIVE_TYPE, outputs: { status: "running", attached: true } });
    expect(adopted?.id).toMatch(new RegExp(`^contoso/${offerId}/golive/[^/]+$`));
    expect(adopted?.id).not.toMatch(/current$/);
    expect(posts(offerId)).toBe(postsBefore);

    e2e.sim.advance(2 * 10 ** 9);
    const up = await stack.ok(["up", "--yes"]);
    expect(up.stdout).not.toMatch(/replac/i);
    expect(await stack.outputs()).toMatchObject({ status: "succeeded" });
    expect(posts(offerId)).toBe(postsBefore);
    expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
  });

  test("pulumi import of a Product Ingestion go-live already live (`<offerExternalId>/golive/current`): 0 POSTs", async () => {
    const { stack } = await setup({ native: true });
    const externalId = `e2e-native-ing-${counter}`;
    e2e.sim.ingestion.addProduct({ externalId, state: "live" });
    const postsBefore = e2e.sim.count({ method: "POST" });
    // A stack on the ingestion API: the provider configuration names the API and its endpoint.
    await stack.ok(["config", "set", "cloudpartner:api", "ingestion"]);
    await stack.ok(["config", "set", "cloudpartner:endpoint", `${e2e.sim.url}/rp/product-ingestion`]);

    const imported = await stack.ok([
      "import",
      NATIVE_TYPE,
      "offer-live",
      `${externalId}/golive/current`,
      "--yes",
      "--generate-code=false",
    ]);
    expect(imported.stdout + imported.stderr).not.toContain(CANARY);
    const [adopted] = await goLives(stack);
    expect(adopted).toMatchObject({
      type: NATIVE_TYPE,
      outputs: { api: "ingestion", offerId: externalId, status: "succeeded", attached: true },
    });
    expect(adopted?.id).toMatch(new RegExp(`^${externalId}/golive/submission/`));
    expect(e2e.sim.count({ method: "POST" })).toBe(postsBefore);
  });
});
