/**
 * `cloudpartner:index:OfferConfiguration` through the native plugin over gRPC, as the engine drives it, against
 * the simulator: the detailed diff names each changed field by its property path (what `pulumi preview` shows),
 * `offerId` replaces, nothing is sent in preview, and `pulumi import <name> <offerId>` reads the offer's tree into
 * inputs that re-run with no change (0 writes).
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { withSimulator } from "../support/harness";
import { NativeHost, secret } from "../support/native-host";

const OFFER = "cloudpartner:index:OfferConfiguration";
const CANARY = "canary-native-offer-token-5e1f";
let sim: CppSimulator;
/** A plugin configured as a stack on the ingestion API (import runs no program: the config names the endpoint). */
let host: NativeHost;
let counter = 0;

// biome-ignore lint/suspicious/noExplicitAny: tests index into inputs and outputs freely
type Json = Record<string, any>;

beforeAll(async () => {
  sim = await withSimulator({ acceptedTokens: [CANARY] });
  host = await NativeHost.start();
  await host.configure({
    accessToken: secret(CANARY),
    endpoint: `${sim.url}/rp/product-ingestion`,
    api: "ingestion",
    version: "0.1.0",
  });
});
afterAll(async () => {
  await host?.stop();
  await sim?.close();
});
afterEach(() => {
  expect(host.transcript().includes(CANARY)).toBe(false);
});

function copyOf(seedId: string): string {
  const template = structuredClone(defaultIngestionSeed().find((p) => p.externalId === seedId));
  const externalId = `native-offer-${++counter}`;
  sim.ingestion.addProduct({
    ...template,
    externalId,
    guid: undefined,
    plans: template?.plans?.map((plan) => ({ ...plan, guid: undefined })),
  });
  return externalId;
}

test("import by the offer id: the draft tree as inputs; the imported program re-runs with no change and 0 writes", async () => {
  const offerId = copyOf("ing-vm-offer");
  const imported = await host.read(OFFER, offerId);
  expect(imported.id).toBe(offerId);
  expect(imported.inputs).toMatchObject({
    offerId,
    listing: { title: "Contoso Linux" },
    plans: {
      "vm-gen2": { availability: { pricing: { corePricing: { pricePerCore: 0.05 } } } },
      "vm-gen1": { listing: { name: "Contoso Linux Gen1" } },
    },
  });
  // Outputs only in state, never in the program the CLI writes; nor the endpoint and api the provider
  // configuration gives (state keeps them).
  for (const key of ["productId", "resourceIds", "declaration", "pendingChanges", "endpoint", "api"])
    expect(imported.inputs[key]).toBeUndefined();
  expect(imported.properties.endpoint).toBe(`${sim.url}/rp/product-ingestion`);
  expect(imported.properties.productId).toMatch(/^product\//);
  expect(imported.properties.resourceIds.listing).toMatch(/^listing\//);
  expect(sim.ingestion.counts(offerId).writes).toBe(0);

  // `pulumi up` of the written program: check, then diff against the imported state: nothing to do.
  const checked = await host.check(OFFER, imported.inputs, imported.inputs);
  expect(checked.failures).toEqual([]);
  const diff = await host.diff(OFFER, offerId, imported.properties, checked.inputs);
  expect(diff.changes).toBe(false);
  expect(diff.detailed).toEqual({});
  expect(sim.ingestion.counts(offerId).writes).toBe(0);
});

test("an import id that names no offer says what it is", async () => {
  const error = await host.read(OFFER, "no-such-offer-here").catch((e: Error) => e);
  expect((error as Error).message).toMatch(
    /no product with the offer id \(external id\) "no-such-offer-here"; nothing to import/,
  );
});

test("the detailed diff names each field by its path; preview sends nothing; the update sends one configure", async () => {
  const offerId = copyOf("ing-vm-offer");
  const imported = await host.read(OFFER, offerId);
  const news: Json = structuredClone(imported.inputs);
  news.listing.title = "Contoso Linux 10";
  news.plans["vm-gen1"].availability.pricing.corePricing.pricePerCore = 0.01;
  news.plans["vm-gen1"].listing.summary = "Gen1, cheaper";
  const checked = (await host.check(OFFER, imported.inputs, news)).inputs;
  const diff = await host.diff(OFFER, offerId, imported.properties, checked);
  expect(diff).toMatchObject({ changes: true, replaces: [], hasDetailedDiff: true });
  expect(diff.detailed).toEqual({
    "listing.title": "UPDATE",
    'plans["vm-gen1"].availability.pricing.corePricing.pricePerCore': "UPDATE",
    'plans["vm-gen1"].listing.summary': "UPDATE",
  });

  const before = sim.requests.length;
  await host.update(OFFER, offerId, imported.properties, checked, { timeout: 0 }).catch(() => undefined);
  // The seeded offer is live: its VM plan's price is refused before anything is sent.
  expect(sim.ingestion.counts(offerId).writes).toBe(0);
  expect(sim.requests.length).toBeGreaterThan(before);

  // Without the price: one configure with the two resources.
  news.plans["vm-gen1"].availability.pricing.corePricing.pricePerCore = 0.04;
  const allowed = (await host.check(OFFER, imported.inputs, news)).inputs;
  const updated = await host.update(OFFER, offerId, imported.properties, allowed);
  expect(sim.ingestion.counts(offerId).configuredResources).toEqual({ listing: 1, "plan-listing": 1 });
  expect(updated.properties.listing.title).toBe("Contoso Linux 10");
  expect(updated.properties.pendingChanges).toEqual(
    expect.arrayContaining(["listing.title", "plans[vm-gen1].listing.summary"]),
  );
});

test("offerId replaces; a new plan and a removed field show as add and delete; preview of a create sends nothing", async () => {
  const offerId = copyOf("ing-vm-offer");
  const imported = await host.read(OFFER, offerId);
  const renamed = (await host.check(OFFER, imported.inputs, { ...imported.inputs, offerId: "other-offer" }))
    .inputs;
  const replace = await host.diff(OFFER, offerId, imported.properties, renamed);
  expect(replace.replaces).toEqual(["offerId"]);
  expect(replace.detailed).toEqual({ offerId: "UPDATE_REPLACE" });

  const news: Json = structuredClone(imported.inputs);
  news.plans["vm-new"] = { alias: "New plan" };
  delete news.listing.shortDescription;
  const diff = await host.diff(
    OFFER,
    offerId,
    imported.properties,
    (await host.check(OFFER, {}, news)).inputs,
  );
  expect(diff.detailed['plans["vm-new"]']).toBe("ADD");
  expect(diff.detailed["listing.shortDescription"]).toBe("DELETE");

  const before = sim.requests.length;
  const preview = await host.create(OFFER, (await host.check(OFFER, {}, news)).inputs, { preview: true });
  expect(sim.requests.length).toBe(before);
  expect(preview.properties.offerId).toBe(offerId);
});

test("a provider configured for the Cloud Partner Portal: OfferConfiguration still checks as ingestion, without that endpoint", async () => {
  const cpp = await NativeHost.start();
  try {
    await cpp.configure({ accessToken: secret(CANARY), endpoint: sim.url, api: "cpp", version: "0.1.0" });
    const checked = await cpp.check(OFFER, {}, { offerId: "contoso-offer" });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({
      api: "ingestion",
      endpoint: "https://graph.microsoft.com/rp/product-ingestion",
    });
    expect(cpp.transcript().includes(CANARY)).toBe(false);
  } finally {
    await cpp.stop();
  }
});
