/**
 * Resource trees as the Product Ingestion API answers `GET resource-tree/product/<guid>` (shapes from Microsoft's
 * samples and the preview2 schemas; ids made up), for the offer model's tests.
 */

const BASE = "https://schema.mp.microsoft.com/schema";
export const PRODUCT_GUID = "1c4a8b2e-0d4f-4a3b-9d5e-6f7a8b9c0d1e";
export const PLAN_GUIDS: Record<string, string> = {
  gen2: "2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  "gen1-legacy": "3b2c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
  basic: "4c3d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f",
};

const productId = `product/${PRODUCT_GUID}`;
const planId = (id: string) => `plan/${PRODUCT_GUID}/${PLAN_GUIDS[id]}`;

type Json = Record<string, unknown>;

function vmPlan(id: string, price: number, version: string): Json[] {
  return [
    {
      $schema: `${BASE}/plan/2022-03-01-preview2`,
      id: planId(id),
      product: productId,
      identity: { externalId: id },
      alias: `Plan ${id}`,
      azureRegions: ["azureGlobal"],
      validations: [{ level: "informational", code: "x", message: "y" }],
    },
    {
      $schema: `${BASE}/plan-listing/2022-03-01-preview5`,
      id: `plan-listing/${PRODUCT_GUID}/public/main/${PLAN_GUIDS[id]}/en-us`,
      product: productId,
      plan: planId(id),
      kind: "azureVM-plan",
      languageId: "en-us",
      name: `Contoso ${id}`,
      summary: `The ${id} plan`,
      description: `<p>The ${id} plan.</p>`,
    },
    {
      $schema: `${BASE}/price-and-availability-plan/2022-03-01-preview4`,
      id: `price-and-availability-plan/${PRODUCT_GUID}/public/main/${PLAN_GUIDS[id]}`,
      product: productId,
      plan: planId(id),
      visibility: "visible",
      audience: "public",
      customerMarkets: "customMarkets",
      markets: ["us", "de", "fr", "gb"],
      pricing: {
        licenseModel: "payAsYouGo",
        corePricing: { priceInputOption: "perCore", pricePerCore: price },
      },
      trial: null,
      privateAudiences: [],
      softwareReservation: [],
    },
    {
      $schema: `${BASE}/virtual-machine-plan-technical-configuration/2022-03-01-preview5`,
      id: `virtual-machine-plan-technical-configuration/${PRODUCT_GUID}/${PLAN_GUIDS[id]}`,
      product: productId,
      plan: planId(id),
      operatingSystem: { family: "linux", type: "ubuntu", friendlyName: "Ubuntu 24.04" },
      recommendedVmSizes: ["Standard_D2s_v5", "Standard_B2s"],
      openPorts: [{ label: "ssh", portRange: "22", protocol: "tcp" }],
      vmProperties: { supportsNVMe: true, supportsCloudInit: true },
      skus: [
        { imageType: "x64Gen2", skuId: id, securityType: ["trusted"] },
        { imageType: "x64Gen1", skuId: `${id}-gen1` },
      ],
      vmImageVersions: [
        {
          versionNumber: version,
          vmImages: [
            {
              imageType: "x64Gen2",
              source: {
                sourceType: "sasUri",
                osDisk: {
                  uri: `https://acct.blob.core.windows.net/vhds/${id}-${version}.vhd?sv=2022-11-02&sig=SECRETSIG`,
                },
                dataDisks: [],
              },
            },
          ],
        },
      ],
    },
  ];
}

/** A VM offer with two plans, every typed part, a raw customer-leads resource and a submission. */
export function vmOfferTree(): Json[] {
  return [
    {
      $schema: `${BASE}/product/2022-03-01-preview3`,
      id: productId,
      identity: { externalId: "contoso-vm" },
      type: "azureVirtualMachine",
      alias: "Contoso VM",
    },
    {
      $schema: `${BASE}/property/2022-03-01-preview5`,
      id: `property/${PRODUCT_GUID}/public/main`,
      product: productId,
      kind: "azureVM",
      termsConditions: "standardMicrosoft",
      categories: { "it-and-management-tools": ["business-continuity", "management"] },
    },
    {
      $schema: `${BASE}/listing/2022-03-01-preview5`,
      id: `listing/${PRODUCT_GUID}/public/main/default/en-us`,
      product: productId,
      kind: "azureVM",
      languageId: "en-us",
      title: "Contoso VM",
      searchResultSummary: "A VM",
      shortDescription: "A VM for everything",
      description: "<p>Contoso VM.</p>",
      searchKeywords: ["vm", "contoso"],
      privacyPolicyLink: "https://contoso.example/privacy",
      generalLinks: [
        { displayText: "Docs", link: "https://contoso.example/docs" },
        { displayText: "Home", link: "https://contoso.example" },
      ],
      supportContact: { name: "Support", email: "support@contoso.example", phone: "+1 555 0100" },
      engineeringContact: { name: "Eng", email: "eng@contoso.example", phone: "+1 555 0101" },
    },
    {
      $schema: `${BASE}/listing-asset/2022-03-01-preview5`,
      id: `listing-asset/${PRODUCT_GUID}/public/main/default/en-us/logo-large`,
      product: productId,
      listing: `listing/${PRODUCT_GUID}/public/main/default/en-us`,
      kind: "azure",
      languageId: "en-us",
      type: "azureLogoLarge",
      fileName: "logo-216.png",
      friendlyName: "Logo",
      displayOrder: 0,
      url: "https://contoso.example/logo-216.png",
    },
    {
      $schema: `${BASE}/price-and-availability-offer/2022-03-01-preview3`,
      id: `price-and-availability-offer/${PRODUCT_GUID}`,
      product: productId,
      previewAudiences: [{ type: "subscription", id: "0f0e0d0c-0b0a-4999-8888-777766665555", label: "QA" }],
    },
    {
      $schema: `${BASE}/reseller/2022-03-01-preview2`,
      id: `reseller/${PRODUCT_GUID}`,
      product: productId,
      resellerChannelState: "none",
      audiences: [],
    },
    {
      $schema: `${BASE}/customer-leads/2022-03-01-preview3`,
      id: `customer-leads/${PRODUCT_GUID}`,
      product: productId,
      leadDestination: "none",
    },
    {
      $schema: `${BASE}/submission/2022-03-01-preview2`,
      id: `submission/${PRODUCT_GUID}/0`,
      product: productId,
      target: { targetType: "draft" },
    },
    ...vmPlan("gen2", 0.05, "1.0.0"),
    ...vmPlan("gen1-legacy", 0.04, "0.9.0"),
  ];
}

/** A SaaS offer: the technical configuration at the offer level, one plan. */
export function saasOfferTree(): Json[] {
  return [
    {
      $schema: `${BASE}/product/2022-03-01-preview3`,
      id: productId,
      identity: { externalId: "contoso-saas" },
      type: "softwareAsAService",
      alias: "Contoso SaaS",
    },
    {
      $schema: `${BASE}/software-as-a-service-technical-configuration/2022-03-01-preview3`,
      id: `software-as-a-service-technical-configuration/${PRODUCT_GUID}`,
      product: productId,
      landingPageUrl: "https://contoso.example/landing",
      connectionWebhook: "https://contoso.example/webhook",
      azureAdTenantId: "11111111-2222-4333-8444-555555555555",
      azureAdAppId: "66666666-7777-4888-9999-000000000000",
    },
    {
      $schema: `${BASE}/plan/2022-03-01-preview2`,
      id: planId("basic"),
      product: productId,
      identity: { externalId: "basic" },
      alias: "Basic",
    },
    {
      $schema: `${BASE}/price-and-availability-plan/2022-03-01-preview4`,
      id: `price-and-availability-plan/${PRODUCT_GUID}/public/main/${PLAN_GUIDS.basic}`,
      product: productId,
      plan: planId("basic"),
      visibility: "visible",
      audience: "public",
      markets: ["us"],
      pricing: { recurrentPrice: { priceInputOption: "usd", prices: [{ pricePerPaymentInUsd: 10 }] } },
    },
  ];
}

/** A container offer: one image plan, one CNAB plan. */
export function containerOfferTree(): Json[] {
  const cnabGuid = PLAN_GUIDS["gen1-legacy"];
  return [
    {
      $schema: `${BASE}/product/2022-03-01-preview3`,
      id: productId,
      identity: { externalId: "contoso-k8s" },
      type: "azureContainer",
      alias: "Contoso containers",
    },
    {
      $schema: `${BASE}/plan/2022-03-01-preview2`,
      id: planId("gen2"),
      product: productId,
      identity: { externalId: "image" },
      alias: "Image",
    },
    {
      $schema: `${BASE}/plan/2022-03-01-preview2`,
      id: `plan/${PRODUCT_GUID}/${cnabGuid}`,
      product: productId,
      identity: { externalId: "cnab" },
      alias: "CNAB",
    },
    {
      $schema: `${BASE}/container-plan-technical-configuration/2022-03-01-preview3`,
      id: `container-plan-technical-configuration/${PRODUCT_GUID}/${PLAN_GUIDS.gen2}`,
      product: productId,
      plan: planId("gen2"),
      payloadType: "image",
      imageRepositoryDetails: {
        subscriptionId: "537d2130-be25-451e-b3ff-c5b469a13e2d",
        resourceGroupName: "rg",
        registryName: "registry",
        repositoryName: "repo",
      },
      imageTags: ["latest", "1.0"],
    },
    {
      $schema: `${BASE}/container-plan-technical-configuration/2022-03-01-preview3`,
      id: `container-plan-technical-configuration/${PRODUCT_GUID}/${cnabGuid}`,
      product: productId,
      plan: `plan/${PRODUCT_GUID}/${cnabGuid}`,
      payloadType: "cnab",
      clusterExtensionType: "contoso.app",
      cnabReferences: [
        {
          tenantId: "c977ffe0-e8f3-4d6f-ab49-e03bbc3287b1",
          subscriptionId: "b297ab83-361f-424f-804c-0c44fa26e903",
          resourceGroupName: "rg",
          registryName: "registry",
          repositoryName: "contoso.app",
          tag: "1.0.0",
          digest: "sha256:48ea065b1f85323111c970b27d5641fc",
        },
      ],
    },
  ];
}
