/**
 * End to end on the Product Ingestion API with the real Pulumi CLI, a local file backend and the simulator:
 * examples/ingestion-golive (publish → review gate → go-live). Kept to a few `pulumi up`s.
 */

import * as path from "node:path";
import { type LocalStack, REPO_ROOT } from "../../scripts/lib/pulumi-cli";
import { e2eSuite, resourcesOf } from "./helpers";

const CANARY = "e2e-ingestion-canary-token-3e9a44";
const EXAMPLE = path.join(REPO_ROOT, "examples/ingestion-golive");
const PUBLISH = "pulumi-nodejs:dynamic/cloudpartner:OfferPublish";
const GOLIVE = "pulumi-nodejs:dynamic/cloudpartner:OfferGoLive";
/** ~30 years of simulated time: still running until the test advances the clock. */
const LONG = 10 ** 9;

const e2e = e2eSuite(CANARY);
let counter = 0;

/** A new never-published product on the simulator and a new stack of the example pointed at it. */
async function setup(options: { seed?: Record<string, unknown>; config?: Record<string, string> } = {}) {
  const offerId = `e2e-ing-${++counter}`;
  e2e.sim.ingestion.addProduct({ externalId: offerId, ...options.seed });
  const stack = e2e.stack({ projectDir: EXAMPLE, stackName: `ing${counter}` });
  await e2e.init(stack, { offerId, endpoint: `${e2e.sim.url}/rp/product-ingestion` }, options.config);
  return { offerId, stack };
}

test("up stops at the ready preview; goLive=true, up → live; 2 configure POSTs; no token anywhere", async () => {
  const { offerId, stack } = await setup();
  const up = await stack.ok(["up", "--yes"]);
  expect(await stack.outputs()).toMatchObject({
    publishStatus: "succeeded",
    awaitingSignoff: true,
    productId: expect.stringMatching(/^product\//),
    previewSubmission: expect.stringMatching(/^submission\//),
    liveSubmission: "none yet",
  });
  expect(e2e.sim.ingestion.configurePosts(offerId)).toBe(1);

  await stack.ok(["config", "set", "goLive", "true"]);
  const second = await stack.ok(["up", "--yes"]);
  const outputs = await stack.outputs();
  expect(outputs).toMatchObject({ liveStatus: "succeeded", awaitingSignoff: true });
  expect(outputs.liveSubmission).toBe(outputs.previewSubmission);
  expect(e2e.sim.ingestion.configurePosts(offerId)).toBe(2);
  const live = e2e.sim.ingestion.product(offerId)?.submissions.find((s) => s.target === "live");
  expect(live).toMatchObject({ id: outputs.previewSubmission, status: "completed", result: "succeeded" });

  const exported = await stack.exportState();
  expect(exported).not.toContain(CANARY);
  for (const type of [PUBLISH, GOLIVE]) {
    const provider = String(resourcesOf(exported).find((r) => r.type === type)?.outputs?.__provider ?? "");
    expect(provider.length).toBeGreaterThan(100);
    expect(provider.length).toBeLessThan(8 * 1024);
  }
  expect(up.stdout + up.stderr + second.stdout + second.stderr).not.toContain(CANARY);
});

test("timeout keeps the job in state; the next pulumi up resumes it with 1 configure POST in total", async () => {
  const { offerId, stack } = await setup({ seed: { previewSeconds: LONG }, config: { timeoutSeconds: "1" } });
  const first = await stack.run(["up", "--yes"]);
  expect(first.code).not.toBe(0);
  expect(first.stdout + first.stderr).toMatch(
    /Stopped waiting for e2e-ing-\d+ after .*still running on Partner Center \(Product Ingestion API\)/,
  );
  const saved = resourcesOf(await stack.exportState()).find((r) => r.type === PUBLISH);
  expect(saved?.outputs).toMatchObject({ status: "running", operationId: expect.any(String) });
  expect(saved?.outputs?.operationLocation).toMatch(/\/rp\/product-ingestion\/configure\/[^/]+\/status/);

  e2e.sim.advance(2 * LONG);
  await stack.ok(["up", "--yes"]);
  expect(await stack.outputs()).toMatchObject({ publishStatus: "succeeded", awaitingSignoff: true });
  const resumed = resourcesOf(await stack.exportState()).find((r) => r.type === PUBLISH);
  expect(resumed?.outputs?.operationId).toBe(saved?.outputs?.operationId);
  expect(e2e.sim.ingestion.configurePosts(offerId)).toBe(1);
});

test.each([
  [
    "a configure refused with 400",
    (offerId: string) =>
      e2e.sim.ingestion.refuseNext(offerId, {
        message: "The request is not valid.",
        details: [{ code: "schemaValidationError", message: "Resource 0: 'target' is invalid." }],
      }),
    /HTTP 400 \[badRequest\]\): The request is not valid\. schemaValidationError: Resource 0: 'target' is invalid\./,
  ],
  [
    "an unknown offer (empty value)",
    async (_offerId: string, stack: LocalStack) =>
      void (await stack.ok(["config", "set", "offerId", "e2e-ing-no-such-offer"])),
    /no product with the offer id \(external id\) "e2e-ing-no-such-offer"/,
  ],
])("pulumi up fails on %s with the API's words; nothing in state", async (_name, arrange, message) => {
  const { offerId, stack } = await setup();
  await arrange(offerId, stack);
  const up = await stack.run(["up", "--yes"]);
  expect(up.code).not.toBe(0);
  expect(up.stdout + up.stderr).toMatch(message);
  expect(resourcesOf(await stack.exportState()).filter((r) => r.type === PUBLISH)).toHaveLength(0);
  expect(e2e.sim.ingestion.product(offerId)?.jobs).toEqual([]);
});
