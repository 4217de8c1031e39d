/**
 * Image versions of a plan through the Product Ingestion API. A plan's versions live in its technical
 * configuration (`virtual-machine-plan-technical-configuration`, or `core-virtual-machine-...` for core VM
 * offers), found in the product's draft resource tree. There is no call for one version and no ETag: the whole
 * configuration is sent back through `configure` with every other version exactly as read (deprecated ones and
 * their `deprecationSchedule` included: a stripped schedule reads as "restore"), `vmProperties` as read (they are
 * sticky), and the configure job is waited for (seconds).
 *
 * Concurrency: the token of a read is a fingerprint of the configuration. Right before writing, the
 * configuration is read again; a different fingerprint means someone (the portal) edited it, which is reported
 * with what changed and never overwritten. A configure whose answer was lost is re-read: applied → done,
 * untouched → sent again (the same whole configuration), anything else → reported.
 */

import { createHash } from "node:crypto";
import { canonical } from "../core/canonical";
import {
  CloudPartnerError,
  ConcurrentEditError,
  endSentence,
  ImageVersionError,
  NotFoundError,
  PlanNotFoundError,
  TransientError,
} from "../core/errors";
import {
  blobPath,
  type DataDisk,
  type Deprecation,
  type ImageWriteResult,
  type PlanImageBackend,
  type PlanVersionsRead,
  type PublishedState,
  type PutVersionRequest,
  type RemoveVersionRequest,
  sasIdentity,
} from "../core/images";
import { type Clock, resolveRetryOptions, systemClock } from "../core/options";
import { retryDelayMs } from "../core/retry";
import { IngestionClient, type IngestionClientOptions } from "./client";
import { waitForConfigureJob } from "./job-wait";
import { type ConfigureStatus, flattenJobErrors, jobState, rawJobStatus } from "./parse";
import { parseSchemaUri, schemaAdviceFor, schemaProblemOf, schemaUri } from "./schemas";

/** Image types of a version's `vmImages` (`arm64Gen2` from cloudpub and Flatcar; preview2 lists the x64 ones). */
export const IMAGE_TYPES = ["x64Gen1", "x64Gen2", "arm64Gen2"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** The technical configuration resource types, VM offers first. */
export const TECH_CONFIG_TYPES = [
  "virtual-machine-plan-technical-configuration",
  "core-virtual-machine-plan-technical-configuration",
] as const;
export type TechConfigType = (typeof TECH_CONFIG_TYPES)[number];

/** A published image cannot be removed: the API's words (MSGA#10, AlmaLinux). */
const REFUSED_DELETE = /Cannot delete image '([^']*)' of type '([^']*)' as it is already published/i;

/** Write attempts after lost answers or transient failures (each preceded by a re-read). */
const MAX_TRANSIENT_ATTEMPTS = 3;

/** One image of a version: its type and either SAS URIs or a shared image gallery version. */
export interface IngestionVmImage {
  imageType: string;
  /** SAS URI of the OS disk VHD (source `sasUri`). */
  osDiskUri?: string;
  /** Data disks of a `sasUri` source. */
  dataDisks?: DataDisk[];
  /** Source `sharedImageGallery`: `resourceId` is the gallery image version's id. */
  sharedImage?: { tenantId: string; resourceId: string };
}

/** A version of a plan's technical configuration: one or two images. */
export interface IngestionImage {
  vmImages: IngestionVmImage[];
  /** As read: `generallyAvailable` (absent), `deprecated`. Never part of what the resource declares. */
  lifecycleState?: string;
}

export interface IngestionImageBackendOptions extends IngestionClientOptions {
  /** The product's external id. */
  offerId: string;
  publisherId?: string;
  /** First wait between polls of a configure job. Default 2 000 ms (jobs take seconds). */
  jobPollIntervalMs?: number;
  /** Give up waiting for a configure job after this long. Default 10 minutes (SUSE's bound). */
  jobTimeoutMs?: number;
}

type Json = Record<string, unknown>;

interface ConfigRead {
  productId: string;
  planDurableId: string;
  config: Json;
  token: string;
}

export class IngestionImageBackend implements PlanImageBackend<IngestionImage> {
  readonly api = "ingestion" as const;
  readonly client: IngestionClient;
  readonly offerId: string;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #retry: ReturnType<typeof resolveRetryOptions>;
  readonly #log: (line: string) => void;
  readonly #jobPollIntervalMs: number;
  readonly #jobTimeoutMs: number;
  #productId?: string;
  /** Configurations as read, by token: what a concurrent edit is described against. */
  readonly #reads = new Map<string, Json>();

  constructor(options: IngestionImageBackendOptions) {
    const { offerId, publisherId: _publisherId, jobPollIntervalMs, jobTimeoutMs, ...clientOptions } = options;
    this.offerId = offerId;
    this.client = new IngestionClient(clientOptions);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#retry = resolveRetryOptions(options.retry);
    this.#log = options.log ?? (() => {});
    this.#jobPollIntervalMs = jobPollIntervalMs ?? 2_000;
    this.#jobTimeoutMs = jobTimeoutMs ?? 10 * 60_000;
  }

  get offer(): string {
    return this.offerId;
  }

  async readPlan(planId: string, signal?: AbortSignal): Promise<PlanVersionsRead<IngestionImage>> {
    const read = await this.#read(planId, signal);
    const versions = new Map<string, IngestionImage>();
    const markedDeleted: string[] = [];
    for (const entry of versionEntries(read.config)) {
      if (typeof entry.versionNumber !== "string") continue;
      const image = fromEntry(entry);
      if (image) versions.set(entry.versionNumber, image);
      else if (entry.lifecycleState === "deleted") markedDeleted.push(entry.versionNumber);
    }
    return {
      planIds: [read.planDurableId, String(read.config.id ?? "")],
      versions,
      token: read.token,
      ...(markedDeleted.length ? { markedDeleted } : {}),
    };
  }

  async publishedState(planId: string, version: string, signal?: AbortSignal): Promise<PublishedState> {
    const productId = await this.#product(signal);
    const planDurableId = await this.client.planId(productId, this.offerId, planId, signal);
    const holds = async (target: "preview" | "live") => {
      const tree = await this.client.resourceTree(productId, this.offerId, target, signal);
      const config = tree && findConfig(tree, planDurableId);
      return config !== undefined && versionEntries(config).some((e) => e.versionNumber === version);
    };
    return { preview: await holds("preview"), live: await holds("live") };
  }

  sameImage(desired: IngestionImage, stored: IngestionImage): boolean {
    return imagesKey(desired) === imagesKey(stored);
  }

  describeChange(before: IngestionImage | undefined, after: IngestionImage | undefined): string[] {
    return describeImageChange(before, after);
  }

  putVersion(request: PutVersionRequest<IngestionImage>): Promise<ImageWriteResult> {
    const { planId, version, image } = request;
    return this.#write(
      request,
      `add image version ${version} to plan ${planId}`,
      (config) => mergeVersion(config, version, image, { planId, offerId: this.offerId }),
      (entry) => entry !== undefined && this.sameImage(image, entry),
    );
  }

  removeVersion(request: RemoveVersionRequest<IngestionImage>): Promise<ImageWriteResult> {
    const { planId, version, mode, deprecation } = request;
    const verb = mode === "remove" ? "remove" : "deprecate";
    if (mode === "deprecate" && !deprecation)
      throw new ImageVersionError(
        `Not deprecating image version ${version} of plan ${planId} (offer ${this.offerId}): Partner Center needs a schedule. Set deprecation { dateOffset: "P30D", reason: "endOfSupport" } on the resource.`,
        { offerId: this.offerId },
      );
    return this.#write(
      request,
      `${verb} image version ${version} of plan ${planId}`,
      (config) => retireVersion(config, version, mode, deprecation, { planId, offerId: this.offerId }),
      (entry) => (mode === "remove" ? entry === undefined : entry?.lifecycleState === "deprecated"),
    );
  }

  async #product(signal?: AbortSignal): Promise<string> {
    this.#productId ??= await this.client.productId(this.offerId, signal);
    return this.#productId;
  }

  async #read(planId: string, signal?: AbortSignal): Promise<ConfigRead> {
    const productId = await this.#product(signal);
    const planDurableId = await this.client.planId(productId, this.offerId, planId, signal).catch((error) => {
      // The product is there (just looked up): a plan not found is the plan gone, not the offer.
      throw error instanceof NotFoundError
        ? new PlanNotFoundError(error.message, { offerId: this.offerId, cause: error })
        : error;
    });
    const tree = (await this.client.resourceTree(productId, this.offerId, "draft", signal)) ?? [];
    const config = findConfig(tree, planDurableId);
    if (!config)
      throw new PlanNotFoundError(
        `Plan ${planId} of offer ${this.offerId} has no technical configuration in the draft; set up its technical configuration (operating system, SKUs) in Partner Center first.`,
        { offerId: this.offerId },
      );
    const token = fingerprint(config);
    this.#reads.set(token, config);
    return { productId, planDurableId, config, token };
  }

  /**
   * Re-read, compare with the caller's read (any change: reported), apply to a copy, POST it, wait for the job.
   * A lost answer is re-read: applied → done; untouched → sent again; changed otherwise → reported.
   */
  async #write(
    request: { planId: string; version: string; token: string; signal?: AbortSignal },
    what: string,
    apply: (config: Json) => boolean,
    applied: (entry: IngestionImage | undefined) => boolean,
  ): Promise<ImageWriteResult> {
    const { planId, version, signal } = request;
    let baseline = request.token;
    let lostAnswer = false;
    for (let attempt = 0; ; attempt++) {
      const read = await this.#read(planId, signal);
      if (read.token !== baseline) {
        const entry = versionEntries(read.config).find((e) => e.versionNumber === version);
        if (lostAnswer && applied(entry ? fromEntry(entry) : undefined))
          return { written: true, conflicts: 0, recovered: true };
        const before = this.#reads.get(baseline);
        const changes = before ? describeConfigChange(before, read.config) : ["(the earlier read is gone)"];
        throw new ConcurrentEditError(
          `The technical configuration of plan ${planId} (offer ${this.offerId}) was changed by someone else since it was read: ${changes.join("; ")}. Nothing was sent; review the plan in Partner Center, then run \`pulumi up\` again.`,
          { offerId: this.offerId, changes },
        );
      }
      const next = structuredClone(read.config);
      if (!apply(next)) return { written: lostAnswer, conflicts: 0, recovered: lostAnswer };
      // Never the `$schema` read: that is the newest preview, which may require what this package does not send.
      next.$schema = schemaUri(configType(read.config) ?? TECH_CONFIG_TYPES[0]);
      try {
        const { job } = await this.client.configureResources([next], this.offerId, signal);
        await this.#waitForJob(job, what, signal);
        return { written: true, conflicts: 0, recovered: false };
      } catch (error) {
        if (!(error instanceof TransientError) || attempt >= MAX_TRANSIENT_ATTEMPTS)
          throw this.#explain(error, what, planId);
        if (error.requestMayHaveBeenProcessed && error.status !== 429) {
          lostAnswer = true;
          this.#log(
            `${error.message} The configure may have been applied; re-reading the technical configuration to compare before anything is sent again.`,
          );
        }
        await this.#clock.sleep(retryDelayMs(attempt, error.retryAfterMs, this.#retry, this.#random), signal);
        baseline = read.token;
      }
    }
  }

  /** Polls the configure job until it completes (the shared poller: intervals, timeout, failed polls). */
  async #waitForJob(first: ConfigureStatus, what: string, signal?: AbortSignal): Promise<void> {
    const job = await waitForConfigureJob(this.client, first, {
      offerId: this.offerId,
      label: "technical configuration",
      pollIntervalMs: this.#jobPollIntervalMs,
      timeoutMs: this.#jobTimeoutMs,
      clock: this.#clock,
      ...(signal ? { signal } : {}),
    });
    const state = jobState(job);
    if (state.status === "succeeded") return;
    const said = flattenJobErrors(job.errors);
    throw new JobRefusal(job.jobId, said.length ? said : [`the job ended ${rawJobStatus(job)}`], what);
  }

  /** The API's refusals in the words of this resource; a refused delete of a published image says what to do. */
  #explain(error: unknown, what: string, planId: string): unknown {
    const said =
      error instanceof JobRefusal
        ? error.said
        : error instanceof CloudPartnerError && !(error instanceof TransientError) && error.status === 400
          ? [error.message]
          : undefined;
    if (!said) return error;
    const text = said.join(" | ");
    // A schema that requires what this package does not send: the client explained a request error already.
    if (said.some((line) => (schemaProblemOf(line)?.required.length ?? 0) > 0)) {
      const advice = error instanceof JobRefusal ? schemaAdviceFor(said) : [];
      return new ImageVersionError(
        `Partner Center refused to ${what} (offer ${this.offerId}): ${[text, ...advice].join(" ")}`,
        { offerId: this.offerId },
      );
    }
    const refused = REFUSED_DELETE.exec(text);
    if (refused)
      return new ImageVersionError(
        `Partner Center refused to ${what} (offer ${this.offerId}): image version ${refused[1]} (${refused[2]}) is already published, and published images cannot be deleted (${text}). Nothing was changed; to retire it, set deprecation { dateOffset, reason } and destroy the resource again, or keep it.`,
        { offerId: this.offerId },
      );
    const job = error instanceof JobRefusal ? ` (configure job ${error.jobId})` : "";
    return new ImageVersionError(
      `Partner Center refused to ${what} (offer ${this.offerId})${job}: ${endSentence(text)} Nothing was changed in the technical configuration of plan ${planId}; fix what it names, then run \`pulumi up\` again.`,
      { offerId: this.offerId },
    );
  }

  toJSON(): Record<string, string> {
    return { api: this.api, offer: this.offer };
  }
}

/** A configure job that completed without success: its errors, judged by `#explain`. */
class JobRefusal extends Error {
  constructor(
    readonly jobId: string,
    readonly said: string[],
    what: string,
  ) {
    super(`configure job ${jobId} (${what}) failed: ${said.join(" | ")}`);
  }
}

/**
 * Puts a version into a copy of a technical configuration read from the API (changed in place): added at the end,
 * or its `vmImages` replaced; every other version, and every other field, stays exactly as read. False when the
 * version is already there with these images (nothing to send). Refuses image types the plan has no SKU for.
 */
export function mergeVersion(
  config: Json,
  version: string,
  image: IngestionImage,
  where: { planId: string; offerId: string },
): boolean {
  checkSkus(config, image, where.planId, where.offerId);
  const entries = versionEntries(config);
  const existing = entries.find((e) => e.versionNumber === version);
  const stored = existing ? fromEntry(existing) : undefined;
  if (stored && JSON.stringify(stored.vmImages) === JSON.stringify(image.vmImages)) return false;
  const entry: Json = { ...(existing ?? { versionNumber: version }), vmImages: image.vmImages.map(toWire) };
  // An entry marked deleted (never published, removed in the portal) comes back to life: else it stays deleted,
  // reads as absent and is written again on every run.
  if (existing?.lifecycleState === "deleted") entry.lifecycleState = "generallyAvailable";
  config.vmImageVersions = existing ? replaceEntry(config, existing, entry) : [...allEntries(config), entry];
  return true;
}

/**
 * Removes a version from a copy of a configuration (`remove`: omitted) or deprecates it (`lifecycleState`
 * `deprecated` with the schedule); everything else stays as read. False when there is nothing to do; refuses to
 * leave the plan without an active version.
 */
export function retireVersion(
  config: Json,
  version: string,
  mode: "remove" | "deprecate",
  deprecation: Deprecation | undefined,
  where: { planId: string; offerId: string },
): boolean {
  const entries = versionEntries(config);
  const entry = entries.find((e) => e.versionNumber === version);
  if (!entry) return false;
  if (mode === "deprecate" && entry.lifecycleState === "deprecated") return false;
  const active = entries.filter(
    (e) => e !== entry && e.lifecycleState !== "deprecated" && e.lifecycleState !== "deleted",
  );
  if (active.length === 0)
    throw new ImageVersionError(
      `Not ${mode === "remove" ? "removing" : "deprecating"} image version ${version} of plan ${where.planId} (offer ${where.offerId}): it is the plan's last active image, and a plan needs one. Add a newer version first.`,
      { offerId: where.offerId },
    );
  config.vmImageVersions =
    mode === "remove"
      ? allEntries(config).filter((e) => e !== entry)
      : replaceEntry(config, entry, {
          ...entry,
          lifecycleState: "deprecated",
          deprecationSchedule: {
            dateOffset: deprecation?.dateOffset,
            reason: deprecation?.reason,
            ...(deprecation?.alternative ? { alternative: deprecation.alternative } : {}),
          },
        });
  return true;
}

/** The array as read, entries of any shape kept (only objects are versions). */
function allEntries(config: Json): unknown[] {
  return Array.isArray(config.vmImageVersions) ? config.vmImageVersions : [];
}

function replaceEntry(config: Json, entry: Json, by: Json): unknown[] {
  return allEntries(config).map((e) => (e === entry ? by : e));
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The technical configuration type of a resource: its durable id's first segment, else its `$schema`'s type. */
export function configType(resource: Json): TechConfigType | undefined {
  const fromId = typeof resource.id === "string" ? resource.id.split("/")[0] : undefined;
  const type = fromId && fromId.length > 0 ? fromId : parseSchemaUri(resource.$schema)?.type;
  return TECH_CONFIG_TYPES.find((t) => t === type);
}

/** `plan/<productGuid>/<planGuid>` → the plan GUID (lower case); also `plan/<planGuid>`. */
function planGuidOf(reference: unknown): string | undefined {
  if (typeof reference !== "string") return undefined;
  const parts = reference.split("/");
  if (parts[0] !== "plan" || parts.length < 2 || parts.length > 3) return undefined;
  return parts.at(-1)?.toLowerCase() || undefined;
}

/**
 * The plan's technical configuration in a resource tree, of either type (from its id, or its `$schema` when the
 * id does not say). Its `plan` appears as `plan/<productGuid>/<planGuid>` (docs, SUSE) or `plan/<planGuid>`
 * (cloudpub's fixtures); without a usable `plan`, its own durable id `<type>/<productGuid>/<planGuid>` names
 * the plan. GUIDs are compared in any case.
 */
export function findConfig(tree: Json[], planDurableId: string): Json | undefined {
  const wanted = planGuidOf(planDurableId);
  if (!wanted) return undefined;
  const productGuid =
    planDurableId.split("/").length === 3 ? planDurableId.split("/")[1]?.toLowerCase() : undefined;
  return tree.find((r) => {
    if (!configType(r)) return false;
    if (r.plan === planDurableId) return true;
    const byPlan = planGuidOf(r.plan);
    if (byPlan !== undefined) return byPlan === wanted;
    const idParts = typeof r.id === "string" ? r.id.toLowerCase().split("/") : [];
    return (
      idParts.length === 3 &&
      idParts[2] === wanted &&
      (productGuid === undefined || idParts[1] === productGuid)
    );
  });
}

function versionEntries(config: Json): Json[] {
  return Array.isArray(config.vmImageVersions) ? config.vmImageVersions.filter(isObject) : [];
}

/** A stored version as this resource compares it; undefined for a `deleted` entry. */
export function fromEntry(entry: Json): IngestionImage | undefined {
  if (entry.lifecycleState === "deleted") return undefined;
  const images = Array.isArray(entry.vmImages) ? entry.vmImages.filter(isObject) : [];
  const vmImages = images.map((img): IngestionVmImage => {
    const source = isObject(img.source) ? img.source : {};
    const imageType = String(img.imageType ?? "");
    const shared = isObject(source.sharedImage) ? source.sharedImage : undefined;
    if (source.sourceType === "sharedImageGallery" || shared)
      return {
        imageType,
        sharedImage: {
          tenantId: String(shared?.tenantId ?? ""),
          resourceId: String(shared?.resourceId ?? ""),
        },
      };
    const disks = Array.isArray(source.dataDisks) ? source.dataDisks.filter(isObject) : [];
    return {
      imageType,
      osDiskUri: String((isObject(source.osDisk) ? source.osDisk.uri : undefined) ?? ""),
      dataDisks: disks.map((d) => ({ lun: Number(d.lunNumber ?? d.lun), uri: String(d.uri ?? "") })),
    };
  });
  return {
    vmImages,
    ...(typeof entry.lifecycleState === "string" && entry.lifecycleState !== "generallyAvailable"
      ? { lifecycleState: entry.lifecycleState }
      : {}),
  };
}

/** An image as the API takes it; data disks as `{lunNumber, uri}` (Microsoft's action). */
export function toWire(image: IngestionVmImage): Json {
  if (image.sharedImage)
    return {
      imageType: image.imageType,
      source: {
        sourceType: "sharedImageGallery",
        sharedImage: { tenantId: image.sharedImage.tenantId, resourceId: image.sharedImage.resourceId },
      },
    };
  return {
    imageType: image.imageType,
    source: {
      sourceType: "sasUri",
      osDisk: { uri: image.osDiskUri ?? "" },
      dataDisks: [...(image.dataDisks ?? [])]
        .sort((a, b) => a.lun - b.lun)
        .map((d) => ({ lunNumber: d.lun, uri: d.uri })),
    },
  };
}

/** What names a version's images: SAS URIs without st/se/sv/sig, gallery versions by resource id (any case). */
function imagesKey(image: IngestionImage): string {
  return JSON.stringify(
    image.vmImages
      .map((i) =>
        i.sharedImage
          ? [i.imageType, "gallery", i.sharedImage.resourceId.toLowerCase()]
          : [
              i.imageType,
              "sas",
              sasIdentity(i.osDiskUri ?? ""),
              [...(i.dataDisks ?? [])].sort((a, b) => a.lun - b.lun).map((d) => [d.lun, sasIdentity(d.uri)]),
            ],
      )
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

function describeImages(image: IngestionImage | undefined): string {
  return (image?.vmImages ?? [])
    .map((i) =>
      i.sharedImage
        ? `${i.imageType} gallery ${i.sharedImage.resourceId}`
        : `${i.imageType} OS disk ${blobPath(i.osDiskUri)}${(i.dataDisks ?? []).map((d) => `, LUN ${d.lun} ${blobPath(d.uri)}`).join("")}`,
    )
    .join("; ");
}

/** The plan's SKUs must cover every image type used (cloudpub derives them; the server check is unconfirmed). */
function checkSkus(config: Json, image: IngestionImage, planId: string, offerId: string): void {
  const skus = Array.isArray(config.skus) ? config.skus.filter(isObject) : [];
  const covered = new Set(skus.map((s) => s.imageType));
  const missing = image.vmImages.map((i) => i.imageType).filter((t) => !covered.has(t));
  if (missing.length === 0) return;
  const have = skus.map((s) => `${s.skuId} (${s.imageType})`).join(", ") || "none";
  throw new ImageVersionError(
    `Plan ${planId} of offer ${offerId} has no SKU for image type ${missing.join(", ")}: its SKUs are ${have}. Add a SKU for that image type in the plan's technical configuration in Partner Center, or use an image type it has; nothing was sent.`,
    { offerId },
  );
}

/**
 * The concurrency token of a technical configuration: a SHA-256 of its canonical JSON (sorted keys), without
 * `$schema` (which echoes the `$version` asked).
 */
export function fingerprint(config: Json): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(config, (key) => key !== "$schema")))
    .digest("hex");
}

/** What differs between two reads of a configuration, one line each (blob paths only). */
export function describeConfigChange(before: Json, after: Json): string[] {
  const changes: string[] = [];
  const byVersion = (config: Json) =>
    new Map(versionEntries(config).map((e) => [String(e.versionNumber), e] as const));
  const old = byVersion(before);
  const now = byVersion(after);
  for (const version of new Set([...old.keys(), ...now.keys()])) {
    const a = old.get(version);
    const b = now.get(version);
    if (JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))) continue;
    if (!a) changes.push(`version ${version} added (${describeImages(fromEntry(b ?? {}))})`);
    else if (!b) changes.push(`version ${version} removed`);
    else {
      const lines = describeImageChange(fromEntry(a), fromEntry(b));
      if (
        JSON.stringify(canonical(a.deprecationSchedule)) !== JSON.stringify(canonical(b.deprecationSchedule))
      )
        lines.push("deprecationSchedule changed");
      changes.push(`version ${version}: ${lines.join(", ") || "changed"}`);
    }
  }
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === "vmImageVersions" || key === "$schema") continue;
    if (JSON.stringify(canonical(before[key])) !== JSON.stringify(canonical(after[key])))
      changes.push(`${key}: ${JSON.stringify(before[key] ?? null)} → ${JSON.stringify(after[key] ?? null)}`);
  }
  return changes.length ? changes : ["the configuration changed"];
}

/** Differences between two versions' images, for messages (blob paths only). */
export function describeImageChange(
  before: IngestionImage | undefined,
  after: IngestionImage | undefined,
): string[] {
  if (!before && !after) return [];
  if (!before) return [`added (${describeImages(after)})`];
  if (!after) return ["removed"];
  const changes: string[] = [];
  if (imagesKey(before) !== imagesKey(after))
    changes.push(`images: ${describeImages(before)} → ${describeImages(after)}`);
  else if (JSON.stringify(before.vmImages) !== JSON.stringify(after.vmImages))
    changes.push(`SAS parameters of ${describeImages(after)} changed`);
  if ((before.lifecycleState ?? "generallyAvailable") !== (after.lifecycleState ?? "generallyAvailable"))
    changes.push(
      `lifecycleState: ${before.lifecycleState ?? "generallyAvailable"} → ${after.lifecycleState}`,
    );
  return changes;
}
