import {
  blobPath,
  compareVersions,
  highestVersion,
  redactSas,
  SAS_MIN_VALIDITY_DAYS,
  sasIdentity,
  sasProblems,
  versionProblem,
} from "../../provider/core/images";
import { lunItemShape, toLunItems } from "../../provider/cpp/images";
import { checkImageInputs, VmImageVersionProvider } from "../../provider/resources";
import { FakeClock } from "../support/fake-clock";

const NOW = Date.parse("2026-11-25T00:00:00Z");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** A SAS URI as the docs ask for it, valid from a day back to `days` ahead. */
function sas(path = "vhds/os-1.vhd", days = 30, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({
    sv: "2020-08-04",
    sr: "c",
    sp: "rl",
    st: iso(NOW - DAY),
    se: iso(NOW + days * DAY),
    sig: "SECRETsig123",
    ...extra,
  });
  return `https://contoso.blob.core.windows.net/${path}?${q}`;
}

describe("versionProblem and compareVersions", () => {
  test.each(["1.0.0", "0.20261125.1", "2026.11.25", "9999999999.0.0", "01.2.3"])("%p is valid", (v) => {
    expect(versionProblem(v)).toBeUndefined();
  });
  test.each([
    ["", /required/],
    ["1.0", /three whole numbers/],
    ["1.0.0.0", /three whole numbers/],
    ["v1.0.0", /three whole numbers/],
    ["1.-1.0", /three whole numbers/],
    ["1.0.0 ", /three whole numbers/],
    ["12345678901.0.0", /at most 10 digits.*"12345678901" has 11/],
  ])("%p is rejected (%p)", (v, reason) => {
    expect(versionProblem(v)).toMatch(reason);
  });
  test("orders numerically, not as text, with parts beyond 2^53", () => {
    expect(compareVersions("1.10.0", "1.9.0")).toBe(1);
    expect(compareVersions("1.0.9999999999", "1.1.0")).toBe(-1);
    expect(compareVersions("01.2.3", "1.2.3")).toBe(0);
    expect(compareVersions("9999999999.9999999999.9999999998", "9999999999.9999999999.9999999999")).toBe(-1);
    expect(highestVersion(["1.2.0", "1.10.0", "junk", "1.9.9"])).toBe("1.10.0");
  });
});

describe("SAS URIs", () => {
  test("a SAS as the docs describe it passes", () => {
    expect(sasProblems("osVhdUrl", sas(), NOW)).toEqual([]);
    expect(sasProblems("osVhdUrl", sas("vhds/x.vhd", SAS_MIN_VALIDITY_DAYS), NOW)).toEqual([]);
  });

  test.each([
    ["http", sas().replace("https:", "http:"), /must use https/],
    ["write permission", sas(undefined, 30, { sp: "rwl" }), /read and list only \(sp=rl\), got sp=rwl/],
    ["no read", sas(undefined, 30, { sp: "l" }), /read and list only/],
    ["expires too soon", sas(undefined, 20), /expires in 20 day\(s\).*at least 21 days/],
    ["expired", sas(undefined, -1), /expires in the past/],
    ["starts in the future", sas(undefined, 30, { st: iso(NOW + 3_600_000) }), /starts in the future/],
    ["no signature", sas().replace(/&sig=[^&]*/, ""), /no SAS signature/],
    ["not a vhd", sas("vhds/os.img"), /\.vhd blob/],
  ])("%s is refused with a clear message that never shows the signature", (_name, url, reason) => {
    const problems = sasProblems("osVhdUrl", url, NOW);
    expect(problems.join(" ")).toMatch(reason);
    expect(problems.join(" ")).not.toContain("SECRETsig123");
    expect(problems.join(" ")).toContain("contoso.blob.core.windows.net/vhds/");
  });

  test("identity ignores st, se, sv and sig; keeps the blob and the rights", () => {
    const a = sas("vhds/os-1.vhd", 30);
    const b = sas("vhds/os-1.vhd", 90, { sig: "other", sv: "2021-01-01", st: iso(NOW - 5 * DAY) });
    expect(sasIdentity(a)).toBe(sasIdentity(b));
    expect(sasIdentity(a)).not.toContain("sig");
    expect(sasIdentity(a)).not.toBe(sasIdentity(sas("vhds/os-2.vhd")));
    expect(sasIdentity(a)).not.toBe(sasIdentity(sas("vhds/os-1.vhd", 30, { sp: "r" })));
  });

  test("blobPath and redactSas never let the signature through", () => {
    expect(blobPath(sas())).toBe("https://contoso.blob.core.windows.net/vhds/os-1.vhd");
    expect(blobPath("not a url?sig=SECRETsig123")).not.toContain("SECRET");
    expect(redactSas(`could not read ${sas()} or "${sas("b.vhd")}"`)).not.toContain("SECRETsig123");
    expect(redactSas(`x ${sas()}`)).toBe(
      "x https://contoso.blob.core.windows.net/vhds/os-1.vhd?[SAS query redacted]",
    );
    expect(redactSas("sp=rl&sig=SECRETsig123&se=x")).toBe("sp=rl&sig=[redacted]&se=x");
  });
});

describe("checkImageInputs", () => {
  const base = {
    publisherId: "contoso",
    offerId: "contoso-offer",
    planId: "plan",
    version: "1.2.3",
    osVhdUrl: sas(),
  };

  test("fills defaults; no SAS check without a clock (read, delete)", () => {
    const { inputs, failures } = checkImageInputs({ ...base, osVhdUrl: sas(undefined, -5) });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ api: "cpp", dataDisks: [], diskGenerations: [], deprecate: false });
  });

  test("names every bad input; SAS problems show the blob path only", () => {
    const { failures } = checkImageInputs(
      {
        ...base,
        version: "1.2",
        planId: "a/b",
        api: "soap",
        dataDisks: [
          { lun: 0, uri: sas("vhds/d0.vhd", 2) },
          { lun: 0, uri: sas("vhds/d1.vhd") },
          { lun: 16, uri: sas("vhds/d2.vhd") },
        ],
        showInGui: "yes",
      },
      NOW,
    );
    const text = failures.map((f) => f.reason).join("\n");
    expect(text).toMatch(/version must be three whole numbers/);
    expect(text).toMatch(/planId must not contain '\/'/);
    expect(text).toMatch(/api must be one of cpp, ingestion/);
    expect(text).toMatch(
      /dataDisks\[0\]\.uri \(https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/d0\.vhd\) expires in 2 day/,
    );
    expect(text).toMatch(/dataDisks\[1\]\.lun repeats LUN 0/);
    expect(text).toMatch(/dataDisks\[2\]\.lun must be a whole number from 0 to 15/);
    expect(text).toMatch(/showInGui must be true or false/);
    expect(text).not.toContain("SECRETsig123");
  });
});

describe("VmImageVersionProvider.diff", () => {
  const provider = new VmImageVersionProvider({ clock: new FakeClock(NOW), log: () => {} });
  const olds = {
    publisherId: "contoso",
    offerId: "contoso-offer",
    planId: "plan",
    version: "1.2.3",
    osVhdUrl: sas(),
    dataDisks: [],
    diskGenerations: [],
    deprecate: false,
    api: "cpp",
    endpoint: "https://cloudpartner.azure.com",
    apiVersion: "2017-10-31",
    requestTimeoutSeconds: 60,
    published: false,
    state: "draft",
  };

  test("a re-generated SAS of the same blob is an update (no replace)", async () => {
    const diff = await provider.diff("id", olds, { ...olds, osVhdUrl: sas(undefined, 60, { sig: "new" }) });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });

  test("a never-published image change is an update; a published one replaces", async () => {
    const news = { ...olds, osVhdUrl: sas("vhds/os-2.vhd") };
    expect(await provider.diff("id", olds, news)).toMatchObject({ changes: true, replaces: [] });
    const published = await provider.diff("id", { ...olds, published: true, state: "live" }, news);
    expect(published).toMatchObject({ changes: true, replaces: ["osVhdUrl"], deleteBeforeReplace: false });
  });

  test("a new version replaces; deprecate is in place; nothing changed is no change", async () => {
    expect((await provider.diff("id", olds, { ...olds, version: "1.2.4" })).replaces).toEqual(["version"]);
    expect(await provider.diff("id", olds, { ...olds, deprecate: true })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect((await provider.diff("id", olds, { ...olds })).changes).toBe(false);
  });

  test("endpoint and apiVersion (and an ingestion publisherId) change in place; api and a CPP publisherId replace", async () => {
    for (const change of [{ endpoint: "https://proxy.example.com" }, { apiVersion: "2017-10-32" }])
      expect(await provider.diff("id", olds, { ...olds, ...change })).toMatchObject({
        changes: true,
        replaces: [],
      });
    expect((await provider.diff("id", olds, { ...olds, publisherId: "fabrikam" })).replaces).toEqual([
      "publisherId",
    ]);
    const ingestion = {
      ...olds,
      api: "ingestion",
      osVhdUrl: undefined,
      images: [],
      apiVersion: "2022-07-01",
    };
    expect(await provider.diff("id", ingestion, { ...ingestion, publisherId: "fabrikam" })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect((await provider.diff("id", olds, { ...olds, api: "ingestion" })).replaces).toEqual(["api"]);
  });
});

describe("CPP lunVhdDetails items: the shape is copied, never guessed", () => {
  const url = "https://contoso.blob.core.windows.net/vhds/d0.vhd?sp=rl&sig=s";
  test("an item of a LUN and an https URI is understood in any key names, order and LUN type", () => {
    expect(lunItemShape({ lun: 0, lunVhdUrl: url })).toEqual({
      keys: ["lun", "lunVhdUrl"],
      lunKey: "lun",
      urlKey: "lunVhdUrl",
      lunAsString: false,
    });
    const shape = lunItemShape({ uri: url, lunNumber: "3" });
    expect(shape).toMatchObject({ lunKey: "lunNumber", urlKey: "uri", lunAsString: true });
    expect(
      JSON.stringify(
        toLunItems(
          [
            { lun: 2, uri: "u2" },
            { lun: 1, uri: "u1" },
          ],
          shape as NonNullable<typeof shape>,
        ),
      ),
    ).toBe(
      JSON.stringify([
        { uri: "u1", lunNumber: "1" },
        { uri: "u2", lunNumber: "2" },
      ]),
    );
  });

  test("anything else is not copied: a third key, no https URI, no LUN", () => {
    expect(lunItemShape({ lun: 0, lunVhdUrl: url, caching: "ReadOnly" })).toBeUndefined();
    expect(lunItemShape({ lun: 0, lunVhdUrl: "http://x/d.vhd" })).toBeUndefined();
    expect(lunItemShape({ disk: 0, lunVhdUrl: url })).toBeUndefined();
    expect(lunItemShape({ lun: 0.5, lunVhdUrl: url })).toBeUndefined();
    expect(lunItemShape([0, url])).toBeUndefined();
  });
});
