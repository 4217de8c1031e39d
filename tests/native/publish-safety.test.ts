/**
 * Publish safety through the native plugin over gRPC, as the engine drives it, against the simulator's Product
 * Ingestion API: the schema carries the new OfferPublish inputs, Check refuses `modular` without
 * `configuration`, a changed `configuration` alone is an in-place update, and a publish whose draft holds an
 * undeclared portal edit fails with the per-field list and 0 submissions.
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { type DeclaredPart, formatDeclaration } from "../../provider/ingestion/offer/declaration";
import { withSimulator } from "../support/harness";
import { NativeHost, PUBLISH, secret } from "../support/native-host";

const CANARY = "canary-native-safety-8c2f";
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
afterEach(() => {
  expect(host.transcript().includes(CANARY)).toBe(false);
});

const seed = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
const config = seed?.plans?.[0]?.technicalConfiguration as Record<string, unknown>;

function declaration(offerId: string, vmProperties: Record<string, unknown>): string {
  const part: DeclaredPart = {
    key: "plans[main].technicalConfiguration",
    type: "virtual-machine-plan-technical-configuration",
    scope: "plan",
    planId: "main",
    fields: { vmProperties },
  };
  return formatDeclaration([part], offerId);
}

function newProduct(offerId: string): void {
  sim.ingestion.addProduct({
    ...seed,
    externalId: offerId,
    guid: undefined,
    state: "live",
    plans: [{ externalId: "main", technicalConfiguration: config }],
  });
}

const inputs = (offerId: string, extra: Record<string, unknown> = {}) => ({
  offerId,
  pollIntervalSeconds: 0.01,
  maxPollIntervalSeconds: 0.02,
  ...extra,
});

test("the schema has the inputs; Check refuses modular without configuration", async () => {
  const schema = JSON.parse(await host.getSchema());
  const publish = schema.resources[PUBLISH];
  for (const key of ["configuration", "allowUndeclaredChanges", "allowUndeclaredChangesTo", "modular"]) {
    expect(publish.inputProperties[key]).toBeDefined();
    expect(publish.properties[key]).toBeDefined();
  }
  const refused = await host.check(PUBLISH, {}, inputs("native-safe-0", { modular: true }));
  expect(refused.failures).toEqual([
    { property: "modular", reason: expect.stringMatching(/^modular needs configuration/) },
  ]);
});

test("an undeclared portal edit refuses the publish (0 submissions); a changed configuration alone updates in place", async () => {
  const offerId = "native-safe-1";
  newProduct(offerId);
  const vmProperties = config.vmProperties as Record<string, unknown>;
  const first = declaration(offerId, vmProperties);
  const checked = await host.check(PUBLISH, {}, inputs(offerId, { configuration: first }));
  expect(checked.failures).toEqual([]);
  const created = await host.create(PUBLISH, checked.inputs);
  expect(created.properties).toMatchObject({ awaitingSignoff: true, configuration: first });
  expect(sim.ingestion.configurePosts(offerId)).toBe(1);

  // Another declaration without triggers: recorded in place, nothing published.
  const second = declaration(offerId, { ...vmProperties, supportsBackup: true });
  const news = (await host.check(PUBLISH, created.properties, inputs(offerId, { configuration: second })))
    .inputs;
  const diff = await host.diff(PUBLISH, created.id, created.properties, news);
  expect(diff.replaces).toEqual([]);
  expect(diff.detailed).toEqual({ configuration: "UPDATE" });

  // A new publish (a replace after a triggers change) while the draft holds a portal edit.
  sim.ingestion.portalEdit(offerId, "main", {
    vmProperties: { supportsBackup: true, supportsHibernation: true },
  });
  const again = await host.check(PUBLISH, {}, inputs(offerId, { configuration: second, triggers: [second] }));
  const error = await host.create(PUBLISH, again.inputs).catch((e: unknown) => e);
  expect((error as Error).message).toMatch(
    /so nothing was published: plans\[main\]\.technicalConfiguration\.vmProperties\.supportsHibernation: preview false, draft true \(declared false\)\. /,
  );
  expect(sim.ingestion.configurePosts(offerId)).toBe(1);
});
