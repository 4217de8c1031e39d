/**
 * VmImageVersion's provider against the simulator: the whole-document write with the ETag read, adoption on a
 * re-run, ETag races, portal edits of the version itself, the version rules, delete and deprecate, and writes
 * whose answer was lost.
 */

import { SEED_SAS } from "../../emulator/store";
import { ConcurrentEditError, ImageVersionError } from "../../provider/core/errors";
import { clockDaysAgo, expiringSas, imageProviderSuite, sas as sasOf } from "../support/images";

let counter = 0;

const suite = imageProviderSuite();
const { provider } = suite;
const sas = (blob: string, sig = "SECRETsig") => sasOf(blob, sig);

const CORE_IMAGES = "microsoft-azure-corevm.vmImagesPublicAzure";
const VM_IMAGES = "microsoft-azure-virtualmachines.vmImages";
const seedUrl = (name: string) => `https://contoso.blob.core.windows.net/vhds/${name}.vhd?${SEED_SAS}`;

/** An offer with two plans (the first with a gen2 sub-plan), two published versions and a deprecated-style hidden one. */
function newOffer(options: { core?: boolean; state?: "published" | "neverPublished" } = {}): string {
  const offerId = `images-${++counter}`;
  const key = options.core ? CORE_IMAGES : VM_IMAGES;
  const entry = (v: string) =>
    options.core
      ? {
          mediaName: `m-${v}`,
          showInGui: v !== "1.0.0",
          publishedDate: "01/02/2026",
          label: `L ${v}`,
          description: `D ${v}`,
          osVhdUrl: seedUrl(v),
          lunVhdDetails: [],
        }
      : { osVhdUrl: seedUrl(v), lunVhdDetails: [] };
  suite.sim.addOffer({
    publisherId: "contoso",
    offerId,
    state: options.state ?? "published",
    ...(options.core ? { offerTypeId: "microsoft-azure-corevm" } : {}),
    definition: {
      displayText: "Images",
      offer: {
        "microsoft-azure-marketplace.title": "t",
        "microsoft-azure-corevm.legacyOfferId": "legacy",
        "x-unknown": { keep: [1, "2", null] },
      },
      plans: [
        {
          planId: "main",
          "x-plan-field": 42.5,
          [key]: { "1.0.0": entry("1.0.0"), "1.1.0": entry("1.1.0") },
          diskGenerations: [
            {
              planId: "main-gen2",
              [`${options.core ? "microsoft-azure-corevm" : "microsoft-azure-virtualmachines"}.generation`]:
                "2",
              [key]: { "1.1.0": entry("1.1.0-gen2") },
            },
          ],
        },
        { planId: "other", [key]: { "3.0.0": entry("3.0.0") } },
      ],
    },
  });
  return offerId;
}

const inputs = (offerId: string, extra: Record<string, unknown> = {}) => ({
  publisherId: "contoso",
  offerId,
  planId: "main",
  version: "1.2.0",
  osVhdUrl: sas("os-1.2.0"),
  endpoint: suite.sim.url,
  ...extra,
});

const puts = (offerId: string) =>
  suite.sim.requests.filter((r) => r.method === "PUT" && r.offerId === offerId);
const processedPuts = (offerId: string) => puts(offerId).filter((r) => r.processed && r.status === 200);
// biome-ignore lint/suspicious/noExplicitAny: tests index into the offer document freely
const plan = (offerId: string, id: string): any => {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const plans = (suite.sim.draft("contoso", offerId)?.plans ?? []) as any[];
  return plans.flatMap((p) => [p, ...(p.diskGenerations ?? [])]).find((p) => p.planId === id);
};

describe("create", () => {
  test("adds the version with one PUT carrying the ETag read; every other byte of the offer is kept", async () => {
    const offerId = newOffer();
    const before = suite.sim.draft("contoso", offerId) as Record<string, unknown>;
    const etag = suite.sim.offer("contoso", offerId)?.etag;
    const { outs } = await provider().create(inputs(offerId));
    expect(outs).toMatchObject({
      state: "draft",
      published: false,
      alreadyPresent: false,
      planIds: ["main", "main-gen2"],
    });
    const [put] = puts(offerId);
    expect(puts(offerId)).toHaveLength(1);
    expect(put?.headers["if-match"]).toBe(etag);
    expect(put?.headers["if-match"]).not.toBe("*");
    const after = suite.sim.draft("contoso", offerId) as Record<string, unknown>;
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const added = (after.plans as any[])[0][VM_IMAGES]["1.2.0"];
    expect(added).toEqual({ osVhdUrl: sas("os-1.2.0"), lunVhdDetails: [] });
    // Remove what was added and what is documented as not writable: the rest is identical, byte for byte.
    // biome-ignore lint/suspicious/noExplicitAny: as above
    delete (after.plans as any[])[0][VM_IMAGES]["1.2.0"];
    // biome-ignore lint/suspicious/noExplicitAny: as above
    expect((after.offer as any)["microsoft-azure-corevm.legacyOfferId"]).toBeUndefined();
    // biome-ignore lint/suspicious/noExplicitAny: as above
    delete (before.offer as any)["microsoft-azure-corevm.legacyOfferId"];
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    expect(suite.lines.join("\n")).not.toContain("SECRETsig");
  });

  test("a re-run with the same version and a re-generated SAS adopts it: no PUT", async () => {
    const offerId = newOffer();
    await provider().create(inputs(offerId));
    const { outs } = await provider().create(inputs(offerId, { osVhdUrl: sas("os-1.2.0", "OTHERsig") }));
    expect(outs.alreadyPresent).toBe(true);
    expect(puts(offerId)).toHaveLength(1);
    expect(suite.lines.at(-1) ?? "").not.toContain("OTHERsig");
  });

  test("diskGenerations: the sub-plan gets the version too; an unknown sub-plan is named", async () => {
    const offerId = newOffer();
    await provider().create(inputs(offerId, { diskGenerations: ["main-gen2"] }));
    expect(plan(offerId, "main-gen2")[VM_IMAGES]["1.2.0"].osVhdUrl).toBe(sas("os-1.2.0"));
    await expect(
      provider().create(inputs(offerId, { version: "1.3.0", diskGenerations: ["gen9"] })),
    ).rejects.toThrow(/no generation sub-plan gen9.*its sub-plans are main-gen2/);
  });

  test("version rules: must be greater than every earlier version; same data-disk count", async () => {
    const offerId = newOffer();
    const error = await provider()
      .create(inputs(offerId, { version: "1.0.5" }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ImageVersionError);
    expect(error.message).toMatch(/must be greater than every earlier version; the highest is 1\.1\.0/);
    await expect(
      provider().create(inputs(offerId, { dataDisks: [{ lun: 0, uri: sas("data-0") }] })),
    ).rejects.toThrow(/has 1 data disk\(s\), but the plan's earlier versions have 0/);
    expect(puts(offerId)).toHaveLength(0);
  });

  test("a published version with another image: a clear error, nothing written", async () => {
    const offerId = newOffer();
    await expect(provider().create(inputs(offerId, { version: "1.1.0" }))).rejects.toThrow(
      /1\.1\.0 of plan main .*already published \(preview\) with another image: osVhdUrl: https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/1\.1\.0\.vhd → https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/os-1\.2\.0\.vhd.*give the new image a new version/,
    );
    expect(puts(offerId)).toHaveLength(0);
  });

  test("core VM offers: the entry carries label, description, mediaName and showInGui", async () => {
    const offerId = newOffer({ core: true });
    await provider().create(
      inputs(offerId, { label: "Contoso 1.2", mediaName: "contoso-1-2-0", diskGenerations: ["main-gen2"] }),
    );
    expect(plan(offerId, "main")[CORE_IMAGES]["1.2.0"]).toEqual({
      mediaName: "contoso-1-2-0",
      showInGui: true,
      publishedDate: "",
      label: "Contoso 1.2",
      description: "Contoso 1.2",
      osVhdUrl: sas("os-1.2.0"),
      lunVhdDetails: [],
    });
    // The sub-plan's mediaName ends in -<subPlanId>, as SUSE's and mash's writes do.
    expect(plan(offerId, "main-gen2")[CORE_IMAGES]["1.2.0"].mediaName).toBe("contoso-1-2-0-main-gen2");
  });
});

describe("concurrency", () => {
  test("a portal edit between read and write: 412, re-read, re-applied; the edit is kept", async () => {
    const offerId = newOffer();
    suite.sim.portalEdit(
      "contoso",
      offerId,
      { displayText: "edited in the portal" },
      { beforeNextPut: true },
    );
    await provider().create(inputs(offerId));
    expect(puts(offerId).map((r) => r.status)).toEqual([412, 200]);
    const draft = suite.sim.draft("contoso", offerId) as Record<string, unknown>;
    expect(draft.displayText).toBe("edited in the portal");
    expect(plan(offerId, "main")[VM_IMAGES]["1.2.0"]).toBeDefined();
    expect(suite.lines.join("\n")).toMatch(/after 1 concurrent edit/);
  });

  test("the version itself changed in the portal between read and write: reported, never overwritten", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    await provider().create(inputs(offerId));
    suite.sim.portalEdit(
      "contoso",
      offerId,
      { planId: "main", version: "1.2.0", image: { osVhdUrl: sas("portal-image"), lunVhdDetails: [] } },
      { beforeNextPut: true },
    );
    const p = provider();
    const olds = (await p.create(inputs(offerId))).outs;
    const error = await p
      .update("id", olds, inputs(offerId, { osVhdUrl: sas("os-1.2.0-fixed") }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConcurrentEditError);
    expect(error.message).toMatch(
      /changed by someone else since it was read: osVhdUrl: .*vhds\/os-1\.2\.0\.vhd → .*vhds\/portal-image\.vhd/,
    );
    expect(error.message).not.toContain("SECRETsig");
    expect(plan(offerId, "main")[VM_IMAGES]["1.2.0"].osVhdUrl).toBe(sas("portal-image"));
  });

  test("the version changed in the portal since the last pulumi up: the update refuses to overwrite it", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    const { outs } = await provider().create(inputs(offerId));
    suite.sim.portalEdit("contoso", offerId, {
      planId: "main",
      version: "1.2.0",
      image: { osVhdUrl: sas("portal"), lunVhdDetails: [] },
    });
    await expect(provider().update("id", outs, inputs(offerId, { osVhdUrl: sas("mine-2") }))).rejects.toThrow(
      /changed by someone else since the last `pulumi up`: osVhdUrl: .*os-1\.2\.0\.vhd → .*portal\.vhd/,
    );
  });

  test("an offer that changes before every write gives up after 3 conflicts, overwriting nothing", async () => {
    const offerId = newOffer();
    for (let i = 0; i < 4; i++)
      suite.sim.portalEdit("contoso", offerId, { displayText: `edit ${i}` }, { beforeNextPut: true });
    const error = await provider()
      .create(inputs(offerId))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConcurrentEditError);
    expect(error.message).toMatch(/changed between every read and write \(4 times, HTTP 412\)/);
    expect(puts(offerId).map((r) => r.status)).toEqual([412, 412, 412, 412]);
    expect((suite.sim.draft("contoso", offerId) as Record<string, unknown>).displayText).toBe("edit 3");
    expect(plan(offerId, "main")[VM_IMAGES]["1.2.0"]).toBeUndefined();
  });
});

describe("update and delete", () => {
  test("a never-published version's image is rewritten in place", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    const p = provider();
    const { outs } = await p.create(inputs(offerId));
    await p.update("id", outs, inputs(offerId, { osVhdUrl: sas("os-1.2.0-fixed") }));
    expect(plan(offerId, "main")[VM_IMAGES]["1.2.0"].osVhdUrl).toBe(sas("os-1.2.0-fixed"));
  });

  test("delete removes a never-published draft version and keeps every other version", async () => {
    const offerId = newOffer();
    const p = provider();
    const { outs } = await p.create(inputs(offerId, { diskGenerations: ["main-gen2"] }));
    const before = JSON.stringify(suite.sim.draft("contoso", offerId));
    await p.delete("id", outs);
    expect(plan(offerId, "main")[VM_IMAGES]["1.2.0"]).toBeUndefined();
    expect(plan(offerId, "main-gen2")[VM_IMAGES]["1.2.0"]).toBeUndefined();
    expect(Object.keys(plan(offerId, "main")[VM_IMAGES])).toEqual(["1.0.0", "1.1.0"]);
    expect(JSON.stringify(suite.sim.draft("contoso", offerId))).not.toBe(before);
  });

  test("delete keeps a published version (logged) unless deprecate; core VM deprecation hides it", async () => {
    const offerId = newOffer({ core: true });
    const p = provider();
    const published = { ...inputs(offerId, { version: "1.1.0", osVhdUrl: seedUrl("1.1.0") }) };
    // Adopting a published version: no write.
    const { outs } = await p.create(published);
    expect(outs).toMatchObject({ alreadyPresent: true, published: true, state: "preview" });
    await p.delete("id", outs);
    expect(suite.lines.at(-1)).toMatch(
      /keeping image version 1\.1\.0 of plan main: it is published \(preview\)/,
    );
    expect(puts(offerId)).toHaveLength(0);
    // 1.1.0 is the plan's last visible image (1.0.0 is hidden): not hidden until a newer one is there.
    await p.delete("id", { ...outs, deprecate: true });
    expect(suite.lines.at(-1)).toMatch(/Not hiding image version 1\.1\.0 of plan main.*last visible image/);
    await p.create(inputs(offerId, { diskGenerations: ["main-gen2"] }));
    await p.delete("id", { ...outs, deprecate: true });
    expect(plan(offerId, "main")[CORE_IMAGES]["1.1.0"].showInGui).toBe(false);
    expect(plan(offerId, "main")[CORE_IMAGES]["1.1.0"].osVhdUrl).toBe(seedUrl("1.1.0"));
  });

  test("the last image of a plan is never removed", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    const p = provider();
    const outs = { ...inputs(offerId, { planId: "other", version: "3.0.0", osVhdUrl: seedUrl("3.0.0") }) };
    await p.delete("id", outs);
    expect(suite.lines.at(-1)).toMatch(/it is the plan's last image.*removed from the stack only/);
    expect(plan(offerId, "other")[VM_IMAGES]["3.0.0"]).toBeDefined();
    expect(puts(offerId)).toHaveLength(0);
  });

  test("refresh reads draft, preview and live; a version gone everywhere leaves the stack", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    const p = provider();
    const { outs } = await p.create(inputs(offerId));
    expect((await p.read("id", outs)).props).toMatchObject({ state: "draft", published: false });
    suite.sim.portalEdit("contoso", offerId, { planId: "main", version: "1.2.0", image: null });
    expect(await p.read("id", outs)).toEqual({ id: "", props: {} });
  });
});

describe("writes whose answer was lost", () => {
  test("applied, answer lost: re-read, found applied, never sent again", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [{ type: "resetAfterProcessing", match: { method: "PUT" } }]);
    const { outs } = await provider().create(inputs(offerId));
    expect(outs.state).toBe("draft");
    expect(puts(offerId)).toHaveLength(1);
    expect(puts(offerId)[0]?.processed).toBe(true);
    expect(suite.lines.join("\n")).toMatch(/may have been applied; re-reading/);
    expect(suite.lines.join("\n")).toMatch(/the answer was lost and a re-read showed the write applied/);
  });

  test("not applied (connection reset before processing): re-read, same ETag, written once", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [{ type: "reset", match: { method: "PUT" } }]);
    await provider().create(inputs(offerId));
    expect(processedPuts(offerId)).toHaveLength(1);
    expect(plan(offerId, "main")[VM_IMAGES]["1.2.0"]).toBeDefined();
  });

  test("a 503 after processing is treated as maybe-applied: re-read first", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [{ type: "status", status: 503, match: { method: "PUT" } }]);
    await provider().create(inputs(offerId));
    expect(puts(offerId).map((r) => r.status)).toEqual([503, 200]);
  });
});

describe("data disks (lunVhdDetails)", () => {
  /** An offer whose plan `main` holds `versions`, each entry as given. */
  function offerWith(versions: Record<string, unknown>): string {
    const offerId = `images-disks-${++counter}`;
    suite.sim.addOffer({
      publisherId: "contoso",
      offerId,
      state: "published",
      definition: { displayText: "Disks", offer: {}, plans: [{ planId: "main", [VM_IMAGES]: versions }] },
    });
    return offerId;
  }
  const disks = [
    { lun: 1, uri: sas("data-1") },
    { lun: 0, uri: sas("data-0") },
  ];

  test("items are written in the shape of the plan's earlier versions (keys, order, LUN type)", async () => {
    const offerId = offerWith({
      "1.0.0": {
        osVhdUrl: seedUrl("1.0.0"),
        lunVhdDetails: [
          { lunVhdUri: seedUrl("d0-1.0.0"), lun: "0" },
          { lunVhdUri: seedUrl("d1-1.0.0"), lun: "1" },
        ],
      },
    });
    const { outs } = await provider().create(inputs(offerId, { dataDisks: disks }));
    expect(outs.alreadyPresent).toBe(false);
    const written = plan(offerId, "main")[VM_IMAGES]["1.2.0"].lunVhdDetails;
    expect(JSON.stringify(written)).toBe(
      JSON.stringify([
        { lunVhdUri: sas("data-0"), lun: "0" },
        { lunVhdUri: sas("data-1"), lun: "1" },
      ]),
    );
    // Read back in that shape: the same program again adopts it.
    const again = await provider().create(inputs(offerId, { dataDisks: disks }));
    expect(again.outs.alreadyPresent).toBe(true);
    expect(processedPuts(offerId)).toHaveLength(1);
  });

  test("nothing to copy the shape from: refused before anything is written, saying what to do", async () => {
    const offerId = offerWith({});
    const error = await provider()
      .create(inputs(offerId, { dataDisks: disks }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageVersionError);
    expect((error as Error).message).toMatch(
      /Not writing image version 1\.2\.0 of plan main \(offer contoso\/images-disks-\d+\) with 2 data disk\(s\): no version of the plan has data disks to copy the lunVhdDetails item shape from.*Nothing was written\. Add the plan's first version with data disks in the portal/,
    );
    expect(puts(offerId)).toHaveLength(0);
    // Without data disks the documented [] is written.
    await provider().create(inputs(offerId));
    expect(plan(offerId, "main")[VM_IMAGES]["1.2.0"]).toEqual({
      osVhdUrl: sas("os-1.2.0"),
      lunVhdDetails: [],
    });
  });

  test("items of a shape that cannot be copied (a third key): refused, naming the keys", async () => {
    const offerId = offerWith({
      "1.0.0": {
        osVhdUrl: seedUrl("1.0.0"),
        lunVhdDetails: [{ lun: 0, lunVhdUrl: seedUrl("d0"), caching: "ReadOnly" }],
      },
    });
    await expect(
      provider().create(inputs(offerId, { dataDisks: [{ lun: 0, uri: sas("data-0") }] })),
    ).rejects.toThrow(/lunVhdDetails items have the keys lun, lunVhdUrl, caching.*Nothing was written/);
    expect(puts(offerId)).toHaveLength(0);
  });
});

describe("stacks that must not get stuck", () => {
  test("a deployed SAS nearing expiry fails nothing that does not write it; a new one is checked", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    // Created 20 days ago with a SAS valid for 30 days: it now expires in 10.
    const expiring = expiringSas("os-1.2.0", "SECRETsig", 10.5);
    const { outs } = await provider({ clock: clockDaysAgo(20) }).create(
      inputs(offerId, { osVhdUrl: expiring }),
    );
    const p = provider();
    // A new resource with it is refused: the SAS would be written.
    expect((await p.check({}, inputs(offerId, { osVhdUrl: expiring }))).failures?.[0]?.reason).toMatch(
      /osVhdUrl \(https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/os-1\.2\.0\.vhd\) expires in 10 day\(s\)/,
    );
    // The unchanged stack: check passes; an update that writes nothing (a new endpoint) succeeds.
    const moved = inputs(offerId, {
      osVhdUrl: expiring,
      endpoint: suite.sim.url.replace("127.0.0.1", "localhost"),
    });
    expect((await p.check(outs, inputs(offerId, { osVhdUrl: expiring }))).failures).toEqual([]);
    expect((await p.check(outs, moved)).failures).toEqual([]);
    const { outs: updated } = await p.update("id", outs, moved);
    expect(updated).toMatchObject({ endpoint: moved.endpoint, state: "draft" });
    // A replace's create adopts it without a write.
    expect((await p.create(moved)).outs).toMatchObject({ alreadyPresent: true });
    expect(processedPuts(offerId)).toHaveLength(1);
    // A changed image with a SAS nearing expiry is refused by check and before the write.
    const other = expiringSas("os-1.2.0-fixed", "SECRETsig", 10.5);
    expect((await p.check(outs, inputs(offerId, { osVhdUrl: other }))).failures?.[0]?.reason).toMatch(
      /os-1\.2\.0-fixed\.vhd\) expires in 10 day/,
    );
    const refused = p.update("id", updated, inputs(offerId, { osVhdUrl: other }));
    await expect(refused).rejects.toThrow(ImageVersionError);
    await expect(refused).rejects.toThrow(/expires in 10 day\(s\); it must be valid for at least 21 days/);
    expect(processedPuts(offerId)).toHaveLength(1);
  });

  test("a plan deleted from the draft: refresh removes the resource saying so; destroy succeeds with a note", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    const { outs } = await provider().create(inputs(offerId));
    suite.sim.portalEdit("contoso", offerId, { removePlan: "main" });
    expect(await provider().read("contoso/x/main/1.2.0", outs)).toEqual({ id: "", props: {} });
    expect(suite.lines.at(-1)).toMatch(
      /plan main is no longer in the draft \(Offer contoso\/images-\d+ has no plan main; its plans are other\..*\); removing contoso\/x\/main\/1\.2\.0 from the stack\./,
    );
    await provider().delete("contoso/x/main/1.2.0", outs);
    expect(suite.lines.at(-1)).toMatch(
      /plan main is no longer in the draft .*so image version 1\.2\.0 of plan main is not in the draft either: nothing to remove; contoso\/x\/main\/1\.2\.0 is removed from the stack\./,
    );
    expect(puts(offerId)).toHaveLength(1);
  });
});
