/**
 * The ingestion image backend's pure parts: the merge that keeps every other version (deprecated ones and their
 * schedules) exactly as read, retiring a version, the fingerprint, what a concurrent edit reports, and the
 * VmImageVersion input checks for `api: "ingestion"`.
 */

import { ImageVersionError } from "../../provider/core/errors";
import {
  describeConfigChange,
  fingerprint,
  fromEntry,
  type IngestionImage,
  mergeVersion,
  retireVersion,
} from "../../provider/ingestion/images";
import { checkImageInputs } from "../../provider/resources";

const NOW = Date.parse("2026-11-25T00:00:00Z");
const DAY = 86_400_000;
const where = { planId: "main", offerId: "contoso-offer" };
const GALLERY =
  "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1/images/linux/versions/9.2.0";

function sas(blob: string, days = 30, sig = "SECRETsig") {
  const q = new URLSearchParams({
    sv: "2020-08-04",
    sr: "c",
    sp: "rl",
    st: new Date(NOW - DAY).toISOString(),
    se: new Date(NOW + days * DAY).toISOString(),
    sig,
  });
  return `https://contoso.blob.core.windows.net/vhds/${blob}.vhd?${q}`;
}

/** As read from the API: key order, a deprecated version with a schedule (read-only `date`, portal `alternative`), unknown fields. */
const READ_TEXT = JSON.stringify({
  $schema: "https://schema.mp.microsoft.com/schema/virtual-machine-plan-technical-configuration/2022-07-01",
  id: "virtual-machine-plan-technical-configuration/p/q",
  product: "product/p",
  plan: "plan/p/q",
  operatingSystem: { family: "linux", type: "other" },
  vmProperties: { supportsNVMe: true, supportsHibernation: false },
  skus: [
    { skuId: "main", imageType: "x64Gen2", securityType: ["trusted"] },
    { skuId: "main-gen1", imageType: "x64Gen1" },
  ],
  vmImageVersions: [
    {
      versionNumber: "9.0.1",
      vmImages: [
        { imageType: "x64Gen1", source: { sourceType: "sasUri", osDisk: { uri: sas("a") }, dataDisks: [] } },
      ],
      lifecycleState: "deprecated",
      deprecationSchedule: {
        date: "2026-03-01T00:00:00",
        dateOffset: "P90D",
        reason: "other",
        alternative: { imageVersion: "9.1.0" },
      },
      "x-portal": null,
    },
    {
      lifecycleState: "generallyAvailable",
      versionNumber: "9.1.0",
      vmImages: [
        {
          imageType: "x64Gen2",
          source: { sourceType: "sharedImageGallery", sharedImage: { tenantId: "t", resourceId: GALLERY } },
        },
      ],
    },
  ],
  "x-unknown": [1, "2", null],
});
const read = () => JSON.parse(READ_TEXT);
const image = (blob: string, sig?: string): IngestionImage => ({
  vmImages: [
    { imageType: "x64Gen2", osDiskUri: sas(blob, 30, sig), dataDisks: [{ lun: 1, uri: sas(`${blob}-d1`) }] },
  ],
});

describe("mergeVersion", () => {
  test("appends the version; every other version and field stays byte for byte as read", () => {
    const config = read();
    expect(mergeVersion(config, "9.2.0", image("new"), where)).toBe(true);
    const versions = config.vmImageVersions;
    expect(versions).toHaveLength(3);
    expect(JSON.stringify(versions.slice(0, 2))).toBe(JSON.stringify(read().vmImageVersions));
    expect(versions[2]).toEqual({
      versionNumber: "9.2.0",
      vmImages: [
        {
          imageType: "x64Gen2",
          source: {
            sourceType: "sasUri",
            osDisk: { uri: sas("new") },
            dataDisks: [{ lunNumber: 1, uri: sas("new-d1") }],
          },
        },
      ],
    });
    const { vmImageVersions: _v, ...rest } = config;
    const { vmImageVersions: _w, ...restRead } = read();
    expect(JSON.stringify(rest)).toBe(JSON.stringify(restRead));
  });

  test("the same images again: nothing to send; another image for an existing number replaces only its vmImages", () => {
    const config = read();
    mergeVersion(config, "9.2.0", image("new"), where);
    const once = JSON.stringify(config);
    expect(mergeVersion(config, "9.2.0", image("new"), where)).toBe(false);
    expect(JSON.stringify(config)).toBe(once);
    expect(mergeVersion(config, "9.2.0", image("rebuilt"), where)).toBe(true);
    expect(config.vmImageVersions[2].vmImages[0].source.osDisk.uri).toBe(sas("rebuilt"));
    expect(JSON.stringify(config.vmImageVersions.slice(0, 2))).toBe(JSON.stringify(read().vmImageVersions));
  });

  test("refuses an image type the plan has no SKU for, naming the SKUs", () => {
    const arm: IngestionImage = {
      vmImages: [{ imageType: "arm64Gen2", osDiskUri: sas("arm"), dataDisks: [] }],
    };
    expect(() => mergeVersion(read(), "9.2.0", arm, where)).toThrow(ImageVersionError);
    expect(() => mergeVersion(read(), "9.2.0", arm, where)).toThrow(
      "Plan main of offer contoso-offer has no SKU for image type arm64Gen2: its SKUs are main (x64Gen2), main-gen1 (x64Gen1).",
    );
  });
});

describe("retireVersion", () => {
  test("deprecate sets lifecycleState and the schedule; the other deprecated version is untouched", () => {
    const config = read();
    mergeVersion(config, "9.2.0", image("new"), where);
    const schedule = {
      dateOffset: "P30D",
      reason: "endOfSupport" as const,
      alternative: { imageVersion: "9.2.0" },
    };
    expect(retireVersion(config, "9.1.0", "deprecate", schedule, where)).toBe(true);
    expect(config.vmImageVersions[1]).toMatchObject({
      lifecycleState: "deprecated",
      deprecationSchedule: schedule,
    });
    expect(JSON.stringify(config.vmImageVersions[0])).toBe(JSON.stringify(read().vmImageVersions[0]));
    expect(retireVersion(config, "9.1.0", "deprecate", schedule, where)).toBe(false);
  });

  test("remove omits the version; the last active one is never removed nor deprecated", () => {
    const config = read();
    mergeVersion(config, "9.2.0", image("new"), where);
    expect(retireVersion(config, "9.2.0", "remove", undefined, where)).toBe(true);
    expect(JSON.stringify(config.vmImageVersions)).toBe(JSON.stringify(read().vmImageVersions));
    expect(() => retireVersion(config, "9.1.0", "remove", undefined, where)).toThrow(/last active image/);
    expect(() =>
      retireVersion(config, "9.1.0", "deprecate", { dateOffset: "P1D", reason: "other" }, where),
    ).toThrow(/last active image/);
    expect(retireVersion(config, "7.0.0", "remove", undefined, where)).toBe(false);
  });
});

describe("fingerprint and concurrent edits", () => {
  test("the fingerprint ignores key order and $schema, and sees any other change", () => {
    const a = read();
    const reordered = Object.fromEntries(Object.entries(read()).reverse());
    expect(fingerprint(reordered)).toBe(fingerprint(a));
    expect(fingerprint({ ...a, $schema: "other" })).toBe(fingerprint(a));
    const edited = read();
    edited.vmImageVersions[0].deprecationSchedule.reason = "criticalSecurityIssue";
    expect(fingerprint(edited)).not.toBe(fingerprint(a));
  });

  test("what changed is told per version and per field, blob paths only", () => {
    const before = read();
    const after = read();
    mergeVersion(after, "9.2.0", image("portal"), where);
    delete after.vmImageVersions[0].deprecationSchedule;
    after.vmProperties.supportsHibernation = true;
    const changes = describeConfigChange(before, after);
    expect(changes).toEqual([
      "version 9.0.1: deprecationSchedule changed",
      "version 9.2.0 added (x64Gen2 OS disk https://contoso.blob.core.windows.net/vhds/portal.vhd, LUN 1 https://contoso.blob.core.windows.net/vhds/portal-d1.vhd)",
      'vmProperties: {"supportsNVMe":true,"supportsHibernation":false} → {"supportsNVMe":true,"supportsHibernation":true}',
    ]);
    expect(changes.join()).not.toContain("SECRETsig");
  });

  test("fromEntry reads both sources and leaves deleted entries out", () => {
    const [deprecated, gallery] = read().vmImageVersions;
    expect(fromEntry(deprecated)).toMatchObject({ lifecycleState: "deprecated" });
    expect(fromEntry(gallery)).toEqual({
      vmImages: [{ imageType: "x64Gen2", sharedImage: { tenantId: "t", resourceId: GALLERY } }],
    });
    expect(fromEntry({ ...gallery, lifecycleState: "deleted" })).toBeUndefined();
  });
});

describe("checkImageInputs, api ingestion", () => {
  const base = { api: "ingestion", offerId: "contoso-offer", planId: "main", version: "9.2.0" };

  test("ingestion defaults; publisherId optional; SAS and gallery sources accepted", () => {
    const { inputs, failures } = checkImageInputs(
      {
        ...base,
        images: [
          {
            imageType: "x64Gen2",
            sharedImage: { tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", resourceId: GALLERY },
          },
          { imageType: "x64Gen1", osDiskUri: sas("os"), dataDisks: [{ lun: 0, uri: sas("d0") }] },
        ],
        deprecation: { dateOffset: "P3M", reason: "endOfSupport" },
      },
      NOW,
    );
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      endpoint: "https://graph.microsoft.com/rp/product-ingestion",
      apiVersion: "2022-07-01",
    });
  });

  test("names every bad input, SAS by blob path only", () => {
    const { failures } = checkImageInputs(
      {
        ...base,
        version: "1.2.123456789012",
        osVhdUrl: sas("cpp"),
        diskGenerations: ["g2"],
        images: [
          { imageType: "x64Gen3", osDiskUri: sas("short", 3) },
          {
            imageType: "x64Gen3",
            sharedImage: { tenantId: "nope", resourceId: "/subscriptions/x/images/y" },
          },
          { imageType: "x64Gen1" },
        ],
        deprecation: { dateOffset: "30 days", reason: "tired" },
        deprecate: true,
      },
      NOW,
    );
    const text = failures.map((f) => f.reason).join("\n");
    expect(text).toMatch(/version parts must have at most 10 digits/);
    expect(text).toMatch(/osVhdUrl is for api "cpp"/);
    expect(text).toMatch(/diskGenerations is for api "cpp"/);
    expect(text).toMatch(/images must be a list of one or two images/);
    expect(text).toMatch(/deprecation\.dateOffset must be an ISO 8601 duration/);
    expect(text).toMatch(/deprecation\.reason must be one of criticalSecurityIssue, endOfSupport, other/);
    expect(text).not.toContain("SECRETsig");

    const two = checkImageInputs(
      {
        ...base,
        images: [
          { imageType: "x64Gen3", osDiskUri: sas("short", 3) },
          {
            imageType: "x64Gen1",
            sharedImage: { tenantId: "nope", resourceId: "/subscriptions/x/images/y" },
          },
        ],
        deprecate: true,
      },
      NOW,
    ).failures.map((f) => f.reason);
    expect(two.join("\n")).toMatch(/images\[0\]\.imageType must be one of x64Gen1, x64Gen2, arm64Gen2/);
    expect(two.join("\n")).toMatch(
      /images\[0\]\.osDiskUri \(https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/short\.vhd\) expires in 3 day/,
    );
    expect(two.join("\n")).toMatch(
      /images\[1\]\.sharedImage\.tenantId must be the gallery's Azure AD tenant id/,
    );
    expect(two.join("\n")).toMatch(/images\[1\]\.sharedImage\.resourceId must be a gallery image version id/);
    expect(two.join("\n")).toMatch(/deprecate needs a schedule with api "ingestion"/);
  });

  test("one source per image, one image per type; CPP refuses the ingestion inputs", () => {
    const both = checkImageInputs(
      {
        ...base,
        images: [
          { imageType: "x64Gen2", osDiskUri: sas("a"), sharedImage: { tenantId: "t", resourceId: GALLERY } },
          { imageType: "x64Gen2", osDiskUri: sas("b") },
        ],
      },
      NOW,
    ).failures.map((f) => f.reason);
    expect(both.join("\n")).toMatch(/images\[0\] needs exactly one source/);
    expect(both.join("\n")).toMatch(/images\[1\]\.imageType repeats x64Gen2/);
    const cpp = checkImageInputs(
      {
        publisherId: "contoso",
        offerId: "o",
        planId: "p",
        version: "1.0.0",
        osVhdUrl: sas("os"),
        images: [],
      },
      NOW,
    ).failures.map((f) => f.reason);
    expect(cpp.join("\n")).toMatch(/images is for api "ingestion"/);
  });
});
