/**
 * The resources of one configure: merged with the draft at top-level fields, durable ids and references for what
 * exists, resourceName and { resourceName } references for what is created in the same request, pinned $schema,
 * and a VM technical configuration declared without image versions carrying the draft's.
 */

import { type DeclaredPart, declaredParts, indexTree } from "../../provider/ingestion/offer/keys";
import { configureResources, keysByResourceName, resourceNameOf } from "../../provider/ingestion/offer/write";
import { schemaUri } from "../../provider/ingestion/schemas";
import { PLAN_GUIDS, PRODUCT_GUID, vmOfferTree } from "../support/offer-trees";

const productId = `product/${PRODUCT_GUID}`;
const gen2 = `plan/${PRODUCT_GUID}/${PLAN_GUIDS.gen2}`;

const byKey = (parts: DeclaredPart[], key: string) => parts.filter((p) => p.key === key);

describe("configureResources: existing resources", () => {
  const tree = indexTree(vmOfferTree());

  test("a changed price: the draft's resource with the declared field replaced, durable id and refs, pinned $schema", () => {
    const parts = declaredParts({
      offerId: "contoso-vm",
      plans: {
        gen2: {
          availability: { pricing: { corePricing: { priceInputOption: "perCore", pricePerCore: 0.07 } } },
        },
      },
    });
    const [resource, ...rest] = configureResources(
      byKey(parts, "plans[gen2].availability"),
      tree,
      "contoso-vm",
    );
    expect(rest).toEqual([]);
    const draft = tree.byKey.get("plans[gen2].availability") ?? {};
    expect(resource).toEqual({
      ...draft,
      $schema: schemaUri("price-and-availability-plan"),
      id: draft.id,
      product: productId,
      plan: gen2,
      pricing: { corePricing: { priceInputOption: "perCore", pricePerCore: 0.07 } },
    });
    expect(Object.keys(resource ?? {})[0]).toBe("$schema");
    expect(resource).not.toHaveProperty("resourceName");
  });

  test("a VM technical configuration declared without vmImageVersions carries the draft's versions exactly", () => {
    const parts = declaredParts({
      offerId: "contoso-vm",
      plans: { gen2: { technicalConfiguration: { recommendedVmSizes: ["Standard_D4s_v5"] } } },
    });
    const [resource] = configureResources(
      parts.filter((p) => p.key.endsWith("technicalConfiguration")),
      tree,
      "contoso-vm",
    );
    const draft = tree.byKey.get("plans[gen2].technicalConfiguration") ?? {};
    expect(resource?.vmImageVersions).toEqual(draft.vmImageVersions);
    expect(resource?.skus).toEqual(draft.skus);
    expect(resource?.recommendedVmSizes).toEqual(["Standard_D4s_v5"]);
    expect(resource?.$schema).toBe(schemaUri("virtual-machine-plan-technical-configuration"));
    expect(resource).not.toHaveProperty("validations");
  });

  test("product and plan keep their identity; an asset its listing reference", () => {
    const parts = declaredParts({
      offerId: "contoso-vm",
      product: { alias: "Renamed" },
      listingAssets: [{ fileName: "logo-216.png", friendlyName: "New name" }],
      plans: { gen2: { alias: "Gen 2 renamed" } },
    });
    const resources = configureResources(parts, tree, "contoso-vm");
    expect(resources.map((r) => r.id)).toEqual([
      productId,
      gen2,
      `listing-asset/${PRODUCT_GUID}/public/main/default/en-us/logo-large`,
    ]);
    expect(resources[0]).toMatchObject({
      identity: { externalId: "contoso-vm" },
      alias: "Renamed",
      type: "azureVirtualMachine",
    });
    expect(resources[0]).not.toHaveProperty("product");
    expect(resources[1]).toMatchObject({
      identity: { externalId: "gen2" },
      product: productId,
      alias: "Gen 2 renamed",
    });
    expect(resources[1]).not.toHaveProperty("plan");
    expect(resources[2]).toMatchObject({
      listing: `listing/${PRODUCT_GUID}/public/main/default/en-us`,
      friendlyName: "New name",
    });
  });

  test("a raw resource: its own $schema, durable refs, plan by durable id", () => {
    const schema = "https://schema.mp.microsoft.com/schema/customer-leads/2022-03-01-preview3";
    const parts = declaredParts({
      offerId: "contoso-vm",
      resources: [{ $schema: schema, product: { externalId: "contoso-vm" }, leadDestination: "email" }],
    });
    expect(configureResources(parts, tree, "contoso-vm")).toEqual([
      { $schema: schema, id: `customer-leads/${PRODUCT_GUID}`, product: productId, leadDestination: "email" },
    ]);
  });
});

describe("configureResources: creation in one request", () => {
  test("a new offer: product, plan, listing, plan parts and an asset tied by resourceName", () => {
    const parts = declaredParts({
      offerId: "contoso-new",
      product: { type: "azureVirtualMachine", alias: "New" },
      listing: { title: "New" },
      listingAssets: [{ fileName: "logo.png", type: "azureLogoLarge", url: "https://x.example/logo.png" }],
      reseller: {},
      plans: {
        gen2: {
          alias: "Gen 2",
          listing: { name: "Gen 2" },
          availability: { visibility: "visible", audience: "public" },
          technicalConfiguration: { skus: [{ imageType: "x64Gen2", skuId: "gen2" }] },
        },
      },
    });
    const resources = configureResources(parts, indexTree([]), "contoso-new");
    const product = { resourceName: "product" };
    const plan = { resourceName: resourceNameOf("plans[gen2]") };
    expect(resources).toEqual([
      {
        $schema: schemaUri("product"),
        resourceName: "product",
        identity: { externalId: "contoso-new" },
        type: "azureVirtualMachine",
        alias: "New",
      },
      {
        $schema: schemaUri("plan"),
        resourceName: plan.resourceName,
        product,
        identity: { externalId: "gen2" },
        alias: "Gen 2",
      },
      {
        $schema: schemaUri("listing"),
        resourceName: "listing",
        product,
        title: "New",
        languageId: "en-us",
        kind: "azureVM",
      },
      {
        $schema: schemaUri("listing-asset"),
        resourceName: resourceNameOf("listingAssets[logo.png]"),
        product,
        listing: { resourceName: "listing" },
        fileName: "logo.png",
        type: "azureLogoLarge",
        url: "https://x.example/logo.png",
        languageId: "en-us",
        kind: "azure",
      },
      {
        $schema: schemaUri("price-and-availability-plan"),
        resourceName: resourceNameOf("plans[gen2].availability"),
        product,
        plan,
        visibility: "visible",
        audience: "public",
      },
      {
        $schema: schemaUri("plan-listing"),
        resourceName: resourceNameOf("plans[gen2].listing"),
        product,
        plan,
        name: "Gen 2",
        languageId: "en-us",
        kind: "azureVM-plan",
      },
      {
        $schema: schemaUri("virtual-machine-plan-technical-configuration"),
        resourceName: resourceNameOf("plans[gen2].technicalConfiguration"),
        product,
        plan,
        skus: [{ imageType: "x64Gen2", skuId: "gen2" }],
      },
      {
        $schema: schemaUri("reseller"),
        resourceName: "reseller",
        product,
        resellerChannelState: "none",
        audiences: [],
      },
    ]);
    const names = keysByResourceName(resources, parts);
    expect(names.get(plan.resourceName)).toBe("plans[gen2]");
    expect(names.size).toBe(resources.length);
  });

  test("a new plan in an existing offer: durable product ref, { resourceName } plan ref", () => {
    const tree = indexTree(vmOfferTree());
    const parts = declaredParts({
      offerId: "contoso-vm",
      plans: {
        gen3: {
          alias: "Gen 3",
          availability: { visibility: "visible", audience: "public", markets: ["us"] },
        },
      },
    });
    const resources = configureResources(parts, tree, "contoso-vm");
    expect(resources.map((r) => [r.resourceName, r.product, r.plan])).toEqual([
      [resourceNameOf("plans[gen3]"), productId, undefined],
      [
        resourceNameOf("plans[gen3].availability"),
        productId,
        { resourceName: resourceNameOf("plans[gen3]") },
      ],
    ]);
  });

  test("the technical configuration type follows the offer's type, whatever the declared part inferred", () => {
    const tree = indexTree([
      {
        $schema: "https://schema.mp.microsoft.com/schema/product/2022-03-01-preview3",
        id: productId,
        type: "coreVirtualMachine",
        identity: { externalId: "core" },
      },
      {
        $schema: "https://schema.mp.microsoft.com/schema/plan/2022-03-01-preview2",
        id: gen2,
        identity: { externalId: "gen2" },
      },
    ]);
    const parts = declaredParts({
      offerId: "core",
      plans: { gen2: { technicalConfiguration: { skus: [] } } },
    });
    const [resource] = configureResources(
      parts.filter((p) => p.key.endsWith("technicalConfiguration")),
      tree,
      "core",
    );
    expect(resource).toMatchObject({
      $schema: schemaUri("core-virtual-machine-plan-technical-configuration"),
      plan: gen2,
    });
  });
});

describe("resourceNameOf", () => {
  test("valid, unique, at most 50 characters", () => {
    const keys = [
      "product",
      "plans[gen2]",
      "plans[gen2].listing",
      "listingAssets[logo.png]",
      "listingAssets[logo-png]",
      `plans[${"a".repeat(50)}].technicalConfiguration`,
    ];
    const names = keys.map(resourceNameOf);
    expect(names[0]).toBe("product");
    expect(new Set(names).size).toBe(keys.length);
    for (const name of names) {
      expect(name).toMatch(/^[a-zA-Z0-9-_]+$/);
      expect(name.length).toBeLessThanOrEqual(50);
    }
    expect(resourceNameOf("plans[gen2]")).toBe(resourceNameOf("plans[gen2]"));
  });
});
