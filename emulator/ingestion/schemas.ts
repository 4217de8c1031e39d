/**
 * The simulator's schema catalogue: which `$schema` version each resource type comes back in for a `$version`,
 * and what a version requires on write. The real API answers each resource in the newest schema of its type
 * not newer than the `$version` asked, so `$version=2022-07-01` hands out `-preview` schemas per type, not
 * `<type>/2022-07-01` (ingestion-api.md §2; versions as real answers and clients show them: cloudpub's fixtures
 * and pins, AlmaLinux's core VM preview6).
 */

/** Versions known per type, oldest first. Types not listed come back in the `$version` asked. */
export const SCHEMA_CATALOGUE: Readonly<Record<string, readonly string[]>> = {
  configure: ["2022-03-01-preview2", "2022-07-01"],
  "configure-status": ["2022-03-01-preview2", "2022-07-01"],
  product: ["2022-03-01-preview2", "2022-03-01-preview3"],
  plan: ["2022-03-01-preview2"],
  // Offer and plan resources: the versions Microsoft's API reference and samples name (preview5 for listings and
  // properties, preview4 for plan pricing, preview3 for SaaS/containers), and cloudpub's fixtures (preview3).
  property: ["2022-03-01-preview2", "2022-03-01-preview3", "2022-03-01-preview5"],
  listing: ["2022-03-01-preview2", "2022-03-01-preview3", "2022-03-01-preview5"],
  "listing-asset": ["2022-03-01-preview2", "2022-03-01-preview3", "2022-03-01-preview5"],
  "listing-trailer": ["2022-03-01-preview2", "2022-03-01-preview5"],
  "plan-listing": ["2022-03-01-preview2", "2022-03-01-preview3", "2022-03-01-preview5"],
  "price-and-availability-offer": ["2022-03-01-preview2", "2022-03-01-preview3"],
  "price-and-availability-plan": ["2022-03-01-preview2", "2022-03-01-preview3", "2022-03-01-preview4"],
  reseller: ["2022-03-01-preview2"],
  "customer-leads": ["2022-03-01-preview2", "2022-03-01-preview3"],
  "test-drive": ["2022-03-01-preview2"],
  "commercial-marketplace-setup": ["2022-03-01-preview2"],
  "software-as-a-service-technical-configuration": ["2022-03-01-preview3"],
  "container-plan-technical-configuration": [
    "2022-03-01-preview3",
    "2022-03-01-preview4",
    "2022-03-01-preview5",
  ],
  "resource-tree": ["2022-03-01-preview2"],
  // preview7 requires `sources` (cloudpub 956d629).
  submission: ["2022-03-01-preview2", "2022-03-01-preview7"],
  "virtual-machine-plan-technical-configuration": [
    "2022-03-01-preview2",
    "2022-03-01-preview3",
    "2022-03-01-preview5",
  ],
  "core-virtual-machine-plan-technical-configuration": ["2022-03-01-preview5", "2022-03-01-preview6"],
};

/** What a `<type>/<version>` requires beyond the preview2 rules; the real drift cloudpub met. */
export const DEFAULT_SCHEMA_REQUIREMENTS: Readonly<Record<string, readonly string[]>> = {
  "submission/2022-03-01-preview7": ["sources"],
};

export interface SchemaSettings {
  /** Versions added to the catalogue per type (e.g. a newer preview), merged with `SCHEMA_CATALOGUE`. */
  schemaVersions: Record<string, string[]>;
  /** Required properties per `<type>/<version>`, merged with (and overriding) `DEFAULT_SCHEMA_REQUIREMENTS`. */
  schemaRequirements: Record<string, string[]>;
}

/** `2022-03-01-preview5` → sortable key; a dated version without `-preview` follows its previews. */
function orderKey(version: string): [string, number] {
  const match = /^(\d{4}-\d{2}-\d{2})(?:-preview(\d*))?$/.exec(version);
  if (!match) return [version, 0];
  return [match[1] ?? "", match[2] === undefined ? Number.POSITIVE_INFINITY : Number(match[2] || 0)];
}

export function compareSchemaVersions(a: string, b: string): number {
  const [dateA, previewA] = orderKey(a);
  const [dateB, previewB] = orderKey(b);
  if (dateA !== dateB) return dateA < dateB ? -1 : 1;
  return previewA === previewB ? 0 : previewA < previewB ? -1 : 1;
}

/** Known versions of a type, oldest first, with the settings' additions. */
export function versionsOfType(type: string, settings: SchemaSettings): string[] {
  const all = new Set([...(SCHEMA_CATALOGUE[type] ?? []), ...(settings.schemaVersions[type] ?? [])]);
  return [...all].sort(compareSchemaVersions);
}

/**
 * The version a resource of `type` comes back in for `$version` `asked`: the newest not newer than asked (the
 * oldest known when all are newer: assumed); the version asked for a type the catalogue does not know.
 */
export function renderedVersion(type: string, asked: string, settings: SchemaSettings): string {
  const known = versionsOfType(type, settings);
  if (known.length === 0) return asked;
  return known.filter((v) => compareSchemaVersions(v, asked) <= 0).at(-1) ?? (known[0] as string);
}

/** Required properties of `<type>/<version>` that `resource` lacks (empty: none). */
export function missingRequired(
  resource: Record<string, unknown>,
  type: string,
  version: string,
  settings: SchemaSettings,
): string[] {
  const key = `${type}/${version}`;
  const required = settings.schemaRequirements[key] ?? DEFAULT_SCHEMA_REQUIREMENTS[key] ?? [];
  return required.filter((property) => resource[property] === undefined);
}

/** The API's words (cloudpub 956d629, JSON-decoded): `Schema validation failed for schema <uri>: Required ...`. */
export function requiredMessage(schemaUri: string, missing: string[]): string {
  return `Schema validation failed for schema ${schemaUri}: Required properties [${missing.map((p) => JSON.stringify(p)).join(",")}] were not present #`;
}
