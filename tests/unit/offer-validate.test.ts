/**
 * Validation before any request, for every typed resource (field names, types, enums, patterns, lengths, nested
 * required fields, rules between fields), raw resources and references; and the rules that cannot change after
 * the fact, each with its route.
 */

import { UNKNOWN_VALUE } from "../../provider/core/validate";
import { declaredParts, indexTree, stopSellPart } from "../../provider/ingestion/offer/keys";
import { type OfferConfigurationInputs, TYPED_FIELDS } from "../../provider/ingestion/offer/types";
import {
  afterTheFactProblems,
  validatedFields,
  validateOffer,
} from "../../provider/ingestion/offer/validate";
import { containerOfferTree, vmOfferTree } from "../support/offer-trees";

const BASE = "https://schema.mp.microsoft.com/schema";
const GUID = "537d2130-be25-451e-b3ff-c5b469a13e2d";

/** A VM offer declaring every typed VM part with valid values. */
function vmOffer(): OfferConfigurationInputs {
  return {
    offerId: "contoso-vm",
    product: { type: "azureVirtualMachine", alias: "Contoso VM", lifecycleState: "generallyAvailable" },
    property: {
      kind: "azureVM",
      categories: { "it-and-management-tools": ["management"] },
      termsConditions: "standardMicrosoft",
    },
    listing: {
      title: "Contoso",
      searchKeywords: ["vm"],
      generalLinks: [{ displayText: "Docs", link: "https://contoso.example/docs" }],
      supportContact: {
        name: "Support",
        email: "support@contoso.example",
        url: "https://contoso.example/support",
      },
      privacyPolicyLink: "https://contoso.example/privacy",
    },
    listingAssets: [
      {
        fileName: "logo.png",
        type: "azureLogoLarge",
        url: "https://contoso.example/logo.png",
        displayOrder: 0,
      },
    ],
    availability: { previewAudiences: [{ type: "subscription", id: GUID, label: "QA" }] },
    reseller: { resellerChannelState: "some", audiences: [{ type: "subscription", id: GUID }] },
    plans: {
      gen2: {
        alias: "Gen 2",
        azureRegions: ["azureGlobal", "azureGovernment"],
        azureGovernmentCertifications: [{ name: "FedRAMP", link: "https://contoso.example/gov" }],
        listing: { name: "Gen 2", summary: "s", description: "d" },
        availability: {
          visibility: "visible",
          audience: "public",
          markets: ["us", "de"],
          pricing: {
            licenseModel: "payAsYouGo",
            corePricing: {
              priceInputOption: "perMarketAndCoreSize",
              prices: [{ currency: "usd", markets: ["us"], prices: { "2": 0.1 } }],
            },
          },
          trial: { type: "month", value: 1 },
          softwareReservation: [{ type: "year", term: 1, percentageSave: 20 }],
        },
        technicalConfiguration: {
          operatingSystem: { family: "linux", type: "ubuntu", friendlyName: "Ubuntu" },
          skus: [
            { imageType: "x64Gen2", skuId: "gen2" },
            { imageType: "x64Gen1", skuId: "gen2-gen1" },
          ],
          vmImageVersions: [
            {
              versionNumber: "1.0.0",
              vmImages: [
                {
                  imageType: "x64Gen2",
                  source: {
                    sourceType: "sasUri",
                    osDisk: { uri: "https://a.blob.core.windows.net/v/os.vhd?sig=x" },
                    dataDisks: [{ lunNumber: 0, uri: "https://a.blob.core.windows.net/v/d.vhd" }],
                  },
                },
                {
                  imageType: "x64Gen1",
                  source: {
                    sourceType: "sharedImageGallery",
                    sharedImage: { tenantId: GUID, resourceId: "/subscriptions/s/x" },
                  },
                },
              ],
            },
          ],
          vmProperties: { supportsNVMe: true },
          recommendedVmSizes: ["Standard_D2s_v5"],
          openPorts: [{ label: "ssh", portRange: "22", protocol: "tcp" }],
          basePlan: { externalId: "gen1" },
        },
      },
      gen1: { alias: "Gen 1" },
    },
    resources: [{ $schema: `${BASE}/customer-leads/2022-03-01-preview3`, leadDestination: "none" }],
    removedPlans: "hide",
  };
}

const failuresOf = (inputs: OfferConfigurationInputs) => validateOffer(inputs);
const properties = (inputs: OfferConfigurationInputs) => failuresOf(inputs).map((f) => f.property);

/** Applies an edit to a fresh valid offer and returns the failures. */
function withEdit(edit: (o: OfferConfigurationInputs) => void) {
  const inputs = vmOffer();
  edit(inputs);
  return failuresOf(inputs);
}

describe("validateOffer: valid offers of each type pass", () => {
  test("VM with every typed part", () => {
    expect(failuresOf(vmOffer())).toEqual([]);
  });

  test("SaaS with the offer-level technical configuration; container image and CNAB plans; core VM", () => {
    expect(
      failuresOf({
        offerId: "contoso-saas",
        product: { type: "softwareAsAService", alias: "SaaS" },
        technicalConfiguration: {
          landingPageUrl: "https://contoso.example/landing",
          connectionWebhook: "https://contoso.example/hook",
          azureAdTenantId: GUID,
          azureAdAppId: GUID,
        },
        plans: {
          basic: {
            alias: "Basic",
            availability: {
              visibility: "visible",
              audience: "public",
              pricing: { recurrentPrice: { any: 1 } },
            },
          },
        },
      }),
    ).toEqual([]);
    expect(
      failuresOf({
        offerId: "contoso-k8s",
        product: { type: "azureContainer", alias: "K8s" },
        plans: {
          image: {
            technicalConfiguration: {
              payloadType: "image",
              imageRepositoryDetails: {
                subscriptionId: GUID,
                resourceGroupName: "rg",
                registryName: "r",
                repositoryName: "x",
              },
              imageTags: ["1.0"],
            },
          },
          cnab: {
            technicalConfiguration: {
              payloadType: "cnab",
              clusterExtensionType: "contoso.app",
              cnabReferences: [
                {
                  tenantId: GUID,
                  subscriptionId: GUID,
                  resourceGroupName: "rg",
                  registryName: "r",
                  repositoryName: "contoso.app",
                  tag: "1.0.0",
                  digest: "sha256:abc123",
                },
              ],
            },
          },
        },
      }),
    ).toEqual([]);
    expect(
      failuresOf({
        offerId: "contoso-core",
        product: { type: "coreVirtualMachine", alias: "Core" },
        plans: {
          base: {
            technicalConfiguration: {
              softwareType: "solution",
              skus: [{ imageType: "x64Gen2", skuId: "base" }],
            },
          },
        },
      }),
    ).toEqual([]);
  });

  test("values unknown during a preview are skipped", () => {
    const inputs = vmOffer();
    inputs.offerId = UNKNOWN_VALUE;
    (inputs.listing as Record<string, unknown>).title = UNKNOWN_VALUE;
    (inputs.plans?.gen2?.availability as Record<string, unknown>).markets = [UNKNOWN_VALUE];
    expect(failuresOf(inputs)).toEqual([]);
  });

  test("the validator knows exactly the typed fields of every typed resource type", () => {
    for (const [type, fields] of Object.entries(TYPED_FIELDS))
      expect([type, validatedFields(type).sort()]).toEqual([type, [...fields].sort()]);
  });
});

describe("validateOffer: every typed resource refuses what its schema refuses", () => {
  test.each<[string, (o: OfferConfigurationInputs) => void, string, RegExp]>([
    ["offer id pattern", (o) => (o.offerId = "Contoso VM"), "offerId", /\^\[a-z0-9\]/],
    ["offer id required", (o) => (o.offerId = ""), "offerId", /is required/],
    ["api cpp refused", (o) => (o.api = "cpp" as never), "api", /Product Ingestion API only/],
    ["removedPlans enum", (o) => (o.removedPlans = "delete" as never), "removedPlans", /"keep".*"hide"/],
    // product
    ["product type enum", (o) => (o.product = { type: "vm" as never }), "product.type", /must be one of/],
    ["product alias length", (o) => (o.product = { alias: "x".repeat(121) }), "product.alias", /at most 120/],
    [
      "azureApplication not covered",
      (o) => (o.product = { type: "azureApplication" }),
      "product.type",
      /v1 ingestion API/,
    ],
    [
      "product lifecycle enum",
      (o) => (o.product = { lifecycleState: "stopSold" as never }),
      "product.lifecycleState",
      /must be one of/,
    ],
    [
      "deprecation reason",
      (o) => (o.product = { deprecationSchedule: { reason: "bored" as never } }),
      "product.deprecationSchedule.reason",
      /criticalSecurityIssue/,
    ],
    [
      "deprecation offset",
      (o) => (o.product = { deprecationSchedule: { dateOffset: "30 days" } }),
      "product.deprecationSchedule.dateOffset",
      /ISO 8601/,
    ],
    // property
    [
      "categories are lists of strings",
      (o) => (o.property = { categories: { a: "b" as never } }),
      "property.categories.a",
      /must be a list/,
    ],
    [
      "termsConditions enum",
      (o) => (o.property = { termsConditions: "mine" as never }),
      "property.termsConditions",
      /"custom", "standardMicrosoft"/,
    ],
    [
      "termsOfUseUrl",
      (o) => (o.property = { termsOfUseUrl: "contoso.example" }),
      "property.termsOfUseUrl",
      /http\(s\) URL/,
    ],
    // listing
    [
      "unknown listing field",
      (o) => ((o.listing as Record<string, unknown>).titel = "x"),
      "listing.titel",
      /is not a field here/,
    ],
    [
      "general link needs https",
      (o) => (o.listing = { generalLinks: [{ displayText: "x", link: "ftp://x" }] }),
      "listing.generalLinks[0].link",
      /http\(s\) URL/,
    ],
    [
      "general link displayText required",
      (o) => (o.listing = { generalLinks: [{ link: "https://x" } as never] }),
      "listing.generalLinks[0].displayText",
      /is required/,
    ],
    [
      "contact email",
      (o) => (o.listing = { supportContact: { name: "n", email: "nobody" } }),
      "listing.supportContact.email",
      /email address/,
    ],
    [
      "contact name required",
      (o) => (o.listing = { engineeringContact: { email: "a@b.example" } as never }),
      "listing.engineeringContact.name",
      /is required/,
    ],
    ["listing language", (o) => (o.listing = { languageId: "english" }), "listing.languageId", /en-us/],
    [
      "the English listing only",
      (o) => (o.listing = { languageId: "de-de" }),
      "listing.languageId",
      /other languages are not covered/,
    ],
    [
      "the English plan listing only",
      (o) => (o.plans = { gen2: { listing: { languageId: "fr-fr" } } }),
      "plans[gen2].listing.languageId",
      /"en-us"/,
    ],
    [
      "keywords are strings",
      (o) => (o.listing = { searchKeywords: [1 as never] }),
      "listing.searchKeywords[0]",
      /must be a string/,
    ],
    // listing asset
    [
      "asset type enum",
      (o) => (o.listingAssets = [{ fileName: "a.png", type: "logo" as never }]),
      "listingAssets[0].type",
      /azureLogoSmall/,
    ],
    [
      "asset fileName required",
      (o) => (o.listingAssets = [{ url: "https://x" } as never]),
      "listingAssets[0].fileName",
      /is required/,
    ],
    [
      "asset displayOrder integer >= 0",
      (o) => (o.listingAssets = [{ fileName: "a.png", displayOrder: -1 }]),
      "listingAssets[0].displayOrder",
      /at least 0/,
    ],
    [
      "asset duplicate fileName",
      (o) => (o.listingAssets = [{ fileName: "a.png" }, { fileName: "a.png" }]),
      "listingAssets[1]",
      /declared once/,
    ],
    // offer availability, reseller
    [
      "audience type enum",
      (o) => (o.availability = { previewAudiences: [{ type: "user" as never, id: "x" }] }),
      "availability.previewAudiences[0].type",
      /"subscription"/,
    ],
    [
      "audience id length",
      (o) => (o.availability = { previewAudiences: [{ type: "subscription", id: "x".repeat(51) }] }),
      "availability.previewAudiences[0].id",
      /at most 50/,
    ],
    [
      "duplicate audience",
      (o) =>
        (o.availability = {
          previewAudiences: [
            { type: "subscription", id: GUID },
            { type: "tenant", id: GUID },
          ],
        }),
      "availability.previewAudiences[1]",
      /each may appear once/,
    ],
    [
      "reseller state enum",
      (o) => (o.reseller = { resellerChannelState: "everyone" as never }),
      "reseller.resellerChannelState",
      /"notSet"/,
    ],
    [
      "reseller audience id required",
      (o) => (o.reseller = { audiences: [{ type: "subscription" } as never] }),
      "reseller.audiences[0].id",
      /is required/,
    ],
    // SaaS technical configuration
    [
      "SaaS landing page https without #",
      (o) => {
        o.product = { type: "softwareAsAService" };
        o.plans = {};
        o.technicalConfiguration = { landingPageUrl: "https://x.example/#/signup" };
      },
      "technicalConfiguration.landingPageUrl",
      /without '#'/,
    ],
    [
      "SaaS tenant id GUID",
      (o) => {
        o.product = { type: "softwareAsAService" };
        o.plans = {};
        o.technicalConfiguration = { azureAdTenantId: "contoso" };
      },
      "technicalConfiguration.azureAdTenantId",
      /GUID/,
    ],
    [
      "offer-level technical configuration only for SaaS",
      (o) => (o.technicalConfiguration = { landingPageUrl: "https://x.example" }),
      "technicalConfiguration",
      /offer-level technical configuration of SaaS/,
    ],
    [
      "SaaS plans have none",
      (o) => {
        o.product = { type: "softwareAsAService" };
        o.plans = { basic: { technicalConfiguration: { skus: [] } } };
      },
      "plans[basic].technicalConfiguration",
      /declare it at the offer level/,
    ],
    // plan
    ["plan id pattern", (o) => (o.plans = { Gen2: {} }), "plans[Gen2]", /plan id/],
    [
      "plan alias length",
      (o) => (o.plans = { gen2: { alias: "" } }),
      "plans[gen2].alias",
      /must not be empty/,
    ],
    [
      "plan regions enum",
      (o) => (o.plans = { gen2: { azureRegions: ["azureMars" as never] } }),
      "plans[gen2].azureRegions[0]",
      /azureGlobal/,
    ],
    [
      "government certification link",
      (o) => (o.plans = { gen2: { azureGovernmentCertifications: [{ name: "x", link: "x" }] } }),
      "plans[gen2].azureGovernmentCertifications[0].link",
      /URL/,
    ],
    [
      "subtype only for Azure Applications",
      (o) => (o.plans = { gen2: { subtype: "solutionTemplate" } }),
      "plans[gen2].subtype",
      /Azure Application/,
    ],
    // plan listing
    [
      "plan listing unknown field",
      (o) => (o.plans = { gen2: { listing: { title: "x" } as never } }),
      "plans[gen2].listing.title",
      /is not a field here/,
    ],
    [
      "plan listing lifecycle",
      (o) => (o.plans = { gen2: { listing: { lifecycleState: "deprecated" as never } } }),
      "plans[gen2].listing.lifecycleState",
      /"generallyAvailable", "deleted"/,
    ],
    // plan availability
    [
      "visibility enum",
      (o) => (o.plans = { gen2: { availability: { visibility: "shown" as never } } }),
      "plans[gen2].availability.visibility",
      /"visible", "hidden"/,
    ],
    [
      "market code",
      (o) => (o.plans = { gen2: { availability: { markets: ["US"] } } }),
      "plans[gen2].availability.markets[0]",
      /2-3 lower-case letters/,
    ],
    [
      "duplicate market",
      (o) => (o.plans = { gen2: { availability: { markets: ["us", "us"] } } }),
      "plans[gen2].availability.markets[1]",
      /once/,
    ],
    [
      "markets with allMarkets",
      (o) => (o.plans = { gen2: { availability: { customerMarkets: "allMarkets", markets: ["us"] } } }),
      "plans[gen2].availability.markets",
      /customerMarkets "allMarkets"/,
    ],
    [
      "price not a number",
      (o) =>
        (o.plans = {
          gen2: {
            availability: { pricing: { corePricing: { priceInputOption: "flat", price: "10" as never } } },
          },
        }),
      "plans[gen2].availability.pricing.corePricing.price",
      /must be a number/,
    ],
    [
      "negative price",
      (o) =>
        (o.plans = {
          gen2: {
            availability: { pricing: { corePricing: { priceInputOption: "perCore", pricePerCore: -1 } } },
          },
        }),
      "plans[gen2].availability.pricing.corePricing.pricePerCore",
      /at least 0/,
    ],
    [
      "NaN price",
      (o) =>
        (o.plans = {
          gen2: {
            availability: { pricing: { corePricing: { priceInputOption: "flat", price: Number.NaN } } },
          },
        }),
      "plans[gen2].availability.pricing.corePricing.price",
      /must be a number/,
    ],
    [
      "price for the option",
      (o) =>
        (o.plans = { gen2: { availability: { pricing: { corePricing: { priceInputOption: "flat" } } } } }),
      "plans[gen2].availability.pricing.corePricing.price",
      /is required with priceInputOption "flat"/,
    ],
    [
      "no price when free",
      (o) =>
        (o.plans = {
          gen2: { availability: { pricing: { corePricing: { priceInputOption: "free", price: 1 } } } },
        }),
      "plans[gen2].availability.pricing.corePricing.price",
      /free takes no price/,
    ],
    [
      "currency",
      (o) =>
        (o.plans = {
          gen2: {
            availability: {
              pricing: {
                corePricing: {
                  priceInputOption: "perMarketAndCoreSize",
                  prices: [{ currency: "USD", markets: ["us"], prices: {} }],
                },
              },
            },
          },
        }),
      "plans[gen2].availability.pricing.corePricing.prices[0].currency",
      /3 lower-case letters/,
    ],
    [
      "per-size price a number",
      (o) =>
        (o.plans = {
          gen2: {
            availability: {
              pricing: {
                corePricing: { priceInputOption: "perCoreSize", pricePerCoreSize: { "2": "x" as never } },
              },
            },
          },
        }),
      'plans[gen2].availability.pricing.corePricing.pricePerCoreSize["2"]',
      /must be a number/,
    ],
    [
      "trial type",
      (o) => (o.plans = { gen2: { availability: { trial: { type: "fortnight" as never } } } }),
      "plans[gen2].availability.trial.type",
      /"day"/,
    ],
    [
      "reservation percentage",
      (o) =>
        (o.plans = {
          gen2: { availability: { softwareReservation: [{ type: "year", term: 1, percentageSave: 150 }] } },
        }),
      "plans[gen2].availability.softwareReservation[0].percentageSave",
      /at most 100/,
    ],
    // VM technical configuration
    [
      "os type per family",
      (o) =>
        (o.plans = {
          gen2: { technicalConfiguration: { operatingSystem: { family: "windows", type: "ubuntu" } } },
        }),
      "plans[gen2].technicalConfiguration.operatingSystem.type",
      /for windows/,
    ],
    [
      "sku id pattern",
      (o) =>
        (o.plans = {
          gen2: { technicalConfiguration: { skus: [{ imageType: "x64Gen2", skuId: "Gen 2" }] } },
        }),
      "plans[gen2].technicalConfiguration.skus[0].skuId",
      /lower-case letters/,
    ],
    [
      "at most two skus",
      (o) =>
        (o.plans = {
          gen2: {
            technicalConfiguration: {
              skus: [
                { imageType: "x64Gen2", skuId: "a" },
                { imageType: "x64Gen1", skuId: "b" },
                { imageType: "arm64Gen2", skuId: "c" },
              ],
            },
          },
        }),
      "plans[gen2].technicalConfiguration.skus",
      /at most 2/,
    ],
    [
      "image type",
      (o) => (o.plans = { gen2: { technicalConfiguration: { skus: [{ imageType: "x86", skuId: "a" }] } } }),
      "plans[gen2].technicalConfiguration.skus[0].imageType",
      /x64Gen1/,
    ],
    [
      "version number",
      (o) =>
        (o.plans = {
          gen2: { technicalConfiguration: { vmImageVersions: [{ versionNumber: "1.0", vmImages: [] }] } },
        }),
      "plans[gen2].technicalConfiguration.vmImageVersions[0].versionNumber",
      /three whole numbers/,
    ],
    [
      "duplicate version",
      (o) =>
        (o.plans = {
          gen2: {
            technicalConfiguration: {
              vmImageVersions: [
                {
                  versionNumber: "1.0.0",
                  vmImages: [
                    {
                      imageType: "x64Gen2",
                      source: { sourceType: "sasUri", osDisk: { uri: "https://a/b" } },
                    },
                  ],
                },
                {
                  versionNumber: "1.0.0",
                  vmImages: [
                    {
                      imageType: "x64Gen2",
                      source: { sourceType: "sasUri", osDisk: { uri: "https://a/b" } },
                    },
                  ],
                },
              ],
            },
          },
        }),
      "plans[gen2].technicalConfiguration.vmImageVersions[1]",
      /versionNumber "1.0.0"/,
    ],
    [
      "sas source needs the OS disk",
      (o) =>
        (o.plans = {
          gen2: {
            technicalConfiguration: {
              vmImageVersions: [
                {
                  versionNumber: "1.0.0",
                  vmImages: [{ imageType: "x64Gen2", source: { sourceType: "sasUri" } }],
                },
              ],
            },
          },
        }),
      "plans[gen2].technicalConfiguration.vmImageVersions[0].vmImages[0].source.osDisk",
      /is required with sourceType "sasUri"/,
    ],
    [
      "gallery source takes no disks",
      (o) =>
        (o.plans = {
          gen2: {
            technicalConfiguration: {
              vmImageVersions: [
                {
                  versionNumber: "1.0.0",
                  vmImages: [
                    {
                      imageType: "x64Gen2",
                      source: {
                        sourceType: "sharedImageGallery",
                        sharedImage: { tenantId: GUID, resourceId: "r" },
                        osDisk: { uri: "https://a/b" },
                      },
                    },
                  ],
                },
              ],
            },
          },
        }),
      "plans[gen2].technicalConfiguration.vmImageVersions[0].vmImages[0].source.osDisk",
      /gallery image holds the disks/,
    ],
    [
      "LUN range",
      (o) =>
        (o.plans = {
          gen2: {
            technicalConfiguration: {
              vmImageVersions: [
                {
                  versionNumber: "1.0.0",
                  vmImages: [
                    {
                      imageType: "x64Gen2",
                      source: {
                        sourceType: "sasUri",
                        osDisk: { uri: "https://a/b" },
                        dataDisks: [{ lunNumber: 16, uri: "https://a/c" }],
                      },
                    },
                  ],
                },
              ],
            },
          },
        }),
      "plans[gen2].technicalConfiguration.vmImageVersions[0].vmImages[0].source.dataDisks[0].lunNumber",
      /at most 15/,
    ],
    [
      "image without a SKU",
      (o) =>
        (o.plans = {
          gen2: {
            technicalConfiguration: {
              skus: [{ imageType: "x64Gen2", skuId: "a" }],
              vmImageVersions: [
                {
                  versionNumber: "1.0.0",
                  vmImages: [
                    {
                      imageType: "x64Gen1",
                      source: { sourceType: "sasUri", osDisk: { uri: "https://a/b" } },
                    },
                  ],
                },
              ],
            },
          },
        }),
      "plans[gen2].technicalConfiguration.vmImageVersions[0].vmImages[0].imageType",
      /has no SKU/,
    ],
    [
      "last image version never deprecated",
      (o) =>
        (o.plans = {
          gen2: {
            technicalConfiguration: {
              vmImageVersions: [
                {
                  versionNumber: "1.0.0",
                  lifecycleState: "deprecated",
                  vmImages: [
                    {
                      imageType: "x64Gen2",
                      source: { sourceType: "sasUri", osDisk: { uri: "https://a/b" } },
                    },
                  ],
                },
              ],
            },
          },
        }),
      "plans[gen2].technicalConfiguration.vmImageVersions",
      /last image version/,
    ],
    [
      "vm property boolean",
      (o) =>
        (o.plans = { gen2: { technicalConfiguration: { vmProperties: { supportsNVMe: "yes" as never } } } }),
      "plans[gen2].technicalConfiguration.vmProperties.supportsNVMe",
      /true or false/,
    ],
    [
      "open port range",
      (o) =>
        (o.plans = {
          gen2: {
            technicalConfiguration: { openPorts: [{ label: "web", portRange: "70000", protocol: "tcp" }] },
          },
        }),
      "plans[gen2].technicalConfiguration.openPorts[0].portRange",
      /port or range/,
    ],
    [
      "at most 6 recommended sizes",
      (o) =>
        (o.plans = {
          gen2: { technicalConfiguration: { recommendedVmSizes: ["a", "b", "c", "d", "e", "f", "g"] } },
        }),
      "plans[gen2].technicalConfiguration.recommendedVmSizes",
      /at most 6/,
    ],
    [
      "a container field in a VM configuration",
      (o) => (o.plans = { gen2: { technicalConfiguration: { payloadType: "image" } as never } }),
      "plans[gen2].technicalConfiguration.payloadType",
      /is not a field here/,
    ],
    [
      "core VM software type",
      (o) => {
        o.product = { type: "coreVirtualMachine" };
        o.plans = { gen2: { technicalConfiguration: { softwareType: "app" as never } } };
      },
      "plans[gen2].technicalConfiguration.softwareType",
      /"operatingSystem", "solution"/,
    ],
    // container technical configuration
    [
      "payload type",
      (o) => {
        o.product = { type: "azureContainer" };
        o.plans = { c1x: { technicalConfiguration: { payloadType: "helm" as never } } };
      },
      "plans[c1x].technicalConfiguration.payloadType",
      /"image", "cnab"/,
    ],
    [
      "CNAB fields on an image plan",
      (o) => {
        o.product = { type: "azureContainer" };
        o.plans = { c1x: { technicalConfiguration: { payloadType: "image", cnabReferences: [] } } };
      },
      "plans[c1x].technicalConfiguration.cnabReferences",
      /payloadType "cnab"/,
    ],
    [
      "CNAB digest",
      (o) => {
        o.product = { type: "azureContainer" };
        o.plans = {
          c1x: {
            technicalConfiguration: {
              payloadType: "cnab",
              cnabReferences: [{ registryName: "r", repositoryName: "x", tag: "1", digest: "md5:1" }],
            },
          },
        };
      },
      "plans[c1x].technicalConfiguration.cnabReferences[0].digest",
      /sha256/,
    ],
    [
      "cluster extension type",
      (o) => {
        o.product = { type: "azureContainer" };
        o.plans = { c1x: { technicalConfiguration: { payloadType: "cnab", clusterExtensionType: "noDot" } } };
      },
      "plans[c1x].technicalConfiguration.clusterExtensionType",
      /PublisherName.ApplicationName/,
    ],
    [
      "subscription id GUID",
      (o) => {
        o.product = { type: "azureContainer" };
        o.plans = { c1x: { technicalConfiguration: { imageRepositoryDetails: { subscriptionId: "sub" } } } };
      },
      "plans[c1x].technicalConfiguration.imageRepositoryDetails.subscriptionId",
      /GUID/,
    ],
    // references
    [
      "base plan not declared",
      (o) => (o.plans = { gen2: { technicalConfiguration: { basePlan: { externalId: "gen9" } } } }),
      "plans[gen2].technicalConfiguration.basePlan.externalId",
      /does not declare/,
    ],
    [
      "deprecation alternative not declared",
      (o) => (o.plans = { gen2: { deprecationSchedule: { alternative: { plan: { externalId: "gen9" } } } } }),
      "plans[gen2].deprecationSchedule.alternative.plan.externalId",
      /does not declare/,
    ],
    // raw resources
    [
      "raw $schema required",
      (o) => (o.resources = [{ leadDestination: "none" } as never]),
      "resources[0].$schema",
      /is required/,
    ],
    [
      "raw $schema a schema URI",
      (o) => (o.resources = [{ $schema: "customer-leads" }]),
      "resources[0].$schema",
      /schema URI/,
    ],
    [
      "raw of a typed type",
      (o) => (o.resources = [{ $schema: `${BASE}/listing/2022-03-01-preview5` }]),
      "resources[0].$schema",
      /typed input \(listing\)/,
    ],
    [
      "raw submission",
      (o) => (o.resources = [{ $schema: `${BASE}/submission/2022-03-01-preview2` }]),
      "resources[0].$schema",
      /OfferPublish/,
    ],
    [
      "raw with an id",
      (o) =>
        (o.resources = [{ $schema: `${BASE}/customer-leads/2022-03-01-preview3`, id: "customer-leads/x" }]),
      "resources[0].id",
      /set by the provider/,
    ],
    [
      "raw plan not declared",
      (o) =>
        (o.resources = [{ $schema: `${BASE}/test-drive/2022-03-01-preview2`, plan: { externalId: "gen9" } }]),
      "resources[0].plan.externalId",
      /does not declare/,
    ],
    [
      "raw product of another offer",
      (o) =>
        (o.resources = [
          { $schema: `${BASE}/test-drive/2022-03-01-preview2`, product: { externalId: "other" } },
        ]),
      "resources[0].product",
      /this offer/,
    ],
    [
      "raw duplicate key",
      (o) =>
        (o.resources = [
          { $schema: `${BASE}/test-drive/2022-03-01-preview2` },
          { $schema: `${BASE}/test-drive/2022-03-01-preview3` },
        ]),
      "resources[1]",
      /declared once/,
    ],
    // shapes
    ["plans an object", (o) => (o.plans = [] as never), "plans", /plan id -> plan/],
    ["listing an object", (o) => (o.listing = "x" as never), "listing", /must be an object/],
  ])("%s", (_name, edit, property, reason) => {
    const failures = withEdit(edit);
    expect(failures).toContainEqual({ property, reason: expect.stringMatching(reason) });
    const failure = failures.find((f) => f.property === property);
    expect(failure?.reason.startsWith(property)).toBe(true);
  });

  test("all failures at once, no request needed, messages say what to do", () => {
    const failures = failuresOf({
      offerId: "x",
      plans: {
        gen2: {
          availability: {
            markets: ["USA"],
            pricing: { corePricing: { priceInputOption: "flat", price: -2 } },
          },
        },
      },
    });
    expect(failures.map((f) => f.property)).toEqual([
      "offerId",
      "plans[gen2].availability.markets[0]",
      "plans[gen2].availability.pricing.corePricing.price",
    ]);
  });

  test("declared twice: listing assets by fileName; keys name the place", () => {
    expect(
      properties({
        offerId: "o-1",
        listingAssets: [{ fileName: "a.png" }, { fileName: "b.png" }, { fileName: "a.png" }],
      }),
    ).toEqual(["listingAssets[2]"]);
  });
});

describe("afterTheFactProblems", () => {
  const draft = indexTree(vmOfferTree());
  const live = indexTree(vmOfferTree());
  const parts = (inputs: Omit<OfferConfigurationInputs, "offerId">) =>
    declaredParts({ offerId: "contoso-vm", ...inputs }, draft.productType);

  test("nothing to say about an ordinary change", () => {
    expect(afterTheFactProblems(parts({ listing: { title: "New" } }), draft, { live })).toEqual([]);
  });

  test("the offer type is fixed", () => {
    expect(afterTheFactProblems(parts({ product: { type: "coreVirtualMachine" } }), draft, {})).toEqual([
      expect.stringMatching(
        /^product\.type: the offer is a azureVirtualMachine offer .* fixed once created; set product\.type to "azureVirtualMachine".*new offerId/,
      ),
    ]);
    // Known from state when the draft says nothing.
    expect(
      afterTheFactProblems(
        parts({ product: { type: "azureContainer" } }),
        indexTree([]),
        {},
        { offerId: "contoso-vm", product: { type: "softwareAsAService" } },
      ),
    ).toContainEqual(expect.stringMatching(/^product\.type: the offer is a softwareAsAService offer/));
  });

  test("a published VM plan's price is refused with the route; unpublished or unchanged is fine", () => {
    const price = {
      pricing: {
        licenseModel: "payAsYouGo" as const,
        corePricing: { priceInputOption: "perCore" as const, pricePerCore: 0.09 },
      },
    };
    const problems = afterTheFactProblems(parts({ plans: { gen2: { availability: price } } }), draft, {
      live,
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^plans\[gen2\]\.availability\.pricing: plan gen2 is published \(live\).*Hide the plan \(.*removedPlans: "hide".*create a new plan/,
      ),
    ]);
    expect(afterTheFactProblems(parts({ plans: { gen2: { availability: price } } }), draft, {})).toEqual([]);
    const same = {
      pricing: {
        licenseModel: "payAsYouGo" as const,
        corePricing: { priceInputOption: "perCore" as const, pricePerCore: 0.05 },
      },
    };
    expect(afterTheFactProblems(parts({ plans: { gen2: { availability: same } } }), draft, { live })).toEqual(
      [],
    );
    // Not a VM offer: no such rule.
    const asContainer = indexTree(
      vmOfferTree().map((r) => (r.type === "azureVirtualMachine" ? { ...r, type: "azureContainer" } : r)),
    );
    expect(
      afterTheFactProblems(parts({ plans: { gen2: { availability: price } } }), asContainer, {
        live: asContainer,
      }),
    ).toEqual([]);
  });

  test("deleted only for never-published resources", () => {
    expect(
      afterTheFactProblems(parts({ plans: { gen2: { lifecycleState: "deleted" } } }), draft, {
        preview: live,
      }),
    ).toEqual([
      expect.stringMatching(
        /^plans\[gen2\]\.lifecycleState: "deleted" works only on resources never published, and plans\[gen2\] is in preview; use "deprecated"/,
      ),
    ]);
    expect(
      afterTheFactProblems(parts({ plans: { gen2: { lifecycleState: "deleted" } } }), draft, {}),
    ).toEqual([]);
  });

  test("stop-sell needs two plans and one left visible", () => {
    expect(afterTheFactProblems([stopSellPart("gen2")], draft, {})).toEqual([]);
    expect(afterTheFactProblems([stopSellPart("gen2"), stopSellPart("gen1-legacy")], draft, {})).toEqual([
      expect.stringMatching(/would hide every plan.*one plan left visible/),
    ]);
    const onePlan = indexTree(
      vmOfferTree().filter(
        (r) => !JSON.stringify(r).includes("gen1-legacy") && !String(r.id).includes("3b2c4d5e"),
      ),
    );
    expect(afterTheFactProblems([stopSellPart("gen2")], onePlan, {})).toEqual([
      expect.stringMatching(/at least two plans in the offer, and it has 1/),
    ]);
  });

  test("published image versions stay; published SKU ids and cluster extension types are fixed", () => {
    const versions = [{ versionNumber: "2.0.0", vmImages: [] }];
    expect(
      afterTheFactProblems(
        parts({ plans: { gen2: { technicalConfiguration: { vmImageVersions: versions } } } }),
        draft,
        { live },
      ),
    ).toEqual([
      expect.stringMatching(/image version 1\.0\.0 is published \(live\) and cannot be removed; keep it/),
    ]);
    expect(
      afterTheFactProblems(
        parts({
          plans: {
            gen2: {
              technicalConfiguration: {
                vmImageVersions: [{ versionNumber: "1.0.0", lifecycleState: "deleted", vmImages: [] }],
              },
            },
          },
        }),
        draft,
        { live },
      ),
    ).toEqual([expect.stringMatching(/cannot be deleted; deprecate it instead/)]);
    expect(
      afterTheFactProblems(
        parts({
          plans: { gen2: { technicalConfiguration: { skus: [{ imageType: "x64Gen1", skuId: "renamed" }] } } },
        }),
        draft,
        { live },
      ),
    ).toEqual([expect.stringMatching(/x64Gen1 SKU id is "gen2-gen1" in live and is locked/)]);
    const container = indexTree(containerOfferTree());
    expect(
      afterTheFactProblems(
        declaredParts(
          {
            offerId: "k",
            plans: { cnab: { technicalConfiguration: { clusterExtensionType: "other.app" } } },
          },
          "azureContainer",
        ),
        container,
        { preview: container },
      ),
    ).toEqual([
      expect.stringMatching(/clusterExtensionType: it is "contoso.app" in preview and cannot change/),
    ]);
  });

  test("what a new resource needs", () => {
    expect(
      afterTheFactProblems(parts({ plans: { gen3: { availability: { markets: ["us"] } } } }), draft, {}),
    ).toEqual([
      "plans[gen3]: the offer has no such resource yet, and creating it needs plans[gen3].alias; declare it.",
      "plans[gen3].availability: the offer has no such resource yet, and creating it needs plans[gen3].availability.visibility, plans[gen3].availability.audience; declare them.",
    ]);
    expect(
      afterTheFactProblems(
        declaredParts({ offerId: "new-offer", product: { alias: "x" } }),
        indexTree([]),
        {},
      ),
    ).toEqual([
      "product: the offer has no such resource yet, and creating it needs product.type; declare it.",
    ]);
    // kind: filled for VM and SaaS offers, needed for the others.
    expect(
      afterTheFactProblems(
        declaredParts({
          offerId: "new-k8s",
          product: { type: "azureContainer", alias: "K" },
          listing: { title: "K" },
        }),
        indexTree([]),
        {},
      ),
    ).toEqual([
      "listing: the offer has no such resource yet, and creating it needs listing.kind; declare it.",
    ]);
  });
});
