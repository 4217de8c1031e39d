/**
 * VmImageVersion with `api: "ingestion"` against the simulator: the whole technical configuration through
 * `configure` with every other version exactly as read, adoption on a re-run (no configure), portal edits between
 * read and write reported, refused deletes of published images, deprecation with a schedule, lost answers re-read.
 */

import { defaultIngestionSeed } from "../../emulator/server";
import { StaticTokenProvider } from "../../provider/core/auth";
import { ConcurrentEditError, ImageVersionError } from "../../provider/core/errors";
import { IngestionImageBackend } from "../../provider/ingestion/images";
import { TOKEN } from "../support/harness";
import { clockDaysAgo, expiringSas, imageProviderSuite, sas as sasOf } from "../support/images";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const GALLERY_VERSION =
  "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1/images/linux/versions/9.2.0";
let counter = 0;
// biome-ignore lint/suspicious/noExplicitAny: tests index into the resource freely
type Json = Record<string, any>;

const suite = imageProviderSuite({ jobPollIntervalMs: 5 });
const { provider } = suite;
const sas = (blob: string, sig = "SECRETsig") => sasOf(blob, sig);

/** A live product like the seeded `ing-images-offer`: a deprecated version with a schedule, skus, vmProperties. */
function newProduct(): string {
  const template = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
  const externalId = `ing-img-${++counter}`;
  const plan = template?.plans?.[0];
  suite.sim.ingestion.addProduct({
    ...template,
    externalId,
    guid: undefined,
    plans: [{ externalId: "main", technicalConfiguration: plan?.technicalConfiguration }],
  });
  return externalId;
}

const inputs = (offerId: string, extra: Record<string, unknown> = {}) => ({
  api: "ingestion",
  offerId,
  planId: "main",
  version: "9.2.0",
  images: [{ imageType: "x64Gen2", osDiskUri: sas("os-9.2.0") }],
  endpoint: `${suite.sim.url}/rp/product-ingestion`,
  ...extra,
});

const draft = (offerId: string): Json => suite.sim.ingestion.technicalConfiguration(offerId, "main") as Json;
const posts = (offerId: string) => suite.sim.ingestion.configurePosts(offerId);

describe("create", () => {
  test("adds the version with one configure; every other version (the deprecated one and its schedule) comes back byte for byte", async () => {
    const offerId = newProduct();
    const before = draft(offerId);
    const { id, outs } = await provider().create(inputs(offerId));
    expect(id).toBe(`${offerId}/main/9.2.0`);
    expect(outs).toMatchObject({ state: "draft", published: false, alreadyPresent: false });
    expect(outs.planIds[0]).toMatch(/^plan\//);
    expect(outs.planIds[1]).toMatch(/^virtual-machine-plan-technical-configuration\//);
    expect(posts(offerId)).toBe(1);
    const after = draft(offerId);
    expect(JSON.stringify(after.vmImageVersions.slice(0, 2))).toBe(JSON.stringify(before.vmImageVersions));
    expect(after.vmImageVersions[2]).toEqual({
      versionNumber: "9.2.0",
      vmImages: [
        {
          imageType: "x64Gen2",
          source: { sourceType: "sasUri", osDisk: { uri: sas("os-9.2.0") }, dataDisks: [] },
        },
      ],
    });
    const { vmImageVersions: _a, ...restAfter } = after;
    const { vmImageVersions: _b, ...restBefore } = before;
    expect(JSON.stringify(restAfter)).toBe(JSON.stringify(restBefore));
    expect(suite.lines.join("\n")).not.toContain("SECRETsig");
  });

  test("a re-run with the same image (re-generated SAS) adopts it: 0 configure POSTs", async () => {
    const offerId = newProduct();
    await provider().create(inputs(offerId));
    expect(posts(offerId)).toBe(1);
    const again = await provider().create(
      inputs(offerId, { images: [{ imageType: "x64Gen2", osDiskUri: sas("os-9.2.0", "OTHERsig") }] }),
    );
    expect(again.outs.alreadyPresent).toBe(true);
    expect(posts(offerId)).toBe(1);
    expect(suite.lines.join("\n")).toMatch(/already in the draft with this image; nothing to write/);
  });

  test("a gallery image version and two image types; data disks as {lunNumber, uri}", async () => {
    const offerId = newProduct();
    await provider().create(
      inputs(offerId, {
        images: [
          { imageType: "x64Gen2", sharedImage: { tenantId: TENANT, resourceId: GALLERY_VERSION } },
          { imageType: "x64Gen1", osDiskUri: sas("os-g1"), dataDisks: [{ lun: 0, uri: sas("data-0") }] },
        ],
      }),
    );
    expect(draft(offerId).vmImageVersions[2].vmImages).toEqual([
      {
        imageType: "x64Gen2",
        source: {
          sourceType: "sharedImageGallery",
          sharedImage: { tenantId: TENANT, resourceId: GALLERY_VERSION },
        },
      },
      {
        imageType: "x64Gen1",
        source: {
          sourceType: "sasUri",
          osDisk: { uri: sas("os-g1") },
          dataDisks: [{ lunNumber: 0, uri: sas("data-0") }],
        },
      },
    ]);
  });

  test("an image type without a SKU is refused before anything is sent", async () => {
    const offerId = newProduct();
    await expect(
      provider().create(inputs(offerId, { images: [{ imageType: "arm64Gen2", osDiskUri: sas("arm") }] })),
    ).rejects.toThrow(
      /has no SKU for image type arm64Gen2: its SKUs are main \(x64Gen2\), main-gen1 \(x64Gen1\)|has no SKU for image type arm64Gen2/,
    );
    expect(posts(offerId)).toBe(0);
  });

  test("same number, different image: replaced while never published; a published one is a clear error", async () => {
    const offerId = newProduct();
    await provider().create(inputs(offerId));
    const replaced = await provider().create(
      inputs(offerId, { images: [{ imageType: "x64Gen2", osDiskUri: sas("os-9.2.0-rebuilt") }] }),
    );
    expect(replaced.outs.alreadyPresent).toBe(false);
    expect(draft(offerId).vmImageVersions[2].vmImages[0].source.osDisk.uri).toBe(sas("os-9.2.0-rebuilt"));
    expect(posts(offerId)).toBe(2);
    const published = provider().create(
      inputs(offerId, { version: "9.1.20240101", images: [{ imageType: "x64Gen2", osDiskUri: sas("x") }] }),
    );
    await expect(published).rejects.toThrow(ImageVersionError);
    await expect(published).rejects.toThrow(/already published \(live\).*give the new image a new version/);
    expect(posts(offerId)).toBe(2);
  });
});

describe("concurrency and failures", () => {
  test("a portal edit between the read and the write is reported with what changed, never overwritten", async () => {
    const offerId = newProduct();
    suite.sim.ingestion.portalEdit(
      offerId,
      "main",
      { vmProperties: { supportsHibernation: true }, removeVersions: [] },
      { afterNextRead: true },
    );
    const attempt = provider().create(inputs(offerId));
    await expect(attempt).rejects.toThrow(ConcurrentEditError);
    await expect(attempt).rejects.toThrow(/was changed by someone else since it was read: vmProperties: /);
    expect(posts(offerId)).toBe(0);
    expect(draft(offerId).vmProperties.supportsHibernation).toBe(true);
    // Run again: the edit is now part of what is read, and kept.
    await provider().create(inputs(offerId));
    expect(draft(offerId).vmProperties.supportsHibernation).toBe(true);
    expect(posts(offerId)).toBe(1);
  });

  test("a configure whose answer was lost is re-read: found applied, never sent again", async () => {
    const offerId = newProduct();
    suite.sim.setFaults("ingestion", offerId, [
      { type: "resetAfterProcessing", match: { method: "POST", kind: "configure" } },
    ]);
    const { outs } = await provider().create(inputs(offerId));
    expect(outs.state).toBe("draft");
    expect(posts(offerId)).toBe(1);
    expect(suite.lines.join("\n")).toMatch(/may have been applied; re-reading the technical configuration/);
    expect(suite.lines.join("\n")).toMatch(/the answer was lost and a re-read showed the write applied/);
  });

  test("a configure lost before processing is re-read: untouched, sent once more", async () => {
    const offerId = newProduct();
    suite.sim.setFaults("ingestion", offerId, [
      { type: "reset", match: { method: "POST", kind: "configure" } },
    ]);
    await provider().create(inputs(offerId));
    expect(posts(offerId)).toBe(1);
    expect(draft(offerId).vmImageVersions).toHaveLength(3);
  });
});

describe("delete", () => {
  test("a never-published version is removed; the deprecated one stays as it was", async () => {
    const offerId = newProduct();
    const before = draft(offerId);
    const { outs } = await provider().create(inputs(offerId));
    await provider().delete("id", outs);
    expect(JSON.stringify(draft(offerId).vmImageVersions)).toBe(JSON.stringify(before.vmImageVersions));
    expect(posts(offerId)).toBe(2);
  });

  test("a published version is kept without deprecation; with one it is deprecated on its schedule", async () => {
    const offerId = newProduct();
    const props = { ...inputs(offerId, { version: "9.1.20240101" }) };
    const { outs } = await provider().create({
      ...props,
      images: [
        { imageType: "x64Gen2", osDiskUri: sas("os-9.1.20240101-gen2") },
        { imageType: "x64Gen1", osDiskUri: sas("os-9.1.20240101") },
      ],
    });
    expect(outs).toMatchObject({ alreadyPresent: true, state: "live", published: true });
    await provider().delete("id", outs);
    expect(suite.lines.join("\n")).toMatch(/keeping image version 9.1.20240101.*Set deprecation/);
    expect(posts(offerId)).toBe(0);
    // The only active version: Partner Center needs one, so not even a deprecation takes it.
    const deprecation = { dateOffset: "P30D", reason: "endOfSupport" };
    await provider().delete("id", { ...outs, deprecation });
    expect(suite.lines.join("\n")).toMatch(/last active image/);
    expect(posts(offerId)).toBe(0);
    // With a newer version in place, the deprecation is written with its schedule.
    await provider().create(inputs(offerId));
    await provider().delete("id", { ...outs, deprecation });
    expect(draft(offerId).vmImageVersions[1]).toMatchObject({
      versionNumber: "9.1.20240101",
      lifecycleState: "deprecated",
      deprecationSchedule: deprecation,
    });
    expect(draft(offerId).vmImageVersions[0].deprecationSchedule.date).toBe("2026-03-01T00:00:00");
  });

  test("the API's refusal to delete a published image (job error) is the clear refused-delete error", async () => {
    const offerId = newProduct();
    await provider().create(inputs(offerId));
    const backend = new IngestionImageBackend({
      offerId,
      endpoint: `${suite.sim.url}/rp/product-ingestion`,
      tokenProvider: new StaticTokenProvider(TOKEN),
      transport: suite.transport,
      jobPollIntervalMs: 5,
    });
    const plan = await backend.readPlan("main");
    // Removing the published 9.1 (the backend is asked directly: the provider would keep it).
    const attempt = backend.removeVersion({
      planId: "main",
      version: "9.1.20240101",
      mode: "remove",
      expected: plan.versions.get("9.1.20240101"),
      token: plan.token,
    });
    await expect(attempt).rejects.toThrow(ImageVersionError);
    await expect(attempt).rejects.toThrow(
      /image version 9\.1\.20240101 \(X64Gen2\) is already published, and published images cannot be deleted \(badRequest: Cannot delete image '9\.1\.20240101' of type 'X64Gen2' as it is already published\..*Failure for resource: virtual-machine-plan-technical-configuration-0.*set deprecation/,
    );
    expect(draft(offerId).vmImageVersions.map((v: Json) => v.versionNumber)).toContain("9.1.20240101");
  });

  test("the same refusal as a request error: the provider logs it and removes the resource from the stack only", async () => {
    const offerId = newProduct();
    const { outs } = await provider().create(inputs(offerId));
    suite.sim.ingestion.refuseNext(offerId, {
      message: "Cannot delete image '9.2.0' of type 'X64Gen2' as it is already published.",
      details: [
        {
          code: "invalidResource",
          message: "Failure for resource: virtual-machine-plan-technical-configuration-0",
        },
      ],
    });
    await provider().delete("id", outs);
    expect(suite.lines.join("\n")).toMatch(
      /image version 9\.2\.0 \(X64Gen2\) is already published, and published images cannot be deleted.*The resource is removed from the stack only/,
    );
    expect(draft(offerId).vmImageVersions).toHaveLength(3);
  });
});

describe("$schema on write", () => {
  const VM = "virtual-machine-plan-technical-configuration";
  afterEach(() => suite.sim.reset());

  test("a newer preview that requires a property is read; the write uses the pinned schema and is accepted", async () => {
    suite.sim.ingestion.updateSchemas({
      schemaVersions: { [VM]: ["2022-03-01-preview9"], [`core-${VM}`]: ["2022-03-01-preview9"] },
      schemaRequirements: {
        [`${VM}/2022-03-01-preview9`]: ["imageSecurityProfile"],
        [`core-${VM}/2022-03-01-preview9`]: ["imageSecurityProfile"],
      },
    });
    const offerId = newProduct();
    const { outs } = await provider().create(inputs(offerId));
    expect(outs).toMatchObject({ alreadyPresent: false });
    expect(posts(offerId)).toBe(1);
    expect(draft(offerId).vmImageVersions.map((v: Json) => v.versionNumber)).toContain("9.2.0");

    // Core VM offers: their own type, pinned too.
    const template = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
    const core = `ing-img-core-${++counter}`;
    suite.sim.ingestion.addProduct({
      ...template,
      externalId: core,
      guid: undefined,
      plans: [
        {
          externalId: "main",
          technicalConfiguration: { ...template?.plans?.[0]?.technicalConfiguration, core: true },
        },
      ],
    });
    expect(draft(core).id).toMatch(/^core-virtual-machine-plan-technical-configuration\//);
    await provider().create(inputs(core));
    expect(draft(core).vmImageVersions.map((v: Json) => v.versionNumber)).toContain("9.2.0");
  });

  test("the pinned schema itself requiring a property: the error names the schema, what it wants and what to do", async () => {
    suite.sim.ingestion.updateSchemas({
      schemaRequirements: { [`${VM}/2022-03-01-preview5`]: ["imageSecurityProfile"] },
    });
    const offerId = newProduct();
    const error = await provider()
      .create(inputs(offerId))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageVersionError);
    expect((error as Error).message).toMatch(
      /Partner Center refused to add image version 9\.2\.0 to plan main .*Required properties \["imageSecurityProfile"\] were not present.*virtual-machine-plan-technical-configuration schema 2022-03-01-preview5 .*the version pulumi-cloudpartner writes, now requires "imageSecurityProfile".*Update pulumi-cloudpartner/,
    );
    expect((error as Error).message).not.toMatch(/fix what it names/);
    expect(posts(offerId)).toBe(1);
    expect(draft(offerId).vmImageVersions).toHaveLength(2);
  });
});

describe("drafts a run must not get stuck on", () => {
  test("a version whose draft entry is marked deleted is restored (generallyAvailable), said so, and not written again", async () => {
    const offerId = newProduct();
    const wire = {
      imageType: "x64Gen2",
      source: { sourceType: "sasUri", osDisk: { uri: sas("os-9.2.0") }, dataDisks: [] },
    };
    suite.sim.ingestion.portalEdit(offerId, "main", {
      vmImageVersions: [{ versionNumber: "9.2.0", lifecycleState: "deleted", vmImages: [wire] }],
    });
    const { outs } = await provider().create(inputs(offerId));
    expect(posts(offerId)).toBe(1);
    expect(outs).toMatchObject({ state: "draft", alreadyPresent: false });
    const entries = draft(offerId).vmImageVersions.filter((v: Json) => v.versionNumber === "9.2.0");
    expect(entries).toEqual([
      { versionNumber: "9.2.0", lifecycleState: "generallyAvailable", vmImages: [wire] },
    ]);
    expect(suite.lines.join("\n")).toMatch(
      /restored image version 9\.2\.0 of plan main, whose draft entry was marked lifecycleState "deleted": it is generallyAvailable again with x64Gen2 OS disk https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/os-9\.2\.0\.vhd/,
    );
    expect(suite.lines.join("\n")).not.toMatch(/: added \(/);
    // The next run finds it in the draft: adopted, nothing sent; a refresh reads it as a draft version.
    expect((await provider().create(inputs(offerId))).outs).toMatchObject({ alreadyPresent: true });
    expect((await provider().read("id", outs)).props).toMatchObject({ state: "draft" });
    expect(posts(offerId)).toBe(1);
  });

  test("a plan deleted from the draft: refresh removes the resource saying so; destroy succeeds with a note", async () => {
    const offerId = newProduct();
    const { outs } = await provider().create(inputs(offerId));
    suite.sim.ingestion.removePlan(offerId, "main");
    expect(await provider().read(`${offerId}/main/9.2.0`, outs)).toEqual({ id: "", props: {} });
    expect(suite.lines.at(-1)).toMatch(
      new RegExp(
        `plan main is no longer in the draft \\(Offer ${offerId} has no plan main.*\\); removing ${offerId}/main/9\\.2\\.0 from the stack\\.`,
      ),
    );
    await provider().delete(`${offerId}/main/9.2.0`, outs);
    expect(suite.lines.at(-1)).toMatch(
      /is not in the draft either: nothing to remove; .* is removed from the stack\./,
    );
    expect(posts(offerId)).toBe(1);
  });

  test("a deployed SAS nearing expiry fails nothing that does not write it; a new one is checked", async () => {
    const offerId = newProduct();
    const uris = {
      "os-9.2.0": expiringSas("os-9.2.0", "SECRETsig", 10.5),
      "os-9.2.1": expiringSas("os-9.2.1", "SECRETsig", 10.5),
    };
    const images = (blob: keyof typeof uris) => [{ imageType: "x64Gen2", osDiskUri: uris[blob] }];
    const { outs } = await provider({ clock: clockDaysAgo(20) }).create(
      inputs(offerId, { images: images("os-9.2.0") }),
    );
    const p = provider();
    expect(
      (await p.check({}, inputs(offerId, { images: images("os-9.2.0") }))).failures?.[0]?.reason,
    ).toMatch(
      /images\[0\]\.osDiskUri \(https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/os-9\.2\.0\.vhd\) expires in 10 day/,
    );
    expect((await p.check(outs, inputs(offerId, { images: images("os-9.2.0") }))).failures).toEqual([]);
    const moved = inputs(offerId, { images: images("os-9.2.0"), apiVersion: "2022-03-01-preview5" });
    expect((await p.update("id", outs, moved)).outs).toMatchObject({ apiVersion: "2022-03-01-preview5" });
    expect((await p.check(outs, inputs(offerId, { images: images("os-9.2.1") }))).failures).toHaveLength(1);
    expect(posts(offerId)).toBe(1);
  });
});
