/**
 * Engine tier for publish safety: Pulumi's real dynamic provider host, spoken to over gRPC as the engine does,
 * running the serialized OfferPublish provider against the simulator's Product Ingestion API with
 * `configuration` and `triggers: [declaration]`: a changed offer is published once, an unchanged one never, and
 * a portal edit nobody declared refuses the publish with 0 submissions.
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { IngestionClient } from "../../provider/ingestion/client";
import { exportOfferInputs } from "../../provider/ingestion/offer/apply";
import { type DeclaredPart, formatDeclaration } from "../../provider/ingestion/offer/declaration";
import { dynamicHostSuite, type ProviderHost } from "../support/provider-host";

const CANARY = "canary-token-publish-safety-3b7e";
let sim: CppSimulator;
let host: ProviderHost;
let publishText: string;

let offerText: string;

dynamicHostSuite(CANARY, ["OfferPublishProvider", "OfferConfigurationProvider"], (suite) => {
  ({ sim, host } = suite);
  publishText = suite.text.OfferPublishProvider;
  offerText = suite.text.OfferConfigurationProvider;
});

const seed = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
const config = seed?.plans?.[0]?.technicalConfiguration as Record<string, unknown>;
const vmProperties = config.vmProperties as Record<string, unknown>;

/** The declaration OfferConfiguration outputs for a technical configuration declaring `vmProperties`. */
function declaration(offerId: string, properties: Record<string, unknown>): string {
  const part: DeclaredPart = {
    key: "plans[main].technicalConfiguration",
    type: "virtual-machine-plan-technical-configuration",
    scope: "plan",
    planId: "main",
    fields: { vmProperties: properties },
  };
  return formatDeclaration([part], offerId);
}

function inputs(offerId: string, configuration: string) {
  return {
    api: "ingestion",
    offerId,
    endpoint: `${sim.url}/rp/product-ingestion`,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    configuration,
    triggers: [configuration],
    __provider: publishText,
  };
}

test("triggers: [declaration]: published once per changed offer, never for an unchanged one; an undeclared edit refuses", async () => {
  const offerId = "engine-safety-1";
  sim.ingestion.addProduct({
    ...seed,
    externalId: offerId,
    guid: undefined,
    state: "live",
    plans: [{ externalId: "main", technicalConfiguration: config }],
  });
  const posts = () => sim.ingestion.configurePosts(offerId);

  // First up: the offer as declared is published to preview.
  const first = declaration(offerId, vmProperties);
  const checked = await host.check({}, inputs(offerId, first));
  expect(checked.failures).toEqual([]);
  const created = await host.create(checked.inputs);
  expect(created.properties).toMatchObject({
    status: "succeeded",
    awaitingSignoff: true,
    configuration: first,
  });
  expect(posts()).toBe(1);

  // The same declaration again: no change, nothing sent (the triggers logic: __triggersChanged false).
  const same = await host.check(created.properties, inputs(offerId, first));
  expect(same.inputs.__triggersChanged).toBe(false);
  expect(await host.diff(created.id, created.properties, same.inputs)).toMatchObject({ changes: false });
  expect(posts()).toBe(1);

  // A changed declaration (OfferConfiguration wrote it to the draft): one replace, one publish.
  const second = declaration(offerId, { ...vmProperties, supportsHibernation: true });
  sim.ingestion.portalEdit(offerId, "main", { vmProperties: { supportsHibernation: true } });
  const changed = await host.check(created.properties, inputs(offerId, second));
  expect(changed.inputs.__triggersChanged).toBe(true);
  const diff = await host.diff(created.id, created.properties, changed.inputs);
  expect(diff).toMatchObject({ changes: true, replaces: ["triggers"] });
  const republished = await host.create(changed.inputs);
  expect(republished.properties).toMatchObject({
    attached: false,
    awaitingSignoff: true,
    configuration: second,
  });
  expect(republished.properties.submissionId).not.toBe(created.properties.submissionId);
  expect(posts()).toBe(2);
  expect(await host.printed("publish safety: the draft holds 1 declared change")).toContain(
    `[${offerId}] publish safety: the draft holds 1 declared change and no undeclared one compared with the preview.`,
  );

  // An undeclared portal edit: an unchanged declaration still publishes nothing; preview names the edit.
  sim.ingestion.portalEdit(offerId, "main", {
    vmImageVersions: [
      {
        versionNumber: "9.3.0",
        vmImages: [
          {
            imageType: "x64Gen2",
            source: {
              sourceType: "sasUri",
              osDisk: {
                uri: "https://contoso.blob.core.windows.net/vhds/os-9.3.0.vhd?sv=1&sr=b&sig=PORTALsig",
              },
            },
          },
        ],
      },
    ],
  });
  const unchanged = await host.check(republished.properties, inputs(offerId, second));
  expect(await host.diff(republished.id, republished.properties, unchanged.inputs)).toMatchObject({
    changes: false,
  });
  expect(
    await host.printed(/the draft holds 1 change the configuration does not declare .*vmImageVersions/),
  ).toMatch(/plans\[main\]\.technicalConfiguration\.vmImageVersions: added 9\.3\.0/);
  expect(posts()).toBe(2);

  // The next declared change cannot ship the undeclared edit with it: refused, 0 submissions.
  const third = declaration(offerId, { ...vmProperties, supportsHibernation: true, supportsBackup: true });
  sim.ingestion.portalEdit(offerId, "main", { vmProperties: { supportsBackup: true } });
  const refused = await host.check(republished.properties, inputs(offerId, third));
  await expect(host.create(refused.inputs)).rejects.toThrow(
    /holds a change compared with the preview that the configuration does not declare, so nothing was published: plans\[main\]\.technicalConfiguration\.vmImageVersions/,
  );
  expect(posts()).toBe(2);
  expect(host.stdout).not.toContain("PORTALsig");
  expect(host.responses.join("\n")).not.toContain(CANARY);
});

test("with the OfferConfiguration: triggers: [config.declaration] publishes a changed offer once, an unchanged one never; a portal edit refuses", async () => {
  const template = structuredClone(defaultIngestionSeed().find((p) => p.externalId === "ing-vm-offer"));
  const offerId = "engine-safety-offer";
  sim.ingestion.addProduct({
    ...template,
    externalId: offerId,
    guid: undefined,
    plans: template?.plans?.map((plan) => ({ ...plan, guid: undefined })),
  });
  const endpoint = `${sim.url}/rp/product-ingestion`;
  const previews = () => sim.ingestion.counts(offerId).configures.preview;
  const writes = () => sim.ingestion.counts(offerId).writes;
  // The program as `pulumi-cloudpartner export` writes it, without the listing's short description: that field is
  // the program's to leave alone (an undeclared field).
  const exported = await exportOfferInputs(new IngestionClient({ endpoint, accessToken: CANARY }), offerId);
  const { shortDescription: _undeclared, ...listing } = exported.listing as Record<string, unknown>;
  const program = (title: string) => ({
    ...exported,
    listing: { ...listing, title },
    endpoint,
    __provider: offerText,
  });
  const publishInputs = (declaration: string) => ({
    api: "ingestion",
    offerId,
    endpoint,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    configuration: declaration,
    triggers: [declaration],
    __provider: publishText,
  });

  // First up: the configuration adopts the offer (0 writes); the publish is sent once.
  const offer = await host.create((await host.check({}, program("Contoso Linux"))).inputs);
  expect(writes()).toBe(0);
  const publish = await host.create(
    (await host.check({}, publishInputs(offer.properties.declaration))).inputs,
  );
  expect(publish.properties).toMatchObject({ awaitingSignoff: true });
  expect(previews()).toBe(1);

  // The same program again: neither resource changes, nothing is sent.
  const sameOffer = (await host.check(offer.properties, program("Contoso Linux"))).inputs;
  expect((await host.diff(offerId, offer.properties, sameOffer)).changes).toBe(false);
  const samePublish = (await host.check(publish.properties, publishInputs(offer.properties.declaration)))
    .inputs;
  expect(samePublish.__triggersChanged).toBe(false);
  expect((await host.diff(publish.id, publish.properties, samePublish)).changes).toBe(false);
  expect({ writes: writes(), previews: previews() }).toEqual({ writes: 0, previews: 1 });

  // One listing text changed: one configure, a new declaration, one publish that the safety check lets through.
  const changedOffer = (await host.check(offer.properties, program("Contoso Linux 10"))).inputs;
  const updated = await host.update(offerId, offer.properties, changedOffer);
  expect(writes()).toBe(1);
  const declared = updated.properties.declaration as string;
  expect(declared).not.toBe(offer.properties.declaration);
  const changedPublish = (await host.check(publish.properties, publishInputs(declared))).inputs;
  expect(changedPublish.__triggersChanged).toBe(true);
  expect((await host.diff(publish.id, publish.properties, changedPublish)).replaces).toContain("triggers");
  const republished = await host.create(changedPublish);
  expect(republished.properties).toMatchObject({ awaitingSignoff: true, attached: false });
  expect(previews()).toBe(2);
  expect(await host.printed(`[${offerId}] publish safety: the draft holds 1 declared change`)).toContain(
    `[${offerId}] publish safety: the draft holds 1 declared change and no undeclared one compared with the preview.`,
  );

  // A portal edit of the undeclared field, then the next change: the publish refuses it, 0 submissions.
  sim.ingestion.editResource(
    offerId,
    { type: "listing" },
    { set: { shortDescription: "Edited in the portal" } },
  );
  const nextOffer = (await host.check(updated.properties, program("Contoso Linux 11"))).inputs;
  const next = await host.update(offerId, updated.properties, nextOffer);
  expect(writes()).toBe(2);
  const refused = (await host.check(republished.properties, publishInputs(next.properties.declaration)))
    .inputs;
  await expect(host.create(refused)).rejects.toThrow(
    /so nothing was published: listing\.shortDescription: preview "Contoso Linux, short", draft "Edited in the portal"\./,
  );
  expect(previews()).toBe(2);
  expect([host.stdout, host.stderr, ...host.responses].join("\n")).not.toContain(CANARY);
});
