/**
 * Engine tier for `api: "ingestion"`: Pulumi's real dynamic provider host over gRPC, running the serialized
 * OfferPublish and OfferGoLive providers against the simulator's Product Ingestion API.
 */

import type { CppSimulator } from "../../emulator/server";
import { decodeInitError, type ProviderHost, providerHostSuite } from "../support/provider-host";

const CANARY = "canary-token-ingestion-7f3a91";
let sim: CppSimulator;
let host: ProviderHost;
let publishText: string;
let goLiveText: string;
let counter = 0;

function newProduct(): string {
  const externalId = `engine-ing-${++counter}`;
  // A publish that takes ~30 years of simulated time: a short timeoutSeconds always interrupts it.
  sim.ingestion.addProduct({ externalId, previewSeconds: 10 ** 9 });
  return externalId;
}

function inputs(offerId: string, provider: string, extra: Record<string, unknown> = {}) {
  const all: Record<string, unknown> = {
    api: "ingestion",
    offerId,
    endpoint: `${sim.url}/rp/product-ingestion`,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    __provider: provider,
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

providerHostSuite(CANARY, (suite) => {
  ({ sim, host, publishText, goLiveText } = suite);
});

test("the serialized providers stay thin and hold no token", () => {
  for (const text of [publishText, goLiveText]) {
    expect(text.length).toBeLessThan(8 * 1024);
    expect(text).not.toContain(CANARY);
  }
});

test("check: publisherId and notificationEmails optional, ingestion defaults; api changes replace", async () => {
  const checked = await host.check({}, { api: "ingestion", offerId: "o", __provider: publishText });
  expect(checked.failures).toEqual([]);
  expect(checked.inputs).toMatchObject({
    endpoint: "https://graph.microsoft.com/rp/product-ingestion",
    apiVersion: "2022-07-01",
  });
  const bad = await host.check(
    {},
    { api: "ingestion", offerId: "o", apiVersion: "v1", __provider: publishText },
  );
  expect(bad.failures.map((f) => f.property)).toEqual(["apiVersion"]);
  // State written before `api` existed means cpp: switching to ingestion replaces, staying on cpp does not.
  const cppOlds = {
    publisherId: "p",
    offerId: "o",
    endpoint: "https://cloudpartner.azure.com",
    apiVersion: "2017-10-31",
  };
  const toIngestion = await host.diff("id", cppOlds, {
    ...cppOlds,
    api: "ingestion",
    __provider: goLiveText,
  });
  expect(toIngestion.replaces).toContain("api");
  const stillCpp = await host.diff("id", cppOlds, { ...cppOlds, api: "cpp", __provider: goLiveText });
  expect(stillCpp.replaces).toEqual([]);
});

test("publish: timeout → partial state; update resumes with 1 configure POST in total; go-live; read; delete", async () => {
  const offerId = newProduct();
  const news = (
    await host.check(
      {},
      inputs(offerId, publishText, { timeoutSeconds: 0.3, notificationEmails: ["a@x.com"] }),
    )
  ).inputs;
  const error = await host.create(news).catch((e) => e);
  const init = decodeInitError(error);
  expect(init?.message).toMatch(
    /Stopped waiting.*still running on Partner Center \(Product Ingestion API\).*pulumi up/,
  );
  expect(init?.properties).toMatchObject({
    api: "ingestion",
    status: "running",
    productId: expect.stringMatching(/^product\//),
    submissionId: expect.stringMatching(/^submission\//),
    operationId: expect.any(String),
    __provider: publishText,
  });
  expect(init?.properties.operationLocation).toMatch(
    /\/rp\/product-ingestion\/configure\/[^/]+\/status\?%24version=2022-07-01$/,
  );
  expect(init?.properties).not.toHaveProperty("publisherId");
  expect(host.stdout).toMatch(/notificationEmails is ignored/);

  const resumed = (await host.check(init!.properties, inputs(offerId, publishText))).inputs;
  const diff = await host.diff(init!.id, init!.properties, resumed);
  expect(diff).toMatchObject({ changes: true, replaces: [] });
  sim.advance(2 * 10 ** 9);
  const { properties } = await host.update(init!.id, init!.properties, resumed);
  expect(properties).toMatchObject({
    status: "succeeded",
    awaitingSignoff: true,
    currentStep: "Ready to go live",
  });
  expect(properties.submissionId).toBe(init?.properties.submissionId);
  expect(sim.ingestion.configurePosts(offerId)).toBe(1);
  // Resting at the preview: nothing to resume.
  expect((await host.diff(init!.id, properties, resumed)).changes).toBe(false);

  const goLive = (await host.check({}, inputs(offerId, goLiveText))).inputs;
  const live = await host.create(goLive);
  expect(live.properties).toMatchObject({
    status: "succeeded",
    submissionId: properties.submissionId,
    attached: false,
  });
  expect(sim.ingestion.configurePosts(offerId)).toBe(2);

  const read = await host.read(live.id, live.properties);
  expect(read.properties.status).toBe("succeeded");
  // A second go-live resource adopts the live preview: no configure POST.
  const again = await host.create(goLive);
  expect(again.properties).toMatchObject({ status: "succeeded", attached: true });
  expect(sim.ingestion.configurePosts(offerId)).toBe(2);

  await host.delete(live.id, live.properties);
  await host.printed(
    /removing the go-live record from the stack only: the Product Ingestion API cannot undo/,
  );
  for (const response of host.responses) expect(response).not.toContain(CANARY);
  expect(host.stdout + host.stderr).not.toContain(CANARY);
});

test("go-live with no ready preview: a deployment error, nothing saved", async () => {
  const offerId = newProduct();
  const error = await host.create((await host.check({}, inputs(offerId, goLiveText))).inputs).catch((e) => e);
  expect(decodeInitError(error)).toBeUndefined();
  expect(String(error.message)).toMatch(/no preview ready to go live.*Publish first/);
  expect(sim.ingestion.configurePosts(offerId)).toBe(0);
});
