/**
 * Engine tier for publish safety: Pulumi's real dynamic provider host, spoken to over gRPC as the engine does,
 * running the serialized OfferPublish provider against the simulator's Product Ingestion API with
 * `configuration` and `triggers: [declaration]`: a changed offer is published once, an unchanged one never, and
 * a portal edit nobody declared refuses the publish with 0 submissions.
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { type DeclaredPart, formatDeclaration } from "../../provider/ingestion/offer/declaration";
import { dynamicHostSuite, type ProviderHost } from "../support/provider-host";

const CANARY = "canary-token-publish-safety-3b7e";
let sim: CppSimulator;
let host: ProviderHost;
let publishText: string;

dynamicHostSuite(CANARY, ["OfferPublishProvider"], (suite) => {
  ({ sim, host } = suite);
  publishText = suite.text.OfferPublishProvider;
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
