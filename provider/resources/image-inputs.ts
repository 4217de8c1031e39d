/**
 * `VmImageVersion`'s inputs: the checks and defaults (`checkImageInputs`), the image a resource declares in its
 * backend's terms (`imageOf`), and what the diff compares (`imageKey`). SAS URIs are credentials: messages name
 * blob paths only.
 */

import { apiProfile } from "../backends";
import type { ApiName } from "../core/backend";
import { API_NAMES } from "../core/backend";
import {
  DEPRECATION_REASONS,
  type Deprecation,
  durationProblem,
  type ImageVersionState,
  sasIdentity,
  sasProblems,
  versionProblem,
} from "../core/images";
import { endpointProblem } from "../core/options";
import { type CheckFailure, INPUT_DEFAULTS, idProblem, UNKNOWN_VALUE } from "../core/validate";
import type { CppImage } from "../cpp/images";
import type { IngestionImage } from "../ingestion/images";

/** What `VmImageVersion` takes, checked and with defaults. */
/** One image of an ingestion version: its type and either SAS URIs or a shared image gallery version. */
export interface IngestionImageInput {
  imageType: string;
  osDiskUri?: string;
  dataDisks?: Array<{ lun: number; uri: string }>;
  sharedImage?: { tenantId: string; resourceId: string };
}

export interface ImageVersionInputs {
  api: ApiName;
  /** CPP: required; ingestion: optional. */
  publisherId?: string;
  offerId: string;
  planId: string;
  version: string;
  /** CPP: the OS VHD's SAS URI. */
  osVhdUrl?: string;
  dataDisks: Array<{ lun: number; uri: string }>;
  /** Ingestion: one or two images of distinct image types. */
  images?: IngestionImageInput[];
  /** Ingestion: the schedule a published version is deprecated with on destroy (set: deprecate). */
  deprecation?: Deprecation;
  label?: string;
  description?: string;
  mediaName?: string;
  showInGui?: boolean;
  diskGenerations: string[];
  deprecate: boolean;
  endpoint: string;
  apiVersion: string;
  requestTimeoutSeconds: number;
}

/** What `VmImageVersion` keeps in state. */
export interface ImageVersionOutputs extends ImageVersionInputs {
  /** The plan (or generation sub-plan) and the generation sub-plans of the plan, as read. */
  planIds: string[];
  /** As last read: only in the draft, in preview, or live. */
  state: ImageVersionState;
  /** In preview or live: its image can no longer change. */
  published: boolean;
  /** The version was already there with this image when the resource was created (nothing was written). */
  alreadyPresent: boolean;
}

/**
 * Inputs whose change makes it another version (or another offer): replace. `publisherId` only on CPP (the
 * ingestion API does not use it). `endpoint` and `apiVersion` say how to reach the same version: an in-place
 * update, never a replace (a replace that keeps the version would adopt it, then the old resource's delete would
 * remove it).
 */
export const IDENTITY = ["api", "publisherId", "offerId", "planId", "version"];
/** Inputs that only say how to call the API: changed in place. */
export const CONNECTION = ["endpoint", "apiVersion", "requestTimeoutSeconds"];
/** Inputs that make the image: rewritten in place while never published, else replace. */
export const IMAGE = [
  "osVhdUrl",
  "dataDisks",
  "images",
  "label",
  "description",
  "mediaName",
  "showInGui",
  "diskGenerations",
];
/** CPP-only inputs, refused with `api: "ingestion"`. */
const CPP_ONLY = ["osVhdUrl", "label", "description", "mediaName", "showInGui"];
const MAX_LUN = 15;
/** Ingestion image types (preview2 lists the x64 ones; `arm64Gen2` from cloudpub and Flatcar). */
const IMAGE_TYPES = ["x64Gen1", "x64Gen2", "arm64Gen2"];
/** A gallery image version's id, as `azure-native` and `azure` resources give it. */
const GALLERY_VERSION_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/galleries\/[^/]+\/images\/[^/]+\/versions\/\d+\.\d+\.\d+$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type VmImage = CppImage | IngestionImage;

const unknown = (v: unknown) => v === UNKNOWN_VALUE;

/**
 * Validates and fills defaults. `nowMs` set: SAS URIs are checked against the documented rules (before a write,
 * and in check); left out for read and delete, where an expired SAS in state must not block a refresh or a
 * destroy. SAS URIs found in `olds` (the inputs already deployed) are not checked again: they passed when they
 * were new, and an unchanged stack must not fail every `pulumi up` once a published version's SAS nears expiry.
 */
export function checkImageInputs(
  news: Record<string, unknown>,
  nowMs?: number,
  olds?: Record<string, unknown>,
): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
  const given = Object.fromEntries(Object.entries(news).filter(([, v]) => v !== undefined && v !== null));
  const ingestion = given.api === "ingestion";
  // The API's own defaults (an `api` that is none of them is checked as CPP and reported).
  const profile = apiProfile(ingestion ? "ingestion" : "cpp");
  const inputs: Record<string, unknown> = {
    api: "cpp",
    dataDisks: [],
    diskGenerations: [],
    deprecate: false,
    endpoint: profile.endpoint,
    apiVersion: profile.apiVersion,
    requestTimeoutSeconds: INPUT_DEFAULTS.requestTimeoutSeconds,
    ...given,
  };
  const failures: CheckFailure[] = [];
  const deployed = new Set(sasUrisOf(olds ?? {}));
  const sas: SasCheck | undefined =
    nowMs === undefined
      ? undefined
      : (property, url) =>
          unknown(url) || deployed.has(url as string) ? [] : sasProblems(property, url, nowMs);
  const fail = (property: string, reason: string | undefined) => {
    if (reason)
      failures.push({ property, reason: reason.startsWith(property) ? reason : `${property} ${reason}.` });
  };
  if (!unknown(inputs.api) && !API_NAMES.includes(inputs.api as ApiName))
    fail("api", `must be one of ${API_NAMES.join(", ")}`);
  for (const p of ["publisherId", "offerId", "planId"]) {
    if (ingestion && p === "publisherId" && inputs[p] === undefined) continue;
    if (!unknown(inputs[p])) fail(p, idProblem(inputs[p]));
  }
  if (!unknown(inputs.version)) fail("version", versionProblem(inputs.version));
  if (!unknown(inputs.endpoint))
    fail(
      "endpoint",
      typeof inputs.endpoint === "string"
        ? endpointProblem(inputs.endpoint, { allowPath: profile.endpointPath })
        : "must be a string",
    );
  if (!unknown(inputs.apiVersion)) fail("apiVersion", profile.apiVersionProblem(inputs.apiVersion));
  const timeout = inputs.requestTimeoutSeconds;
  if (!unknown(timeout) && (typeof timeout !== "number" || !(timeout > 0) || timeout > 3600))
    fail("requestTimeoutSeconds", "must be a number of seconds between 0 and 3600");
  for (const p of ["label", "description", "mediaName"])
    if (inputs[p] !== undefined && !unknown(inputs[p]) && typeof inputs[p] !== "string")
      fail(p, "must be a string");
  for (const p of ["showInGui", "deprecate"])
    if (inputs[p] !== undefined && !unknown(inputs[p]) && typeof inputs[p] !== "boolean")
      fail(p, "must be true or false");
  if (!unknown(inputs.diskGenerations)) {
    if (!Array.isArray(inputs.diskGenerations))
      fail("diskGenerations", "must be a list of generation sub-plan ids");
    else
      inputs.diskGenerations.forEach((id, i) => {
        if (!unknown(id)) fail(`diskGenerations[${i}]`, idProblem(id));
      });
  }
  if (ingestion) {
    checkIngestionImages(inputs, failures, fail, sas);
    return { inputs, failures };
  }
  for (const p of ["images", "deprecation"])
    if (inputs[p] !== undefined)
      fail(p, `is for api "ingestion"; the Cloud Partner Portal takes osVhdUrl, dataDisks and deprecate`);
  if (sas)
    failures.push(...sas("osVhdUrl", inputs.osVhdUrl).map((reason) => ({ property: "osVhdUrl", reason })));
  checkDataDisks("dataDisks", inputs.dataDisks, failures, fail, sas);
  return { inputs, failures };
}

type Fail = (property: string, reason: string | undefined) => void;
/** The SAS problems of one URI (none for an unknown value or one already deployed). */
type SasCheck = (property: string, url: unknown) => string[];

/** Every SAS URI in a resource's inputs: `osVhdUrl`, data disks, and each ingestion image's. */
export function sasUrisOf(props: Record<string, unknown>): string[] {
  const uris: unknown[] = [props.osVhdUrl];
  const disks = (list: unknown) =>
    Array.isArray(list) ? list.map((d) => (d as { uri?: unknown } | null)?.uri) : [];
  uris.push(...disks(props.dataDisks));
  if (Array.isArray(props.images))
    for (const image of props.images as Array<Record<string, unknown> | null>)
      uris.push(image?.osDiskUri, ...disks(image?.dataDisks));
  return uris.filter((u): u is string => typeof u === "string" && u !== "");
}

/** LUNs 0-15, each once; SAS URIs checked when `sas` is set. Failures name `property` (e.g. `images[0].dataDisks`). */
function checkDataDisks(
  property: string,
  disks: unknown,
  failures: CheckFailure[],
  fail: Fail,
  sas: SasCheck | undefined,
): void {
  if (unknown(disks) || disks === undefined) return;
  if (!Array.isArray(disks)) {
    fail(property, "must be a list of { lun, uri }");
    return;
  }
  const luns = new Set<number>();
  disks.forEach((disk, i) => {
    const d = (disk ?? {}) as Record<string, unknown>;
    if (unknown(disk) || unknown(d.lun)) return;
    if (typeof d.lun !== "number" || !Number.isInteger(d.lun) || d.lun < 0 || d.lun > MAX_LUN)
      fail(`${property}[${i}].lun`, `must be a whole number from 0 to ${MAX_LUN}`);
    else if (luns.has(d.lun))
      fail(`${property}[${i}].lun`, `repeats LUN ${d.lun}; each data disk needs its own`);
    else luns.add(d.lun);
    if (sas) failures.push(...sas(`${property}[${i}].uri`, d.uri).map((reason) => ({ property, reason })));
  });
}

/**
 * `api: "ingestion"`: `images` (one or two, distinct image types, each SAS URIs or a gallery image version),
 * `deprecation` (dateOffset, reason, alternative?); the CPP-only inputs are refused.
 */
function checkIngestionImages(
  inputs: Record<string, unknown>,
  failures: CheckFailure[],
  fail: Fail,
  sas: SasCheck | undefined,
): void {
  const hint =
    'with api "ingestion" give images: [{ imageType, osDiskUri, dataDisks } or { imageType, sharedImage }]';
  for (const p of CPP_ONLY) if (inputs[p] !== undefined) fail(p, `is for api "cpp"; ${hint}`);
  for (const p of ["dataDisks", "diskGenerations"])
    if (Array.isArray(inputs[p]) && (inputs[p] as unknown[]).length > 0)
      fail(p, `is for api "cpp"; ${hint} (data disks go into each image)`);
  const images = inputs.images;
  if (!unknown(images)) {
    if (!Array.isArray(images) || images.length < 1 || images.length > 2)
      fail("images", `must be a list of one or two images; ${hint}`);
    else {
      const types = new Set<unknown>();
      images.forEach((raw, i) => {
        if (unknown(raw)) return;
        const at = `images[${i}]`;
        const image = (raw ?? {}) as Record<string, unknown>;
        if (!unknown(image.imageType)) {
          if (!IMAGE_TYPES.includes(image.imageType as string))
            fail(
              `${at}.imageType`,
              `must be one of ${IMAGE_TYPES.join(", ")}, got ${JSON.stringify(image.imageType)}`,
            );
          else if (types.has(image.imageType))
            fail(`${at}.imageType`, `repeats ${image.imageType}; a version has one image per image type`);
          types.add(image.imageType);
        }
        const fromSas = image.osDiskUri !== undefined;
        const gallery = image.sharedImage !== undefined;
        if (fromSas === gallery) {
          fail(
            at,
            "needs exactly one source: osDiskUri (SAS URIs, with dataDisks) or sharedImage { tenantId, resourceId }",
          );
          return;
        }
        if (fromSas) {
          if (sas)
            failures.push(
              ...sas(`${at}.osDiskUri`, image.osDiskUri).map((reason) => ({ property: "images", reason })),
            );
          checkDataDisks(`${at}.dataDisks`, image.dataDisks, failures, fail, sas);
          return;
        }
        if (image.dataDisks !== undefined)
          fail(
            `${at}.dataDisks`,
            "comes with the gallery image version; give data disks only with osDiskUri",
          );
        const shared = (image.sharedImage ?? {}) as Record<string, unknown>;
        if (unknown(image.sharedImage)) return;
        if (!unknown(shared.tenantId) && !(typeof shared.tenantId === "string" && GUID.test(shared.tenantId)))
          fail(`${at}.sharedImage.tenantId`, "must be the gallery's Azure AD tenant id (a GUID)");
        if (
          !unknown(shared.resourceId) &&
          !(typeof shared.resourceId === "string" && GALLERY_VERSION_ID.test(shared.resourceId))
        )
          fail(
            `${at}.sharedImage.resourceId`,
            "must be a gallery image version id: /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Compute/galleries/<gallery>/images/<definition>/versions/<x.y.z>",
          );
      });
    }
  }
  const deprecation = inputs.deprecation as Record<string, unknown> | undefined;
  if (deprecation !== undefined && !unknown(deprecation)) {
    if (typeof deprecation !== "object" || Array.isArray(deprecation))
      fail("deprecation", "must be { dateOffset, reason, alternative? }");
    else {
      if (!unknown(deprecation.dateOffset))
        fail("deprecation.dateOffset", durationProblem(deprecation.dateOffset));
      if (!unknown(deprecation.reason) && !DEPRECATION_REASONS.includes(deprecation.reason as never))
        fail("deprecation.reason", `must be one of ${DEPRECATION_REASONS.join(", ")}`);
      if (
        deprecation.alternative !== undefined &&
        (typeof deprecation.alternative !== "object" || Array.isArray(deprecation.alternative))
      )
        fail("deprecation.alternative", "must be an object (passed to Partner Center as given)");
    }
  }
  if (inputs.deprecate === true && deprecation === undefined)
    fail(
      "deprecate",
      'needs a schedule with api "ingestion": set deprecation { dateOffset: "P30D", reason: "endOfSupport" } instead',
    );
}

/** The image a resource declares, in its backend's terms. */
export function imageOf(inputs: ImageVersionInputs): VmImage {
  if (inputs.api === "ingestion")
    return {
      vmImages: (inputs.images ?? []).map((i) =>
        i.sharedImage
          ? {
              imageType: i.imageType,
              sharedImage: { tenantId: i.sharedImage.tenantId, resourceId: i.sharedImage.resourceId },
            }
          : {
              imageType: i.imageType,
              osDiskUri: i.osDiskUri ?? "",
              dataDisks: (i.dataDisks ?? []).map((d) => ({ lun: d.lun, uri: d.uri })),
            },
      ),
    };
  return {
    osVhdUrl: inputs.osVhdUrl ?? "",
    dataDisks: inputs.dataDisks.map((d) => ({ lun: d.lun, uri: d.uri })),
    ...(inputs.label !== undefined ? { label: inputs.label } : {}),
    ...(inputs.description !== undefined ? { description: inputs.description } : {}),
    ...(inputs.mediaName !== undefined ? { mediaName: inputs.mediaName } : {}),
    ...(inputs.showInGui !== undefined ? { showInGui: inputs.showInGui } : {}),
    diskGenerations: inputs.diskGenerations,
  };
}

/** The image inputs with SAS URIs reduced to what names the image (no st/se/sv/sig), for the diff. */
export function imageKey(props: Record<string, unknown>, key: string): string {
  const value = props[key];
  if (key === "osVhdUrl") return typeof value === "string" ? sasIdentity(value) : JSON.stringify(value);
  if (key === "dataDisks" && Array.isArray(value)) return JSON.stringify(disksKey(value));
  if (key === "diskGenerations" && Array.isArray(value)) return JSON.stringify([...value].sort());
  if (key === "images" && Array.isArray(value))
    return JSON.stringify(
      value
        .map((i) =>
          i?.sharedImage
            ? [i.imageType, String(i.sharedImage.resourceId).toLowerCase()]
            : [
                i?.imageType,
                typeof i?.osDiskUri === "string" ? sasIdentity(i.osDiskUri) : i?.osDiskUri,
                disksKey(i?.dataDisks ?? []),
              ],
        )
        .sort(),
    );
  return JSON.stringify(value ?? null);
}

/** Data disks as LUN and SAS identity, sorted. */
function disksKey(disks: unknown[]): unknown[] {
  return disks
    .map((d) => {
      const disk = d as { lun?: unknown; uri?: unknown } | undefined;
      return [disk?.lun, typeof disk?.uri === "string" ? sasIdentity(disk.uri) : disk?.uri];
    })
    .sort();
}
