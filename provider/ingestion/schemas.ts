/**
 * The `$schema` versions this package writes, per resource type, in one place; and how a schema error of the
 * API is read and explained.
 *
 * Why pinned: with `$version=2022-07-01` the API hands out each resource in the newest (preview) schema of its
 * type, and a newer preview can require properties this package does not send. Echoing the `$schema` that was
 * read therefore breaks the day Microsoft publishes a new preview: cloudpub hit exactly this with `submission`
 * `2022-03-01-preview7` ("Required properties [\"sources\"] were not present", cloudpub 956d629) and pins the
 * resources it writes (shared/docs/ingestion-api.md, "Checked against real clients").
 */

/** Where body `$schema` URIs live (the old `product-ingestion.azureedge.net` host times out since 2024-03). */
export const SCHEMA_BASE = "https://schema.mp.microsoft.com/schema";
/** The old host of the docs' samples: still recognised when reading an API message. */
const SCHEMA_HOSTS = ["schema.mp.microsoft.com", "product-ingestion.azureedge.net"];

/**
 * The schema version written for each resource type. Each is the one a maintained client (cloudpub) writes and
 * the API accepts:
 * - `configure` (the request envelope): `2022-07-01`, the `$version` cloudpub sends and uses for it;
 * - `submission`: `2022-03-01-preview2`; from `-preview7` on a submission requires `sources`, which this package
 *   has nothing to put in (cloudpub 956d629);
 * - technical configurations (VM and core VM): `2022-03-01-preview5` (cloudpub 7a7685f, `models/ms_azure.py`);
 * - the other typed parts of `OfferConfiguration`: the version Microsoft's Resource API reference table names for
 *   each type ("Product Ingestion API for the commercial marketplace", MicrosoftDocs azure-docs
 *   `articles/marketplace/product-ingestion-api.md`, 2023-05-10): product preview3, property/listing/listing-asset/
 *   plan-listing preview5, plan preview2, price-and-availability-offer preview3, price-and-availability-plan
 *   preview4, reseller preview2, software-as-a-service-technical-configuration preview3,
 *   container-plan-technical-configuration preview3 (also what the container page's samples send).
 */
export const WRITE_SCHEMA_VERSIONS = {
  configure: "2022-07-01",
  submission: "2022-03-01-preview2",
  "virtual-machine-plan-technical-configuration": "2022-03-01-preview5",
  "core-virtual-machine-plan-technical-configuration": "2022-03-01-preview5",
  product: "2022-03-01-preview3",
  property: "2022-03-01-preview5",
  listing: "2022-03-01-preview5",
  "listing-asset": "2022-03-01-preview5",
  "price-and-availability-offer": "2022-03-01-preview3",
  reseller: "2022-03-01-preview2",
  "software-as-a-service-technical-configuration": "2022-03-01-preview3",
  plan: "2022-03-01-preview2",
  "plan-listing": "2022-03-01-preview5",
  "price-and-availability-plan": "2022-03-01-preview4",
  "container-plan-technical-configuration": "2022-03-01-preview3",
} as const;

export type WrittenType = keyof typeof WRITE_SCHEMA_VERSIONS;

export function isWrittenType(type: string | undefined): type is WrittenType {
  return type !== undefined && Object.hasOwn(WRITE_SCHEMA_VERSIONS, type);
}

/** The `$schema` URI this package writes for a resource type. */
export function schemaUri(type: WrittenType): string {
  return `${SCHEMA_BASE}/${type}/${WRITE_SCHEMA_VERSIONS[type]}`;
}

/** `https://<host>/schema/<type>/<version>` (either host) → `{ type, version }`. */
export function parseSchemaUri(value: unknown): { type: string; version: string } | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^https:\/\/([^/\s]+)\/schema\/([a-z0-9-]+)\/([^/\s:#"]+)$/i.exec(value.trim());
  if (!match || !SCHEMA_HOSTS.includes((match[1] ?? "").toLowerCase())) return undefined;
  return { type: match[2] ?? "", version: match[3] ?? "" };
}

/** What a schema error of the API names: the schema it checked against and, when it says so, what it requires. */
export interface SchemaProblem {
  /** The schema URI as the API named it. */
  schema: string;
  type: string;
  version: string;
  /** Properties the schema requires that were not sent ("Required properties [...] were not present"). */
  required: string[];
}

/**
 * Reads the API's schema error text: `Schema validation failed for schema <uri>: Required properties ["sources"]
 * were not present #` (cloudpub 956d629; the detail of a request-level 400 with code `schemaValidationError`, or a
 * job error's message). Undefined when the text names no schema.
 */
export function schemaProblemOf(text: string | undefined): SchemaProblem | undefined {
  if (!text) return undefined;
  const named = /schema\s+(https:\/\/[^\s:"]+\/schema\/[a-z0-9-]+\/[^\s:"#]+)/i.exec(text);
  const parsed = named ? parseSchemaUri(named[1]) : undefined;
  if (!named || !parsed) return undefined;
  const list = /Required propert(?:y|ies)\s*\[([^\]]*)\]/i.exec(text.slice(named.index))?.[1];
  const required = (list ?? "")
    .split(",")
    .map((p) => p.trim().replace(/^(?:\\u0022|\\?["'])+|(?:\\u0022|\\?["'])+$/g, ""))
    .filter(Boolean);
  return { schema: named[1] ?? "", ...parsed, required };
}

/**
 * What to do about a schema problem, as one or two sentences; undefined when the problem names no requirement
 * (the API's own words then say what is wrong).
 */
export function schemaAdvice(problem: SchemaProblem): string | undefined {
  if (problem.required.length === 0) return undefined;
  const wants = `requires ${problem.required.map((p) => `"${p}"`).join(", ")}`;
  const pinned = isWrittenType(problem.type) ? WRITE_SCHEMA_VERSIONS[problem.type] : undefined;
  if (pinned === problem.version)
    return `Partner Center's ${problem.type} schema ${problem.version} (${problem.schema}), the version pulumi-cloudpartner writes, now ${wants}, which this release does not send; nothing was changed. Update pulumi-cloudpartner to a release that writes it (or report the schema change if there is none yet).`;
  if (pinned)
    return `The ${problem.type} resource was checked against schema ${problem.version} (${problem.schema}), which ${wants}; pulumi-cloudpartner writes ${problem.type} with schema ${pinned}, which does not. Nothing was changed; Partner Center applied another schema than the one sent: update pulumi-cloudpartner, and report the schema change if the newest release fails the same way.`;
  return `The ${problem.type} resource was checked against schema ${problem.version} (${problem.schema}), which ${wants}; pulumi-cloudpartner does not write ${problem.type} resources, so this comes from the API's side. Nothing was changed; report it with the schema named here.`;
}

/** Advice for the schema problems among the API's messages, one per schema named; empty when there is none. */
export function schemaAdviceFor(messages: Array<string | undefined>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const message of messages) {
    const problem = schemaProblemOf(message);
    const advice = problem && schemaAdvice(problem);
    if (!problem || !advice || seen.has(problem.schema)) continue;
    seen.add(problem.schema);
    out.push(advice);
  }
  return out;
}
