/**
 * The dynamic provider of `VmImageVersion`: one image version of one plan. Loaded at run time by the thin
 * serialized provider (`resource.ts`); talks only to the `PlanImageBackend` seam. SAS URIs are credentials: they
 * travel in inputs and outputs marked secret and appear in messages as blob paths only.
 */

import type * as pulumi from "@pulumi/pulumi";
import { createImageBackend } from "../backends";
import type { ApiName } from "../core/backend";
import { API_NAMES } from "../core/backend";
import { ConcurrentEditError, ImageVersionError, NotFoundError } from "../core/errors";
import {
  DEPRECATION_REASONS,
  type Deprecation,
  durationProblem,
  type ImageVersionState,
  type PlanImageBackend,
  redactSas,
  sasIdentity,
  sasProblems,
  stateOf,
  versionProblem,
} from "../core/images";
import { endpointProblem } from "../core/options";
import {
  apiVersionProblem,
  type CheckFailure,
  INPUT_DEFAULTS,
  idProblem,
  UNKNOWN_VALUE,
} from "../core/validate";
import type { CppImage } from "../cpp/images";
import {
  DEFAULT_INGESTION_VERSION,
  INGESTION_ENDPOINT,
  ingestionVersionProblem,
} from "../ingestion/constants";
import type { IngestionImage } from "../ingestion/images";
import { backendOptions, offerLabel, type ProviderHooks, ProviderTokens } from "./connection";
import { forState } from "./providers";

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

/** Inputs whose change makes it another version (or another offer): replace. */
const IDENTITY = ["api", "publisherId", "offerId", "planId", "version", "endpoint", "apiVersion"];
/** Inputs that make the image: rewritten in place while never published, else replace. */
const IMAGE = [
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

type VmImage = CppImage | IngestionImage;

const unknown = (v: unknown) => v === UNKNOWN_VALUE;

/**
 * Validates and fills defaults. `nowMs` set: SAS URIs are checked against the documented rules (create, update,
 * check); left out for read and delete, where an expired SAS in state must not block a refresh or a destroy.
 */
export function checkImageInputs(
  news: Record<string, unknown>,
  nowMs?: number,
): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
  const given = Object.fromEntries(Object.entries(news).filter(([, v]) => v !== undefined && v !== null));
  const ingestion = given.api === "ingestion";
  const inputs: Record<string, unknown> = {
    api: "cpp",
    dataDisks: [],
    diskGenerations: [],
    deprecate: false,
    endpoint: ingestion ? INGESTION_ENDPOINT : INPUT_DEFAULTS.endpoint,
    apiVersion: ingestion ? DEFAULT_INGESTION_VERSION : INPUT_DEFAULTS.apiVersion,
    requestTimeoutSeconds: INPUT_DEFAULTS.requestTimeoutSeconds,
    ...given,
  };
  const failures: CheckFailure[] = [];
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
        ? endpointProblem(inputs.endpoint, { allowPath: ingestion })
        : "must be a string",
    );
  if (!unknown(inputs.apiVersion))
    fail("apiVersion", (ingestion ? ingestionVersionProblem : apiVersionProblem)(inputs.apiVersion));
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
    checkIngestionImages(inputs, failures, fail, nowMs);
    return { inputs, failures };
  }
  for (const p of ["images", "deprecation"])
    if (inputs[p] !== undefined)
      fail(p, `is for api "ingestion"; the Cloud Partner Portal takes osVhdUrl, dataDisks and deprecate`);
  if (nowMs !== undefined && !unknown(inputs.osVhdUrl))
    failures.push(
      ...sasProblems("osVhdUrl", inputs.osVhdUrl, nowMs).map((reason) => ({ property: "osVhdUrl", reason })),
    );
  checkDataDisks("dataDisks", inputs.dataDisks, failures, fail, nowMs);
  return { inputs, failures };
}

type Fail = (property: string, reason: string | undefined) => void;

/** LUNs 0-15, each once; SAS URIs checked when `nowMs` is set. Failures name `property` (e.g. `images[0].dataDisks`). */
function checkDataDisks(
  property: string,
  disks: unknown,
  failures: CheckFailure[],
  fail: Fail,
  nowMs: number | undefined,
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
    if (nowMs !== undefined && !unknown(d.uri))
      failures.push(
        ...sasProblems(`${property}[${i}].uri`, d.uri, nowMs).map((reason) => ({ property, reason })),
      );
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
  nowMs: number | undefined,
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
        const sas = image.osDiskUri !== undefined;
        const gallery = image.sharedImage !== undefined;
        if (sas === gallery) {
          fail(
            at,
            "needs exactly one source: osDiskUri (SAS URIs, with dataDisks) or sharedImage { tenantId, resourceId }",
          );
          return;
        }
        if (sas) {
          if (nowMs !== undefined && !unknown(image.osDiskUri))
            failures.push(
              ...sasProblems(`${at}.osDiskUri`, image.osDiskUri, nowMs).map((reason) => ({
                property: "images",
                reason,
              })),
            );
          checkDataDisks(`${at}.dataDisks`, image.dataDisks, failures, fail, nowMs);
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
function imageOf(inputs: ImageVersionInputs): VmImage {
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
function imageKey(props: Record<string, unknown>, key: string): string {
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

export class VmImageVersionProvider implements pulumi.dynamic.ResourceProvider {
  readonly #tokens: ProviderTokens;

  constructor(private readonly hooks: ProviderHooks = {}) {
    this.#tokens = new ProviderTokens(hooks.tokenProvider);
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.#tokens.configure(req);
  }

  async check(_olds: pulumi.Inputs, news: pulumi.Inputs): Promise<pulumi.dynamic.CheckResult> {
    return checkImageInputs(news, this.#now());
  }

  async diff(_id: pulumi.ID, olds: pulumi.Inputs, news: pulumi.Inputs): Promise<pulumi.dynamic.DiffResult> {
    const filled = checkImageInputs(news).inputs;
    const changed = (key: string) =>
      JSON.stringify(olds[key] ?? null) !== JSON.stringify(filled[key] ?? null);
    const replaces = IDENTITY.filter(changed);
    const imageChanges = IMAGE.filter((key) => imageKey(olds, key) !== imageKey(filled, key));
    if (imageChanges.length > 0 && olds.published === true) {
      // A published image cannot change: it takes a new version (the create says so if the version stays).
      this.#log(
        `[${olds.publisherId}/${olds.offerId}] image version ${olds.version} of plan ${olds.planId} is published (${olds.state}); changing ${imageChanges.join(", ")} replaces the resource: give the new image a new version.`,
      );
      replaces.push(...imageChanges);
    }
    // Anything else (a never-published image, a re-generated SAS, deprecate, timeouts) is an in-place update.
    const updates = Object.keys({ ...olds, ...filled }).filter(
      (key) =>
        !replaces.includes(key) &&
        (IMAGE.includes(key) ||
          key === "deprecate" ||
          key === "deprecation" ||
          key === "requestTimeoutSeconds") &&
        changed(key),
    );
    return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(raw: pulumi.Inputs): Promise<pulumi.dynamic.CreateResult> {
    const inputs = this.#inputs(raw, true);
    const outs = await this.#apply(inputs, undefined);
    return {
      id: `${offerLabel(inputs)}/${inputs.planId}/${inputs.version}`,
      outs: forState(outs),
    };
  }

  async update(
    _id: pulumi.ID,
    olds: pulumi.Inputs,
    news: pulumi.Inputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = this.#inputs(news, true);
    return { outs: forState(await this.#apply(inputs, olds as ImageVersionOutputs)) };
  }

  async read(id: pulumi.ID, props: pulumi.Inputs): Promise<pulumi.dynamic.ReadResult> {
    const outs = props as ImageVersionOutputs;
    const inputs = this.#inputs(props, false);
    const backend = this.#backend(inputs);
    try {
      const plan = await backend.readPlan(inputs.planId);
      const published = await backend.publishedState(inputs.planId, inputs.version);
      const state = stateOf(plan.versions.has(inputs.version), published);
      if (state === "absent") {
        this.#log(
          `[${backend.offer}] image version ${inputs.version} of plan ${inputs.planId} is gone; removing ${id} from the stack.`,
        );
        return { id: "", props: {} };
      }
      return {
        id,
        props: forState({
          ...outs,
          planIds: plan.planIds,
          state,
          published: published.preview || published.live,
        }),
      };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      this.#log(`[${backend.offer}] the offer no longer exists; removing ${id} from the stack.`);
      return { id: "", props: {} };
    }
  }

  async delete(_id: pulumi.ID, props: pulumi.Inputs): Promise<void> {
    const inputs = this.#inputs(props, false);
    const backend = this.#backend(inputs);
    const what = `image version ${inputs.version} of plan ${inputs.planId}`;
    const plan = await backend.readPlan(inputs.planId);
    const stored = plan.versions.get(inputs.version);
    if (!stored) {
      this.#log(`[${backend.offer}] ${what} is not in the draft; nothing to remove.`);
      return;
    }
    const published = await backend.publishedState(inputs.planId, inputs.version);
    const isPublished = published.preview || published.live;
    const retire = inputs.api === "ingestion" ? inputs.deprecation !== undefined : inputs.deprecate;
    if (isPublished && !retire) {
      const how =
        inputs.api === "ingestion"
          ? 'Set deprecation { dateOffset: "P30D", reason: "endOfSupport" }'
          : "Set deprecate: true";
      this.#log(
        `[${backend.offer}] keeping ${what}: it is published (${published.live ? "live" : "preview"}) and published images are not deleted. ${how} to retire it on destroy; this only removes the resource from the stack.`,
      );
      return;
    }
    try {
      await backend.removeVersion({
        planId: inputs.planId,
        version: inputs.version,
        mode: isPublished ? "deprecate" : "remove",
        ...(inputs.deprecation ? { deprecation: inputs.deprecation } : {}),
        expected: stored,
        token: plan.token,
      });
    } catch (error) {
      if (!(error instanceof ImageVersionError)) throw error;
      this.#log(`[${backend.offer}] ${error.message} The resource is removed from the stack only.`);
      return;
    }
    this.#log(
      `[${backend.offer}] ${isPublished ? "deprecated" : "removed"} ${what} in the draft; publish the offer for it to take effect.`,
    );
  }

  /** Reads the plan, adopts or writes the version, reads where it stands. */
  async #apply(
    inputs: ImageVersionInputs,
    previous: ImageVersionOutputs | undefined,
  ): Promise<ImageVersionOutputs> {
    const backend = this.#backend(inputs);
    const image = imageOf(inputs);
    const what = `image version ${inputs.version} of plan ${inputs.planId}`;
    const plan = await backend.readPlan(inputs.planId);
    const stored = plan.versions.get(inputs.version);
    if (previous && stored && (typeof previous.osVhdUrl === "string" || Array.isArray(previous.images))) {
      const mine = imageOf({
        ...previous,
        dataDisks: previous.dataDisks ?? [],
        diskGenerations: previous.diskGenerations ?? [],
      });
      if (!backend.sameImage(mine, stored) && !backend.sameImage(image, stored)) {
        const changes = backend.describeChange(mine, stored);
        throw new ConcurrentEditError(
          `${capital(what)} (offer ${backend.offer}) was changed by someone else since the last \`pulumi up\`: ${changes.join("; ")}. Nothing was overwritten; align the program with the portal (or revert the portal edit), then run \`pulumi up\` again.`,
          { changes },
        );
      }
    }
    const alreadyPresent = previous
      ? previous.alreadyPresent === true
      : stored !== undefined && backend.sameImage(image, stored);
    if (stored && backend.sameImage(image, stored)) {
      this.#log(`[${backend.offer}] ${what} is already in the draft with this image; nothing to write.`);
    } else {
      if (stored) {
        const published = await backend.publishedState(inputs.planId, inputs.version);
        if (published.preview || published.live) {
          throw new ImageVersionError(
            `${capital(what)} (offer ${backend.offer}) is already published (${published.live ? "live" : "preview"}) with another image: ${backend.describeChange(stored, image).join("; ")}. Published images cannot change: give the new image a new version.`,
          );
        }
      }
      const result = await backend.putVersion({
        planId: inputs.planId,
        version: inputs.version,
        image,
        expected: stored,
        token: plan.token,
      });
      this.#log(
        `[${backend.offer}] ${stored ? `replaced ${what}: ${backend.describeChange(stored, image).join("; ")}` : `${what}: ${backend.describeChange(undefined, image).join("; ")}`}` +
          (result.conflicts
            ? ` after ${result.conflicts} concurrent edit(s) of the offer (re-read and re-applied)`
            : "") +
          (result.recovered ? "; the answer was lost and a re-read showed the write applied" : "") +
          ". Publish the offer to take it to preview.",
      );
    }
    const published = await backend.publishedState(inputs.planId, inputs.version);
    const state = stateOf(true, published);
    return {
      ...inputs,
      planIds: plan.planIds,
      state: state === "absent" ? "draft" : state,
      published: published.preview || published.live,
      alreadyPresent,
    };
  }

  #inputs(raw: pulumi.Inputs, checkSas: boolean): ImageVersionInputs {
    const { inputs, failures } = checkImageInputs(raw, checkSas ? this.#now() : undefined);
    if (failures.length) throw new ImageVersionError(redactSas(failures.map((f) => f.reason).join(" ")));
    return {
      api: inputs.api as ApiName,
      ...(inputs.publisherId !== undefined ? { publisherId: inputs.publisherId as string } : {}),
      offerId: inputs.offerId as string,
      planId: inputs.planId as string,
      version: inputs.version as string,
      ...(inputs.osVhdUrl !== undefined ? { osVhdUrl: inputs.osVhdUrl as string } : {}),
      dataDisks: inputs.dataDisks as ImageVersionInputs["dataDisks"],
      ...(inputs.images !== undefined ? { images: inputs.images as IngestionImageInput[] } : {}),
      ...(inputs.deprecation !== undefined ? { deprecation: inputs.deprecation as Deprecation } : {}),
      ...(inputs.label !== undefined ? { label: inputs.label as string } : {}),
      ...(inputs.description !== undefined ? { description: inputs.description as string } : {}),
      ...(inputs.mediaName !== undefined ? { mediaName: inputs.mediaName as string } : {}),
      ...(inputs.showInGui !== undefined ? { showInGui: inputs.showInGui as boolean } : {}),
      diskGenerations: inputs.diskGenerations as string[],
      deprecate: inputs.deprecate as boolean,
      endpoint: inputs.endpoint as string,
      apiVersion: inputs.apiVersion as string,
      requestTimeoutSeconds: inputs.requestTimeoutSeconds as number,
    };
  }

  /** The backend of the resource's API; `imageOf` gives it images of its own shape. */
  #backend(inputs: ImageVersionInputs): PlanImageBackend<VmImage> {
    return createImageBackend(
      backendOptions(inputs, this.#tokens.for(inputs.api), this.hooks, (line) => this.#log(line)),
    ) as PlanImageBackend<VmImage>;
  }

  #log(line: string): void {
    (this.hooks.log ?? console.log)(redactSas(line));
  }

  #now(): number {
    return (this.hooks.clock ?? Date).now();
  }

  /** Never serialize configuration or hooks (they may hold a token). */
  toJSON(): Record<string, string> {
    return { kind: "vmImageVersion" };
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
