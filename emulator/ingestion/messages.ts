/** Messages, schema URIs and the VM technical configuration schema checks, shared by the API and configure. */
import { versionsOf } from "./store";

export const SCHEMA_HOST = "https://schema.mp.microsoft.com/schema";
/** Old host of the docs' samples; bodies using it are accepted (whether the real API does: unconfirmed). */
const SCHEMA_HOSTS = ["schema.mp.microsoft.com", "product-ingestion.azureedge.net"];

export const MESSAGES = {
  invalidAudience: "Access token validation failure. Invalid audience.",
  forbidden: "The application is not authorized to access this seller account's resources.",
  versionRequired: "The query parameter '$version' is required.",
  deprecated: (version: string) => `"${version} is a deprecated schema"`,
  invalidVersion: (version: string) => `'${version}' is not a valid schema version.`,
  inProgress: "An In Progress submission already exists",
  /** Modular publish is documented for preview only; the wording is assumed. */
  modularLive:
    "A modular publish is only available for the preview target; a live submission must be the only resource of its request.",
  modularNotInDraft: (index: number, id: string | undefined) =>
    `Resource ${index}: a modular publish lists draft resources by their durable id; ${id === undefined ? "it has none" : `'${id}' is not in the draft`}.`,
  notLatest: "The submission cannot be pushed to as its not the latest",
  liveNeedsId: "Expected a submission id that isn't null or 0 since target type is Live",
  cancelTooLate: "Cannot cancel job, job has already completed.",
  jobNotCompleted: (jobId: string) =>
    `Job '${jobId}' has not completed yet; its details are available once it has.`,
  noTree: (target: string, id: string) => `The product '${id}' has no ${target} version.`,
  cannotDelete: (version: string, type: string) =>
    `Cannot delete image '${version}' of type '${type}' as it is already published.`,
  /** `<type>-<n>`: the resource's place among the request's resources of its type (the API's words for 0). */
  failureFor: (type: string, n = 0) => `Failure for resource: ${type}-${n}`,
  cannotRestore: (version: string) =>
    `Image '${version}' cannot be restored because it was deprecated before it was published to live`,
  sticky: (property: string) => `${property} property has already been enabled`,
  /** Assumed wording: the docs only say published images cannot be edited. */
  publishedChanged: (version: string, type: string) =>
    `Image '${version}' of type '${type}' is already published and cannot be changed.`,
  // The rules below are documented (update-existing-offer, product-ingestion-api); their wording is assumed.
  lastImageVersion: (plan: string) =>
    `Cannot deprecate every image version of plan '${plan}': vmImageVersions must keep at least one version that is not deprecated. Publish a new version first. (assumed wording)`,
  publishedPrice: (plan: string) =>
    `The price of plan '${plan}' cannot be changed: field 'pricing' of a published plan is fixed. Stop-sell the plan (price-and-availability-plan visibility 'hidden') and create a new plan with the new price. (assumed wording)`,
  deletePublished: (id: string) =>
    `Cannot delete resource '${id}': field 'lifecycleState' can be 'deleted' only for draft resources that were never published. Deprecate it instead. (assumed wording)`,
  stopSellOnePlan: (plan: string) =>
    `Cannot stop-sell plan '${plan}': stop-sell needs at least two plans in the offer, one of which stays visible (field 'visibility'). (assumed wording)`,
  stopSellLastVisible: (plan: string) =>
    `Cannot stop-sell plan '${plan}': at least one plan of the offer must stay visible (field 'visibility'). (assumed wording)`,
  externalIdFixed: (what: string, from: string, to: string) =>
    `The external id of a ${what} cannot be changed once created: field 'identity.externalId' is '${from}', not '${to}'. Create a new ${what} instead. (assumed wording)`,
  stopSellBasePlan: (plan: string, reuser: string) =>
    `Cannot stop-sell plan '${plan}': plan '${reuser}' reuses its technical configuration (field 'basePlan'). Detach plan '${reuser}' first (reuseTechnicalConfigurationState 'detach'). (assumed wording)`,
  typeFixed: (from: string, to: string) =>
    `The type of a product cannot be changed once created: field 'type' is '${from}', not '${to}'. (assumed wording)`,
} as const;

/** `x64Gen1` → `X64Gen1`, `supportsNVMe` → `SupportsNVMe`: how the API's messages name them. */
export const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const IMAGE_TYPES = ["x64Gen1", "x64Gen2", "arm64Gen2"];
const LIFECYCLE_STATES = ["generallyAvailable", "deprecated", "deleted"];
const DEPRECATION_REASONS = ["criticalSecurityIssue", "endOfSupport", "other"];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `https://<host>/schema/<type>/<version>` → `{ type, version }`, either host. */
export function parseSchema(value: unknown): { type: string; version: string } | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^https:\/\/([^/]+)\/schema\/([a-z0-9-]+)\/([^/]+)$/.exec(value);
  if (!match || !SCHEMA_HOSTS.includes(match[1] ?? "")) return undefined;
  return { type: match[2] ?? "", version: match[3] ?? "" };
}

/** The preview2 schema's rules for `vmImageVersions` (versionNumber, 1-2 images, sources, states, reasons). */
export function techConfigSchemaProblem(resource: Record<string, unknown>): string | undefined {
  if (!Array.isArray(resource.vmImageVersions)) return "'vmImageVersions' must be an array.";
  for (const [i, v] of versionsOf(resource).entries()) {
    const at = `vmImageVersions[${i}]`;
    const number = v.versionNumber;
    if (typeof number !== "string" || !/^[0-9]+\.[0-9]+\.[0-9]+$/.test(number) || number.length > 32)
      return `${at}.versionNumber '${String(number)}' does not match '^[0-9]+\\.[0-9]+\\.[0-9]+$'.`;
    if (number.split(".").some((p) => p.length > 10))
      return `${at}.versionNumber '${number}' is not valid: each part must fit in 10 digits. (assumed wording)`;
    if (v.lifecycleState !== undefined && !LIFECYCLE_STATES.includes(String(v.lifecycleState)))
      return `${at}.lifecycleState '${String(v.lifecycleState)}' is not one of ${LIFECYCLE_STATES.join(", ")}.`;
    const schedule = v.deprecationSchedule as Record<string, unknown> | undefined;
    if (schedule !== undefined && schedule !== null && !DEPRECATION_REASONS.includes(String(schedule.reason)))
      return `${at}.deprecationSchedule.reason '${String(schedule.reason)}' is not one of ${DEPRECATION_REASONS.join(", ")}.`;
    const alternative = isRecord(schedule) ? schedule.alternative : undefined;
    if (
      alternative !== undefined &&
      !(
        isRecord(alternative) &&
        Object.keys(alternative).length === 1 &&
        ("product" in alternative || "plan" in alternative)
      )
    )
      return `${at}.deprecationSchedule.alternative must be exactly one of {"product": <reference>} or {"plan": <reference>}.`;
    const images = Array.isArray(v.vmImages) ? v.vmImages : [];
    if (images.length < 1 || images.length > 2) return `${at}.vmImages must have 1 or 2 items.`;
    for (const [j, raw] of images.entries()) {
      const image = (raw ?? {}) as Record<string, unknown>;
      const source = (image.source ?? {}) as Record<string, unknown>;
      if (!IMAGE_TYPES.includes(String(image.imageType)))
        return `${at}.vmImages[${j}].imageType '${String(image.imageType)}' is not one of ${IMAGE_TYPES.join(", ")}.`;
      if (source.sourceType === "sasUri") {
        if (typeof (source.osDisk as { uri?: unknown } | undefined)?.uri !== "string")
          return `${at}.vmImages[${j}].source.osDisk.uri is required.`;
      } else if (source.sourceType === "sharedImageGallery") {
        const shared = source.sharedImage as { tenantId?: unknown; resourceId?: unknown } | undefined;
        if (typeof shared?.tenantId !== "string" || typeof shared?.resourceId !== "string")
          return `${at}.vmImages[${j}].source.sharedImage needs tenantId and resourceId.`;
      } else return `${at}.vmImages[${j}].source.sourceType must be 'sasUri' or 'sharedImageGallery'.`;
    }
  }
  return undefined;
}
