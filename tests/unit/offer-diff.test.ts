/**
 * Normalisation and field-level diffs: server fields and read-only fields never count, documented defaults equal
 * their absence, sets ignore order, only declared fields are compared, and each change names its field; state vs
 * program without a request; tree vs tree for pending and undeclared changes; paths and one-line descriptions
 * that never show a SAS signature or a password.
 */

import {
  describeChange,
  diffDeclared,
  diffInputs,
  diffPart,
  diffTrees,
  propertyPath,
} from "../../provider/ingestion/offer/diff";
import { type DeclaredPart, declaredParts, indexTree } from "../../provider/ingestion/offer/keys";
import { normalizeFields } from "../../provider/ingestion/offer/normalize";
import type { OfferConfigurationInputs } from "../../provider/ingestion/offer/types";
import { vmOfferTree } from "../support/offer-trees";

const part = (key: string, type: string, fields: Record<string, unknown>, planId?: string): DeclaredPart => ({
  key,
  type,
  scope: planId ? "plan" : "offer",
  ...(planId ? { planId } : {}),
  fields,
});

describe("normalizeFields", () => {
  test("server fields, $schema at any depth and deprecationSchedule.date go; keys sorted", () => {
    expect(
      normalizeFields("plan", {
        $schema: "x",
        id: "plan/a/b",
        resourceName: "r",
        validations: [{}],
        product: "product/a",
        identity: { externalId: "p" },
        alias: "A",
        deprecationSchedule: { $schema: "y", date: "2026-01-01", dateOffset: "P30D", reason: "other" },
      }),
    ).toEqual({
      alias: "A",
      azureRegions: ["azureGlobal"],
      deprecationSchedule: { dateOffset: "P30D", reason: "other" },
      displayRank: 2147483647,
      lifecycleState: "generallyAvailable",
    });
    expect(normalizeFields("listing-asset", { listing: "listing/x", fileName: "a.png" })).toEqual({
      fileName: "a.png",
      kind: "azure",
      languageId: "en-us",
      lifecycleState: "generallyAvailable",
    });
  });

  test("defaults and nulls: absent equals the documented default", () => {
    const a = normalizeFields("price-and-availability-plan", {
      visibility: "visible",
      trial: null,
      privateAudiences: null,
    });
    const b = normalizeFields("price-and-availability-plan", {
      visibility: "visible",
      customerMarkets: "customMarkets",
      markets: [],
      privateAudiences: [],
      softwareReservation: [],
    });
    expect(a).toEqual(b);
    expect(normalizeFields("price-and-availability-plan", { trial: { type: "day" } }).trial).toEqual({
      type: "day",
      value: 0,
    });
    expect(
      normalizeFields("core-virtual-machine-plan-technical-configuration", { vmProperties: {} }),
    ).toMatchObject({
      softwareType: "operatingSystem",
      vmProperties: { supportsExtensions: true, supportsRemoteConnection: true, supportsNVMe: false },
    });
  });

  test("sets and keyed lists are sorted; ordered lists keep their order", () => {
    const n = normalizeFields("price-and-availability-plan", {
      markets: ["us", "de", "us"],
      pricing: {
        corePricing: {
          priceInputOption: "perMarketAndCoreSize",
          prices: [
            { currency: "usd", markets: ["us", "ca"], prices: { "2": 1 } },
            { currency: "eur", markets: ["fr", "de"], prices: { "2": 1 } },
          ],
        },
      },
    });
    expect(n.markets).toEqual(["de", "us"]);
    expect(
      (n.pricing as { corePricing: { prices: Array<{ currency: string; markets: string[] }> } }).corePricing
        .prices,
    ).toEqual([
      { currency: "eur", markets: ["de", "fr"], prices: { "2": 1 } },
      { currency: "usd", markets: ["ca", "us"], prices: { "2": 1 } },
    ]);
    const listing = normalizeFields("listing", {
      searchKeywords: ["b", "a"],
      generalLinks: [
        { displayText: "2", link: "https://b" },
        { displayText: "1", link: "https://a" },
      ],
    });
    expect(listing.searchKeywords).toEqual(["a", "b"]);
    expect((listing.generalLinks as Array<{ displayText: string }>).map((l) => l.displayText)).toEqual([
      "2",
      "1",
    ]);
    const vm = normalizeFields("virtual-machine-plan-technical-configuration", {
      recommendedVmSizes: ["b", "a"],
      skus: [
        { imageType: "x64Gen2", skuId: "p" },
        { imageType: "x64Gen1", skuId: "p-gen1" },
      ],
      vmImageVersions: [
        { versionNumber: "2.0.0", vmImages: [] },
        { versionNumber: "1.0.0", vmImages: [] },
      ],
    });
    expect(vm.recommendedVmSizes).toEqual(["b", "a"]);
    expect((vm.skus as Array<{ imageType: string }>).map((s) => s.imageType)).toEqual(["x64Gen1", "x64Gen2"]);
    expect((vm.vmImageVersions as Array<{ versionNumber: string }>).map((v) => v.versionNumber)).toEqual([
      "1.0.0",
      "2.0.0",
    ]);
  });

  test("the input is not changed", () => {
    const fields = { markets: ["us", "de"], trial: null };
    normalizeFields("price-and-availability-plan", fields);
    expect(fields).toEqual({ markets: ["us", "de"], trial: null });
  });
});

describe("diffPart and diffDeclared", () => {
  const tree = indexTree(vmOfferTree());
  const current = tree.byKey.get("plans[gen2].availability");

  test("only declared fields count; an unchanged declaration is no change", () => {
    expect(
      diffPart(
        part("plans[gen2].availability", "price-and-availability-plan", { visibility: "visible" }, "gen2"),
        current,
      ),
    ).toEqual([]);
    expect(
      diffPart(
        part(
          "plans[gen2].availability",
          "price-and-availability-plan",
          { markets: ["gb", "fr", "de", "us"] },
          "gen2",
        ),
        current,
      ),
    ).toEqual([]);
  });

  test("a price change is one change down to the field", () => {
    const changes = diffPart(
      part(
        "plans[gen2].availability",
        "price-and-availability-plan",
        {
          pricing: {
            licenseModel: "payAsYouGo",
            corePricing: { priceInputOption: "perCore", pricePerCore: 0.07 },
          },
        },
        "gen2",
      ),
      current,
    );
    expect(changes).toEqual([
      {
        key: "plans[gen2].availability",
        field: "pricing.corePricing.pricePerCore",
        kind: "update",
        old: 0.05,
        new: 0.07,
      },
    ]);
    expect(propertyPath(changes[0]?.key ?? "", changes[0]?.field ?? "")).toBe(
      'plans["gen2"].availability.pricing.corePricing.pricePerCore',
    );
  });

  test("below a declared field the declaration is the whole truth: add, update and delete", () => {
    const changes = diffPart(
      part(
        "plans[gen2].availability",
        "price-and-availability-plan",
        { pricing: { corePricing: { priceInputOption: "flat", price: 3 } } },
        "gen2",
      ),
      current,
    );
    expect(changes).toEqual([
      { key: "plans[gen2].availability", field: "pricing.corePricing.price", kind: "add", new: 3 },
      {
        key: "plans[gen2].availability",
        field: "pricing.corePricing.priceInputOption",
        kind: "update",
        old: "perCore",
        new: "flat",
      },
      {
        key: "plans[gen2].availability",
        field: "pricing.corePricing.pricePerCore",
        kind: "delete",
        old: 0.05,
      },
      { key: "plans[gen2].availability", field: "pricing.licenseModel", kind: "delete", old: "payAsYouGo" },
    ]);
  });

  test("a declared null trial removes the draft's trial; a list is one field", () => {
    const withTrial = { ...current, trial: { type: "month", value: 1 } };
    expect(diffPart(part("k", "price-and-availability-plan", { trial: null }), withTrial)).toEqual([
      { key: "k", field: "trial", kind: "delete", old: { type: "month", value: 1 } },
    ]);
    expect(diffPart(part("k", "price-and-availability-plan", { markets: ["us"] }), current)).toEqual([
      { key: "k", field: "markets", kind: "update", old: ["de", "fr", "gb", "us"], new: ["us"] },
    ]);
  });

  test('a part the tree does not hold is one add with field ""', () => {
    expect(diffPart(part("plans[new].listing", "plan-listing", { name: "N" }, "new"), undefined)).toEqual([
      { key: "plans[new].listing", field: "", kind: "add", new: { name: "N" } },
    ]);
  });

  test("map keys that are not identifiers are bracketed", () => {
    const property = tree.byKey.get("property");
    const changes = diffPart(
      part("property", "property", { categories: { "it-and-management-tools": ["management"] } }),
      property,
    );
    expect(changes).toEqual([
      {
        key: "property",
        field: 'categories["it-and-management-tools"]',
        kind: "update",
        old: ["business-continuity", "management"],
        new: ["management"],
      },
    ]);
    expect(propertyPath("property", changes[0]?.field ?? "")).toBe(
      'property.categories["it-and-management-tools"]',
    );
  });

  test("diffDeclared over the whole offer: only the changed fields", () => {
    const inputs: OfferConfigurationInputs = {
      offerId: "contoso-vm",
      listing: { title: "Contoso VM 2" },
      plans: {
        gen2: { availability: { visibility: "visible" } },
        "gen1-legacy": { alias: "Plan gen1-legacy" },
      },
    };
    expect(diffDeclared(declaredParts(inputs), tree)).toEqual([
      { key: "listing", field: "title", kind: "update", old: "Contoso VM", new: "Contoso VM 2" },
    ]);
  });
});

describe("diffInputs (state vs program, no request)", () => {
  const olds: OfferConfigurationInputs = {
    offerId: "o-1",
    listing: { title: "A", summary: "S" } as never,
    plans: { p1: { alias: "P1", availability: { markets: ["us", "de"] } }, p2: { alias: "P2" } },
  };

  test("nothing when the program declares what state holds (in any list order)", () => {
    expect(
      diffInputs(olds, {
        offerId: "o-1",
        listing: { summary: "S", title: "A" } as never,
        plans: { p2: { alias: "P2" }, p1: { alias: "P1", availability: { markets: ["de", "us"] } } },
      }),
    ).toEqual([]);
  });

  test("field changes, a new part, a removed plan, a field no longer declared, a setting", () => {
    const changes = diffInputs(olds, {
      offerId: "o-2",
      removedPlans: "hide",
      listing: { title: "B" },
      plans: { p1: { alias: "P1", availability: { markets: ["us", "de"] }, listing: { name: "n" } } },
    });
    expect(changes).toEqual([
      { key: "offerId", field: "", kind: "update", old: "o-1", new: "o-2" },
      { key: "removedPlans", field: "", kind: "add", new: "hide" },
      { key: "listing", field: "title", kind: "update", old: "A", new: "B" },
      { key: "listing", field: "summary", kind: "delete", old: "S" },
      { key: "plans[p1].listing", field: "", kind: "add", new: { name: "n" } },
      { key: "plans[p2]", field: "", kind: "delete", old: expect.objectContaining({ alias: "P2" }) },
    ]);
    expect(changes.map((c) => propertyPath(c.key, c.field))).toEqual([
      "offerId",
      "removedPlans",
      "listing.title",
      "listing.summary",
      'plans["p1"].listing',
      'plans["p2"]',
    ]);
  });
});

describe("diffTrees (draft vs preview vs live)", () => {
  const preview = vmOfferTree();
  const draft = vmOfferTree().map((r) =>
    r.id === preview.find((p) => String(p.$schema).includes("/listing/"))?.id
      ? { ...r, title: "Edited in the portal", shortDescription: "New" }
      : r,
  );

  test("only: the declared fields that differ (pending changes)", () => {
    const parts = declaredParts({
      offerId: "contoso-vm",
      listing: { title: "x" },
      plans: { gen2: { alias: "y" } },
    });
    expect(diffTrees(indexTree(draft), indexTree(preview), { only: parts })).toEqual([
      { key: "listing", field: "title", kind: "update", old: "Contoso VM", new: "Edited in the portal" },
    ]);
  });

  test("except: what nobody declared (other fields of declared parts, whole undeclared resources)", () => {
    const parts = declaredParts({ offerId: "contoso-vm", listing: { title: "x" } });
    const extra = [
      ...draft,
      {
        $schema: "https://schema.mp.microsoft.com/schema/test-drive/2022-03-01-preview2",
        id: "test-drive/1",
        enabled: true,
      },
    ];
    expect(diffTrees(indexTree(extra), indexTree(preview), { except: parts })).toEqual([
      { key: "listing", field: "shortDescription", kind: "update", old: "A VM for everything", new: "New" },
      { key: "resources[test-drive]", field: "", kind: "add", new: { enabled: true } },
    ]);
    expect(diffTrees(indexTree(preview), indexTree(vmOfferTree()))).toEqual([]);
  });
});

describe("propertyPath and describeChange", () => {
  test("list items by index when the inputs are at hand", () => {
    const inputs: OfferConfigurationInputs = {
      offerId: "o-1",
      listingAssets: [{ fileName: "a.png" }, { fileName: "b.png" }],
      resources: [
        { $schema: "https://schema.mp.microsoft.com/schema/customer-leads/2022-03-01-preview3" },
        {
          $schema: "https://schema.mp.microsoft.com/schema/test-drive/2022-03-01-preview2",
          plan: { externalId: "p1" },
        },
      ],
    };
    expect(propertyPath("listingAssets[b.png]", "url", inputs)).toBe("listingAssets[1].url");
    expect(propertyPath("listingAssets[b.png]", "url")).toBe('listingAssets["b.png"].url');
    expect(propertyPath("resources[test-drive:p1]", "enabled", inputs)).toBe("resources[1].enabled");
    expect(propertyPath("plans[gen-2].availability", "")).toBe('plans["gen-2"].availability');
  });

  test("one line per change; SAS signatures and passwords never shown", () => {
    expect(
      describeChange({
        key: "plans[gen2].availability",
        field: "pricing.corePricing.price",
        kind: "update",
        old: 10,
        new: 12,
      }),
    ).toBe("plans[gen2].availability.pricing.corePricing.price: 10 -> 12");
    expect(describeChange({ key: "plans[new]", field: "", kind: "add", new: { alias: "N" } })).toBe(
      'plans[new]: new ({"alias":"N"})',
    );
    expect(describeChange({ key: "listing", field: "summary", kind: "delete", old: "S" })).toBe(
      'listing.summary: removed (was "S")',
    );
    const sas =
      "https://acct.blob.core.windows.net/vhds/os.vhd?sv=2022-11-02&sr=c&sig=SECRET%3D&se=2027-01-01";
    const line = describeChange({
      key: "plans[gen2].technicalConfiguration",
      field: "vmImageVersions",
      kind: "update",
      old: [{ versionNumber: "1.0.0", vmImages: [{ source: { osDisk: { uri: sas } } }] }],
      new: [],
    });
    expect(line).not.toContain("SECRET");
    expect(line).toContain("plans[gen2].technicalConfiguration.vmImageVersions:");
    const password = describeChange({
      key: "plans[image].technicalConfiguration",
      field: "imageRepositoryDetails",
      kind: "update",
      old: { registryName: "r", password: "hunter2" },
      new: { registryName: "r", password: "hunter3" },
    });
    expect(password).not.toMatch(/hunter/);
    expect(
      describeChange({
        key: "plans[image].technicalConfiguration",
        field: "imageRepositoryDetails.password",
        kind: "update",
        old: "hunter2",
        new: "x",
      }),
    ).toBe("plans[image].technicalConfiguration.imageRepositoryDetails.password: [secret] -> [secret]");
    expect(
      describeChange({ key: "listing", field: "description", kind: "update", old: "a".repeat(200), new: "b" })
        .length,
    ).toBeLessThan(120);
  });
});
