/**
 * Request-level schema checks of the resource types the simulator types: required properties, enums, patterns,
 * JSON types and lengths, as the API's schema validation answers them (a 400 with `schemaValidationError`
 * details). The rules are written from the facts of the resource JSON schemas (`*-2022-03-01-preview2`, as
 * cloudpub keeps them; newer previews add fields, never checked here): only the fields listed are checked,
 * unknown fields pass (later previews have more of them). Technical configurations of VM plans keep their own
 * checks in api.ts; types not listed here (customer-leads, test-drive, listing-trailer, ...) are carried as sent.
 */

/** A field's shape. `nullable`: `null` is accepted as well. */
export type FieldRule =
  | {
      t: "string";
      enum?: readonly string[];
      pattern?: string;
      min?: number;
      max?: number;
      nullable?: boolean;
    }
  | { t: "number"; min?: number; nullable?: boolean }
  | { t: "integer"; min?: number; max?: number; nullable?: boolean }
  | { t: "boolean"; nullable?: boolean }
  | { t: "array"; items?: FieldRule; maxItems?: number; nullable?: boolean }
  | { t: "object"; required?: readonly string[]; fields?: Record<string, FieldRule>; nullable?: boolean }
  /** A resource reference: a durable id string, `{externalId}` (or `externalID`), `{resourceName}` or `{durableId}`. */
  | { t: "reference"; nullable?: boolean }
  | { t: "any"; nullable?: boolean };

export interface TypeRules {
  required: readonly string[];
  fields: Record<string, FieldRule>;
}

const LIFECYCLE = ["generallyAvailable", "deprecated", "deleted"] as const;
const EXTERNAL_ID = "^[a-z0-9][a-z0-9-_]{2,49}$";
const PLAN_EXTERNAL_ID = "^[a-z0-9-_]{1,50}$";
const HTTP_LINK = "^(http|https)://";
const reference: FieldRule = { t: "reference" };
const text: FieldRule = { t: "string" };
const contact: FieldRule = {
  t: "object",
  required: ["name"],
  fields: { name: text, email: text, phone: text, url: { t: "string", pattern: "^https?://" } },
};
const audiences: FieldRule = {
  t: "array",
  nullable: true,
  items: {
    t: "object",
    fields: {
      id: { t: "string", min: 1, max: 50 },
      label: { t: "string", max: 1000 },
      type: { t: "string", enum: ["none", "subscription", "ea", "msdn", "tenant"] },
    },
  },
};
const deprecationSchedule: FieldRule = {
  t: "object",
  nullable: true,
  fields: {
    reason: { t: "string", enum: ["criticalSecurityIssue", "endOfSupport", "other"] },
    dateOffset: text,
  },
};

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

/** Rules per resource type (see the module comment for where they come from). */
export const TYPE_RULES: Readonly<Record<string, TypeRules>> = {
  product: {
    required: ["alias", "identity", "type"],
    fields: {
      alias: { t: "string", max: 120 },
      identity: {
        t: "object",
        required: ["externalId"],
        fields: { externalId: { t: "string", pattern: EXTERNAL_ID, min: 3, max: 50 } },
      },
      type: { t: "string", enum: PRODUCT_TYPES },
      lifecycleState: { t: "string", enum: LIFECYCLE },
      productGroup: reference,
      deprecationSchedule,
    },
  },
  plan: {
    required: ["alias", "identity", "product"],
    fields: {
      alias: { t: "string", min: 1, max: 125 },
      identity: {
        t: "object",
        required: ["externalId"],
        fields: { externalId: { t: "string", pattern: PLAN_EXTERNAL_ID, min: 1, max: 50 } },
      },
      product: reference,
      azureRegions: {
        t: "array",
        items: { t: "string", enum: ["azureGlobal", "azureGovernment", "azureGermany", "azureChina"] },
      },
      azureGovernmentCertifications: {
        t: "array",
        maxItems: 100,
        items: {
          t: "object",
          required: ["name", "link"],
          fields: { name: { t: "string", min: 1, max: 255 }, link: { t: "string", max: 1000 } },
        },
      },
      displayRank: { t: "number" },
      subtype: { t: "string", enum: ["managedApplication", "solutionTemplate"] },
      lifecycleState: { t: "string", enum: LIFECYCLE },
      deprecationSchedule,
    },
  },
  property: {
    required: ["kind", "product", "termsConditions", "categories"],
    fields: {
      kind: text,
      product: reference,
      termsConditions: { t: "string", enum: ["custom", "standardMicrosoft"] },
      categories: { t: "object" },
      termsOfUse: text,
      termsOfUseUrl: text,
      standardContractAmendment: text,
      customAmendments: { t: "array" },
      lifecycleState: { t: "string", enum: ["generallyAvailable", "deleted"] },
    },
  },
  listing: {
    required: ["kind", "languageId", "product"],
    fields: {
      kind: text,
      languageId: text,
      product: reference,
      title: text,
      description: text,
      shortDescription: text,
      searchResultSummary: text,
      privacyPolicyLink: text,
      globalSupportWebsite: text,
      governmentSupportWebsite: text,
      cloudSolutionProviderMarketingMaterials: text,
      generalLinks: {
        t: "array",
        items: {
          t: "object",
          required: ["displayText", "link"],
          fields: { displayText: text, link: { t: "string", pattern: HTTP_LINK } },
        },
      },
      supportContact: contact,
      engineeringContact: contact,
      cloudSolutionProviderContact: contact,
      lifecycleState: { t: "string", enum: ["generallyAvailable", "deleted"] },
    },
  },
  "listing-asset": {
    required: ["kind", "languageId", "listing", "product", "type"],
    fields: {
      kind: text,
      languageId: text,
      listing: reference,
      product: reference,
      type: {
        t: "string",
        enum: [
          "azureLogoSmall",
          "azureLogoMedium",
          "azureLogoLarge",
          "azureLogoWide",
          "azureLogoScreenshot",
          "azureLogoHero",
          "pdfDocument",
        ],
      },
      description: text,
      displayOrder: { t: "integer", min: 0 },
      fileName: text,
      friendlyName: text,
      url: { t: "string", pattern: "^https?://" },
      lifecycleState: { t: "string", enum: ["generallyAvailable", "deleted"] },
    },
  },
  "plan-listing": {
    required: ["kind", "languageId", "plan", "product"],
    fields: {
      kind: text,
      languageId: text,
      plan: reference,
      product: reference,
      name: text,
      description: text,
      summary: text,
      lifecycleState: { t: "string", enum: ["generallyAvailable", "deleted"] },
    },
  },
  "price-and-availability-offer": {
    required: ["product", "previewAudiences"],
    fields: { product: reference, previewAudiences: audiences },
  },
  "price-and-availability-plan": {
    required: ["product", "plan", "visibility", "audience"],
    fields: {
      product: reference,
      plan: reference,
      visibility: { t: "string", enum: ["visible", "hidden"] },
      audience: { t: "string", enum: ["public", "private"] },
      billingTag: text,
      customerMarkets: { t: "string", enum: ["customMarkets", "allMarkets", "allTaxRemittedMarkets"] },
      // The schema's pattern is unanchored: a market code contains 2-3 lower-case letters.
      markets: { t: "array", items: { t: "string", pattern: "[a-z]{2,3}" } },
      pricing: {
        t: "object",
        fields: {
          licenseModel: { t: "string", enum: ["byol", "payAsYouGo"] },
          corePricing: {
            t: "object",
            fields: {
              price: { t: "number" },
              priceInputOption: {
                t: "string",
                enum: ["free", "flat", "perCore", "perCoreSize", "perMarketAndCoreSize"],
              },
              pricePerCore: { t: "number" },
              pricePerCoreSize: { t: "object" },
              prices: {
                t: "array",
                items: {
                  t: "object",
                  required: ["currency", "markets", "prices"],
                  fields: {
                    currency: { t: "string", pattern: "[a-z]{3}" },
                    markets: { t: "array", items: text },
                    prices: { t: "object" },
                  },
                },
              },
            },
          },
        },
      },
      privateAudiences: audiences,
      softwareReservation: {
        t: "array",
        nullable: true,
        items: {
          t: "object",
          required: ["percentageSave", "term", "type"],
          fields: {
            percentageSave: { t: "number" },
            term: { t: "number" },
            type: { t: "string", enum: ["month", "year"] },
          },
        },
      },
      trial: {
        t: "object",
        nullable: true,
        required: ["type", "value"],
        fields: { type: { t: "string", enum: ["day", "week", "month", "year"] }, value: { t: "number" } },
      },
    },
  },
  // The schema lists `previewAudiences` but requires `audiences` (cloudpub's fixture sends `audiences: []`).
  reseller: {
    required: ["product", "resellerChannelState", "audiences"],
    fields: {
      product: reference,
      resellerChannelState: { t: "string", enum: ["notSet", "none", "some", "all", "terminated"] },
      audiences: { t: "array", items: { t: "object", required: ["type", "id"] } },
    },
  },
  // Container plans (Microsoft's container ingestion page): an image repository, or CNAB bundles (assumed
  // required: payloadType, product, plan).
  "container-plan-technical-configuration": {
    required: ["product", "plan", "payloadType"],
    fields: {
      product: reference,
      plan: reference,
      payloadType: { t: "string", enum: ["image", "cnab"] },
      clusterExtensionType: text,
      imageRepositoryDetails: { t: "object" },
      imageTags: { t: "array", items: text },
      cnabReferences: {
        t: "array",
        items: {
          t: "object",
          fields: {
            tenantId: text,
            subscriptionId: text,
            resourceGroupName: text,
            registryName: text,
            repositoryName: text,
            tag: text,
            digest: text,
          },
        },
      },
    },
  },
  // SaaS: offer level (the API reference lists it beside the product; samples carry only a `product` ref).
  "software-as-a-service-technical-configuration": {
    required: ["product"],
    fields: {
      product: reference,
      landingPageUrl: { t: "string", pattern: "^https://" },
      connectionWebhook: { t: "string", pattern: "^https://" },
      azureAdTenantId: text,
      azureAdAppId: text,
    },
  },
  "commercial-marketplace-setup": {
    required: ["product"],
    fields: { product: reference, sellThroughMicrosoft: { t: "boolean" } },
  },
};

/** One schema problem: the JSON pointer of the field inside the resource and what is wrong. */
export interface SchemaViolation {
  pointer: string;
  /** Dotted path (`pricing.corePricing.price`), `` for the resource itself. */
  path: string;
  message: string;
}

const typeOf = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : typeof value === "number"
        ? "number"
        : typeof value;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `languageID` (Microsoft's container samples), `externalID` (2023 samples) are read as the schema's spelling. */
function has(object: Record<string, unknown>, name: string): boolean {
  if (object[name] !== undefined) return true;
  return name.endsWith("Id") && object[`${name.slice(0, -2)}ID`] !== undefined;
}

function fieldOf(object: Record<string, unknown>, name: string): unknown {
  return object[name] !== undefined || !name.endsWith("Id") ? object[name] : object[`${name.slice(0, -2)}ID`];
}

function check(rule: FieldRule, value: unknown, path: string[], out: SchemaViolation[]): void {
  const at = (message: string) => out.push({ pointer: `#/${path.join("/")}`, path: path.join("."), message });
  if (value === null && rule.nullable) return;
  if (rule.t === "any") return;
  if (rule.t === "reference") {
    const ok =
      (typeof value === "string" && value.length > 0) ||
      (isRecord(value) &&
        Object.keys(value).length === 1 &&
        (typeof value.externalId === "string" ||
          typeof value.externalID === "string" ||
          typeof value.resourceName === "string" ||
          typeof value.durableId === "string"));
    if (!ok)
      at(
        `Value ${JSON.stringify(value)} is not a resource reference: expected a durable id, {"externalId": ...} or {"resourceName": ...}`,
      );
    return;
  }
  const actual = typeOf(value);
  const expected = rule.t === "integer" ? "number" : rule.t;
  if (actual !== expected || (rule.t === "integer" && !Number.isInteger(value))) {
    at(
      `Value is "${actual === "number" && rule.t === "integer" ? "number" : actual}" but should be "${rule.t}"`,
    );
    return;
  }
  switch (rule.t) {
    case "string": {
      const s = value as string;
      if (rule.enum && !rule.enum.includes(s))
        at(
          `Value ${JSON.stringify(s)} should match one of the values specified by the enum: ${rule.enum.join(", ")}`,
        );
      else if (rule.pattern && !new RegExp(rule.pattern).test(s))
        at(`The string value ${JSON.stringify(s)} does not match the pattern '${rule.pattern}'`);
      else if (rule.min !== undefined && s.length < rule.min)
        at(`Value should be at least ${rule.min} characters`);
      else if (rule.max !== undefined && s.length > rule.max)
        at(`Value should be at most ${rule.max} characters`);
      return;
    }
    case "number":
    case "integer": {
      const n = value as number;
      if (rule.min !== undefined && n < rule.min) at(`${n} should be at least ${rule.min}`);
      return;
    }
    case "boolean":
      return;
    case "array": {
      const items = value as unknown[];
      if (rule.maxItems !== undefined && items.length > rule.maxItems)
        at(`Value has ${items.length} items; at most ${rule.maxItems} are allowed`);
      if (rule.items)
        for (const [i, item] of items.entries()) check(rule.items, item, [...path, String(i)], out);
      return;
    }
    case "object":
      checkObject(rule.required ?? [], rule.fields ?? {}, value as Record<string, unknown>, path, out);
      return;
  }
}

function checkObject(
  required: readonly string[],
  fields: Record<string, FieldRule>,
  object: Record<string, unknown>,
  path: string[],
  out: SchemaViolation[],
): void {
  const missing = required.filter((name) => !has(object, name));
  if (missing.length > 0)
    out.push({
      pointer: `#${path.length ? `/${path.join("/")}` : ""}`,
      path: path.join("."),
      message: `Required properties [${missing.map((m) => JSON.stringify(m)).join(",")}] were not present`,
    });
  for (const [name, rule] of Object.entries(fields)) {
    const value = fieldOf(object, name);
    if (value !== undefined) check(rule, value, [...path, name], out);
  }
}

/**
 * The schema problems of one resource of `type` (empty when none, or when the type has no rules here). Also the
 * one conditional the schema has: `markets` must not be sent when `customerMarkets` is `allMarkets` or
 * `allTaxRemittedMarkets`.
 */
export function schemaViolations(type: string, resource: Record<string, unknown>): SchemaViolation[] {
  const rules = TYPE_RULES[type];
  if (!rules) return [];
  const out: SchemaViolation[] = [];
  checkObject(rules.required, rules.fields, resource, [], out);
  if (
    type === "price-and-availability-plan" &&
    (resource.customerMarkets === "allMarkets" || resource.customerMarkets === "allTaxRemittedMarkets") &&
    resource.markets !== undefined
  )
    out.push({
      pointer: "#/markets",
      path: "markets",
      message: `'markets' must not be present when customerMarkets is '${String(resource.customerMarkets)}'`,
    });
  return out;
}

/**
 * The API's words (the required case is verbatim, cloudpub 956d629; the others follow its frame, assumed):
 * `Schema validation failed for schema <uri>: <what> <pointer>`.
 */
export function violationMessage(schemaUri: string, violation: SchemaViolation): string {
  return `Schema validation failed for schema ${schemaUri}: ${violation.message} ${violation.pointer}`;
}
