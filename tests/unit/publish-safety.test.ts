/**
 * Publish safety without the network: the declaration text (one format, written and read in one file), which
 * draft changes a declaration explains, the draft/preview/live lines of `pulumi preview`, the modular
 * submission's resources, and OfferPublish's checks of its new inputs.
 */

import { StaticTokenProvider } from "../../provider/core/auth";
import { ConfigurationError } from "../../provider/core/errors";
import type { HttpTransport } from "../../provider/core/http";
import { UNKNOWN_VALUE } from "../../provider/core/validate";
import {
  type DeclaredPart,
  formatDeclaration,
  parseDeclaration,
  readDeclaration,
} from "../../provider/ingestion/offer/declaration";
import { normalizeFields } from "../../provider/ingestion/offer/normalize";
import {
  allowedPatternProblem,
  type ComparedTree,
  describeDraftChange,
  describeStageDifference,
  draftChanges,
  isAllowedChange,
  modularResources,
  type ReadTree,
  readTree,
  sameValue,
  stageDifferences,
  type TreePart,
} from "../../provider/ingestion/publish-safety";
import { OfferPublishProvider } from "../../provider/resources";

const listing: DeclaredPart = {
  key: "listing",
  type: "listing",
  scope: "offer",
  fields: { title: "Contoso VM", keywords: ["vm", "linux"] },
};
const price: DeclaredPart = {
  key: "plans[gen2].availability",
  type: "price-and-availability-plan",
  scope: "plan",
  planId: "gen2",
  fields: { pricing: { corePricing: { priceInputOption: "perCore", price: 2 } } },
};

const tree = (entries: Record<string, TreePart>): ComparedTree => new Map(Object.entries(entries));
/** A tree resource as `readTree` makes it: normalised (server fields dropped, documented defaults filled). */
const part = (type: string, fields: Record<string, unknown>): TreePart => ({
  type,
  fields: normalizeFields(type, fields),
});

describe("declaration text", () => {
  test("round trip: parse(format(parts)) gives the parts back", () => {
    const text = formatDeclaration([price, listing], "contoso-vm");
    expect(readDeclaration(text)).toEqual({ offerId: "contoso-vm", parts: [listing, price] });
    expect(parseDeclaration(formatDeclaration([listing]))).toEqual([listing]);
  });

  test("a raw part keeps its $schema: another schema version is another declaration", () => {
    const raw = (version: string): DeclaredPart => ({
      key: "resources[customer-leads]",
      type: "customer-leads",
      scope: "offer",
      raw: true,
      fields: {
        $schema: `https://schema.mp.microsoft.com/schema/customer-leads/${version}`,
        leadDestination: "none",
      },
    });
    const text = formatDeclaration([raw("2022-03-01-preview2")]);
    expect(parseDeclaration(text)).toEqual([raw("2022-03-01-preview2")]);
    expect(formatDeclaration([raw("2022-03-01-preview3")])).not.toBe(text);
  });

  test("canonical: the same parts in another order, fields in another key order, give the same text", () => {
    const reordered: DeclaredPart = {
      ...listing,
      fields: { keywords: ["vm", "linux"], title: "Contoso VM" },
    };
    expect(formatDeclaration([price, reordered])).toBe(formatDeclaration([listing, price]));
    // A declared value that changes changes the text (triggers: [config.declaration] publishes once).
    expect(formatDeclaration([{ ...listing, fields: { ...listing.fields, title: "New" } }])).not.toBe(
      formatDeclaration([listing]),
    );
  });

  test("a text that is not a declaration is refused, saying what is wrong and what to pass", () => {
    const reason = (text: unknown) => {
      try {
        readDeclaration(text);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(reason("nope")).toMatch(
      /not an offer declaration: it is not JSON\. Pass OfferConfiguration's `declaration`/,
    );
    expect(reason(42)).toMatch(/expected a string, got number/);
    expect(reason(JSON.stringify({ version: 2, parts: [] }))).toMatch(
      /its version is 2, this package reads version 1/,
    );
    expect(reason(JSON.stringify({ version: 1 }))).toMatch(/no list of parts/);
    expect(
      reason(JSON.stringify({ version: 1, parts: [{ key: "listing", type: "listing", scope: "offer" }] })),
    ).toMatch(/listing has no object of fields/);
    const twice = { key: "listing", type: "listing", scope: "offer", fields: {} };
    expect(reason(JSON.stringify({ version: 1, parts: [twice, twice] }))).toMatch(
      /listing is declared twice/,
    );
    expect(
      reason(JSON.stringify({ version: 1, parts: [{ ...twice, key: "plans[a].listing", scope: "plan" }] })),
    ).toMatch(/plan-level and names no plan/);
    expect(() => formatDeclaration([listing, listing])).toThrow(/declared twice/);
  });
});

describe("which draft changes the declaration explains", () => {
  const preview = tree({
    listing: part("listing", { title: "Old", keywords: ["vm"], summary: "Same" }),
    "plans[gen2]": part("plan", { alias: "Gen 2" }),
    "plans[gen2].availability": part("price-and-availability-plan", {
      pricing: { corePricing: { price: 1 } },
    }),
  });

  test("a declared field whose draft value is the declared one is explained", () => {
    const draft = tree({
      listing: part("listing", { title: "Contoso VM", keywords: ["vm", "linux"], summary: "Same" }),
      "plans[gen2]": part("plan", { alias: "Gen 2" }),
      "plans[gen2].availability": part("price-and-availability-plan", {
        pricing: { corePricing: { price: 2, priceInputOption: "perCore" } },
      }),
    });
    const changes = draftChanges(draft, preview, [listing, price]);
    expect(changes.map((c) => [`${c.key}.${c.field}`, c.explained])).toEqual([
      ["listing.keywords", true],
      ["listing.title", true],
      ["plans[gen2].availability.pricing", true],
    ]);
  });

  test("an undeclared field, an undeclared part, a declared field holding another value: not explained", () => {
    const draft = tree({
      // summary is not declared; title is declared "Contoso VM" but the portal wrote "Portal title".
      listing: part("listing", { title: "Portal title", keywords: ["vm", "linux"], summary: "Edited" }),
      // The plan is not declared at all.
      "plans[gen2]": part("plan", { alias: "Renamed in the portal" }),
      "plans[gen2].availability": part("price-and-availability-plan", {
        pricing: { corePricing: { price: 1 } },
      }),
    });
    const unexplained = draftChanges(draft, preview, [listing, price]).filter((c) => !c.explained);
    expect(unexplained.map(describeDraftChange)).toEqual([
      'listing.summary: preview "Same", draft "Edited"',
      'listing.title: preview "Old", draft "Portal title" (declared "Contoso VM")',
      'plans[gen2].alias: preview "Gen 2", draft "Renamed in the portal"',
    ]);
    // The price equals the preview: nothing ships there, so nothing is listed (even though it is not as declared).
    expect(unexplained.some((c) => c.key === "plans[gen2].availability")).toBe(false);
  });

  test("no preview: compared with nothing published; empty values are nothing", () => {
    const draft = tree({
      listing: part("listing", { title: "Contoso VM", keywords: ["vm", "linux"], summary: "" }),
      property: part("property", { categories: [], termsOfUse: null, kind: "azureVirtualMachine" }),
    });
    const changes = draftChanges(draft, undefined, [listing]);
    expect(changes.map((c) => [`${c.key}.${c.field}`, c.explained])).toEqual([
      ["listing.keywords", true],
      ["listing.title", true],
      ["property.kind", false],
    ]);
    expect(describeDraftChange(changes[2] as (typeof changes)[number])).toBe(
      'property.kind: preview (none), draft "azureVirtualMachine"',
    );
  });

  test("read trees: a resource without a key (a second listing language) is compared under its durable id", () => {
    const S = "https://schema.mp.microsoft.com/schema";
    const tree = (frenchTitle: string) =>
      readTree([
        { $schema: `${S}/product/2022-03-01-preview3`, id: "product/g", identity: { externalId: "o" } },
        {
          $schema: `${S}/submission/2022-03-01-preview2`,
          id: "submission/g/0",
          target: { targetType: "draft" },
        },
        {
          $schema: `${S}/listing/2022-03-01-preview5`,
          id: "listing/g/public/main/default/en-us",
          languageId: "en-us",
          ...listing.fields,
        },
        {
          $schema: `${S}/listing/2022-03-01-preview5`,
          id: "listing/g/public/main/default/fr-fr",
          languageId: "fr-fr",
          title: frenchTitle,
        },
      ]);
    const draft = tree("Édité dans le portail");
    const preview = tree("Contoso VM");
    expect([...draft.compared.keys()].sort()).toEqual([
      "listing",
      "listing/g/public/main/default/fr-fr",
      "product",
    ]);
    const changes = draftChanges(draft.compared, preview.compared, [listing]);
    expect(changes.map(describeDraftChange)).toEqual([
      'listing/g/public/main/default/fr-fr.title: preview "Contoso VM", draft "Édité dans le portail"',
    ]);
    expect(changes[0]?.explained).toBe(false);
  });

  test("a part in the preview and gone from the draft is a change nobody declared", () => {
    const changes = draftChanges(tree({}), tree({ reseller: part("reseller", { audience: ["x"] }) }), []);
    expect(changes.map(describeDraftChange)).toEqual(["reseller: in the preview, not in the draft"]);
    expect(changes[0]?.explained).toBe(false);
  });

  test("only: a modular publish ships only its resources, so changes elsewhere are not counted", () => {
    const draft = tree({
      listing: part("listing", { title: "Contoso VM", keywords: ["vm", "linux"], summary: "Edited" }),
      "plans[gen2]": part("plan", { alias: "Renamed" }),
    });
    const changes = draftChanges(draft, preview, [listing], { only: new Set(["plans[gen2]"]) });
    expect(changes.map((c) => `${c.key}.${c.field}`)).toEqual(["plans[gen2].alias"]);
  });

  test("same value: by meaning (key order), empty values alike, different values and types differ", () => {
    expect(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameValue(undefined, [])).toBe(true);
    expect(sameValue(null, "")).toBe(true);
    expect(sameValue({}, undefined)).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(0, undefined)).toBe(false);
    expect(sameValue(false, undefined)).toBe(false);
    expect(sameValue("1", 1)).toBe(false);
  });

  test("messages go down to what differs: object paths, list items by their key, SAS signatures removed, long values cut", () => {
    const base = { key: "plans[gen2].technicalConfiguration", isDeclared: false, explained: false };
    const version = (v: string, uri = "https://a.blob.core.windows.net/v/os.vhd?sv=1&sig=SECRETSIG") => ({
      versionNumber: v,
      vmImages: [{ imageType: "x64Gen2", source: { osDisk: { uri } } }],
    });
    expect(
      describeDraftChange({
        ...base,
        field: "vmImageVersions",
        preview: [version("1.0.0"), version("1.0.1"), version("0.9.0")],
        draft: [
          version("1.0.0"),
          version("1.0.1", "https://a.blob.core.windows.net/v/other.vhd"),
          version("1.0.2"),
        ],
      }),
    ).toBe("plans[gen2].technicalConfiguration.vmImageVersions: added 1.0.2, changed 1.0.1, removed 0.9.0");
    expect(
      describeDraftChange({
        ...base,
        field: "vmProperties",
        // supportsHibernation changed as declared (reviewed); supportsBackup changed against the declaration.
        preview: { supportsBackup: false, supportsNVMe: true, supportsHibernation: false },
        draft: { supportsBackup: true, supportsNVMe: true, supportsHibernation: true },
        declared: { supportsBackup: false, supportsNVMe: true, supportsHibernation: true },
        isDeclared: true,
      }),
    ).toBe(
      "plans[gen2].technicalConfiguration.vmProperties.supportsBackup: preview false, draft true (declared false)",
    );
    expect(
      describeDraftChange({
        key: "listing",
        field: "generalLinks",
        preview: ["a", "b"],
        draft: ["b", "a"],
        isDeclared: false,
        explained: false,
      }),
    ).toBe('listing.generalLinks: reordered (preview ["a","b"], draft ["b","a"])');
    const line = describeDraftChange({
      ...base,
      field: "osDiskUri",
      preview: undefined,
      draft: `https://acct.blob.core.windows.net/vhds/${"x".repeat(100)}.vhd?sv=2020&sig=SECRETSIG`,
    });
    expect(line).not.toContain("SECRETSIG");
    expect(line).toMatch(
      /^plans\[gen2\]\.technicalConfiguration\.osDiskUri: preview \(none\), draft "https:\/\/acct.*…$/,
    );
  });
});

describe("allowUndeclaredChangesTo", () => {
  const change = (key: string, field?: string) => ({
    key,
    ...(field ? { field } : {}),
    preview: 1,
    draft: 2,
    isDeclared: false,
    explained: false,
  });
  test("a key.field, a whole key, [*] for any one id; nothing else", () => {
    const images = change("plans[gen2].technicalConfiguration", "vmImageVersions");
    expect(isAllowedChange(images, ["plans[*].technicalConfiguration.vmImageVersions"])).toBe(true);
    expect(isAllowedChange(images, ["plans[gen2].technicalConfiguration.vmImageVersions"])).toBe(true);
    expect(isAllowedChange(images, ["plans[gen2].technicalConfiguration"])).toBe(true);
    expect(isAllowedChange(images, ["plans[gen1].technicalConfiguration.vmImageVersions"])).toBe(false);
    expect(isAllowedChange(images, ["plans[*].technicalConfiguration.skus"])).toBe(false);
    expect(isAllowedChange(images, ["plans[*]"])).toBe(false);
    // Regex characters in a pattern are literal.
    expect(isAllowedChange(change("listing", "title"), ["listing.titl."])).toBe(false);
    expect(isAllowedChange(change("reseller"), ["reseller"])).toBe(true);
  });

  test("patterns are checked: a non-empty key.field path", () => {
    expect(allowedPatternProblem("plans[*].technicalConfiguration.vmImageVersions")).toBeUndefined();
    expect(allowedPatternProblem("resources[listing-trailer:gen2:en-us].streamingUri")).toBeUndefined();
    expect(allowedPatternProblem("")).toMatch(/non-empty/);
    expect(allowedPatternProblem(3)).toMatch(/non-empty/);
    expect(allowedPatternProblem("plans gen2")).toMatch(/is not a `key.field` path/);
  });
});

describe("draft vs preview vs live, for pulumi preview", () => {
  test("one entry per declared field whose values are not all the same, with the declared value when not in the draft", () => {
    const draft = tree({ listing: part("listing", { title: "Contoso VM", keywords: ["vm", "linux"] }) });
    const preview = tree({ listing: part("listing", { title: "Contoso VM", keywords: ["vm"] }) });
    const live = tree({ listing: part("listing", { title: "Old", keywords: ["vm"] }) });
    const differences = stageDifferences([listing, price], draft, preview, live);
    expect(differences.flatMap(describeStageDifference)).toEqual([
      'listing.keywords: draft ["vm","linux"] | preview ["vm"] | live ["vm"]',
      'listing.title: draft "Contoso VM" | preview "Contoso VM" | live "Old"',
      "plans[gen2].availability.pricing.corePricing.price: draft (none) | preview (none) | live (none) (declared 2: not in the draft yet)",
      'plans[gen2].availability.pricing.corePricing.priceInputOption: draft (none) | preview (none) | live (none) (declared "perCore": not in the draft yet)',
    ]);
    // All the same everywhere: nothing to show.
    const same = tree({ listing: part("listing", listing.fields) });
    expect(stageDifferences([listing], same, same, same)).toEqual([]);
  });
});

describe("modular publish resources", () => {
  const raw = (key: string, resource: Record<string, unknown>): [string, Record<string, unknown>] => [
    key,
    resource,
  ];
  const read: ReadTree = {
    raw: new Map([
      raw("product", {
        $schema: "https://schema.mp.microsoft.com/schema/product/2022-03-01-preview5",
        id: "product/g",
      }),
      raw("listing", {
        $schema: "https://schema.mp.microsoft.com/schema/listing/2022-03-01-preview9",
        id: "listing/g/public/main/default/en-us",
        title: "Contoso VM",
        validations: [{ level: "warning" }],
      }),
      raw("plans[gen2]", {
        $schema: "https://schema.mp.microsoft.com/schema/plan/2022-03-01-preview2",
        id: "plan/g/p",
      }),
      raw("plans[gen2].availability", {
        $schema: "https://schema.mp.microsoft.com/schema/price-and-availability-plan/2022-03-01-preview4",
        id: "price-and-availability-plan/g/p",
      }),
      raw("reseller", {
        $schema: "https://schema.mp.microsoft.com/schema/reseller/2022-03-01-preview2",
        id: "reseller/g",
      }),
    ]),
    compared: new Map(),
  };

  test("the product, each declared part and the plans of plan-level parts, as the draft holds them, pinned $schema", () => {
    const { keys, resources } = modularResources(read, [listing, price], "contoso-vm");
    expect([...keys].sort()).toEqual(["listing", "plans[gen2]", "plans[gen2].availability", "product"]);
    expect(resources.map((r) => r.id)).toEqual([
      "product/g",
      "listing/g/public/main/default/en-us",
      "plan/g/p",
      "price-and-availability-plan/g/p",
    ]);
    // The pinned version, never the newer one read; the read-only validations are not sent back.
    expect(resources[0]?.$schema).toBe("https://schema.mp.microsoft.com/schema/product/2022-03-01-preview3");
    expect(resources[1]).toEqual({
      $schema: "https://schema.mp.microsoft.com/schema/listing/2022-03-01-preview5",
      id: "listing/g/public/main/default/en-us",
      title: "Contoso VM",
    });
  });

  test("a declared part the draft does not hold: not published, says to apply the configuration first", () => {
    const plan: DeclaredPart = {
      key: "plans[gen1].listing",
      type: "plan-listing",
      scope: "plan",
      planId: "gen1",
      fields: {},
    };
    expect(() => modularResources(read, [plan], "contoso-vm")).toThrow(
      /the draft has no plans\[gen1\], plans\[gen1\]\.listing: the OfferConfiguration has not written them yet\. Nothing was sent/,
    );
  });
});

describe("OfferPublish inputs", () => {
  const requests: string[] = [];
  const logged: string[] = [];
  // Nothing leaves the process: every request is recorded and answered 404.
  const transport: HttpTransport = {
    send: async (request) => {
      requests.push(`${request.method} ${new URL(request.url).pathname}`);
      return { status: 404, headers: {}, body: '{"error":{"code":"notFound","message":"no such product"}}' };
    },
  };
  let nowMs = Date.parse("2026-12-03T17:00:00Z");
  const provider = new OfferPublishProvider({
    log: (line) => logged.push(line),
    transport,
    tokenProvider: new StaticTokenProvider("unit-token"),
    clock: { now: () => nowMs, sleep: async () => {} },
  });
  beforeEach(() => {
    requests.length = 0;
    logged.length = 0;
  });
  const base = { api: "ingestion", offerId: "contoso-vm" };
  const configuration = formatDeclaration([listing], "contoso-vm");

  test("configuration, allowUndeclaredChanges and modular are kept; changing them records in place", async () => {
    const { inputs, failures } = await provider.check(
      {},
      { ...base, configuration, allowUndeclaredChanges: true, modular: true },
    );
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ configuration, allowUndeclaredChanges: true, modular: true });
    const olds = {
      ...inputs,
      operationLocation: "https://x/configure/j/status",
      status: "succeeded",
      awaitingSignoff: true,
    };
    const changed = await provider.diff("id", olds, {
      ...base,
      configuration: formatDeclaration([price]),
      modular: false,
    });
    expect(changed).toMatchObject({ changes: true, replaces: [] });
  });

  test("the preview lines only read; a failed read is a warning, never a failed preview", async () => {
    // check of a resource not in state yet (a create) shows them too.
    const { inputs, failures } = await provider.check({}, { ...base, configuration });
    expect(failures).toEqual([]);
    expect(logged).toHaveLength(1);
    const olds = { ...inputs, operationLocation: "https://x/configure/j/status", status: "succeeded" };
    requests.length = 0;
    logged.length = 0;
    await expect(provider.diff("id", olds, { ...base, configuration })).resolves.toMatchObject({
      changes: false,
    });
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.startsWith("GET "))).toBe(true);
    expect(logged).toEqual([
      expect.stringMatching(
        /^\[contoso-vm\] could not read what the publish would send .*checked again before anything is sent\.$/,
      ),
    ]);
    // The engine checks a replacement again (no olds) right after the diff: not shown twice, nothing read; a
    // minute later a check of the same inputs (another run) reads again.
    requests.length = 0;
    logged.length = 0;
    await provider.check({}, { ...base, configuration });
    expect({ requests, logged }).toEqual({ requests: [], logged: [] });
    nowMs += 60_000;
    await provider.check({}, { ...base, configuration });
    expect(requests.length).toBeGreaterThan(0);
    // Without a configuration, or with one not known yet: no request at all.
    requests.length = 0;
    await provider.diff("id", olds, { ...base });
    await provider.diff("id", olds, { ...base, configuration: UNKNOWN_VALUE });
    await provider.check({}, { ...base, configuration: UNKNOWN_VALUE });
    expect(requests).toEqual([]);
  });

  test("modular without configuration is refused at check; a configuration not known yet (preview) passes", async () => {
    const { failures } = await provider.check({}, { ...base, modular: true });
    expect(failures).toEqual([
      {
        property: "modular",
        reason: expect.stringMatching(
          /^modular needs configuration: a modular publish lists the declared resources/,
        ),
      },
    ]);
    expect(
      (await provider.check({}, { ...base, modular: true, configuration: UNKNOWN_VALUE })).failures,
    ).toEqual([]);
  });

  test("a configuration that is not a declaration, a modular that is not a boolean, a bad path: refused at check", async () => {
    const { failures } = await provider.check(
      {},
      { ...base, configuration: "{}", modular: "yes", allowUndeclaredChangesTo: ["listing.title", ""] },
    );
    expect(failures).toEqual([
      {
        property: "configuration",
        reason: expect.stringMatching(/configuration is not an offer declaration/),
      },
      {
        property: "allowUndeclaredChangesTo",
        reason: "allowUndeclaredChangesTo[1] must be a non-empty `key.field` string.",
      },
      { property: "modular", reason: "modular must be true or false, got string." },
    ]);
    const notList = await provider.check({}, { ...base, allowUndeclaredChangesTo: "listing.title" });
    expect(notList.failures?.[0]?.reason).toMatch(/must be a list of key\.field paths, got string/);
  });

  test("on the CPP API they are not checked (ignored, as the CPP API has no resource tree)", async () => {
    const { failures } = await provider.check(
      {},
      { publisherId: "contoso", offerId: "contoso-vm", configuration: "{}", modular: true },
    );
    expect(failures).toEqual([]);
    // Nothing read, nothing logged: the preview lines are the ingestion API's.
    expect(requests).toEqual([]);
    expect(logged).toEqual([]);
  });
});
