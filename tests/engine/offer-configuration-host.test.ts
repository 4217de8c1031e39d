/**
 * Engine tier for OfferConfiguration: Pulumi's real dynamic provider host running the serialized thin provider
 * against the simulator, as `pulumi up` / `preview` / `refresh` drive it. An existing offer is adopted with 0
 * writes, the same program again diffs as no change (no request), one changed field is one configure with one
 * resource and the update returns every output, a refresh brings a portal edit into state, destroy sends nothing,
 * and the token never appears in the serialized provider, state or output.
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { IngestionClient } from "../../provider/ingestion/client";
import { exportOfferInputs } from "../../provider/ingestion/offer/apply";
import { dynamicHostSuite, type ProviderHost } from "../support/provider-host";

const CANARY = "canary-token-offer-7d30b2";
let sim: CppSimulator;
let host: ProviderHost;
let providerText = "";
let counter = 0;

// biome-ignore lint/suspicious/noExplicitAny: tests index into inputs and outputs freely
type Json = Record<string, any>;

dynamicHostSuite(CANARY, ["OfferConfigurationProvider"], (suite) => {
  ({ sim, host } = suite);
  providerText = suite.text.OfferConfigurationProvider;
  host.urn = "urn:pulumi:test::cloudpartner::pulumi-nodejs:dynamic/cloudpartner:OfferConfiguration::offer";
});

const endpoint = () => `${sim.url}/rp/product-ingestion`;

function copyOf(seedId: string): string {
  const template = structuredClone(defaultIngestionSeed().find((p) => p.externalId === seedId));
  const externalId = `engine-offer-${++counter}`;
  sim.ingestion.addProduct({
    ...template,
    externalId,
    guid: undefined,
    plans: template?.plans?.map((plan) => ({ ...plan, guid: undefined })),
  });
  return externalId;
}

/** The program as `pulumi-cloudpartner export` writes it, as the host receives it (with the serialized provider). */
async function program(offerId: string): Promise<Json> {
  const client = new IngestionClient({ endpoint: endpoint(), accessToken: CANARY });
  return { ...(await exportOfferInputs(client, offerId)), endpoint: endpoint(), __provider: providerText };
}

test("the serialized provider names its class and holds no token", () => {
  expect(providerText).toContain("OfferConfigurationProvider");
  expect(providerText).not.toContain(CANARY);
});

test("check refuses api cpp and a bad plan id before any request", async () => {
  const before = sim.requests.length;
  const { failures } = await host.check(
    {},
    { offerId: "contoso-offer", api: "cpp", plans: { "Bad Plan!": {} }, __provider: providerText },
  );
  expect(failures.map((f) => f.property)).toEqual(expect.arrayContaining(["api"]));
  expect(failures.some((f) => f.property.startsWith("plans"))).toBe(true);
  expect(sim.requests.length).toBe(before);
});

test("adopt with 0 writes; the same program diffs as no change; one field = one configure with one resource; refresh shows a portal edit", async () => {
  const offerId = copyOf("ing-vm-offer");
  const news = await program(offerId);
  const checked = (await host.check({}, news)).inputs;
  const created = await host.create(checked);
  expect(created.id).toBe(offerId);
  expect(created.properties.productId).toMatch(/^product\//);
  expect(typeof created.properties.declaration).toBe("string");
  expect(sim.ingestion.counts(offerId).writes).toBe(0);

  // pulumi preview / up of the same program: diff from state, no request.
  const before = sim.requests.length;
  const same = await host.diff(
    offerId,
    created.properties,
    (await host.check(created.properties, news)).inputs,
  );
  expect(same.changes).toBe(false);
  expect(sim.requests.length).toBe(before);

  // One listing text changed: an in-place update, one configure with one resource, every output returned.
  const changed = { ...news, listing: { ...news.listing, title: "Contoso Linux 10" } };
  const changedInputs = (await host.check(created.properties, changed)).inputs;
  const diff = await host.diff(offerId, created.properties, changedInputs);
  expect(diff).toMatchObject({ changes: true, replaces: [] });
  const updated = await host.update(offerId, created.properties, changedInputs);
  expect(sim.ingestion.counts(offerId).configuredResources).toEqual({ listing: 1 });
  for (const key of [
    "productId",
    "resourceIds",
    "declaration",
    "pendingChanges",
    "plans",
    "listing",
    "offerId",
  ])
    expect(updated.properties[key]).toBeDefined();
  expect(updated.properties.listing.title).toBe("Contoso Linux 10");
  expect(updated.properties.declaration).not.toBe(created.properties.declaration);
  expect(updated.properties.pendingChanges).toContain("listing.title");

  // pulumi refresh after a portal edit: the edit comes into state; the next diff shows it as a change back.
  sim.ingestion.editResource(offerId, { type: "listing" }, { set: { title: "Edited in the portal" } });
  const refreshed = await host.read(offerId, updated.properties);
  expect(refreshed.properties.listing.title).toBe("Edited in the portal");
  const back = await host.diff(offerId, refreshed.properties, changedInputs);
  expect(back.changes).toBe(true);

  // destroy: nothing sent.
  const writes = sim.ingestion.counts(offerId).writes;
  await host.delete(offerId, refreshed.properties);
  expect(sim.ingestion.counts(offerId).writes).toBe(writes);
  expect(await host.printed(/left in Partner Center as it is/)).toMatch(/left in Partner Center as it is/);

  const transcript = [host.stdout, host.stderr, ...host.responses].join("\n");
  expect(transcript).not.toContain(CANARY);
});

test("a changed offerId replaces the resource", async () => {
  const offerId = copyOf("ing-vm-offer");
  const news = await program(offerId);
  const created = await host.create((await host.check({}, news)).inputs);
  const other = { ...news, offerId: "another-offer" };
  const diff = await host.diff(
    offerId,
    created.properties,
    (await host.check(created.properties, other)).inputs,
  );
  expect(diff).toMatchObject({ changes: true, replaces: ["offerId"], deleteBeforeReplace: false });
});
