/**
 * Keys: the declared parts of the inputs and the resources of a tree meet by key (`plans[gen2].availability`,
 * `resources[<type>:<plan>]`), whatever form the tree's plan references take; the declaration output is stable.
 */

import {
  declarationOf,
  declaredParts,
  indexTree,
  parseDeclaration,
  rawKey,
  stopSellPart,
} from "../../provider/ingestion/offer/keys";
import type { OfferConfigurationInputs } from "../../provider/ingestion/offer/types";
import { techConfigTypeOf } from "../../provider/ingestion/offer/types";
import {
  containerOfferTree,
  PLAN_GUIDS,
  PRODUCT_GUID,
  saasOfferTree,
  vmOfferTree,
} from "../support/offer-trees";

const BASE = "https://schema.mp.microsoft.com/schema";

describe("indexTree", () => {
  test("every resource of a VM offer by key; plans by external id; submissions never keyed", () => {
    const index = indexTree(vmOfferTree());
    expect(index.productId).toBe(`product/${PRODUCT_GUID}`);
    expect(index.productType).toBe("azureVirtualMachine");
    expect([...index.planIds]).toEqual([
      ["gen2", `plan/${PRODUCT_GUID}/${PLAN_GUIDS.gen2}`],
      ["gen1-legacy", `plan/${PRODUCT_GUID}/${PLAN_GUIDS["gen1-legacy"]}`],
    ]);
    expect([...index.byKey.keys()].sort()).toEqual(
      [
        "availability",
        "listing",
        "listingAssets[logo-216.png]",
        "plans[gen1-legacy]",
        "plans[gen1-legacy].availability",
        "plans[gen1-legacy].listing",
        "plans[gen1-legacy].technicalConfiguration",
        "plans[gen2]",
        "plans[gen2].availability",
        "plans[gen2].listing",
        "plans[gen2].technicalConfiguration",
        "product",
        "property",
        "reseller",
        "resources[customer-leads]",
      ].sort(),
    );
    expect(index.unkeyed.map((r) => r.id)).toEqual([`submission/${PRODUCT_GUID}/0`]);
  });

  test("plan references as plan/<productGuid>/<planGuid>, plan/<planGuid> (any case), { externalId }, or only the configuration's own id", () => {
    const guid = PLAN_GUIDS.gen2 as string;
    const tree = [
      {
        $schema: `${BASE}/plan/2022-03-01-preview2`,
        id: `plan/${PRODUCT_GUID}/${guid}`,
        identity: { externalID: "gen2" },
      },
      { $schema: `${BASE}/plan-listing/2022-03-01-preview5`, plan: `plan/${guid.toUpperCase()}`, name: "a" },
      { $schema: `${BASE}/price-and-availability-plan/2022-03-01-preview4`, plan: { externalId: "gen2" } },
      { id: `virtual-machine-plan-technical-configuration/${PRODUCT_GUID}/${guid}`, skus: [] },
      { $schema: `${BASE}/test-drive/2022-03-01-preview2`, plan: `plan/${PRODUCT_GUID}/${guid}` },
      { $schema: `${BASE}/test-drive/2022-03-01-preview2`, plan: "plan/unknown-guid" },
    ];
    const index = indexTree(tree);
    expect([...index.byKey.keys()]).toEqual([
      "plans[gen2]",
      "plans[gen2].listing",
      "plans[gen2].availability",
      "plans[gen2].technicalConfiguration",
      "resources[test-drive:gen2]",
    ]);
    // A resource of a plan the tree does not hold is never matched.
    expect(index.unkeyed).toEqual([tree[5]]);
  });

  test("a second listing language and a second resource with the same key are unkeyed, first wins", () => {
    const tree = [
      { $schema: `${BASE}/listing/2022-03-01-preview5`, id: "listing/x/de-de", languageId: "de-de" },
      { $schema: `${BASE}/listing/2022-03-01-preview5`, id: "listing/x/en-us", languageId: "en-us" },
      { $schema: `${BASE}/reseller/2022-03-01-preview2`, id: "reseller/1" },
      { $schema: `${BASE}/reseller/2022-03-01-preview2`, id: "reseller/2" },
      { $schema: `${BASE}/commercial-marketplace-setup/2022-03-01-preview2`, languageId: "en-us" },
    ];
    const index = indexTree(tree);
    expect(index.byKey.get("listing")?.id).toBe("listing/x/en-us");
    expect(index.byKey.get("reseller")?.id).toBe("reseller/1");
    expect(index.byKey.has("resources[commercial-marketplace-setup:en-us]")).toBe(true);
    expect(index.unkeyed.map((r) => r.id)).toEqual(["listing/x/de-de", "reseller/2"]);
  });
});

describe("declaredParts", () => {
  const inputs: OfferConfigurationInputs = {
    offerId: "contoso-vm",
    product: { type: "azureVirtualMachine", alias: "Contoso" },
    listing: { title: "Contoso", description: undefined },
    listingAssets: [{ fileName: "logo.png", type: "azureLogoLarge", url: "https://x.example/logo.png" }],
    technicalConfiguration: undefined,
    plans: {
      gen2: {
        alias: "Gen 2",
        listing: { name: "Gen 2" },
        availability: { visibility: "visible", audience: "public" },
        technicalConfiguration: { skus: [{ imageType: "x64Gen2", skuId: "gen2" }] },
      },
      bare: {},
    },
    resources: [
      { $schema: `${BASE}/customer-leads/2022-03-01-preview3`, leadDestination: "none" },
      { $schema: `${BASE}/test-drive/2022-03-01-preview2`, plan: { externalId: "gen2" }, enabled: false },
    ],
  };

  test("keys, types and scopes; undefined fields left out; a plan declared with no fields is still a part", () => {
    expect(
      declaredParts(inputs).map((p) => [p.key, p.type, p.scope, p.planId ?? null, p.raw ?? false]),
    ).toEqual([
      ["product", "product", "offer", null, false],
      ["listing", "listing", "offer", null, false],
      ["listingAssets[logo.png]", "listing-asset", "offer", null, false],
      ["plans[gen2]", "plan", "plan", "gen2", false],
      ["plans[gen2].listing", "plan-listing", "plan", "gen2", false],
      ["plans[gen2].availability", "price-and-availability-plan", "plan", "gen2", false],
      [
        "plans[gen2].technicalConfiguration",
        "virtual-machine-plan-technical-configuration",
        "plan",
        "gen2",
        false,
      ],
      ["plans[bare]", "plan", "plan", "bare", false],
      ["resources[customer-leads]", "customer-leads", "offer", null, true],
      ["resources[test-drive:gen2]", "test-drive", "plan", "gen2", true],
    ]);
    const parts = declaredParts(inputs);
    expect(parts[1]?.fields).toEqual({ title: "Contoso" });
    expect(parts[3]?.fields).toEqual({ alias: "Gen 2" });
    // A raw part keeps its $schema; its plan reference is its key.
    expect(parts[9]?.fields).toEqual({ $schema: `${BASE}/test-drive/2022-03-01-preview2`, enabled: false });
  });

  test("the technical configuration type: product.type, else the tree's product type, else the fields", () => {
    const tech = (i: OfferConfigurationInputs, productType?: string) =>
      declaredParts(i, productType).find((p) => p.key.endsWith(".technicalConfiguration"))?.type;
    const plain = {
      offerId: "o-1",
      plans: { p1: { technicalConfiguration: { skus: [] } } },
    } as OfferConfigurationInputs;
    expect(tech(plain)).toBe("virtual-machine-plan-technical-configuration");
    expect(tech(plain, "coreVirtualMachine")).toBe("core-virtual-machine-plan-technical-configuration");
    expect(tech({ ...plain, product: { type: "azureContainer" } }, "coreVirtualMachine")).toBe(
      "container-plan-technical-configuration",
    );
    expect(tech({ offerId: "o-1", plans: { p1: { technicalConfiguration: { payloadType: "cnab" } } } })).toBe(
      "container-plan-technical-configuration",
    );
    expect(
      tech({ offerId: "o-1", plans: { p1: { technicalConfiguration: { softwareType: "solution" } } } }),
    ).toBe("core-virtual-machine-plan-technical-configuration");
    expect(techConfigTypeOf("softwareAsAService")).toBeUndefined();
  });

  test("raw keys: type, plan, language", () => {
    expect(rawKey("customer-leads")).toBe("resources[customer-leads]");
    expect(rawKey("test-drive", "gen2")).toBe("resources[test-drive:gen2]");
    expect(rawKey("test-drive-listing", "gen2", "en-us")).toBe("resources[test-drive-listing:gen2:en-us]");
  });

  test("SaaS: the technical configuration at the offer level; container: image and CNAB plans", () => {
    expect(indexTree(vmOfferTree()).productType).toBe("azureVirtualMachine");
    const container = indexTree(containerOfferTree());
    expect(container.byKey.get("plans[cnab].technicalConfiguration")?.payloadType).toBe("cnab");
    expect(container.byKey.get("plans[image].technicalConfiguration")?.payloadType).toBe("image");
    expect(indexTree(saasOfferTree()).byKey.get("technicalConfiguration")?.landingPageUrl).toBe(
      "https://contoso.example/landing",
    );
  });
});

describe("declaration", () => {
  test("stable whatever the order of declaration, lists and keys; parses back", () => {
    const a: OfferConfigurationInputs = {
      offerId: "o-1",
      listing: { title: "T", searchKeywords: ["b", "a"] },
      plans: { p1: { availability: { markets: ["us", "de"], visibility: "visible", audience: "public" } } },
    };
    const b: OfferConfigurationInputs = {
      plans: { p1: { availability: { audience: "public", visibility: "visible", markets: ["de", "us"] } } },
      listing: { searchKeywords: ["a", "b"], title: "T" },
      offerId: "o-1",
    };
    const text = declarationOf(declaredParts(a));
    expect(declarationOf(declaredParts(b))).toBe(text);
    expect(declarationOf(declaredParts({ ...a, listing: { title: "U" } }))).not.toBe(text);
    const parsed = parseDeclaration(text);
    // Only declared fields, normalised (defaults are not declared).
    expect(parsed).toContainEqual(
      expect.objectContaining({
        key: "plans[p1].availability",
        fields: { audience: "public", markets: ["de", "us"], visibility: "visible" },
      }),
    );
    expect(parsed.map((p) => p.key)).toEqual(["listing", "plans[p1]", "plans[p1].availability"]);
    expect(declarationOf(parsed)).toBe(text);
    expect(parseDeclaration("not json")).toEqual([]);
    expect(parseDeclaration(undefined)).toEqual([]);
  });

  test("stop-sell part: the plan's availability hidden", () => {
    expect(stopSellPart("gen1")).toEqual({
      key: "plans[gen1].availability",
      type: "price-and-availability-plan",
      scope: "plan",
      planId: "gen1",
      fields: { visibility: "hidden" },
    });
  });
});
