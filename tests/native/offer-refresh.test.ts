/**
 * `pulumi refresh` of `cloudpartner:index:OfferConfiguration` through the native plugin: a portal edit of a
 * declared field comes back as the refreshed state's inputs too, so the CLI shows its value (`title: "program" =>
 * "portal"`) and the next preview shows the change back with the right values. Found by
 * tests/e2e/offer-configuration.e2e.ts: with the program's inputs kept, `pulumi refresh --diff` printed
 * `summary: "CIS level 2" => "CIS level 2"` (the path from the diff, both values from the unchanged inputs).
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { withSimulator } from "../support/harness";
import { isSecret, NativeHost, secret } from "../support/native-host";

const OFFER = "cloudpartner:index:OfferConfiguration";
const CANARY = "canary-native-refresh-token-8b2d";
let sim: CppSimulator;
let host: NativeHost;

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

test("refresh: a portal edit of a declared field is in the returned inputs and outputs; nothing else changes; the next diff is the change back", async () => {
  const template = structuredClone(defaultIngestionSeed().find((p) => p.externalId === "ing-vm-offer"));
  const offerId = "native-refresh-1";
  sim.ingestion.addProduct({
    ...template,
    externalId: offerId,
    guid: undefined,
    plans: template?.plans?.map((plan) => ({ ...plan, guid: undefined })),
  });
  // `pulumi import` then the program it wrote: inputs and state as the engine keeps them.
  const imported = await host.read(OFFER, offerId);
  const program = imported.inputs;
  const state = imported.properties;

  sim.ingestion.editResource(offerId, { type: "listing" }, { set: { title: "Contoso Linux (portal)" } });
  const refreshed = await host.read(OFFER, offerId, state, program);
  expect(refreshed.properties.listing).toMatchObject({ title: "Contoso Linux (portal)" });
  expect(refreshed.inputs).toEqual({
    ...program,
    listing: { ...program.listing, title: "Contoso Linux (portal)" },
  });
  // Outputs stay outputs.
  for (const key of ["productId", "resourceIds", "declaration", "pendingChanges"])
    expect(refreshed.inputs[key]).toBeUndefined();

  const checked = (await host.check(OFFER, refreshed.inputs, program)).inputs;
  const back = await host.diff(OFFER, offerId, refreshed.properties, checked);
  expect(back.detailed).toEqual({ "listing.title": "UPDATE" });
  expect(sim.ingestion.counts(offerId).writes).toBe(0);
});

test("a secret part makes the declaration a secret too (a registry password is never in state in plain text)", async () => {
  const template = structuredClone(
    defaultIngestionSeed().find((p) => p.externalId === "ing-container-offer"),
  );
  const offerId = "native-secret-1";
  sim.ingestion.addProduct({
    ...template,
    externalId: offerId,
    guid: undefined,
    plans: template?.plans?.map((plan) => ({ ...plan, guid: undefined })),
  });
  const imported = await host.read(OFFER, offerId);
  const password = "registry-password-native-7f3a";
  const plans = structuredClone(imported.inputs.plans);
  const [planId] = Object.keys(plans);
  plans[planId as string].technicalConfiguration.imageRepositoryDetails = {
    ...plans[planId as string].technicalConfiguration.imageRepositoryDetails,
    password,
  };
  const news = { ...imported.inputs, plans: secret(plans) };
  const checked = (await host.check(OFFER, imported.inputs, news)).inputs;
  const updated = await host.update(OFFER, offerId, imported.properties, checked);
  // Only inside secret values (which the engine encrypts in state).
  for (const key of ["plans", "declaration"]) expect(isSecret(updated.properties[key])).toBe(true);
  for (const [key, value] of Object.entries(updated.properties))
    if (!["plans", "declaration"].includes(key)) expect(JSON.stringify(value)).not.toContain(password);
});
