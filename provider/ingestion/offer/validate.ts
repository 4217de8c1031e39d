/**
 * Checks of a declared offer, with no request:
 *
 * - `validateOffer` (check): field names, types, enums, id patterns and lengths, markets and currencies, prices
 *   (numbers >= 0), URLs, nested required fields, the rules between fields the schemas state (a price for the
 *   chosen `priceInputOption`, no `markets` with `allMarkets`, an image source's fields, container `image` vs
 *   `cnab`), references to plans that are not declared, raw resources (`$schema`, types that have a typed input,
 *   duplicate keys) and the last image version never deprecated. Facts: the preview2 resource schemas (see
 *   `types.ts`), Microsoft's "update existing offer" rules (shared/docs/offer-as-code.md).
 * - `afterTheFactProblems` (apply, with the trees read): what cannot change once created or published, and what a
 *   new resource needs, each message saying what to do instead.
 *
 * Failure properties use the key syntax of `keys.ts` with the field path below it (`plans[gen2].availability
 * .markets[3]`). Values still unknown during a preview (`UNKNOWN_VALUE`) are skipped.
 */

import { durationProblem, versionProblem } from "../../core/images";
import { type CheckFailure, UNKNOWN_VALUE } from "../../core/validate";
import { parseSchemaUri } from "../schemas";
import { type DeclaredPart, declaredParts, planKey, rawPlanOf, rawTypeOf, type TreeIndex } from "./keys";
import { normalizeFields, sameValue } from "./normalize";
import {
  CONTAINER_TECH_CONFIG_TYPE,
  CORE_VM_TECH_CONFIG_TYPE,
  COVERED_PRODUCT_TYPES,
  LISTING_ASSET_TYPES,
  type OfferConfigurationInputs,
  PRODUCT_TYPES,
  SAAS_TECH_CONFIG_TYPE,
  TYPED_TYPES,
  techConfigTypeOf,
  VM_TECH_CONFIG_TYPE,
} from "./types";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const unknown = (value: unknown) => value === UNKNOWN_VALUE;

/** Offer and plan external ids (identity schema). */
export const EXTERNAL_ID = /^[a-z0-9][a-z0-9-_]{2,49}$/;
const MARKET = /^[a-z]{2,3}$/;
const CURRENCY = /^[a-z]{3}$/;
const HTTP_URL = /^https?:\/\/[^\s]+$/i;
const HTTPS_URL = /^https:\/\/[^\s#]+$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * The typed listing parts are the en-us ones (the key `listing` is the en-us listing of the tree): another
 * language would be matched against, and overwrite, the English one.
 */
const ENGLISH_ONLY = /^en-us$/;
const SKU_ID = /^[a-z0-9-_]+$/;
const PORT = "([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-6])";
const PORT_RANGE = new RegExp(`^${PORT}(?:\\s*-\\s*${PORT})?$`);
const PORT_LABEL = /^[a-zA-Z_0-9.\- ]*[a-zA-Z_0-9]$/;
const DIGEST = /^sha256:[0-9a-f]+$/i;
const EXTENSION_TYPE = /^[A-Za-z0-9][A-Za-z0-9-_]*(\.[A-Za-z0-9][A-Za-z0-9-_]*)+$/;
const IMAGE_TYPES = ["x64Gen1", "x64Gen2", "arm64Gen2"];
const LIFECYCLE = ["generallyAvailable", "deprecated", "deleted"];
const WINDOWS_TYPES = [
  "windowsServer2008R2",
  "windowsServer2012",
  "windowsServer2012R2",
  "windowsServer2012R2Datacenter",
  "windowsServer2016",
  "windowsServer2019",
  "windowsServer2022",
  "windowsServer2022DatacenterAzureEdition",
  "windowsServerVersion20H2",
  "windowsServerVersion2004",
  "other",
];
const LINUX_TYPES = [
  "debian",
  "centos",
  "openSolaris",
  "redHat",
  "ubuntu",
  "suse",
  "cblMariner",
  "oracleLinux",
  "other",
];

/** What a field may hold. */
type Spec =
  | { t: "string"; enum?: readonly string[]; pattern?: RegExp; like?: string; min?: number; max?: number }
  | { t: "number"; min?: number; max?: number; integer?: boolean }
  | { t: "boolean" }
  | { t: "array"; items: Spec; min?: number; max?: number; nullable?: boolean; uniqueBy?: string }
  | { t: "object"; fields: Record<string, Spec>; required?: string[]; nullable?: boolean }
  | { t: "map"; values: Spec }
  | { t: "any" };

const str = (extra: Omit<Extract<Spec, { t: "string" }>, "t"> = {}): Spec => ({ t: "string", ...extra });
const num = (extra: Omit<Extract<Spec, { t: "number" }>, "t"> = {}): Spec => ({ t: "number", ...extra });
const bool: Spec = { t: "boolean" };
const arr = (items: Spec, extra: Omit<Extract<Spec, { t: "array" }>, "t" | "items"> = {}): Spec => ({
  t: "array",
  items,
  ...extra,
});
const obj = (fields: Record<string, Spec>, required: string[] = [], nullable = false): Spec => ({
  t: "object",
  fields,
  required,
  nullable,
});
const oneOf = (values: readonly string[]): Spec => ({ t: "string", enum: values });
const url: Spec = str({ pattern: HTTP_URL, like: "an http(s) URL" });
const ENGLISH: Spec = str({
  pattern: ENGLISH_ONLY,
  like: `"en-us" (or left out): the typed listing parts are the English ones; other languages are not covered`,
});
const ref: Spec = obj(
  { externalId: str({ pattern: EXTERNAL_ID, like: "an external id ^[a-z0-9][a-z0-9-_]{2,49}$" }) },
  ["externalId"],
);
const schedule: Spec = obj({
  dateOffset: str(),
  reason: oneOf(["criticalSecurityIssue", "endOfSupport", "other"]),
  alternative: obj({ product: ref, plan: ref }),
});
const audiences: Spec = arr(
  obj({
    type: oneOf(["none", "subscription", "ea", "msdn", "tenant"]),
    id: str({ min: 1, max: 50 }),
    label: str({ max: 1000 }),
  }),
  { nullable: true, uniqueBy: "id" },
);
const contact: Spec = obj(
  { name: str(), email: str({ pattern: EMAIL, like: "an email address" }), phone: str(), url },
  ["name"],
);
const vmFields: Record<string, Spec> = {
  operatingSystem: obj(
    { family: oneOf(["linux", "windows"]), type: str(), friendlyName: str({ min: 1, max: 100 }) },
    ["family", "type"],
  ),
  skus: arr(
    obj(
      {
        imageType: oneOf(IMAGE_TYPES),
        skuId: str({ pattern: SKU_ID, like: "lower-case letters, digits, - and _" }),
        securityType: arr(str()),
      },
      ["imageType", "skuId"],
    ),
    { min: 1, max: 2, uniqueBy: "imageType" },
  ),
  vmImageVersions: arr(
    obj(
      {
        versionNumber: str({ max: 32 }),
        vmImages: arr(
          obj(
            {
              imageType: oneOf(IMAGE_TYPES),
              source: obj(
                {
                  sourceType: oneOf(["sasUri", "sharedImageGallery"]),
                  osDisk: obj({ uri: str({ pattern: /^https:\/\//i, like: "an https SAS URI" }) }, ["uri"]),
                  dataDisks: arr(
                    obj({ lunNumber: num({ min: 0, max: 15, integer: true }), uri: url }, [
                      "lunNumber",
                      "uri",
                    ]),
                    {
                      max: 16,
                      uniqueBy: "lunNumber",
                    },
                  ),
                  sharedImage: obj({ tenantId: str({ pattern: GUID, like: "a GUID" }), resourceId: str() }, [
                    "tenantId",
                    "resourceId",
                  ]),
                },
                ["sourceType"],
              ),
            },
            ["imageType", "source"],
          ),
          { min: 1, max: 2, uniqueBy: "imageType" },
        ),
        lifecycleState: oneOf(LIFECYCLE),
        deprecationSchedule: schedule,
      },
      ["versionNumber", "vmImages"],
    ),
    { uniqueBy: "versionNumber" },
  ),
  vmProperties: obj(
    Object.fromEntries(
      [
        "supportsExtensions",
        "supportsBackup",
        "supportsAcceleratedNetworking",
        "isNetworkVirtualAppliance",
        "supportsNVMe",
        "supportsCloudInit",
        "supportsAadLogin",
        "supportsHibernation",
        "supportsRemoteConnection",
        "requiresCustomArmTemplate",
        "supportsSriov",
        "networkVirtualAppliance",
        "availableToFreeAccounts",
        "supportsClientHub",
        "supportsHubOnOffSwitch",
      ].map((k) => [k, bool]),
    ),
  ),
  recommendedVmSizes: arr(str(), { max: 6 }),
  openPorts: arr(
    obj(
      {
        label: str({
          min: 3,
          max: 20,
          pattern: PORT_LABEL,
          like: "letters, digits, '.', '-', '_' and spaces",
        }),
        portRange: str({ pattern: PORT_RANGE, like: "a port or range such as 22 or 8000-8080" }),
        protocol: oneOf(["tcp", "udp", "both"]),
      },
      ["label", "portRange", "protocol"],
    ),
    { max: 100 },
  ),
  basePlan: ref,
  reuseTechnicalConfigurationState: oneOf(["enable", "detach"]),
};

/** Field specs per typed resource type (top level; nested specs inside). */
const SPECS: Record<string, Record<string, Spec>> = {
  product: {
    type: oneOf(PRODUCT_TYPES),
    alias: str({ min: 1, max: 120 }),
    productGroup: ref,
    lifecycleState: oneOf(LIFECYCLE),
    deprecationSchedule: schedule,
  },
  property: {
    kind: str(),
    categories: { t: "map", values: arr(str()) },
    industries: { t: "map", values: arr(str()) },
    termsConditions: oneOf(["custom", "standardMicrosoft"]),
    termsOfUse: str(),
    termsOfUseUrl: url,
    standardContractAmendment: str(),
    customAmendments: arr(
      obj({ terms: str(), tenants: obj({ manualEntries: arr(obj({ id: str(), description: str() })) }) }),
    ),
    appVersion: str(),
  },
  listing: {
    kind: str(),
    languageId: ENGLISH,
    title: str({ max: 200 }),
    searchResultSummary: str(),
    shortDescription: str(),
    description: str(),
    gettingStartedInstructions: str(),
    searchKeywords: arr(str({ min: 1 })),
    privacyPolicyLink: url,
    generalLinks: arr(obj({ displayText: str(), link: url }, ["displayText", "link"])),
    globalSupportWebsite: url,
    governmentSupportWebsite: url,
    supportContact: contact,
    engineeringContact: contact,
    cloudSolutionProviderContact: contact,
    cloudSolutionProviderMarketingMaterials: str(),
    lifecycleState: oneOf(["generallyAvailable", "deleted"]),
  },
  "listing-asset": {
    fileName: str({ min: 1 }),
    type: oneOf(LISTING_ASSET_TYPES),
    url,
    kind: str(),
    languageId: ENGLISH,
    friendlyName: str(),
    description: str(),
    displayOrder: num({ min: 0, integer: true }),
    lifecycleState: oneOf(["generallyAvailable", "deleted"]),
  },
  "price-and-availability-offer": { previewAudiences: audiences },
  reseller: {
    resellerChannelState: oneOf(["notSet", "none", "some", "all", "terminated"]),
    audiences: arr(
      obj({ type: oneOf(["subscription"]), id: str({ min: 1 }), description: str() }, ["type", "id"]),
      {
        uniqueBy: "id",
      },
    ),
  },
  [SAAS_TECH_CONFIG_TYPE]: {
    landingPageUrl: str({ pattern: HTTPS_URL, like: "an https URL without '#'" }),
    connectionWebhook: str({ pattern: HTTPS_URL, like: "an https URL without '#'" }),
    azureAdTenantId: str({ pattern: GUID, like: "a GUID" }),
    azureAdAppId: str({ pattern: GUID, like: "a GUID" }),
  },
  plan: {
    alias: str({ min: 1, max: 125 }),
    azureRegions: arr(oneOf(["azureGlobal", "azureGovernment", "azureGermany", "azureChina"])),
    azureGovernmentCertifications: arr(
      obj(
        {
          name: str({ min: 1, max: 255 }),
          link: str({ max: 1000, pattern: HTTP_URL, like: "an http(s) URL" }),
        },
        ["name", "link"],
      ),
      { max: 100 },
    ),
    displayRank: num({ integer: true }),
    subtype: oneOf(["managedApplication", "solutionTemplate"]),
    lifecycleState: oneOf(LIFECYCLE),
    deprecationSchedule: schedule,
  },
  "plan-listing": {
    kind: str(),
    languageId: ENGLISH,
    name: str({ max: 200 }),
    summary: str(),
    description: str(),
    lifecycleState: oneOf(["generallyAvailable", "deleted"]),
  },
  "price-and-availability-plan": {
    visibility: oneOf(["visible", "hidden"]),
    audience: oneOf(["public", "private"]),
    customerMarkets: oneOf(["customMarkets", "allMarkets", "allTaxRemittedMarkets"]),
    markets: arr(str({ pattern: MARKET, like: "a market code of 2-3 lower-case letters (e.g. us, de)" })),
    pricing: obj({
      licenseModel: oneOf(["byol", "payAsYouGo"]),
      corePricing: obj({
        priceInputOption: oneOf(["free", "flat", "perCore", "perCoreSize", "perMarketAndCoreSize"]),
        price: num({ min: 0 }),
        pricePerCore: num({ min: 0 }),
        pricePerCoreSize: { t: "map", values: num({ min: 0 }) },
        prices: arr(
          obj(
            {
              currency: str({ pattern: CURRENCY, like: "a currency of 3 lower-case letters (e.g. usd)" }),
              markets: arr(
                str({ pattern: MARKET, like: "a market code of 2-3 lower-case letters (e.g. us, de)" }),
              ),
              prices: { t: "map", values: num({ min: 0 }) },
            },
            ["currency", "markets", "prices"],
          ),
          { uniqueBy: "currency" },
        ),
      }),
      recurrentPrice: { t: "any" },
      customMeters: { t: "any" },
    }),
    trial: obj({ type: oneOf(["day", "week", "month", "year"]), value: num({ min: 0 }) }, ["type"], true),
    privateAudiences: audiences,
    softwareReservation: arr(
      obj(
        { type: oneOf(["month", "year"]), term: num({ min: 1 }), percentageSave: num({ min: 0, max: 100 }) },
        ["type", "term", "percentageSave"],
      ),
      { nullable: true },
    ),
    billingTag: str(),
  },
  [VM_TECH_CONFIG_TYPE]: vmFields,
  [CORE_VM_TECH_CONFIG_TYPE]: { ...vmFields, softwareType: oneOf(["operatingSystem", "solution"]) },
  [CONTAINER_TECH_CONFIG_TYPE]: {
    payloadType: oneOf(["image", "cnab"]),
    imageRepositoryDetails: obj({
      subscriptionId: str({ pattern: GUID, like: "a GUID" }),
      resourceGroupName: str({ min: 1 }),
      registryName: str({ min: 1 }),
      repositoryName: str({ min: 1 }),
      userName: str(),
      password: str(),
    }),
    imageTags: arr(str({ min: 1 })),
    clusterExtensionType: str({ pattern: EXTENSION_TYPE, like: "PublisherName.ApplicationName" }),
    cnabReferences: arr(
      obj(
        {
          tenantId: str({ pattern: GUID, like: "a GUID" }),
          subscriptionId: str({ pattern: GUID, like: "a GUID" }),
          resourceGroupName: str({ min: 1 }),
          registryName: str({ min: 1 }),
          repositoryName: str({ min: 1 }),
          tag: str({ min: 1 }),
          digest: str({ pattern: DIGEST, like: "sha256:<hex>" }),
        },
        ["registryName", "repositoryName", "tag"],
      ),
    ),
  },
};

function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const child = (path: string, name: string) =>
  IDENTIFIER.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;

type Fail = (property: string, reason: string) => void;

function check(value: unknown, spec: Spec, path: string, fail: Fail): void {
  if (value === undefined || unknown(value)) return;
  switch (spec.t) {
    case "any":
      return;
    case "string": {
      if (typeof value !== "string") {
        fail(path, `must be a string, got ${show(value)}`);
        return;
      }
      if (spec.enum && !spec.enum.includes(value)) {
        fail(path, `must be one of ${spec.enum.map((v) => `"${v}"`).join(", ")}, got ${show(value)}`);
        return;
      }
      if (spec.min !== undefined && value.length < spec.min) {
        fail(path, spec.min === 1 ? "must not be empty" : `must have at least ${spec.min} characters`);
        return;
      }
      if (spec.max !== undefined && value.length > spec.max) {
        fail(path, `must have at most ${spec.max} characters, got ${value.length}`);
        return;
      }
      if (spec.pattern && !spec.pattern.test(value)) {
        fail(path, `must be ${spec.like ?? `like ${spec.pattern}`}, got ${show(value)}`);
        return;
      }
      return;
    }
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        fail(path, `must be a number, got ${show(value)}`);
        return;
      }
      if (spec.integer && !Number.isInteger(value)) {
        fail(path, `must be a whole number, got ${value}`);
        return;
      }
      if (spec.min !== undefined && value < spec.min) {
        fail(path, `must be at least ${spec.min}, got ${value}`);
        return;
      }
      if (spec.max !== undefined && value > spec.max) {
        fail(path, `must be at most ${spec.max}, got ${value}`);
        return;
      }
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") fail(path, `must be true or false, got ${show(value)}`);
      return;
    case "array": {
      if (value === null && spec.nullable) return;
      if (!Array.isArray(value)) {
        fail(path, `must be a list, got ${show(value)}`);
        return;
      }
      if (spec.min !== undefined && value.length < spec.min)
        fail(path, `must have at least ${spec.min} item${spec.min === 1 ? "" : "s"}, got ${value.length}`);
      if (spec.max !== undefined && value.length > spec.max)
        fail(path, `must have at most ${spec.max} items, got ${value.length}`);
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        check(item, spec.items, `${path}[${i}]`, fail);
        const key = spec.uniqueBy ? (isObject(item) ? item[spec.uniqueBy] : undefined) : item;
        if (key === undefined || unknown(key) || (typeof key !== "string" && typeof key !== "number")) return;
        const first = seen.get(String(key));
        if (first !== undefined)
          fail(
            `${path}[${i}]`,
            `repeats ${spec.uniqueBy ? `${spec.uniqueBy} ` : ""}${show(key)} of ${path}[${first}]; each may appear once`,
          );
        else seen.set(String(key), i);
      });
      return;
    }
    case "map": {
      if (!isObject(value)) {
        fail(path, `must be an object, got ${show(value)}`);
        return;
      }
      for (const [name, item] of Object.entries(value)) check(item, spec.values, child(path, name), fail);
      return;
    }
    case "object": {
      if (value === null && spec.nullable) return;
      if (!isObject(value)) {
        fail(path, `must be an object, got ${show(value)}`);
        return;
      }
      checkFields(value, spec.fields, path, fail);
      for (const name of spec.required ?? [])
        if (value[name] === undefined || value[name] === null) fail(child(path, name), "is required");
    }
  }
}

function checkFields(value: Json, fields: Record<string, Spec>, path: string, fail: Fail): void {
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const spec = fields[name];
    if (!spec) {
      const known = Object.keys(fields);
      fail(
        child(path, name),
        `is not a field here (known: ${known.join(", ")}); fix the name, or declare the resource raw in resources`,
      );
      continue;
    }
    check(item, spec, child(path, name), fail);
  }
}

/** Rules between fields of one part. */
function partRules(part: DeclaredPart, fail: Fail): void {
  const f = part.fields;
  const at = (field: string) => `${part.key}.${field}`;
  if (part.type === "price-and-availability-plan") {
    if (
      (f.customerMarkets === "allMarkets" || f.customerMarkets === "allTaxRemittedMarkets") &&
      Array.isArray(f.markets) &&
      f.markets.length > 0
    )
      fail(
        at("markets"),
        `must not be set with customerMarkets "${f.customerMarkets}"; remove markets or use customerMarkets "customMarkets"`,
      );
    const core = isObject(f.pricing) && isObject(f.pricing.corePricing) ? f.pricing.corePricing : undefined;
    const option = core?.priceInputOption;
    if (core && typeof option === "string" && !unknown(option)) {
      const needs: Record<string, string | undefined> = {
        free: undefined,
        flat: "price",
        perCore: "pricePerCore",
        perCoreSize: "pricePerCoreSize",
        perMarketAndCoreSize: "prices",
      };
      if (option in needs) {
        const wanted = needs[option];
        if (wanted && core[wanted] === undefined)
          fail(at(`pricing.corePricing.${wanted}`), `is required with priceInputOption "${option}"`);
        for (const other of ["price", "pricePerCore", "pricePerCoreSize", "prices"])
          if (other !== wanted && core[other] !== undefined)
            fail(
              at(`pricing.corePricing.${other}`),
              `must not be set with priceInputOption "${option}"${wanted ? ` (it takes ${wanted})` : " (free takes no price)"}`,
            );
      }
    }
  }
  if (part.type === VM_TECH_CONFIG_TYPE || part.type === CORE_VM_TECH_CONFIG_TYPE) {
    const os = isObject(f.operatingSystem) ? f.operatingSystem : undefined;
    if (os && typeof os.type === "string" && !unknown(os.type)) {
      const allowed =
        os.family === "windows" ? WINDOWS_TYPES : os.family === "linux" ? LINUX_TYPES : undefined;
      if (allowed && !allowed.includes(os.type))
        fail(
          at("operatingSystem.type"),
          `must be one of ${allowed.map((t) => `"${t}"`).join(", ")} for ${os.family}, got ${show(os.type)}`,
        );
    }
    const versions = Array.isArray(f.vmImageVersions) ? f.vmImageVersions.filter(isObject) : undefined;
    const skuTypes = Array.isArray(f.skus)
      ? new Set(
          f.skus
            .filter(isObject)
            .map((s) => s.imageType)
            .filter((t) => typeof t === "string"),
        )
      : undefined;
    versions?.forEach((version, i) => {
      const path = at(`vmImageVersions[${i}]`);
      if (typeof version.versionNumber === "string" && !unknown(version.versionNumber)) {
        const problem = versionProblem(version.versionNumber);
        if (problem) fail(`${path}.versionNumber`, problem);
      }
      const schedule = isObject(version.deprecationSchedule) ? version.deprecationSchedule : undefined;
      if (schedule?.dateOffset !== undefined && !unknown(schedule.dateOffset)) {
        const problem = durationProblem(schedule.dateOffset);
        if (problem) fail(`${path}.deprecationSchedule.dateOffset`, problem);
      }
      const images = Array.isArray(version.vmImages) ? version.vmImages.filter(isObject) : [];
      images.forEach((image, j) => {
        const ipath = `${path}.vmImages[${j}]`;
        if (skuTypes && typeof image.imageType === "string" && !skuTypes.has(image.imageType))
          fail(
            `${ipath}.imageType`,
            `"${image.imageType}" has no SKU: skus list ${[...skuTypes].join(", ") || "none"}; add a SKU of that image type or fix imageType`,
          );
        const source = isObject(image.source) ? image.source : undefined;
        if (!source) return;
        if (source.sourceType === "sasUri") {
          if (source.osDisk === undefined)
            fail(`${ipath}.source.osDisk`, `is required with sourceType "sasUri"`);
          if (source.sharedImage !== undefined)
            fail(`${ipath}.source.sharedImage`, `must not be set with sourceType "sasUri"`);
        }
        if (source.sourceType === "sharedImageGallery") {
          if (source.sharedImage === undefined)
            fail(`${ipath}.source.sharedImage`, `is required with sourceType "sharedImageGallery"`);
          for (const disk of ["osDisk", "dataDisks"])
            if (source[disk] !== undefined)
              fail(
                `${ipath}.source.${disk}`,
                `must not be set with sourceType "sharedImageGallery" (the gallery image holds the disks)`,
              );
        }
      });
    });
    if (versions && versions.length > 0) {
      const live = versions.filter((v) => v.lifecycleState !== "deleted");
      if (live.length > 0 && live.every((v) => v.lifecycleState === "deprecated"))
        fail(
          at("vmImageVersions"),
          'deprecates every image version of the plan; Partner Center never deprecates a plan\'s last image version: keep one generallyAvailable (add a new version first), or stop selling the plan (removedPlans: "hide")',
        );
    }
  }
  if (part.type === CONTAINER_TECH_CONFIG_TYPE) {
    const image = ["imageRepositoryDetails", "imageTags"].filter((k) => f[k] !== undefined);
    const cnab = ["clusterExtensionType", "cnabReferences"].filter((k) => f[k] !== undefined);
    if (f.payloadType === "image")
      for (const k of cnab) fail(at(k), `is for payloadType "cnab" (Kubernetes applications), not "image"`);
    else if (f.payloadType === "cnab")
      for (const k of image) fail(at(k), `is for payloadType "image" (container images), not "cnab"`);
    else if (f.payloadType === undefined && image.length > 0 && cnab.length > 0)
      fail(
        at("payloadType"),
        `is needed to say which: the part declares both image (${image.join(", ")}) and CNAB (${cnab.join(", ")}) fields`,
      );
  }
  const schedule = isObject(f.deprecationSchedule) ? f.deprecationSchedule : undefined;
  if (schedule?.dateOffset !== undefined && !unknown(schedule.dateOffset)) {
    const problem = durationProblem(schedule.dateOffset);
    if (problem) fail(at("deprecationSchedule.dateOffset"), problem);
  }
}

/** Plan external ids a part refers to (besides its own plan), with where. */
function planReferences(part: DeclaredPart): Array<{ path: string; planId: string }> {
  const out: Array<{ path: string; planId: string }> = [];
  const f = part.fields;
  const add = (path: string, value: unknown) => {
    if (isObject(value) && typeof value.externalId === "string" && !unknown(value.externalId))
      out.push({ path: `${part.key}.${path}`, planId: value.externalId });
  };
  if (isObject(f.deprecationSchedule) && isObject(f.deprecationSchedule.alternative))
    add("deprecationSchedule.alternative.plan", f.deprecationSchedule.alternative.plan);
  add("basePlan", f.basePlan);
  if (Array.isArray(f.vmImageVersions))
    f.vmImageVersions.forEach((v, i) => {
      if (isObject(v) && isObject(v.deprecationSchedule) && isObject(v.deprecationSchedule.alternative))
        add(
          `vmImageVersions[${i}].deprecationSchedule.alternative.plan`,
          v.deprecationSchedule.alternative.plan,
        );
    });
  return out;
}

/** Raw resource fields the provider owns. */
const RAW_MANAGED = ["id", "resourceName", "validations"];
/** Types a raw resource may not be (they have their own resources or are envelopes). */
const RAW_REFUSED: Record<string, string> = {
  submission:
    "publishing belongs to OfferPublish / OfferGoLive (a submission in the program would publish on every change)",
  "resource-tree": "it is what the API answers, not a resource to write",
  configure: "it is the request envelope the provider sends",
};

/**
 * Everything wrong with the inputs that can be known without a request (see the file comment). Empty when
 * they are fine.
 */
export function validateOffer(inputs: OfferConfigurationInputs): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const fail: Fail = (property, reason) => failures.push({ property, reason: `${property} ${reason}.` });
  const given = (inputs ?? {}) as unknown as Json;

  if (!unknown(given.offerId)) {
    if (typeof given.offerId !== "string" || given.offerId === "")
      fail("offerId", "is required (the offer's id in Partner Center)");
    else if (!EXTERNAL_ID.test(given.offerId))
      fail(
        "offerId",
        `must be 3-50 characters: lower-case letters, digits, '-' and '_', starting with a letter or digit (^[a-z0-9][a-z0-9-_]{2,49}$), got ${show(given.offerId)}`,
      );
  }
  if (given.api !== undefined && !unknown(given.api) && given.api !== "ingestion")
    fail(
      "api",
      given.api === "cpp"
        ? `must be "ingestion": OfferConfiguration works on the Product Ingestion API only (the Cloud Partner Portal API has no resource tree); remove api or set it to "ingestion"`
        : `must be "ingestion" (the default), got ${show(given.api)}`,
    );
  if (
    given.removedPlans !== undefined &&
    !unknown(given.removedPlans) &&
    !["keep", "hide"].includes(given.removedPlans as string)
  )
    fail(
      "removedPlans",
      `must be "keep" (default: leave removed plans as they are) or "hide" (stop selling them), got ${show(given.removedPlans)}`,
    );
  for (const [name, kind] of [
    ["plans", "object"],
    ["listingAssets", "list"],
    ["resources", "list"],
  ] as const) {
    const value = given[name];
    if (value === undefined || value === null || unknown(value)) continue;
    if (kind === "object" ? !isObject(value) : !Array.isArray(value))
      fail(name, kind === "object" ? "must be an object: plan id -> plan" : "must be a list");
  }
  for (const name of [
    "product",
    "property",
    "listing",
    "availability",
    "reseller",
    "technicalConfiguration",
  ]) {
    const value = given[name];
    if (value !== undefined && value !== null && !unknown(value) && !isObject(value))
      fail(name, "must be an object");
  }

  const productType =
    isObject(given.product) && typeof given.product.type === "string" ? given.product.type : undefined;
  if (productType === "azureApplication")
    fail(
      "product.type",
      `"azureApplication" is not covered yet: Azure Application packages go through the v1 ingestion API (another token audience); declare VM, core VM, container or SaaS offers here`,
    );
  else if (
    productType &&
    !unknown(productType) &&
    PRODUCT_TYPES.includes(productType as never) &&
    !COVERED_PRODUCT_TYPES.includes(productType as never)
  )
    fail(
      "product.type",
      `"${productType}" is not covered: OfferConfiguration declares ${COVERED_PRODUCT_TYPES.join(", ")} offers`,
    );

  const plans = isObject(given.plans) ? given.plans : {};
  const planIds = new Set(Object.keys(plans));
  for (const planId of planIds) {
    if (!EXTERNAL_ID.test(planId))
      fail(
        planKey(planId),
        `has a plan id that must be 3-50 characters: lower-case letters, digits, '-' and '_', starting with a letter or digit (^[a-z0-9][a-z0-9-_]{2,49}$)`,
      );
    if (!isObject(plans[planId]) && !unknown(plans[planId]))
      fail(planKey(planId), "must be an object (the plan's fields and parts)");
  }

  const safe: OfferConfigurationInputs = {
    ...(inputs ?? { offerId: "" }),
    plans: Object.fromEntries(
      Object.entries(plans).filter(([, v]) => isObject(v)),
    ) as OfferConfigurationInputs["plans"],
    listingAssets: Array.isArray(given.listingAssets)
      ? (given.listingAssets.filter(isObject) as never)
      : undefined,
    resources: Array.isArray(given.resources) ? (given.resources.filter(isObject) as never) : undefined,
  };
  for (const name of [
    "product",
    "property",
    "listing",
    "availability",
    "reseller",
    "technicalConfiguration",
  ] as const)
    if (!isObject(given[name])) delete (safe as unknown as Json)[name];
  const parts = declaredParts(safe);
  const seen = new Map<string, string>();
  const planTechType = techConfigTypeOf(productType);

  let rawIndex = 0;
  let assetIndex = 0;
  for (const part of parts) {
    const where = part.raw
      ? `resources[${rawIndex++}]`
      : part.type === "listing-asset"
        ? `listingAssets[${assetIndex++}]`
        : part.key;
    const first = seen.get(part.key);
    if (first !== undefined) {
      fail(where, `declares ${part.key} again (first at ${first}); each resource may be declared once`);
      continue;
    }
    seen.set(part.key, where);
    if (part.raw) {
      checkRaw(part, where, planIds, given.offerId, fail);
      continue;
    }
    if (
      part.type === "listing-asset" &&
      (typeof part.fields.fileName !== "string" || part.fields.fileName === "")
    ) {
      fail(`${where}.fileName`, "is required: it is the asset's key");
      continue;
    }
    if (
      part.key === "technicalConfiguration" &&
      productType &&
      !unknown(productType) &&
      productType !== "softwareAsAService"
    ) {
      fail(
        "technicalConfiguration",
        `is the offer-level technical configuration of SaaS offers; ${productType} offers declare it per plan (plans[<id>].technicalConfiguration)`,
      );
      continue;
    }
    if (
      part.key.endsWith(".technicalConfiguration") &&
      productType &&
      !unknown(productType) &&
      !planTechType
    ) {
      fail(
        part.key,
        productType === "softwareAsAService"
          ? "SaaS plans have no technical configuration: declare it at the offer level (technicalConfiguration: landingPageUrl, connectionWebhook, ...)"
          : `${productType} plans have no technical configuration this resource declares`,
      );
      continue;
    }
    // A listing asset is named by its place in the list (its key is its fileName, which may be the problem).
    const failAt: Fail = (property, reason) =>
      fail(part.type === "listing-asset" ? property.replace(part.key, where) : property, reason);
    checkFields(part.fields, SPECS[part.type] ?? {}, part.key, failAt);
    partRules(part, failAt);
    if (
      part.type === "plan" &&
      part.fields.subtype !== undefined &&
      productType &&
      productType !== "azureApplication"
    )
      failAt(`${part.key}.subtype`, "is for Azure Application plans only; remove it");
    for (const reference of planReferences(part))
      if (!planIds.has(reference.planId))
        fail(
          `${reference.path}.externalId`,
          `refers to plan "${reference.planId}", which the program does not declare; declare plans["${reference.planId}"] (an existing plan needs no fields: {}) or fix the reference`,
        );
  }
  return failures;
}

function checkRaw(
  part: DeclaredPart,
  where: string,
  planIds: Set<string>,
  offerId: unknown,
  fail: Fail,
): void {
  const schema = part.fields.$schema;
  if (unknown(schema)) return;
  if (typeof schema !== "string" || schema === "") {
    fail(
      `${where}.$schema`,
      "is required: the resource type's schema URI, e.g. https://schema.mp.microsoft.com/schema/customer-leads/2022-03-01-preview3",
    );
    return;
  }
  const parsed = parseSchemaUri(schema);
  if (!parsed) {
    fail(
      `${where}.$schema`,
      `must be a schema URI https://schema.mp.microsoft.com/schema/<type>/<version>, got ${show(schema)}`,
    );
    return;
  }
  const type = rawTypeOf(part.fields) ?? parsed.type;
  if (TYPED_TYPES.includes(type)) {
    fail(
      `${where}.$schema`,
      `names ${type}, which has a typed input (${typedInputOf(type)}): declare it there, not in resources`,
    );
    return;
  }
  if (type in RAW_REFUSED) {
    fail(`${where}.$schema`, `names ${type}: not declared here, ${RAW_REFUSED[type]}`);
    return;
  }
  for (const name of RAW_MANAGED)
    if (part.fields[name] !== undefined)
      fail(
        `${where}.${name}`,
        "is set by the provider (it finds the resource by its type, plan and language); remove it",
      );
  const plan = rawPlanOf({
    plan: (part.fields as Json).plan ?? (part.planId !== undefined ? { externalId: part.planId } : undefined),
  });
  if (plan !== undefined && !unknown(plan) && !planIds.has(plan))
    fail(
      `${where}.plan.externalId`,
      `refers to plan "${plan}", which the program does not declare; declare plans["${plan}"] (an existing plan needs no fields: {}) or fix the reference`,
    );
  const product = part.fields.product;
  if (product !== undefined) {
    const id = isObject(product) ? product.externalId : undefined;
    if (id !== offerId && !unknown(id))
      fail(
        `${where}.product`,
        `must be { externalId: "${String(offerId)}" } (this offer) or left out, got ${show(product)}`,
      );
  }
}

function typedInputOf(type: string): string {
  switch (type) {
    case "listing-asset":
      return "listingAssets";
    case "price-and-availability-offer":
      return "availability";
    case SAAS_TECH_CONFIG_TYPE:
      return "technicalConfiguration";
    case "plan":
      return "plans[<id>]";
    case "plan-listing":
      return "plans[<id>].listing";
    case "price-and-availability-plan":
      return "plans[<id>].availability";
    case VM_TECH_CONFIG_TYPE:
    case CORE_VM_TECH_CONFIG_TYPE:
    case CONTAINER_TECH_CONFIG_TYPE:
      return "plans[<id>].technicalConfiguration";
    default:
      return type;
  }
}

/** Top-level fields a new resource of a type needs (schemas' `required`, less what the provider fills). */
const REQUIRED_TO_CREATE: Record<string, string[]> = {
  product: ["type", "alias"],
  property: ["categories", "termsConditions"],
  "listing-asset": ["type", "url"],
  plan: ["alias"],
  "price-and-availability-plan": ["visibility", "audience"],
};

/** Product types whose `kind` the write fills; others must declare it on new listings/properties/plan listings. */
const KIND_FILLED = new Set(["azureVirtualMachine", "softwareAsAService"]);

/**
 * The rules of "what cannot change after the fact" (DESIGN: Rules that cannot change after the fact) for the
 * changed or declared `parts`, given the draft as read and the published trees (undefined when never reached),
 * plus the fields a new resource needs. Each message says what to do. Empty when the write may go ahead.
 */
export function afterTheFactProblems(
  parts: DeclaredPart[],
  draft: TreeIndex,
  published: { preview?: TreeIndex; live?: TreeIndex },
  olds?: OfferConfigurationInputs,
): string[] {
  const problems: string[] = [];
  const where = (key: string): "live" | "preview" | undefined =>
    published.live?.byKey.has(key) ? "live" : published.preview?.byKey.has(key) ? "preview" : undefined;
  const productType = draft.productType;
  const vm = productType === "azureVirtualMachine" || productType === "coreVirtualMachine";

  // Offer type: fixed once created.
  const product = parts.find((p) => p.key === "product");
  const declaredType = product?.fields.type;
  const wasType = productType ?? olds?.product?.type;
  if (typeof declaredType === "string" && wasType !== undefined && declaredType !== wasType)
    problems.push(
      `product.type: the offer is a ${wasType} offer and an offer's type is fixed once created; set product.type to "${wasType}" (or leave it out). A ${declaredType} offer needs a new offerId (the old offer is left as it is).`,
    );

  for (const part of parts) {
    const current = draft.byKey.get(part.key);
    const publishedIn = where(part.key);
    // deleted: only for never-published resources.
    if (part.fields.lifecycleState === "deleted" && publishedIn && current?.lifecycleState !== "deleted")
      problems.push(
        `${part.key}.lifecycleState: "deleted" works only on resources never published, and ${part.key} is in ${publishedIn}; use "deprecated" to retire it${part.type === "plan" ? ' (or stop selling the plan: removedPlans "hide" / availability.visibility "hidden")' : ""}, or leave it as it is.`,
      );
    // A published VM plan's price.
    if (
      vm &&
      part.type === "price-and-availability-plan" &&
      "pricing" in part.fields &&
      part.planId !== undefined
    ) {
      const tree = published.live?.byKey.has(part.key) ? published.live : published.preview;
      const stored = tree?.byKey.get(part.key);
      if (stored) {
        const declared = normalizeFields(part.type, part.fields).pricing;
        const was = normalizeFields(part.type, stored).pricing;
        if (!sameValue(declared, was))
          problems.push(
            `${part.key}.pricing: plan ${part.planId} is published (${tree === published.live ? "live" : "preview"}), and Partner Center does not change a published VM plan's price. Hide the plan (remove it from the program with removedPlans: "hide", or set its availability.visibility "hidden") and create a new plan with the new price; or put the price back.`,
          );
      }
    }
    // Technical configuration: published image versions stay; skuIds and the cluster extension type are fixed.
    if (part.key.endsWith(".technicalConfiguration")) {
      const tree = published.live?.byKey.has(part.key) ? published.live : published.preview;
      const stored = tree?.byKey.get(part.key);
      const label = tree === published.live ? "live" : "preview";
      if (stored && Array.isArray(part.fields.vmImageVersions)) {
        const declared = new Map(
          part.fields.vmImageVersions.filter(isObject).map((v) => [String(v.versionNumber), v]),
        );
        const publishedVersions = Array.isArray(stored.vmImageVersions)
          ? stored.vmImageVersions.filter(isObject)
          : [];
        for (const version of publishedVersions) {
          const number = String(version.versionNumber);
          if (version.lifecycleState === "deleted") continue;
          const mine = declared.get(number);
          if (!mine)
            problems.push(
              `${part.key}.vmImageVersions: image version ${number} is published (${label}) and cannot be removed; keep it in the list (deprecate it with lifecycleState "deprecated" and a deprecationSchedule), or leave vmImageVersions out to keep the draft's versions.`,
            );
          else if (mine.lifecycleState === "deleted")
            problems.push(
              `${part.key}.vmImageVersions: image version ${number} is published (${label}) and cannot be deleted; deprecate it instead (lifecycleState "deprecated" with a deprecationSchedule).`,
            );
        }
      }
      if (stored && label === "live" && Array.isArray(part.fields.skus) && Array.isArray(stored.skus)) {
        const was = new Map(stored.skus.filter(isObject).map((s) => [String(s.imageType), s.skuId]));
        for (const sku of part.fields.skus.filter(isObject)) {
          const before = was.get(String(sku.imageType));
          if (before !== undefined && sku.skuId !== before)
            problems.push(
              `${part.key}.skus: the ${String(sku.imageType)} SKU id is "${String(before)}" in live and is locked by a previous submission; keep skuId "${String(before)}".`,
            );
        }
      }
      if (
        stored &&
        typeof part.fields.clusterExtensionType === "string" &&
        stored.clusterExtensionType !== undefined &&
        part.fields.clusterExtensionType !== stored.clusterExtensionType
      )
        problems.push(
          `${part.key}.clusterExtensionType: it is "${String(stored.clusterExtensionType)}" in ${label} and cannot change once the plan was published to preview; keep it (a new extension type needs a new plan).`,
        );
    }
    // What a new resource needs.
    if (!current && !part.raw) {
      const missing = (REQUIRED_TO_CREATE[part.type] ?? []).filter(
        (name) => part.fields[name] === undefined || part.fields[name] === null,
      );
      const kindNeeded =
        ["listing", "property", "plan-listing"].includes(part.type) &&
        part.fields.kind === undefined &&
        !KIND_FILLED.has(productType ?? String(parts.find((p) => p.key === "product")?.fields.type ?? ""));
      if (kindNeeded) missing.push("kind");
      if (missing.length > 0)
        problems.push(
          `${part.key}: the offer has no such resource yet, and creating it needs ${missing.map((m) => `${part.key}.${m}`).join(", ")}; declare ${missing.length === 1 ? "it" : "them"}.`,
        );
    }
  }

  // Stop-sell: at least two plans, and one stays visible.
  const visibility = new Map<string, string>();
  for (const [planId] of draft.planIds) {
    const stored = draft.byKey.get(`${planKey(planId)}.availability`);
    const plan = draft.byKey.get(planKey(planId));
    if (plan?.lifecycleState === "deleted" || plan?.lifecycleState === "deprecated") continue;
    visibility.set(planId, typeof stored?.visibility === "string" ? stored.visibility : "visible");
  }
  const hiding: string[] = [];
  for (const part of parts) {
    if (part.type !== "price-and-availability-plan" || part.planId === undefined) continue;
    const before = visibility.get(part.planId);
    const after = typeof part.fields.visibility === "string" ? part.fields.visibility : (before ?? "visible");
    if (after === "hidden" && before !== "hidden" && draft.planIds.has(part.planId)) hiding.push(part.planId);
    visibility.set(part.planId, after);
  }
  if (hiding.length > 0) {
    const visible = [...visibility].filter(([, v]) => v !== "hidden").map(([id]) => id);
    if (visibility.size < 2)
      problems.push(
        `plans[${hiding.join(", ")}].availability.visibility: stopping the sale of a plan needs at least two plans in the offer, and it has ${visibility.size}; add another plan first, or deprecate the offer.`,
      );
    else if (visible.length === 0)
      problems.push(
        `plans[${hiding.join(", ")}].availability.visibility: this would hide every plan, and stopping the sale of a plan needs one plan left visible; keep one visible (or add a new plan in the same change).`,
      );
  }
  return problems;
}

/** The top-level fields `validateOffer` knows for a type (kept equal to `TYPED_FIELDS` by a test). */
export function validatedFields(type: string): string[] {
  return Object.keys(SPECS[type] ?? {});
}
