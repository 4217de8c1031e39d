/**
 * The typed parts of an offer declared as code (`OfferConfiguration`), in the Product Ingestion API's own field
 * names. A typed part is the API resource body minus `$schema`, `id`, `resourceName`, `validations`, the
 * `product`/`plan` references and read-only fields: the provider adds those when it writes.
 *
 * Sources of the fields (facts, not copies):
 * - the resource JSON schemas `*-2022-03-01-preview2` kept by release-engineering/cloudpub (`schemas/azure/`):
 *   product, property, listing, listing-asset, plan, plan-listing, price-and-availability-offer/-plan, reseller,
 *   virtual-machine-plan-technical-configuration (required fields, enums, patterns, defaults);
 * - core VM technical configuration: cloudpub `cloudpub/models/ms_azure.py` @9970033, `CoreVMIPlanTechConfig`
 *   (schema `core-virtual-machine-plan-technical-configuration/2022-03-01-preview5`): every field of the VM
 *   technical configuration (`VMIPlanTechConfig`: operatingSystem, skus, vmImageVersions, vmProperties,
 *   recommendedVmSizes, openPorts, basePlan, reuseTechnicalConfigurationState) plus `softwareType`
 *   (`operatingSystem`, the default, or `solution`); AlmaLinux's workflow writes the same shape with `-preview6`
 *   (shared/docs/vm-image-versions.md [ALMA]). The same module: skus carry `securityType`, `vmProperties` has
 *   `supportsSriov` and the others below, reseller carries `audiences` (the preview2 schema requires `audiences`);
 * - container technical configuration: Microsoft's "Product Ingestion API for containers" page
 *   (MicrosoftDocs azure-docs `articles/marketplace/product-ingestion-api-transactable-containers.md`, samples with
 *   `container-plan-technical-configuration/2022-03-01-preview3`): `payloadType: "image"` with
 *   `imageRepositoryDetails {subscriptionID, resourceGroupName, registryName, userName, password, repositoryName}`
 *   and `imageTags`, or `payloadType: "cnab"` with `clusterExtensionType` and `cnabReferences [{tenantID,
 *   subscriptionID, resourceGroupName, registryName, repositoryName, tag, digest}]`. Resources read from the API
 *   spell the ids `tenantId`/`subscriptionId` (SUSE-Enceladus/azure-img-utils `tests/test_azure_cloud_partner.py`,
 *   `test_add_cnab_version_to_offer`, a CNAB plan's configuration as read; spinkube/azure's publish script):
 *   this package uses those spellings;
 * - SaaS: Microsoft's "Product Ingestion API for SaaS" page shows no plan-level technical configuration; the
 *   Resource API reference table of "Product Ingestion API for the commercial marketplace" lists
 *   `software-as-a-service-technical-configuration` (`2022-03-01-preview3`) with a `product` reference only, i.e. an
 *   **offer-level** resource; its fields `landingPageUrl`, `connectionWebhook`, `azureAdTenantId`, `azureAdAppId`
 *   are those of the Partner Center SaaS technical configuration page, as clients send them. So a SaaS offer declares
 *   it as the offer's `technicalConfiguration`, not a plan's.
 *
 * Only fields these sources show are typed; anything else goes through `resources` (raw JSON with its `$schema`).
 */

/** `product.type` values (product schema preview2). */
export const PRODUCT_TYPES = [
  "azureApplication",
  "azureContainer",
  "azureVirtualMachine",
  "consultingService",
  "containerApp",
  "coreVirtualMachine",
  "cosellOnly",
  "dynamics365BusinessCentral",
  "dynamics365ForCustomerEngagement",
  "dynamics365ForOperations",
  "iotEdgeModule",
  "managedService",
  "powerBiApp",
  "powerBiVisual",
  "softwareAsAService",
  "xbox360NonBackcompat",
] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

/** Product types this resource declares (the Product Ingestion API serves them; Azure Application does not). */
export const COVERED_PRODUCT_TYPES = [
  "azureVirtualMachine",
  "coreVirtualMachine",
  "azureContainer",
  "softwareAsAService",
] as const;

/** `lifecycleState` values a declared part may set (resources that have one). */
export type LifecycleState = "generallyAvailable" | "deprecated" | "deleted";

/** A reference by external id (offer or plan id): programs never hold GUIDs. */
export interface ExternalIdRef {
  externalId: string;
}

/** `deprecationSchedule` of a product, plan or image version (`date` is read-only and never compared). */
export interface DeprecationSchedule {
  /** ISO 8601 duration from the publish, e.g. `P30D`. */
  dateOffset?: string;
  reason?: "criticalSecurityIssue" | "endOfSupport" | "other";
  /** What buyers are pointed to instead. */
  alternative?: { product: ExternalIdRef } | { plan: ExternalIdRef };
}

/** `product`: required to create (`type`, `alias`); `type` never changes once created. */
export interface ProductFields {
  type?: ProductType;
  /** Name in Partner Center (at most 120 characters). */
  alias?: string;
  productGroup?: ExternalIdRef;
  lifecycleState?: LifecycleState;
  deprecationSchedule?: DeprecationSchedule;
}

/** One custom amendment of the terms (property `customAmendments`). */
export interface CustomAmendment {
  terms?: string;
  tenants?: { manualEntries?: Array<{ id?: string; description?: string }> };
}

/** `property` (one per offer): categories and legal terms. */
export interface PropertyFields {
  /** `azureVM` (VM, core VM), `azureSaaS`, ... : the offer type's property kind. */
  kind?: string;
  /** Category -> subcategories, e.g. `{ "it-and-management-tools": ["business-continuity"] }`. Required. */
  categories?: Record<string, string[]>;
  /** Industry -> sub-industries (preview5 clients send it). */
  industries?: Record<string, string[]>;
  /** `standardMicrosoft` (the standard contract) or `custom` (then `termsOfUse`/`termsOfUseUrl`). Required. */
  termsConditions?: "custom" | "standardMicrosoft";
  termsOfUse?: string;
  termsOfUseUrl?: string;
  standardContractAmendment?: string;
  customAmendments?: CustomAmendment[];
  /** App version shown on the listing (preview5 clients send it). */
  appVersion?: string;
}

/** A contact of the listing (`name` required). */
export interface Contact {
  name: string;
  email?: string;
  phone?: string;
  /** `^https?://` */
  url?: string;
}

/** A link of the listing (`generalLinks`). */
export interface GeneralLink {
  displayText: string;
  /** `^(http|https)://` */
  link: string;
}

/** `listing`: the offer's store texts (the en-us listing). */
export interface ListingFields {
  /** `azureVM`, `azureSaaS`, ... : the offer type's listing kind. */
  kind?: string;
  /** `en-us` (the default; other languages are not covered). */
  languageId?: string;
  title?: string;
  searchResultSummary?: string;
  shortDescription?: string;
  /** HTML. */
  description?: string;
  /** HTML (preview5). */
  gettingStartedInstructions?: string;
  /** Search keywords (preview5; at most 3 in Partner Center). */
  searchKeywords?: string[];
  privacyPolicyLink?: string;
  generalLinks?: GeneralLink[];
  globalSupportWebsite?: string;
  governmentSupportWebsite?: string;
  supportContact?: Contact;
  engineeringContact?: Contact;
  cloudSolutionProviderContact?: Contact;
  cloudSolutionProviderMarketingMaterials?: string;
  lifecycleState?: "generallyAvailable" | "deleted";
}

/** `listing-asset` types. */
export const LISTING_ASSET_TYPES = [
  "azureLogoSmall",
  "azureLogoMedium",
  "azureLogoLarge",
  "azureLogoWide",
  "azureLogoScreenshot",
  "azureLogoHero",
  "pdfDocument",
] as const;

/** `listing-asset`: a logo, screenshot or document of the listing, keyed by `fileName`. */
export interface ListingAssetFields {
  /** The key: unique among the offer's assets. */
  fileName: string;
  /** Required to create. */
  type?: (typeof LISTING_ASSET_TYPES)[number];
  /** Where Partner Center fetches the file (`^https?://`). */
  url?: string;
  /** Default `azure`. */
  kind?: string;
  /** `en-us` (the default; other languages are not covered). */
  languageId?: string;
  friendlyName?: string;
  description?: string;
  /** Order among assets of its type (integer >= 0). */
  displayOrder?: number;
  lifecycleState?: "generallyAvailable" | "deleted";
}

/** An audience of a preview or private plan (`price-and-availability-*`). */
export interface Audience {
  type?: "none" | "subscription" | "ea" | "msdn" | "tenant";
  /** At most 50 characters. */
  id?: string;
  /** At most 1000 characters. */
  label?: string;
}

/** `price-and-availability-offer`: who can see the preview. */
export interface OfferAvailabilityFields {
  /** Required (may be empty). */
  previewAudiences?: Audience[];
}

/** A reseller audience (`reseller.audiences`). */
export interface ResellerAudience {
  type: "subscription";
  id: string;
  description?: string;
}

/** `reseller`: Cloud Solution Provider program availability. */
export interface ResellerFields {
  /** Required; default `none`. */
  resellerChannelState?: "notSet" | "none" | "some" | "all" | "terminated";
  /** Partners when `some` (required by the schema; default empty). */
  audiences?: ResellerAudience[];
}

/** `software-as-a-service-technical-configuration` (offer-level, SaaS offers; see the file comment). */
export interface SaasTechnicalConfigurationFields {
  landingPageUrl?: string;
  connectionWebhook?: string;
  /** Microsoft Entra tenant id (GUID). */
  azureAdTenantId?: string;
  /** Microsoft Entra application id (GUID). */
  azureAdAppId?: string;
}

/** A government certification of a plan. */
export interface GovernmentCertification {
  /** 1..255 characters. */
  name: string;
  /** URI, at most 1000 characters. */
  link: string;
}

/** `plan` fields (the plan id is its key in `plans`). */
export interface PlanFields {
  /** Name in Partner Center (1..125 characters); required to create. */
  alias?: string;
  /** Default `["azureGlobal"]`; a set. */
  azureRegions?: Array<"azureGlobal" | "azureGovernment" | "azureGermany" | "azureChina">;
  azureGovernmentCertifications?: GovernmentCertification[];
  /** Default 2147483647. */
  displayRank?: number;
  /** Azure Application plans only. */
  subtype?: "managedApplication" | "solutionTemplate";
  lifecycleState?: LifecycleState;
  deprecationSchedule?: DeprecationSchedule;
}

/** `plan-listing`: the plan's name and texts in the store. */
export interface PlanListingFields {
  /** `azureVM-plan`, `azureSaaS-plan`, ... */
  kind?: string;
  /** `en-us` (the default; other languages are not covered). */
  languageId?: string;
  name?: string;
  summary?: string;
  description?: string;
  lifecycleState?: "generallyAvailable" | "deleted";
}

/** Prices per market group and core size (`perMarketAndCoreSize`). */
export interface MarketPrices {
  /** Three lower-case letters, e.g. `usd`. */
  currency: string;
  /** Market codes (a set). */
  markets: string[];
  /** Core size -> price. */
  prices: Record<string, number>;
}

/** VM price: one of the `priceInputOption` shapes. */
export interface CorePricing {
  priceInputOption?: "free" | "flat" | "perCore" | "perCoreSize" | "perMarketAndCoreSize";
  /** `flat`. */
  price?: number;
  /** `perCore`. */
  pricePerCore?: number;
  /** `perCoreSize`: core size -> price. */
  pricePerCoreSize?: Record<string, number>;
  /** `perMarketAndCoreSize`. */
  prices?: MarketPrices[];
}

/** A plan's pricing: VM core pricing, or the API's other price shapes as they are read (SaaS `recurrentPrice`). */
export interface PlanPricing {
  licenseModel?: "byol" | "payAsYouGo";
  corePricing?: CorePricing;
  /** SaaS flat-rate/per-user prices, in the API's JSON as read (not typed further here). */
  recurrentPrice?: Record<string, unknown>;
  /** SaaS custom meter prices, in the API's JSON as read. */
  customMeters?: Record<string, unknown>;
}

/** A free trial. */
export interface Trial {
  type: "day" | "week" | "month" | "year";
  /** Default 0. */
  value?: number;
}

/** A software reservation (VM: save `percentageSave` % for a `term` of months/years). */
export interface SoftwareReservation {
  type: "month" | "year";
  term: number;
  percentageSave: number;
}

/** `price-and-availability-plan`. */
export interface PlanAvailabilityFields {
  /** Required; `hidden` is stop-sell. */
  visibility?: "visible" | "hidden";
  /** Required. */
  audience?: "public" | "private";
  /** Default `customMarkets` (then `markets` lists them). */
  customerMarkets?: "customMarkets" | "allMarkets" | "allTaxRemittedMarkets";
  /** Market codes, 2-3 lower-case letters (a set); not with `allMarkets`/`allTaxRemittedMarkets`. */
  markets?: string[];
  pricing?: PlanPricing;
  trial?: Trial | null;
  privateAudiences?: Audience[] | null;
  softwareReservation?: SoftwareReservation[] | null;
  billingTag?: string;
}

/** `vmImages[].source`. */
export interface VmImageSource {
  sourceType: "sasUri" | "sharedImageGallery";
  /** `sasUri`: the OS disk VHD's SAS URI (a secret: never logged). */
  osDisk?: { uri: string };
  /** `sasUri`: up to 16 data disks, LUN 0..15. */
  dataDisks?: Array<{ lunNumber: number; uri: string }>;
  /** `sharedImageGallery`: the gallery image version. */
  sharedImage?: { tenantId: string; resourceId: string };
}

/** One image of a version. */
export interface VmImage {
  /** `x64Gen1`, `x64Gen2` (preview2) or `arm64Gen2` (cloudpub, Flatcar). */
  imageType: string;
  source: VmImageSource;
}

/** One image version of a VM plan. */
export interface VmImageVersion {
  /** `^[0-9]+\.[0-9]+\.[0-9]+$`, at most 32 characters. */
  versionNumber: string;
  /** 1..2 images. */
  vmImages: VmImage[];
  lifecycleState?: LifecycleState;
  deprecationSchedule?: DeprecationSchedule;
}

/** A SKU of a VM plan (1..2, one per image type). */
export interface VmSku {
  imageType: string;
  /** `^[a-z0-9-_]+$`. */
  skuId: string;
  /** e.g. `["trusted"]` (preview5). */
  securityType?: string[];
}

/** `vmProperties` (booleans; once true, several can never go back to false). */
export interface VmProperties {
  supportsExtensions?: boolean;
  supportsBackup?: boolean;
  supportsAcceleratedNetworking?: boolean;
  isNetworkVirtualAppliance?: boolean;
  supportsNVMe?: boolean;
  supportsCloudInit?: boolean;
  supportsAadLogin?: boolean;
  supportsHibernation?: boolean;
  supportsRemoteConnection?: boolean;
  requiresCustomArmTemplate?: boolean;
  /** The rest as cloudpub's `VMIProperties` reads them. */
  supportsSriov?: boolean;
  networkVirtualAppliance?: boolean;
  availableToFreeAccounts?: boolean;
  supportsClientHub?: boolean;
  supportsHubOnOffSwitch?: boolean;
}

/** An open port of a VM plan. */
export interface OpenPort {
  /** 3..20 characters. */
  label: string;
  /** `22` or `8000-8080`. */
  portRange: string;
  protocol: "tcp" | "udp" | "both";
}

/** `virtual-machine-plan-technical-configuration`. */
export interface VmTechnicalConfigurationFields {
  operatingSystem?: { family: "linux" | "windows"; type: string; friendlyName?: string };
  skus?: VmSku[];
  /** Undeclared: the draft's versions are carried unchanged (VmImageVersion may own them). */
  vmImageVersions?: VmImageVersion[];
  vmProperties?: VmProperties;
  /** At most 6. */
  recommendedVmSizes?: string[];
  openPorts?: OpenPort[];
  /** Reuse another plan's technical configuration. */
  basePlan?: ExternalIdRef;
  reuseTechnicalConfigurationState?: "enable" | "detach";
}

/** `core-virtual-machine-plan-technical-configuration`: the VM fields plus `softwareType` (cloudpub). */
export interface CoreVmTechnicalConfigurationFields extends VmTechnicalConfigurationFields {
  /** Default `operatingSystem`. */
  softwareType?: "operatingSystem" | "solution";
}

/** Azure Container Registry repository of a listing-only container image plan. */
export interface ImageRepositoryDetails {
  subscriptionId?: string;
  resourceGroupName?: string;
  registryName?: string;
  repositoryName?: string;
  userName?: string;
  /** A secret: never logged. */
  password?: string;
}

/** A CNAB bundle in Azure Container Registry (Kubernetes application plans). */
export interface CnabReference {
  tenantId?: string;
  subscriptionId?: string;
  resourceGroupName?: string;
  registryName?: string;
  repositoryName?: string;
  tag?: string;
  /** `sha256:...` */
  digest?: string;
}

/** `container-plan-technical-configuration` (see the file comment for the sources). */
export interface ContainerTechnicalConfigurationFields {
  /** `image` (listing-only container image) or `cnab` (transactable Kubernetes application). */
  payloadType?: "image" | "cnab";
  /** `image`. */
  imageRepositoryDetails?: ImageRepositoryDetails;
  /** `image`: tags of the repository. */
  imageTags?: string[];
  /** `cnab`: `PublisherName.ApplicationName`; fixed once published to preview. */
  clusterExtensionType?: string;
  /** `cnab`: the bundles (one per version, in order). */
  cnabReferences?: CnabReference[];
}

/** A plan's technical configuration: the type follows the product type (see `techConfigTypeOf`). */
export type TechnicalConfigurationFields =
  | VmTechnicalConfigurationFields
  | CoreVmTechnicalConfigurationFields
  | ContainerTechnicalConfigurationFields;

/** A declared plan: its `plan` fields plus its plan-level parts. */
export interface PlanInputs extends PlanFields {
  /** `plan-listing`. */
  listing?: PlanListingFields;
  /** `price-and-availability-plan`. */
  availability?: PlanAvailabilityFields;
  /** Typed by the product type (VM, core VM, container). */
  technicalConfiguration?: TechnicalConfigurationFields;
}

/**
 * Any other resource type as the API's JSON with its `$schema`; refer to the offer and plans by external id
 * (`{ product: { externalId } }`, `{ plan: { externalId } }`).
 */
export type RawResource = { $schema: string } & Record<string, unknown>;

/** What to do with a plan removed from the program: leave it (default) or stop selling it. */
export type RemovedPlans = "keep" | "hide";

/** The inputs of `OfferConfiguration`. */
export interface OfferConfigurationInputs {
  /** The offer's external id (`^[a-z0-9][a-z0-9-_]{2,49}$`); a change replaces. */
  offerId: string;
  /** Only `ingestion` (default). */
  api?: "ingestion";
  /** Creates the product when the offer does not exist (`type` and `alias` then required). */
  product?: ProductFields;
  property?: PropertyFields;
  listing?: ListingFields;
  /** Keyed by `fileName`. */
  listingAssets?: ListingAssetFields[];
  /** `price-and-availability-offer`. */
  availability?: OfferAvailabilityFields;
  reseller?: ResellerFields;
  /** Offer-level technical configuration: SaaS offers (`software-as-a-service-technical-configuration`). */
  technicalConfiguration?: SaasTechnicalConfigurationFields;
  /** Plan external id -> plan. */
  plans?: Record<string, PlanInputs>;
  /** Other resource types as raw JSON. */
  resources?: RawResource[];
  /** Default `keep`. */
  removedPlans?: RemovedPlans;
  endpoint?: string;
  requestTimeoutSeconds?: number;
}

/** Resource types by role. */
export const VM_TECH_CONFIG_TYPE = "virtual-machine-plan-technical-configuration";
export const CORE_VM_TECH_CONFIG_TYPE = "core-virtual-machine-plan-technical-configuration";
export const CONTAINER_TECH_CONFIG_TYPE = "container-plan-technical-configuration";
export const SAAS_TECH_CONFIG_TYPE = "software-as-a-service-technical-configuration";

/** Where a typed part lives: `field` of the inputs (offer scope) or of a plan (plan scope). */
export interface PartType {
  /** The key (offer scope) or the key's suffix after `plans[<id>]` (plan scope; "" is the plan itself). */
  key: string;
  /** The resource type; for technical configurations it depends on the product type. */
  type: string;
  scope: "offer" | "plan";
  /** The input field holding it (`listingAssets` holds a list keyed by `fileName`). */
  field: string;
}

/** Every typed part (technical configuration types: see `techConfigTypeOf`/`offerTechConfigTypeOf`). */
export const PART_TYPES: readonly PartType[] = [
  { key: "product", type: "product", scope: "offer", field: "product" },
  { key: "property", type: "property", scope: "offer", field: "property" },
  { key: "listing", type: "listing", scope: "offer", field: "listing" },
  { key: "listingAssets", type: "listing-asset", scope: "offer", field: "listingAssets" },
  { key: "availability", type: "price-and-availability-offer", scope: "offer", field: "availability" },
  { key: "reseller", type: "reseller", scope: "offer", field: "reseller" },
  {
    key: "technicalConfiguration",
    type: SAAS_TECH_CONFIG_TYPE,
    scope: "offer",
    field: "technicalConfiguration",
  },
  { key: "", type: "plan", scope: "plan", field: "" },
  { key: ".listing", type: "plan-listing", scope: "plan", field: "listing" },
  { key: ".availability", type: "price-and-availability-plan", scope: "plan", field: "availability" },
  {
    key: ".technicalConfiguration",
    type: VM_TECH_CONFIG_TYPE,
    scope: "plan",
    field: "technicalConfiguration",
  },
];

/** Every resource type a typed part can be (a raw resource of one of these is refused: use the typed part). */
export const TYPED_TYPES: readonly string[] = [
  "product",
  "property",
  "listing",
  "listing-asset",
  "price-and-availability-offer",
  "reseller",
  SAAS_TECH_CONFIG_TYPE,
  "plan",
  "plan-listing",
  "price-and-availability-plan",
  VM_TECH_CONFIG_TYPE,
  CORE_VM_TECH_CONFIG_TYPE,
  CONTAINER_TECH_CONFIG_TYPE,
];

/** Plan-level technical configuration type of a product type; undefined when it has none (SaaS: offer level). */
export function techConfigTypeOf(productType: string | undefined): string | undefined {
  switch (productType) {
    case "azureVirtualMachine":
      return VM_TECH_CONFIG_TYPE;
    case "coreVirtualMachine":
      return CORE_VM_TECH_CONFIG_TYPE;
    case "azureContainer":
      return CONTAINER_TECH_CONFIG_TYPE;
    default:
      return undefined;
  }
}

/** Offer-level technical configuration type of a product type (SaaS), else undefined. */
export function offerTechConfigTypeOf(productType: string | undefined): string | undefined {
  return productType === "softwareAsAService" ? SAAS_TECH_CONFIG_TYPE : undefined;
}

/** Whether a resource type is a plan's technical configuration. */
export function isPlanTechConfigType(type: string | undefined): boolean {
  return (
    type === VM_TECH_CONFIG_TYPE || type === CORE_VM_TECH_CONFIG_TYPE || type === CONTAINER_TECH_CONFIG_TYPE
  );
}

const LISTING_FIELDS = [
  "kind",
  "languageId",
  "title",
  "searchResultSummary",
  "shortDescription",
  "description",
  "gettingStartedInstructions",
  "searchKeywords",
  "privacyPolicyLink",
  "generalLinks",
  "globalSupportWebsite",
  "governmentSupportWebsite",
  "supportContact",
  "engineeringContact",
  "cloudSolutionProviderContact",
  "cloudSolutionProviderMarketingMaterials",
  "lifecycleState",
] as const satisfies ReadonlyArray<keyof ListingFields>;

const VM_TECH_FIELDS = [
  "operatingSystem",
  "skus",
  "vmImageVersions",
  "vmProperties",
  "recommendedVmSizes",
  "openPorts",
  "basePlan",
  "reuseTechnicalConfigurationState",
] as const satisfies ReadonlyArray<keyof VmTechnicalConfigurationFields>;

/** The top-level fields each typed part declares (the typed interfaces above, as data). */
export const TYPED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  product: ["type", "alias", "productGroup", "lifecycleState", "deprecationSchedule"] satisfies Array<
    keyof ProductFields
  >,
  property: [
    "kind",
    "categories",
    "industries",
    "termsConditions",
    "termsOfUse",
    "termsOfUseUrl",
    "standardContractAmendment",
    "customAmendments",
    "appVersion",
  ] satisfies Array<keyof PropertyFields>,
  listing: LISTING_FIELDS,
  "listing-asset": [
    "fileName",
    "type",
    "url",
    "kind",
    "languageId",
    "friendlyName",
    "description",
    "displayOrder",
    "lifecycleState",
  ] satisfies Array<keyof ListingAssetFields>,
  "price-and-availability-offer": ["previewAudiences"] satisfies Array<keyof OfferAvailabilityFields>,
  reseller: ["resellerChannelState", "audiences"] satisfies Array<keyof ResellerFields>,
  [SAAS_TECH_CONFIG_TYPE]: [
    "landingPageUrl",
    "connectionWebhook",
    "azureAdTenantId",
    "azureAdAppId",
  ] satisfies Array<keyof SaasTechnicalConfigurationFields>,
  plan: [
    "alias",
    "azureRegions",
    "azureGovernmentCertifications",
    "displayRank",
    "subtype",
    "lifecycleState",
    "deprecationSchedule",
  ] satisfies Array<keyof PlanFields>,
  "plan-listing": ["kind", "languageId", "name", "summary", "description", "lifecycleState"] satisfies Array<
    keyof PlanListingFields
  >,
  "price-and-availability-plan": [
    "visibility",
    "audience",
    "customerMarkets",
    "markets",
    "pricing",
    "trial",
    "privateAudiences",
    "softwareReservation",
    "billingTag",
  ] satisfies Array<keyof PlanAvailabilityFields>,
  [VM_TECH_CONFIG_TYPE]: VM_TECH_FIELDS,
  [CORE_VM_TECH_CONFIG_TYPE]: [...VM_TECH_FIELDS, "softwareType"] satisfies Array<
    keyof CoreVmTechnicalConfigurationFields
  >,
  [CONTAINER_TECH_CONFIG_TYPE]: [
    "payloadType",
    "imageRepositoryDetails",
    "imageTags",
    "clusterExtensionType",
    "cnabReferences",
  ] satisfies Array<keyof ContainerTechnicalConfigurationFields>,
};
