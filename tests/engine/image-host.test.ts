/**
 * Engine tier for the release pipeline: Pulumi's real dynamic provider host running the serialized
 * VmImageVersion, OfferPublish and OfferGoLive providers against the simulator. A new version is one write, one
 * publish (its `triggers` changed) and one go-live; the same program again sends nothing.
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { sas as sasOf } from "../support/images";
import { dynamicHostSuite, ProviderHost } from "../support/provider-host";

const CANARY = "canary-token-image-8c1f0a";
let sim: CppSimulator;
let host: ProviderHost;
const text: Record<string, string> = {};

const sas = (blob: string) => sasOf(blob, "SIGsecret");

dynamicHostSuite(
  CANARY,
  ["VmImageVersionProvider", "OfferPublishProvider", "OfferGoLiveProvider"],
  (suite) => {
    ({ sim, host } = suite);
    Object.assign(text, suite.text);
  },
);

const count = (offerId: string, method: string, kind: string) =>
  sim.requests.filter((r) => r.offerId === offerId && r.method === method && r.kind === kind && r.processed)
    .length;

type Inputs = Record<string, unknown>;
type OpKind = "OfferPublishProvider" | "OfferGoLiveProvider";
/** The release program at `version`: its image version's inputs and its publish's or go-live's. */
interface Release {
  image: (version: string) => Inputs;
  op: (kind: OpKind, version: string) => Inputs;
}

/** The inputs of a CPP image version of `offerId`'s plan `<offerId>-plan`, by version. */
const cppImage = (offerId: string) => (version: string) => ({
  publisherId: "contoso",
  offerId,
  planId: `${offerId}-plan`,
  version,
  osVhdUrl: sas(`os-${version}`),
  endpoint: sim.url,
  __provider: text.VmImageVersionProvider,
});

/** One `pulumi up` of the release program: the image version, then its publish, then its go-live. */
async function up({ image, op }: Release, version: string) {
  const img = await host.create((await host.check({}, image(version))).inputs);
  const pub = await host.create((await host.check({}, op("OfferPublishProvider", version))).inputs);
  const live = await host.create((await host.check({}, op("OfferGoLiveProvider", version))).inputs);
  return { img, pub, live };
}

type Deployed = Awaited<ReturnType<typeof up>>;

/** The engine's check + diff of each resource of `deployed` against the program at `version`. */
async function diffs({ image, op }: Release, deployed: Deployed, version: string) {
  const results = [];
  for (const [olds, news] of [
    [deployed.img.properties, image(version)],
    [deployed.pub.properties, op("OfferPublishProvider", version)],
    [deployed.live.properties, op("OfferGoLiveProvider", version)],
  ] as const) {
    const checked = (await host.check(olds, news)).inputs;
    results.push({ news, diff: await host.diff("id", olds, checked) });
  }
  return results;
}

/**
 * A second `pulumi up` of the same program at `version`: the engine diffs each resource; nothing changes,
 * nothing is sent. Then a refresh after the go-live: the version is live.
 */
async function expectRerunSendsNothing(release: Release, deployed: Deployed, version: string) {
  const before = sim.requests.length;
  for (const { diff } of await diffs(release, deployed, version))
    expect(diff).toMatchObject({ changes: false });
  expect(sim.requests.length).toBe(before);
  expect((await host.read("id", deployed.img.properties)).properties).toMatchObject({
    state: "live",
    published: true,
  });
}

test("the serialized image provider names its class and holds no token", () => {
  expect(text.VmImageVersionProvider).toContain("VmImageVersionProvider");
  expect(text.VmImageVersionProvider).not.toContain(CANARY);
});

test("check refuses a bad SAS with the blob path only", async () => {
  const { failures } = await host.check(
    {},
    {
      publisherId: "contoso",
      offerId: "contoso-offer",
      planId: "contoso-offer-plan",
      version: "1.1.0",
      osVhdUrl: sas("os").replace("sp=rl", "sp=rw"),
      __provider: text.VmImageVersionProvider,
    },
  );
  expect(failures.map((f) => f.reason).join(" ")).toMatch(
    /osVhdUrl \(https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/os\.vhd\) must grant read and list only/,
  );
  expect(JSON.stringify(failures)).not.toContain("SIGsecret");
});

test("version → publish → go-live, each once; the same program again sends nothing; a new version sends one of each", async () => {
  const offerId = "release-offer";
  sim.addOffer({ publisherId: "contoso", offerId, state: "live" });
  const image = cppImage(offerId);
  const op = (kind: "OfferPublishProvider" | "OfferGoLiveProvider", version: string) => ({
    publisherId: "contoso",
    offerId,
    endpoint: sim.url,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    triggers: [version],
    ...(kind === "OfferPublishProvider" ? { notificationEmails: ["ops@contoso.com"] } : {}),
    __provider: text[kind],
  });
  const release = { image, op };
  const first = await up(release, "1.1.0");
  expect(first.img.properties).toMatchObject({ version: "1.1.0", state: "draft", alreadyPresent: false });
  expect(first.pub.properties).toMatchObject({ awaitingSignoff: true, triggers: ["1.1.0"] });
  expect(first.live.properties).toMatchObject({ status: "succeeded" });
  expect([
    count(offerId, "PUT", "offer"),
    count(offerId, "POST", "publish"),
    count(offerId, "POST", "golive"),
  ]).toEqual([1, 1, 1]);

  await expectRerunSendsNothing(release, first, "1.1.0");

  // A new version: the image resource and, through triggers, the publish and the go-live are replaced.
  for (const { news, diff } of await diffs(release, first, "1.2.0")) {
    expect(diff.replaces).toEqual([
      String(news.__provider).includes("VmImageVersion") ? "version" : "triggers",
    ]);
  }
  const second = await up(release, "1.2.0");
  expect(second.live.properties).toMatchObject({ status: "succeeded" });
  // The old version is published: its delete keeps it.
  await host.delete("id", first.img.properties);
  expect([
    count(offerId, "PUT", "offer"),
    count(offerId, "POST", "publish"),
    count(offerId, "POST", "golive"),
  ]).toEqual([2, 2, 2]);
  expect(host.stdout + host.stderr).not.toContain("SIGsecret");
});

test("api ingestion: version → publish → go-live, each once; the same program sends nothing; a new version sends one of each", async () => {
  const template = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
  const offerId = "release-ingestion-offer";
  sim.ingestion.addProduct({
    ...template,
    externalId: offerId,
    guid: undefined,
    plans: [{ externalId: "main", technicalConfiguration: template?.plans?.[0]?.technicalConfiguration }],
  });
  const endpoint = `${sim.url}/rp/product-ingestion`;
  const before = sim.ingestion.technicalConfiguration(offerId, "main") as { vmImageVersions: unknown[] };
  const image = (version: string) => ({
    api: "ingestion",
    offerId,
    planId: "main",
    version,
    images: [{ imageType: "x64Gen2", osDiskUri: sas(`ing-${version}`) }],
    endpoint,
    __provider: text.VmImageVersionProvider,
  });
  const op = (kind: "OfferPublishProvider" | "OfferGoLiveProvider", version: string) => ({
    api: "ingestion",
    offerId,
    endpoint,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    triggers: [version],
    __provider: text[kind],
  });
  const posts = () => sim.ingestion.configurePosts(offerId);
  const jobs = () => sim.ingestion.product(offerId)?.jobs.length;
  const release = { image, op };
  const first = await up(release, "9.2.0");
  expect(first.img.properties).toMatchObject({ version: "9.2.0", state: "draft", alreadyPresent: false });
  expect(first.img.id).toBe(`${offerId}/main/9.2.0`);
  expect(first.pub.properties).toMatchObject({ awaitingSignoff: true, triggers: ["9.2.0"] });
  expect(first.live.properties).toMatchObject({ status: "succeeded" });
  // One technical-configuration configure, one preview, one live.
  expect(posts()).toBe(3);
  expect(jobs()).toBe(3 + 2); // the seeded history had a preview and a live job
  const live = sim.ingestion.technicalConfiguration(offerId, "main", "live") as {
    vmImageVersions: unknown[];
  };
  expect(JSON.stringify(live.vmImageVersions.slice(0, 2))).toBe(JSON.stringify(before.vmImageVersions));
  expect(live.vmImageVersions).toHaveLength(3);

  await expectRerunSendsNothing(release, first, "9.2.0");

  // A new version: exactly one configure for the image, one preview, one live.
  const second = await up(release, "9.3.0");
  expect(second.live.properties).toMatchObject({ status: "succeeded" });
  expect(posts()).toBe(6);
  // The old version is published: its delete keeps it (no deprecation set), nothing sent.
  await host.delete("id", first.img.properties);
  expect(posts()).toBe(6);
  expect(host.stdout + host.stderr).not.toContain("SIGsecret");
});

test("two new versions before any go-live: each gets its own publish (a publish resting at sign-off predates the new image)", async () => {
  const offerId = "release-twice-offer";
  sim.addOffer({ publisherId: "contoso", offerId, state: "live" });
  const image = cppImage(offerId);
  const publish = (version: string) => ({
    publisherId: "contoso",
    offerId,
    endpoint: sim.url,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    triggers: [version],
    __provider: text.OfferPublishProvider,
  });
  for (const version of ["1.1.0", "1.2.0"]) {
    await host.create((await host.check({}, image(version))).inputs);
    const pub = await host.create((await host.check({}, publish(version))).inputs);
    // A new publish each time, resting at sign-off; never the previous one adopted.
    expect(pub.properties).toMatchObject({ awaitingSignoff: true, attached: false, triggers: [version] });
  }
  expect([count(offerId, "PUT", "offer"), count(offerId, "POST", "publish")]).toEqual([2, 2]);
});

/**
 * A change that keeps offer, plan and version (`endpoint`, `apiVersion`) is an in-place update; a replace or a
 * rename that keeps them anyway (`pulumi up --replace`, a new resource name; create-before-delete) adopts the
 * version, and the old resource's delete then leaves it in the draft. A later destroy (another deployment)
 * removes it.
 */
describe("a replace that keeps offer, plan and version", () => {
  const localhost = () => sim.url.replace("127.0.0.1", "localhost");

  test("CPP: endpoint changes in place; create-before-delete keeps the version; a later destroy removes it", async () => {
    const offerId = "keep-version-offer";
    sim.addOffer({ publisherId: "contoso", offerId, state: "live" });
    const image = cppImage(offerId);
    const versions = () =>
      Object.keys(
        (sim.draft("contoso", offerId) as { plans: Array<Record<string, Record<string, unknown>>> })
          .plans[0]?.["microsoft-azure-virtualmachines.vmImages"] ?? {},
      );
    const first = await host.create((await host.check({}, image("1.1.0"))).inputs);
    expect(versions()).toContain("1.1.0");

    const moved = (await host.check(first.properties, { ...image("1.1.0"), endpoint: localhost() })).inputs;
    expect(await host.diff(first.id, first.properties, moved)).toMatchObject({ changes: true, replaces: [] });
    const updated = await host.update(first.id, first.properties, moved);
    expect(updated.properties).toMatchObject({ endpoint: localhost(), version: "1.1.0", state: "draft" });
    expect(count(offerId, "PUT", "offer")).toBe(1);

    // `pulumi up --replace` (or a rename): the new resource is created first and adopts the version...
    const replacement = await host.create(moved);
    expect(replacement.properties).toMatchObject({ alreadyPresent: true, version: "1.1.0" });
    // ...then the old one is deleted: the version stays, nothing is written.
    await host.delete(first.id, updated.properties);
    expect(versions()).toContain("1.1.0");
    expect(count(offerId, "PUT", "offer")).toBe(1);
    await host.printed("another resource of this deployment created or adopted it");

    // A destroy in a later deployment (a new provider process) removes it as before.
    const later = await ProviderHost.start();
    try {
      await later.configure({ "cloudpartner:accessToken": CANARY });
      await later.delete(replacement.id, replacement.properties);
    } finally {
      await later.stop();
    }
    expect(versions()).not.toContain("1.1.0");
    expect(count(offerId, "PUT", "offer")).toBe(2);
  });

  test("api ingestion: endpoint and apiVersion change in place; create-before-delete keeps the version", async () => {
    const template = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
    const offerId = "keep-version-ingestion";
    sim.ingestion.addProduct({
      ...template,
      externalId: offerId,
      guid: undefined,
      plans: [{ externalId: "main", technicalConfiguration: template?.plans?.[0]?.technicalConfiguration }],
    });
    const image = (endpoint: string, apiVersion?: string) => ({
      api: "ingestion",
      offerId,
      planId: "main",
      version: "9.2.0",
      images: [{ imageType: "x64Gen2", osDiskUri: sas("ing-keep-9.2.0") }],
      endpoint,
      ...(apiVersion ? { apiVersion } : {}),
      __provider: text.VmImageVersionProvider,
    });
    const versions = () =>
      (
        sim.ingestion.technicalConfiguration(offerId, "main") as {
          vmImageVersions: Array<{ versionNumber: string }>;
        }
      ).vmImageVersions.map((v) => v.versionNumber);
    const posts = () => sim.ingestion.configurePosts(offerId);
    const first = await host.create((await host.check({}, image(`${sim.url}/rp/product-ingestion`))).inputs);
    expect(versions()).toContain("9.2.0");
    expect(posts()).toBe(1);

    const moved = (
      await host.check(first.properties, image(`${localhost()}/rp/product-ingestion`, "2022-03-01-preview5"))
    ).inputs;
    expect(await host.diff(first.id, first.properties, moved)).toMatchObject({ changes: true, replaces: [] });
    const updated = await host.update(first.id, first.properties, moved);
    expect(updated.properties).toMatchObject({ apiVersion: "2022-03-01-preview5", state: "draft" });

    const replacement = await host.create(moved);
    expect(replacement.properties).toMatchObject({ alreadyPresent: true });
    await host.delete(first.id, updated.properties);
    expect(versions()).toContain("9.2.0");
    expect(posts()).toBe(1);
  });
});
