/**
 * `cloudpartner:index:VmImageVersion` through the native plugin over gRPC, as the engine drives it, against the
 * simulator: the SAS URIs come back as secrets even when the program sent them plain, a create writes the version
 * once, the same version with the same image is adopted with no write, and nothing is sent in preview.
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { sasUri } from "../../scripts/lib/release";
import { IMAGE, isSecret, NativeHost, nativeHostSuite, secret } from "../support/native-host";

const CANARY = "canary-native-image-token-41c2";
/** SAS URIs start a day before this. */
const T0 = Date.now();
let sim: CppSimulator;
let host: NativeHost;
let counter = 0;

nativeHostSuite(CANARY, (suite) => {
  ({ sim, host } = suite);
});

afterEach(() => {
  expect(host.transcript().includes(CANARY)).toBe(false);
});

function newOffer(): string {
  const offerId = `native-image-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, state: "live" });
  return offerId;
}

/** Image inputs as a YAML or Go program may send them: the SAS URIs not marked secret. */
function inputs(offerId: string, version = "1.1.0") {
  return {
    publisherId: "contoso",
    offerId,
    planId: `${offerId}-plan`,
    version,
    osVhdUrl: sasUri("contoso", `os-${version}`, T0),
    dataDisks: [],
  };
}

const writes = (offerId: string) =>
  sim.requests.filter((r) => r.offerId === offerId && r.method === "PUT" && r.kind === "offer").length;
const appliedWrites = (offerId: string) =>
  sim.requests.filter((r) => r.offerId === offerId && r.method === "PUT" && r.kind === "offer" && r.processed)
    .length;

/** Resolves once `predicate` holds, checked every 5 ms. */
async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !predicate(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test("check marks the SAS URIs secret and refuses a bad one with the blob path only", async () => {
  const offerId = newOffer();
  const ok = await host.check(IMAGE, {}, inputs(offerId));
  expect(ok.failures).toEqual([]);
  expect(isSecret(ok.inputs.osVhdUrl)).toBe(true);
  expect(isSecret(ok.inputs.dataDisks)).toBe(true);
  expect(ok.inputs).toMatchObject({ endpoint: sim.url, api: "cpp", deprecate: false });

  const bad = await host.check(
    IMAGE,
    {},
    { ...inputs(offerId), osVhdUrl: secret(sasUri("contoso", "os").replace("sp=rl", "sp=rw")) },
  );
  expect(bad.failures.map((f) => f.property)).toEqual(["osVhdUrl"]);
  expect(bad.failures[0]?.reason).toMatch(/vhds\/os\.vhd\) must grant read and list only/);
  expect(JSON.stringify(bad.failures)).not.toContain("sig=");
});

test("create writes the version once, SAS outputs are secrets; a re-run adopts it with 0 writes", async () => {
  const offerId = newOffer();
  const news = (await host.check(IMAGE, {}, inputs(offerId))).inputs;

  const before = sim.requests.length;
  const preview = await host.create(IMAGE, news, { preview: true });
  expect(sim.requests.length).toBe(before);
  expect(isSecret(preview.properties.osVhdUrl)).toBe(true);

  const { id, properties } = await host.create(IMAGE, news);
  expect(id).toBe(`contoso/${offerId}/${offerId}-plan/1.1.0`);
  expect(properties).toMatchObject({
    version: "1.1.0",
    planIds: [`${offerId}-plan`],
    state: "draft",
    published: false,
    alreadyPresent: false,
  });
  expect(isSecret(properties.osVhdUrl)).toBe(true);
  expect(properties.osVhdUrl.value).toBe(inputs(offerId).osVhdUrl);
  expect(isSecret(properties.dataDisks)).toBe(true);
  expect(isSecret(properties.version)).toBe(false);
  expect(writes(offerId)).toBe(1);
  const draft = sim.draft("contoso", offerId) as { plans: Array<Record<string, Record<string, unknown>>> };
  expect(Object.keys(draft.plans[0]?.["microsoft-azure-virtualmachines.vmImages"] ?? {}).sort()).toEqual([
    "1.0.0",
    "1.1.0",
  ]);

  // The same program again: the engine's diff finds nothing to do, and sends nothing.
  const sent = sim.requests.length;
  expect((await host.diff(IMAGE, id, properties, news)).none).toBe(true);
  expect(sim.requests.length).toBe(sent);

  // A re-run that lost its state (a new stack, `pulumi import`-less adoption): the version is already there
  // with this image (a re-generated SAS of the same blob), so it is adopted without a write.
  const regenerated = sasUri("contoso", "os-1.1.0", T0 - 3_600_000);
  expect(regenerated).not.toBe(inputs(offerId).osVhdUrl);
  const again = (await host.check(IMAGE, {}, { ...inputs(offerId), osVhdUrl: secret(regenerated) })).inputs;
  const adopted = await host.create(IMAGE, again);
  expect(adopted.id).toBe(id);
  expect(adopted.properties).toMatchObject({ alreadyPresent: true, state: "draft" });
  expect(isSecret(adopted.properties.osVhdUrl)).toBe(true);
  expect(writes(offerId)).toBe(1);
  await host.host.printed(
    `[contoso/${offerId}] image version 1.1.0 of plan ${offerId}-plan is already in the draft`,
  );

  // Progress lines name the blob, never the signature.
  expect(host.host.stdout + host.host.stderr).toContain("vhds/os-1.1.0.vhd");
  expect(host.host.stdout + host.host.stderr).not.toContain("sig=");
});

test("update of a never-published image keeps its outputs secret; import by id is refused with what to do", async () => {
  const offerId = newOffer();
  const news = (await host.check(IMAGE, {}, inputs(offerId))).inputs;
  const { id, properties } = await host.create(IMAGE, news);
  const other = (
    await host.check(IMAGE, {}, { ...inputs(offerId), osVhdUrl: sasUri("contoso", "os-1.1.0-fixed") })
  ).inputs;
  const diff = await host.diff(IMAGE, id, properties, other);
  expect(diff).toMatchObject({ changes: true, replaces: [] });
  expect(diff.detailed).toEqual({ osVhdUrl: "UPDATE" });
  const updated = await host.update(IMAGE, id, properties, other);
  expect(isSecret(updated.properties.osVhdUrl)).toBe(true);
  expect(updated.properties.osVhdUrl.value).toContain("vhds/os-1.1.0-fixed.vhd");
  expect(writes(offerId)).toBe(2);

  const refused = await host.read(IMAGE, id).catch((e: Error) => e);
  expect((refused as Error).message).toMatch(/not imported by id.*adopts a version already in the draft/);
});

describe("Cancel and customTimeouts stop a write", () => {
  afterEach(() => sim.releaseHeld());

  test("Cancel mid-write (CPP offer PUT) returns within 1 s; the next run adopts what the write applied", async () => {
    const offerId = newOffer();
    sim.setFaults("contoso", offerId, [
      { type: "hang", untilReleased: true, match: { method: "PUT", kind: "offer" } },
    ]);
    const news = (await host.check(IMAGE, {}, { ...inputs(offerId), requestTimeoutSeconds: 3600 })).inputs;
    const pending = host.create(IMAGE, news).catch((e: unknown) => e);
    await until(() => writes(offerId) === 1, "the held PUT");
    const canceledAt = Date.now();
    await host.cancel();
    const error = (await pending) as Error;
    expect(Date.now() - canceledAt).toBeLessThan(1000);
    expect(error.message).toMatch(
      /The Pulumi engine canceled the deployment during the create of image version 1\.1\.0 of plan native-image-\d+-plan \(offer contoso\/native-image-\d+\) after [\d.]+ s: .*A write in flight may still be applied\. Run `pulumi up` again: it re-reads the plan/,
    );
    // The API applies the write after all; the next `pulumi up` finds it and sends nothing more.
    sim.releaseHeld();
    await until(() => appliedWrites(offerId) === 1, "the released PUT");
    sim.setFaults("contoso", offerId, []);
    const again = await host.create(IMAGE, news);
    expect(again.properties).toMatchObject({ alreadyPresent: true, version: "1.1.0" });
    expect(writes(offerId)).toBe(1);
  });

  test("Cancel mid-delete returns within 1 s", async () => {
    const offerId = newOffer();
    const news = (await host.check(IMAGE, {}, { ...inputs(offerId), requestTimeoutSeconds: 3600 })).inputs;
    const { id, properties } = await host.create(IMAGE, news);
    sim.setFaults("contoso", offerId, [
      { type: "hang", untilReleased: true, match: { method: "PUT", kind: "offer" } },
    ]);
    // Another deployment's destroy: a provider that did not create it (see the engine tier for the same one).
    const other = await NativeHost.start();
    try {
      await other.configure({ accessToken: secret(CANARY), endpoint: sim.url, version: "0.1.0" });
      const pending = other.delete(IMAGE, id, properties).catch((e: unknown) => e);
      await until(() => writes(offerId) === 2, "the held PUT");
      const canceledAt = Date.now();
      await other.cancel();
      const error = (await pending) as Error;
      expect(Date.now() - canceledAt).toBeLessThan(1000);
      expect(error.message).toMatch(
        /canceled the deployment during the delete of image version 1\.1\.0.*Run `pulumi destroy`/,
      );
      expect(other.transcript().includes(CANARY)).toBe(false);
    } finally {
      sim.setFaults("contoso", offerId, []);
      await other.stop();
    }
  });

  test("the request's timeout (customTimeouts) ends an ingestion configure in flight, naming that limit", async () => {
    const template = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
    const offerId = `native-ingestion-image-${++counter}`;
    sim.ingestion.addProduct({
      ...template,
      externalId: offerId,
      guid: undefined,
      plans: [{ externalId: "main", technicalConfiguration: template?.plans?.[0]?.technicalConfiguration }],
    });
    sim.setFaults("ingestion", offerId, [
      { type: "hang", untilReleased: true, match: { method: "POST", kind: "configure" } },
    ]);
    const news = (
      await host.check(
        IMAGE,
        {},
        {
          api: "ingestion",
          offerId,
          planId: "main",
          version: "9.2.0",
          images: [{ imageType: "x64Gen2", osDiskUri: sasUri("contoso", "ing-9.2.0", T0) }],
          endpoint: `${sim.url}/rp/product-ingestion`,
          requestTimeoutSeconds: 3600,
        },
      )
    ).inputs;
    const startedAt = Date.now();
    const error = (await host.create(IMAGE, news, { timeout: 1 }).catch((e: unknown) => e)) as Error;
    const tookMs = Date.now() - startedAt;
    expect(tookMs).toBeGreaterThanOrEqual(900);
    expect(tookMs).toBeLessThan(2000);
    expect(sim.ingestion.configurePosts(offerId)).toBe(0); // held: not processed
    expect(error.message).toMatch(
      new RegExp(
        `The resource option customTimeouts\\.create ended the create of image version 9\\.2\\.0 of plan main \\(offer ${offerId}\\) after [\\d.]+ s: .*To give it longer, raise customTimeouts\\.create\\.`,
      ),
    );
    sim.setFaults("ingestion", offerId, []);
  });
});
