/**
 * Engine tier for the release pipeline: Pulumi's real dynamic provider host running the serialized
 * VmImageVersion, OfferPublish and OfferGoLive providers against the simulator. A new version is one write, one
 * publish (its `triggers` changed) and one go-live; the same program again sends nothing.
 */

import type { CppSimulator } from "../simulator/server";
import { withSimulator } from "../support/harness";
import { ProviderHost, serializedProvider } from "../support/provider-host";

const CANARY = "canary-token-image-8c1f0a";
const DAY = 86_400_000;
const T0 = Date.now();
let sim: CppSimulator;
let host: ProviderHost;
const text: Record<string, string> = {};

function sas(blob: string, sig = "SIGsecret") {
  const q = new URLSearchParams({
    sp: "rl",
    sr: "c",
    st: new Date(T0 - DAY).toISOString(),
    se: new Date(T0 + 20 * 365 * DAY).toISOString(),
    sig,
  });
  return `https://contoso.blob.core.windows.net/vhds/${blob}.vhd?${q}`;
}

beforeAll(async () => {
  sim = await withSimulator({ acceptedTokens: [CANARY] });
  for (const name of ["VmImageVersionProvider", "OfferPublishProvider", "OfferGoLiveProvider"] as const)
    text[name] = await serializedProvider(name);
  host = await ProviderHost.start();
  await host.configure({ "cloudpartner:accessToken": CANARY });
});

afterAll(async () => {
  await host?.stop();
  await sim?.close();
});

const count = (offerId: string, method: string, kind: string) =>
  sim.requests.filter((r) => r.offerId === offerId && r.method === method && r.kind === kind && r.processed)
    .length;

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
  const image = (version: string) => ({
    publisherId: "contoso",
    offerId,
    planId: `${offerId}-plan`,
    version,
    osVhdUrl: sas(`os-${version}`),
    endpoint: sim.url,
    __provider: text.VmImageVersionProvider,
  });
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
  const up = async (version: string) => {
    const img = await host.create((await host.check({}, image(version))).inputs);
    const pub = await host.create((await host.check({}, op("OfferPublishProvider", version))).inputs);
    const live = await host.create((await host.check({}, op("OfferGoLiveProvider", version))).inputs);
    return { img, pub, live };
  };
  const first = await up("1.1.0");
  expect(first.img.properties).toMatchObject({ version: "1.1.0", state: "draft", alreadyPresent: false });
  expect(first.pub.properties).toMatchObject({ awaitingSignoff: true, triggers: ["1.1.0"] });
  expect(first.live.properties).toMatchObject({ status: "succeeded" });
  expect([
    count(offerId, "PUT", "offer"),
    count(offerId, "POST", "publish"),
    count(offerId, "POST", "golive"),
  ]).toEqual([1, 1, 1]);

  // Second `pulumi up`, same program: the engine diffs each resource; nothing changes, nothing is sent.
  const before = sim.requests.length;
  for (const [olds, news] of [
    [first.img.properties, image("1.1.0")],
    [first.pub.properties, op("OfferPublishProvider", "1.1.0")],
    [first.live.properties, op("OfferGoLiveProvider", "1.1.0")],
  ] as const) {
    const checked = (await host.check(olds, news)).inputs;
    expect(await host.diff("id", olds, checked)).toMatchObject({ changes: false });
  }
  expect(sim.requests.length).toBe(before);
  // Refresh after the go-live: the version is live.
  expect((await host.read("id", first.img.properties)).properties).toMatchObject({
    state: "live",
    published: true,
  });

  // A new version: the image resource and, through triggers, the publish and the go-live are replaced.
  for (const [olds, news] of [
    [first.img.properties, image("1.2.0")],
    [first.pub.properties, op("OfferPublishProvider", "1.2.0")],
    [first.live.properties, op("OfferGoLiveProvider", "1.2.0")],
  ] as const) {
    const checked = (await host.check(olds, news)).inputs;
    const diff = await host.diff("id", olds, checked);
    expect(diff.replaces).toEqual([
      String(news.__provider).includes("VmImageVersion") ? "version" : "triggers",
    ]);
  }
  const second = await up("1.2.0");
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
