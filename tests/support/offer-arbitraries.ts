/**
 * fast-check generators of resource trees as the Product Ingestion API answers them (every typed resource type,
 * raw resources, plan references in both durable forms, shuffled resource order), and a reorderer of the lists
 * the API does not order, written from the schemas independently of `normalize.ts`.
 */

import fc from "fast-check";

const BASE = "https://schema.mp.microsoft.com/schema";
type Json = Record<string, unknown>;

export type OfferType =
  | "azureVirtualMachine"
  | "coreVirtualMachine"
  | "azureContainer"
  | "softwareAsAService";

export interface GeneratedTree {
  offerId: string;
  offerType: OfferType;
  resources: Json[];
}

const externalId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,10}$/);
const text = fc.string({ minLength: 1, maxLength: 12 });
const word = fc.stringMatching(/^[a-z]{1,8}$/);
const market = fc.constantFrom("us", "de", "fr", "gb", "jp", "ca", "au", "nl", "se", "br", "in", "mx");
const price = fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true });
const httpUrl = word.map((w) => `https://contoso.example/${w}`);
const guid = fc.uuid();

const schema = (type: string, version = "2022-03-01-preview2") => `${BASE}/${type}/${version}`;

const audience = fc.record({
  type: fc.constantFrom("subscription", "tenant", "ea"),
  id: guid,
  label: fc.option(text, { nil: undefined }),
});
const audiences = fc.uniqueArray(audience, { selector: (a) => a.id, maxLength: 3 });

const imageTypes = fc.subarray(["x64Gen2", "x64Gen1"], { minLength: 1 });

const vmImage = (imageType: string) =>
  fc.oneof(
    fc.record({
      imageType: fc.constant(imageType),
      source: fc.record({
        sourceType: fc.constant("sasUri"),
        osDisk: fc.record({
          uri: word.map((w) => `https://acct.blob.core.windows.net/vhds/${w}.vhd?sv=1&sig=abc`),
        }),
        dataDisks: fc.uniqueArray(
          fc.record({
            lunNumber: fc.integer({ min: 0, max: 15 }),
            uri: word.map((w) => `https://acct.blob.core.windows.net/d/${w}.vhd`),
          }),
          { selector: (d) => d.lunNumber, maxLength: 3 },
        ),
      }),
    }),
    fc.record({
      imageType: fc.constant(imageType),
      source: fc.record({
        sourceType: fc.constant("sharedImageGallery"),
        sharedImage: fc.record({
          tenantId: guid,
          resourceId: word.map(
            (w) =>
              `/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/images/${w}/versions/1.0.0`,
          ),
        }),
      }),
    }),
  );

const vmTechConfig = (softwareType: boolean) =>
  imageTypes.chain((types) =>
    fc.record(
      {
        operatingSystem: fc.record({
          family: fc.constant("linux"),
          type: fc.constantFrom("ubuntu", "debian", "other"),
          friendlyName: text,
        }),
        skus: fc.tuple(
          ...types.map((t) =>
            fc.record({
              imageType: fc.constant(t),
              skuId: externalId,
              securityType: fc.option(fc.subarray(["trusted", "confidential"]), { nil: undefined }),
            }),
          ),
        ),
        vmImageVersions: fc.uniqueArray(
          fc.record({
            versionNumber: fc.tuple(fc.nat(20), fc.nat(20), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`),
            vmImages: fc.tuple(...types.map((t) => vmImage(t))),
            lifecycleState: fc.option(fc.constantFrom("generallyAvailable", "deprecated"), {
              nil: undefined,
            }),
          }),
          { selector: (v) => v.versionNumber, maxLength: 3 },
        ),
        vmProperties: fc.record(
          {
            supportsNVMe: fc.boolean(),
            supportsCloudInit: fc.boolean(),
            supportsExtensions: fc.boolean(),
            supportsBackup: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        recommendedVmSizes: fc.uniqueArray(
          fc.constantFrom("Standard_D2s_v5", "Standard_B2s", "Standard_E4s_v5", "Standard_F2"),
          { maxLength: 4 },
        ),
        openPorts: fc.uniqueArray(
          fc.record({
            label: fc.stringMatching(/^[a-z]{3,8}$/),
            portRange: fc.integer({ min: 1, max: 65535 }).map(String),
            protocol: fc.constantFrom("tcp", "udp", "both"),
          }),
          { selector: (p) => `${p.protocol}/${p.portRange}/${p.label}`, maxLength: 3 },
        ),
        ...(softwareType ? { softwareType: fc.constantFrom("operatingSystem", "solution") } : {}),
      },
      { requiredKeys: ["skus"] },
    ),
  );

const containerTechConfig = fc.oneof(
  fc.record({
    payloadType: fc.constant("image"),
    imageRepositoryDetails: fc.record({
      subscriptionId: guid,
      resourceGroupName: word,
      registryName: word,
      repositoryName: word,
    }),
    imageTags: fc.uniqueArray(word, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    payloadType: fc.constant("cnab"),
    clusterExtensionType: fc.tuple(word, word).map(([a, b]) => `${a}.${b}`),
    cnabReferences: fc.array(
      fc.record({
        tenantId: guid,
        subscriptionId: guid,
        resourceGroupName: word,
        registryName: word,
        repositoryName: word,
        tag: word,
        digest: fc.stringMatching(/^[0-9a-f]{16}$/).map((h) => `sha256:${h}`),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
);

const corePricing = fc.oneof(
  fc.record({ priceInputOption: fc.constant("free") }),
  fc.record({ priceInputOption: fc.constant("flat"), price }),
  fc.record({ priceInputOption: fc.constant("perCore"), pricePerCore: price }),
  fc.record({
    priceInputOption: fc.constant("perCoreSize"),
    pricePerCoreSize: fc.dictionary(fc.constantFrom("1", "2", "4", "8"), price),
  }),
  fc.record({
    priceInputOption: fc.constant("perMarketAndCoreSize"),
    prices: fc.uniqueArray(
      fc.record({
        currency: fc.constantFrom("usd", "eur", "gbp", "jpy"),
        markets: fc.uniqueArray(market, { minLength: 1, maxLength: 4 }),
        prices: fc.dictionary(fc.constantFrom("1", "2", "4"), price),
      }),
      { selector: (p) => p.currency, minLength: 1, maxLength: 3 },
    ),
  }),
);

const planAvailability = (saas: boolean) =>
  fc.record(
    {
      visibility: fc.constantFrom("visible", "hidden"),
      audience: fc.constantFrom("public", "private"),
      customerMarkets: fc.constant("customMarkets"),
      markets: fc.uniqueArray(market, { maxLength: 6 }),
      pricing: saas
        ? fc.record({
            recurrentPrice: fc.record({
              priceInputOption: fc.constant("usd"),
              prices: fc.array(fc.record({ pricePerPaymentInUsd: price }), { maxLength: 2 }),
            }),
          })
        : fc.record({ licenseModel: fc.constant("payAsYouGo"), corePricing }),
      trial: fc.option(
        fc.record({ type: fc.constantFrom("day", "month"), value: fc.integer({ min: 0, max: 30 }) }),
        { nil: null },
      ),
      privateAudiences: fc.option(audiences, { nil: null }),
      billingTag: text,
    },
    { requiredKeys: ["visibility", "audience"] },
  );

/** A resource tree of one offer of a generated type, in a shuffled order. */
export const offerTree: fc.Arbitrary<GeneratedTree> = fc
  .record({
    offerId: externalId,
    offerType: fc.constantFrom<OfferType>(
      "azureVirtualMachine",
      "coreVirtualMachine",
      "azureContainer",
      "softwareAsAService",
    ),
    productGuid: guid,
    planIds: fc.uniqueArray(externalId, { minLength: 1, maxLength: 3 }),
    shortPlanRefs: fc.boolean(),
  })
  .chain((base) => {
    const saas = base.offerType === "softwareAsAService";
    const techConfig: fc.Arbitrary<Json> =
      base.offerType === "azureContainer"
        ? (containerTechConfig as fc.Arbitrary<Json>)
        : (vmTechConfig(base.offerType === "coreVirtualMachine") as fc.Arbitrary<Json>);
    const plan = fc.record({
      guid,
      fields: fc.record(
        {
          alias: text,
          azureRegions: fc.subarray(["azureGlobal", "azureGovernment"], { minLength: 1 }),
          displayRank: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
        },
        { requiredKeys: ["alias"] },
      ),
      listing: fc.option(
        fc.record({ languageId: fc.constant("en-us"), name: text, summary: text, description: text }),
        { nil: undefined },
      ),
      availability: fc.option(planAvailability(saas), { nil: undefined }),
      tech: saas ? fc.constant(undefined) : fc.option(techConfig, { nil: undefined }),
      raw: fc.option(fc.record({ enabled: fc.boolean(), note: text }), { nil: undefined }),
    });
    return fc.record({
      base: fc.constant(base),
      alias: text,
      property: fc.option(
        fc.record({
          kind: fc.constant("azureVM"),
          termsConditions: fc.constantFrom("custom", "standardMicrosoft"),
          termsOfUse: text,
          categories: fc.dictionary(
            fc.constantFrom("analytics", "security", "it-and-management-tools"),
            fc.uniqueArray(word, { maxLength: 3 }),
          ),
        }),
        { nil: undefined },
      ),
      listing: fc.option(
        fc.record({
          languageId: fc.constant("en-us"),
          title: text,
          description: text,
          searchKeywords: fc.uniqueArray(word, { maxLength: 3 }),
          generalLinks: fc.array(fc.record({ displayText: text, link: httpUrl }), { maxLength: 3 }),
          supportContact: fc.record({ name: text, email: fc.constant("support@contoso.example") }),
        }),
        { nil: undefined },
      ),
      assets: fc.uniqueArray(
        fc.record({
          fileName: word.map((w) => `${w}.png`),
          type: fc.constantFrom("azureLogoSmall", "azureLogoLarge", "azureLogoScreenshot"),
          url: httpUrl,
          displayOrder: fc.nat(5),
        }),
        { selector: (a) => a.fileName, maxLength: 3 },
      ),
      offerAvailability: fc.option(fc.record({ previewAudiences: fc.option(audiences, { nil: null }) }), {
        nil: undefined,
      }),
      reseller: fc.option(
        fc.record({
          resellerChannelState: fc.constantFrom("none", "all", "some"),
          audiences: fc.uniqueArray(fc.record({ type: fc.constant("subscription"), id: guid }), {
            selector: (a) => a.id,
            maxLength: 2,
          }),
        }),
        { nil: undefined },
      ),
      saasTech: saas
        ? fc.option(
            fc.record({
              landingPageUrl: httpUrl,
              connectionWebhook: httpUrl,
              azureAdTenantId: guid,
              azureAdAppId: guid,
            }),
            { nil: undefined },
          )
        : fc.constant(undefined),
      leads: fc.option(fc.record({ leadDestination: fc.constantFrom("none", "blob", "email") }), {
        nil: undefined,
      }),
      plans: fc.tuple(...base.planIds.map(() => plan)),
      order: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
    });
  })
  .map((g) => {
    const { base } = g;
    const productId = `product/${base.productGuid}`;
    const resources: Json[] = [
      {
        $schema: schema("product", "2022-03-01-preview3"),
        id: productId,
        identity: { externalId: base.offerId },
        type: base.offerType,
        alias: g.alias,
      },
      {
        $schema: schema("submission"),
        id: `submission/${base.productGuid}/0`,
        product: productId,
        target: { targetType: "draft" },
      },
    ];
    const offerPart = (type: string, fields: Json | undefined, idSuffix = "") => {
      if (fields)
        resources.push({
          $schema: schema(type, "2022-03-01-preview5"),
          id: `${type}/${base.productGuid}${idSuffix}`,
          product: productId,
          ...fields,
          validations: [],
        });
    };
    offerPart("property", g.property, "/public/main");
    offerPart("listing", g.listing, "/public/main/default/en-us");
    for (const asset of g.assets)
      offerPart(
        "listing-asset",
        {
          ...asset,
          kind: "azure",
          languageId: "en-us",
          listing: `listing/${base.productGuid}/public/main/default/en-us`,
        },
        `/${asset.fileName}`,
      );
    offerPart("price-and-availability-offer", g.offerAvailability);
    offerPart("reseller", g.reseller);
    offerPart("software-as-a-service-technical-configuration", g.saasTech);
    offerPart("customer-leads", g.leads);
    base.planIds.forEach((planId, i) => {
      const plan = g.plans[i];
      if (!plan) return;
      // Plan GUIDs are unique within a product (the generated ones may repeat).
      const planGuid = `${plan.guid.slice(0, 24)}${String(i).padStart(12, "0")}`;
      const durable = `plan/${base.productGuid}/${planGuid}`;
      const ref = base.shortPlanRefs ? `plan/${planGuid}` : durable;
      resources.push({
        $schema: schema("plan"),
        id: durable,
        product: productId,
        identity: { externalId: planId },
        ...plan.fields,
      });
      const planPart = (type: string, fields: Json | undefined) => {
        if (fields)
          resources.push({
            $schema: schema(type, "2022-03-01-preview4"),
            id: `${type}/${base.productGuid}/${planGuid}`,
            product: productId,
            plan: ref,
            ...fields,
          });
      };
      planPart("plan-listing", plan.listing);
      planPart("price-and-availability-plan", plan.availability);
      const techType =
        base.offerType === "azureContainer"
          ? "container-plan-technical-configuration"
          : base.offerType === "coreVirtualMachine"
            ? "core-virtual-machine-plan-technical-configuration"
            : "virtual-machine-plan-technical-configuration";
      planPart(techType, plan.tech as Json | undefined);
      planPart("virtual-machine-test-drive-technical-configuration", plan.raw);
    });
    // The API's order is not stable: any permutation.
    const keyed = resources.map((r, i) => ({ r, k: g.order[i % g.order.length] ?? 0, i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    return {
      offerId: base.offerId,
      offerType: base.offerType,
      resources: keyed.map((e) => e.r),
    } satisfies GeneratedTree;
  });

/** The paths of lists the API does not order, per resource type (from the schemas; `[]` each item, `*` each map value). */
export const UNORDERED: Record<string, string[]> = {
  property: ["categories.*"],
  listing: ["searchKeywords"],
  "price-and-availability-offer": ["previewAudiences"],
  reseller: ["audiences"],
  plan: ["azureRegions"],
  "price-and-availability-plan": [
    "markets",
    "privateAudiences",
    "pricing.corePricing.prices",
    "pricing.corePricing.prices[].markets",
  ],
  "virtual-machine-plan-technical-configuration": [
    "skus",
    "skus[].securityType",
    "vmImageVersions",
    "vmImageVersions[].vmImages",
    "vmImageVersions[].vmImages[].source.dataDisks",
    "openPorts",
  ],
  "core-virtual-machine-plan-technical-configuration": [
    "skus",
    "skus[].securityType",
    "vmImageVersions",
    "vmImageVersions[].vmImages",
    "vmImageVersions[].vmImages[].source.dataDisks",
    "openPorts",
  ],
  "container-plan-technical-configuration": ["imageTags"],
};

/** A deterministic generator of numbers in [0, 1) from a seed (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], rnd: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function reorderAt(value: unknown, path: string[], rnd: () => number): unknown {
  if (path.length === 0) return Array.isArray(value) ? shuffle(value, rnd) : value;
  const [head = "", ...rest] = path;
  if (head === "[]") return Array.isArray(value) ? value.map((item) => reorderAt(item, rest, rnd)) : value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const record = value as Json;
  if (head === "*")
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, reorderAt(v, rest, rnd)]));
  if (!(head in record)) return value;
  return { ...record, [head]: reorderAt(record[head], rest, rnd) };
}

const segments = (path: string) =>
  path.split(".").flatMap((s) => (s.endsWith("[]") ? [s.slice(0, -2), "[]"] : [s]));

/** The same resource with its unordered lists shuffled and its keys in reverse order. */
export function reorderUnordered(resource: Json, rnd: () => number): Json {
  const type = /\/schema\/([a-z0-9-]+)\//.exec(String(resource.$schema))?.[1] ?? "";
  let out: unknown = resource;
  for (const path of UNORDERED[type] ?? []) out = reorderAt(out, segments(path), rnd);
  return Object.fromEntries(Object.entries(out as Json).reverse());
}
