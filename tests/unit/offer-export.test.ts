/**
 * Export (import and `pulumi-cloudpartner export`): every typed part filled from the tree, other types raw with
 * their $schema, no server fields, no image versions (VmImageVersion's), no durable ids; round-trips with no change
 * and passes validation, for VM, SaaS and container offers.
 */

import { diffDeclared } from "../../provider/ingestion/offer/diff";
import { exportedKeys, inputsFromTree } from "../../provider/ingestion/offer/export";
import { declaredParts, indexTree } from "../../provider/ingestion/offer/keys";
import { validateOffer } from "../../provider/ingestion/offer/validate";
import { containerOfferTree, PRODUCT_GUID, saasOfferTree, vmOfferTree } from "../support/offer-trees";

const BASE = "https://schema.mp.microsoft.com/schema";

describe("inputsFromTree", () => {
  test.each([
    ["VM", vmOfferTree, "contoso-vm"],
    ["SaaS", saasOfferTree, "contoso-saas"],
    ["container (image and CNAB)", containerOfferTree, "contoso-k8s"],
  ])("%s offer: round trip with no change, valid, every keyed resource declared", (_name, tree, offerId) => {
    const resources = tree();
    const inputs = inputsFromTree(resources, offerId);
    expect(diffDeclared(declaredParts(inputs), indexTree(resources))).toEqual([]);
    expect(validateOffer(inputs)).toEqual([]);
    expect(exportedKeys(resources, offerId).sort()).toEqual([...indexTree(resources).byKey.keys()].sort());
    const text = JSON.stringify(inputs);
    // Server fields and durable ids (an audience's "id" is its subscription or tenant, which is the user's).
    for (const serverField of [
      '"validations"',
      '"resourceName"',
      '"identity"',
      '"$schema":"https://schema.mp.microsoft.com/schema/plan',
      "product/",
      "plan/",
    ])
      expect(text).not.toContain(serverField);
  });

  test("VM: the shape of the export; no image versions (no SAS URI in a program), raw resources with their $schema", () => {
    const inputs = inputsFromTree(vmOfferTree(), "contoso-vm");
    expect(inputs.offerId).toBe("contoso-vm");
    expect(inputs.product).toEqual({ type: "azureVirtualMachine", alias: "Contoso VM" });
    expect(Object.keys(inputs.plans ?? {})).toEqual(["gen1-legacy", "gen2"]);
    expect(inputs.plans?.gen2?.availability?.pricing).toEqual({
      licenseModel: "payAsYouGo",
      corePricing: { priceInputOption: "perCore", pricePerCore: 0.05 },
    });
    expect(inputs.plans?.gen2?.technicalConfiguration).not.toHaveProperty("vmImageVersions");
    expect(JSON.stringify(inputs)).not.toContain("sig=");
    expect(inputs.listingAssets).toEqual([
      {
        fileName: "logo-216.png",
        type: "azureLogoLarge",
        url: "https://contoso.example/logo-216.png",
        kind: "azure",
        languageId: "en-us",
        friendlyName: "Logo",
        displayOrder: 0,
      },
    ]);
    expect(inputs.resources).toEqual([
      { $schema: `${BASE}/customer-leads/2022-03-01-preview3`, leadDestination: "none" },
    ]);
  });

  test("vmImageVersions on request (for state), exactly as read; the round trip holds with them too", () => {
    const tree = vmOfferTree();
    const inputs = inputsFromTree(tree, "contoso-vm", { vmImageVersions: true });
    const read = indexTree(tree).byKey.get("plans[gen2].technicalConfiguration");
    expect(inputs.plans?.gen2?.technicalConfiguration).toHaveProperty(
      "vmImageVersions",
      read?.vmImageVersions,
    );
    expect(diffDeclared(declaredParts(inputs), indexTree(tree))).toEqual([]);
  });

  test("SaaS: the technical configuration at the offer level; the plan's recurrent price as read", () => {
    const inputs = inputsFromTree(saasOfferTree(), "contoso-saas");
    expect(inputs.technicalConfiguration).toEqual({
      landingPageUrl: "https://contoso.example/landing",
      connectionWebhook: "https://contoso.example/webhook",
      azureAdTenantId: "11111111-2222-4333-8444-555555555555",
      azureAdAppId: "66666666-7777-4888-9999-000000000000",
    });
    expect(inputs.plans?.basic?.technicalConfiguration).toBeUndefined();
  });

  test("raw plan references become { externalId }; what a program cannot hold is left out (and left untouched)", () => {
    const product = `product/${PRODUCT_GUID}`;
    const plan = `plan/${PRODUCT_GUID}/aa11`;
    const tree = [
      {
        $schema: `${BASE}/product/2022-03-01-preview3`,
        id: product,
        identity: { externalId: "o-1" },
        type: "azureVirtualMachine",
        alias: "O",
        productGroup: "product-group/123",
      },
      {
        $schema: `${BASE}/plan/2022-03-01-preview2`,
        id: plan,
        identity: { externalId: "p-1" },
        alias: "P1",
        deprecationSchedule: {
          date: "2026-01-01",
          dateOffset: "P30D",
          reason: "other",
          alternative: { plan: "plan/x/y" },
        },
      },
      {
        $schema: `${BASE}/test-drive/2022-03-01-preview2`,
        id: "test-drive/1",
        product,
        plan: "plan/aa11",
        enabled: true,
      },
    ];
    const inputs = inputsFromTree(tree, "o-1");
    expect(inputs.product).toEqual({ type: "azureVirtualMachine", alias: "O" });
    expect(inputs.plans?.["p-1"]).toEqual({ alias: "P1" });
    expect(inputs.resources).toEqual([
      { $schema: `${BASE}/test-drive/2022-03-01-preview2`, plan: { externalId: "p-1" }, enabled: true },
    ]);
    expect(diffDeclared(declaredParts(inputs), indexTree(tree))).toEqual([]);
    expect(validateOffer(inputs)).toEqual([]);
  });
});
