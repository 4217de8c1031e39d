/**
 * Image versions of a CPP offer's plans. The CPP API has no call for one version: the whole offer document is
 * read (`GET .../offers/{o}` with its ETag), the version is added, replaced or removed under the plan's image map
 * (`microsoft-azure-virtualmachines.vmImages`, or `microsoft-azure-corevm.vmImagesPublicAzure` for core VM
 * offers), and the whole document is written back with `If-Match: <the ETag read>` — never `*`. A 412 (someone
 * edited the offer in between) is re-read and the change re-applied, at most `MAX_CONFLICTS` times; a change to
 * the version itself is reported, never overwritten. Everything else in the document goes back as read, except
 * the documented non-writable `legacyOfferId`/`legacyPublisherId`.
 */

import {
  type CloudPartnerError,
  ConcurrentEditError,
  ImageVersionError,
  PlanNotFoundError,
  TransientError,
} from "../core/errors";
import {
  blobPath,
  compareVersions,
  type DataDisk,
  highestVersion,
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
import { CloudPartnerClient, type CloudPartnerClientOptions, type OfferDocument } from "./client";

export const VM_OFFER_TYPE = "microsoft-azure-virtualmachines";
export const CORE_VM_OFFER_TYPE = "microsoft-azure-corevm";
const VM_IMAGES = `${VM_OFFER_TYPE}.vmImages`;
const CORE_VM_IMAGES = `${CORE_VM_OFFER_TYPE}.vmImagesPublicAzure`;
/** Not writable (Debian's pipeline strips them before a PUT). */
const NON_WRITABLE = [`${CORE_VM_OFFER_TYPE}.legacyOfferId`, `${CORE_VM_OFFER_TYPE}.legacyPublisherId`];

/** 412s tolerated in one write before giving up (each is a re-read and a re-apply). */
export const MAX_CONFLICTS = 3;
/** Write attempts after transient failures (each preceded by a re-read). */
const MAX_TRANSIENT_ATTEMPTS = 3;

/** A CPP image version as the resource declares it and as it is read back. */
export interface CppImage {
  /** SAS URI of the OS VHD. */
  osVhdUrl: string;
  /** Data disks: LUN and SAS URI of each VHD. */
  dataDisks: DataDisk[];
  /** Core VM offers: shown in the portal's image list. */
  label?: string;
  description?: string;
  mediaName?: string;
  showInGui?: boolean;
  /**
   * Generation sub-plans (`plan.diskGenerations[].planId`) of the plan that get the version too. Read back: the
   * sub-plans that hold it.
   */
  diskGenerations?: string[];
}

export interface CppImageBackendOptions extends CloudPartnerClientOptions {
  publisherId: string;
  offerId: string;
}

type Json = Record<string, unknown>;

export class CppImageBackend implements PlanImageBackend<CppImage> {
  readonly api = "cpp" as const;
  readonly client: CloudPartnerClient;
  readonly publisherId: string;
  readonly offerId: string;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #retry: ReturnType<typeof resolveRetryOptions>;
  readonly #log: (line: string) => void;
  /** The last draft read, reused by a write planned on it (same ETag). */
  #last?: { document: Json; etag: string };

  constructor(options: CppImageBackendOptions) {
    const { publisherId, offerId, ...clientOptions } = options;
    this.publisherId = publisherId;
    this.offerId = offerId;
    this.client = new CloudPartnerClient(clientOptions);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#retry = resolveRetryOptions(options.retry);
    this.#log = options.log ?? (() => {});
  }

  get offer(): string {
    return `${this.publisherId}/${this.offerId}`;
  }

  async readPlan(planId: string, signal?: AbortSignal): Promise<PlanVersionsRead<CppImage>> {
    const { document, etag } = await this.#readDraft(signal);
    const located = locatePlan(document, planId, this.offer);
    const versions = new Map<string, CppImage>();
    for (const version of Object.keys(imageMap(located.target, located.key) ?? {})) {
      const image = imageAt(located, version);
      if (image) versions.set(version, image);
    }
    return { planIds: [located.targetId, ...located.subPlans.map((s) => s.id)], versions, token: etag };
  }

  async publishedState(planId: string, version: string, signal?: AbortSignal): Promise<PublishedState> {
    const holds = async (slot: "Preview" | "Production") => {
      let doc: OfferDocument;
      try {
        doc = await this.client.getOfferDocument(this.publisherId, this.offerId, slot, signal);
      } catch (error) {
        // A slot never filled is a documented 404.
        if ((error as CloudPartnerError).code === "CPP_NOT_FOUND") return false;
        throw error;
      }
      const located = tryLocatePlan(doc.document, planId);
      return located !== undefined && imageAt(located, version) !== undefined;
    };
    return { preview: await holds("Preview"), live: await holds("Production") };
  }

  sameImage(desired: CppImage, stored: CppImage): boolean {
    if (sasIdentity(desired.osVhdUrl) !== sasIdentity(stored.osVhdUrl)) return false;
    if (diskKey(desired.dataDisks) !== diskKey(stored.dataDisks)) return false;
    for (const key of ["label", "description", "mediaName", "showInGui"] as const) {
      if (desired[key] !== undefined && desired[key] !== stored[key]) return false;
    }
    const held = new Set(stored.diskGenerations ?? []);
    return (desired.diskGenerations ?? []).every((id) => held.has(id));
  }

  describeChange(before: CppImage | undefined, after: CppImage | undefined): string[] {
    if (!before && !after) return [];
    if (!before) return [`added (OS disk ${blobPath(after?.osVhdUrl)})`];
    if (!after) return ["removed"];
    const changes: string[] = [];
    if (before.osVhdUrl !== after.osVhdUrl) {
      changes.push(
        sasIdentity(before.osVhdUrl) === sasIdentity(after.osVhdUrl)
          ? `osVhdUrl: SAS parameters of ${blobPath(after.osVhdUrl)} changed`
          : `osVhdUrl: ${blobPath(before.osVhdUrl)} → ${blobPath(after.osVhdUrl)}`,
      );
    }
    if (
      diskKey(before.dataDisks) !== diskKey(after.dataDisks) ||
      before.dataDisks.length !== after.dataDisks.length
    )
      changes.push(`dataDisks: [${describeDisks(before.dataDisks)}] → [${describeDisks(after.dataDisks)}]`);
    for (const key of ["label", "description", "mediaName", "showInGui"] as const) {
      if (before[key] !== after[key])
        changes.push(`${key}: ${JSON.stringify(before[key])} → ${JSON.stringify(after[key])}`);
    }
    const gens = (i: CppImage) => JSON.stringify([...(i.diskGenerations ?? [])].sort());
    if (gens(before) !== gens(after)) changes.push(`diskGenerations: ${gens(before)} → ${gens(after)}`);
    return changes;
  }

  putVersion(request: PutVersionRequest<CppImage>): Promise<ImageWriteResult> {
    const { planId, version, image } = request;
    return this.#write(request, `add image version ${version} to plan ${planId}`, (document) => {
      const located = locatePlan(document, planId, this.offer);
      const wanted = image.diskGenerations ?? [];
      const unknown = wanted.filter((id) => !located.subPlans.some((s) => s.id === id));
      if (unknown.length > 0) {
        const known = located.subPlans.map((s) => s.id);
        throw new ImageVersionError(
          `Plan ${planId} of offer ${this.offer} has no generation sub-plan ${unknown.join(", ")} (diskGenerations); ` +
            (known.length
              ? `its sub-plans are ${known.join(", ")}.`
              : "it has no diskGenerations sub-plans."),
          { publisherId: this.publisherId, offerId: this.offerId },
        );
      }
      // A generation sub-plan's mediaName ends in `-<subPlanId>`, as SUSE's and mash's writes do.
      const targets = [
        { id: located.targetId, node: located.target, suffix: "" },
        ...located.subPlans
          .filter((s) => wanted.includes(s.id))
          .map((s) => ({ id: s.id, node: s.node, suffix: `-${s.id}` })),
      ];
      let changed = false;
      for (const target of targets) {
        const map = ensureImageMap(target.node, located.key);
        const existing = map[version] as Json | undefined;
        if (!existing) checkNewVersion(map, version, image, target.id, this.offer);
        const disks = lunItems(image.dataDisks, existing, located, version, target.id, this.offer);
        const entry = toEntry(image, disks, located.key, planId, version, target.suffix, existing);
        if (existing && JSON.stringify(existing) === JSON.stringify(entry)) continue;
        map[version] = entry;
        changed = true;
      }
      return changed;
    });
  }

  removeVersion(request: RemoveVersionRequest<CppImage>): Promise<ImageWriteResult> {
    const { planId, version, mode } = request;
    const verb = mode === "remove" ? "remove" : "deprecate";
    return this.#write(request, `${verb} image version ${version} of plan ${planId}`, (document) => {
      const located = locatePlan(document, planId, this.offer);
      const targets = [
        { id: located.targetId, node: located.target },
        ...located.subPlans.map((s) => ({ id: s.id, node: s.node })),
      ];
      // Core VM images can be hidden (`showInGui: false`, as mash does) and shown again; VM offers' images have
      // no such switch, so deprecating one removes it from the draft (the next publish takes it off).
      const hide = mode === "deprecate" && located.key === CORE_VM_IMAGES;
      let changed = false;
      for (const target of targets) {
        const map = imageMap(target.node, located.key);
        const entry = map?.[version] as Json | undefined;
        if (!map || !entry) continue;
        if (hide && entry.showInGui === false) continue;
        const others = Object.entries(map).filter(
          ([v, e]) => v !== version && (!hide || (e as Json)?.showInGui !== false),
        );
        if (others.length === 0) {
          throw new ImageVersionError(
            `Not ${hide ? "hiding" : "removing"} image version ${version} of plan ${target.id} (offer ${this.offer}): it is the plan's last ${hide ? "visible " : ""}image, and a plan needs one. Add a newer version first.`,
            { publisherId: this.publisherId, offerId: this.offerId },
          );
        }
        if (hide) map[version] = { ...entry, showInGui: false };
        else delete map[version];
        changed = true;
      }
      return changed;
    });
  }

  async #readDraft(signal?: AbortSignal): Promise<{ document: Json; etag: string }> {
    const { document, etag } = await this.client.getOfferDocument(
      this.publisherId,
      this.offerId,
      undefined,
      signal,
    );
    if (!etag) {
      throw new ImageVersionError(
        `The Cloud Partner Portal sent offer ${this.offer} without an ETag, so it cannot be written without risking a concurrent edit; nothing was changed. Try again later.`,
        { publisherId: this.publisherId, offerId: this.offerId },
      );
    }
    this.#last = { document, etag };
    return { document, etag };
  }

  /**
   * Read (or reuse the read the request was planned on), apply, PUT with If-Match. On 412: re-read, check the
   * version itself is as the caller saw it, re-apply. On a lost answer: re-read; applied → done, else the
   * If-Match write is tried again on the fresh ETag (a stale one would be refused, so nothing is applied twice).
   */
  async #write(
    request: {
      planId: string;
      version: string;
      expected: CppImage | undefined;
      token: string;
      signal?: AbortSignal;
    },
    what: string,
    apply: (document: Json) => boolean,
  ): Promise<ImageWriteResult> {
    const { planId, version, expected, signal } = request;
    const context = { publisherId: this.publisherId, offerId: this.offerId };
    let read = this.#last && this.#last.etag === request.token ? this.#last : await this.#readDraft(signal);
    let conflicts = 0;
    let transient = 0;
    let lostAnswer = false;
    for (;;) {
      const next = structuredClone(read.document);
      const changed = apply(next);
      if (!changed) return { written: lostAnswer, conflicts, recovered: lostAnswer };
      const located = locatePlan(read.document, planId, this.offer);
      const current = imageAt(located, version);
      if (!sameStored(current, expected)) {
        const changes = this.describeChange(expected, current);
        throw new ConcurrentEditError(
          `Image version ${version} of plan ${planId} (offer ${this.offer}) was changed by someone else since it was read: ${changes.join("; ")}. ` +
            "Nothing was overwritten; review the offer in the portal, then run `pulumi up` again.",
          { ...context, changes },
        );
      }
      for (const key of NON_WRITABLE) {
        delete (next.definition as Json | undefined)?.[key];
        delete ((next.definition as Json | undefined)?.offer as Json | undefined)?.[key];
      }
      try {
        const written = await this.client.putOfferDocument(
          this.publisherId,
          this.offerId,
          next,
          read.etag,
          signal,
        );
        this.#last = written.etag ? { document: written.document, etag: written.etag } : undefined;
        return { written: true, conflicts, recovered: false };
      } catch (error) {
        const status = (error as CloudPartnerError).status;
        if (status === 412) {
          conflicts += 1;
          if (conflicts > MAX_CONFLICTS) {
            throw new ConcurrentEditError(
              `Could not ${what} on offer ${this.offer}: the offer changed between every read and write (${conflicts} times, HTTP 412). Nothing was overwritten; run \`pulumi up\` again when nobody else edits the offer.`,
              { ...context, status },
            );
          }
          this.#log(`the offer changed since it was read (HTTP 412); re-reading and re-applying: ${what}.`);
        } else if (error instanceof TransientError && transient < MAX_TRANSIENT_ATTEMPTS) {
          transient += 1;
          if (error.requestMayHaveBeenProcessed && error.status !== 429) {
            lostAnswer = true;
            this.#log(
              `${error.message} The write may have been applied; re-reading the offer to compare before anything is sent again.`,
            );
          }
          await this.#clock.sleep(
            retryDelayMs(transient - 1, error.retryAfterMs, this.#retry, this.#random),
            signal,
          );
        } else {
          throw error;
        }
        read = await this.#readDraft(signal);
      }
    }
  }

  toJSON(): Record<string, string> {
    return { api: this.api, offer: this.offer };
  }
}

/** Where a plan's versions live in the document. */
interface LocatedPlan {
  /** The plan or generation sub-plan named by `planId`. */
  target: Json;
  targetId: string;
  /** The image map key the offer uses. */
  key: string;
  /** Generation sub-plans of the target (none when the target is itself a sub-plan). */
  subPlans: Array<{ id: string; node: Json; generation?: string }>;
  /** The plan and all its generation sub-plans (whichever `planId` named): where earlier versions live. */
  family: Json[];
}

function plansOf(document: Json): Json[] {
  const plans = (document.definition as Json | undefined)?.plans;
  return Array.isArray(plans) ? (plans.filter((p) => typeof p === "object" && p !== null) as Json[]) : [];
}

/** Core VM when the offer says so or a plan already uses core VM images. */
function imageKeyOf(document: Json): string {
  if (document.offerTypeId === CORE_VM_OFFER_TYPE) return CORE_VM_IMAGES;
  const usesCore = (node: Json): boolean =>
    CORE_VM_IMAGES in node ||
    (Array.isArray(node.diskGenerations) && node.diskGenerations.some((g) => usesCore(g as Json)));
  return plansOf(document).some(usesCore) ? CORE_VM_IMAGES : VM_IMAGES;
}

function subPlansOf(plan: Json, key: string): LocatedPlan["subPlans"] {
  const prefix = key.slice(0, key.lastIndexOf("."));
  const generations = Array.isArray(plan.diskGenerations) ? plan.diskGenerations : [];
  return generations
    .filter((g): g is Json => typeof g === "object" && g !== null && typeof (g as Json).planId === "string")
    .map((g) => {
      const generation = g[`${prefix}.generation`];
      return { id: g.planId as string, node: g, ...(typeof generation === "string" ? { generation } : {}) };
    });
}

function tryLocatePlan(document: Json, planId: string): LocatedPlan | undefined {
  const key = imageKeyOf(document);
  for (const plan of plansOf(document)) {
    const subPlans = subPlansOf(plan, key);
    const family = [plan, ...subPlans.map((s) => s.node)];
    if (plan.planId === planId) return { target: plan, targetId: planId, key, subPlans, family };
    const sub = subPlans.find((s) => s.id === planId);
    if (sub) return { target: sub.node, targetId: planId, key, subPlans: [], family };
  }
  return undefined;
}

function locatePlan(document: Json, planId: string, offer: string): LocatedPlan {
  const located = tryLocatePlan(document, planId);
  if (located) return located;
  const ids = plansOf(document).flatMap((p) => [
    p.planId,
    ...subPlansOf(p, imageKeyOf(document)).map((s) => s.id),
  ]);
  throw new PlanNotFoundError(
    `Offer ${offer} has no plan ${planId}; its plans are ${ids.filter((i) => typeof i === "string").join(", ") || "(none)"}. Create the plan in the portal first, or fix planId.`,
  );
}

function imageMap(node: Json, key: string): Json | undefined {
  const map = node[key];
  return typeof map === "object" && map !== null && !Array.isArray(map) ? (map as Json) : undefined;
}

function ensureImageMap(node: Json, key: string): Json {
  const existing = imageMap(node, key);
  if (existing) return existing;
  const created: Json = {};
  node[key] = created;
  return created;
}

/** The version's image in the target plan, with the sub-plans that hold the same OS disk. */
function imageAt(located: LocatedPlan, version: string): CppImage | undefined {
  const entry = imageMap(located.target, located.key)?.[version];
  const image = fromEntry(entry);
  if (!image) return undefined;
  const holding = located.subPlans.filter((s) => {
    const sub = fromEntry(imageMap(s.node, located.key)?.[version]);
    return sub !== undefined && sasIdentity(sub.osVhdUrl) === sasIdentity(image.osVhdUrl);
  });
  return { ...image, diskGenerations: holding.map((s) => s.id) };
}

/**
 * The shape of a `lunVhdDetails` item, learnt from one the offer already holds: the docs' samples only ever show
 * an empty list and no known client writes a data disk (SUSE, mash, Debian write `[]`), so the shape is never
 * guessed. An item understood here has exactly two keys: the LUN (a key naming `lun`, a whole number or its
 * string) and the VHD's SAS URI (an `https://` string).
 */
export interface LunItemShape {
  /** The item's keys in their order. */
  keys: [string, string];
  lunKey: string;
  urlKey: string;
  lunAsString: boolean;
}

export function lunItemShape(item: unknown): LunItemShape | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
  const e = item as Json;
  const keys = Object.keys(e);
  if (keys.length !== 2) return undefined;
  const urlKey = keys.find((k) => typeof e[k] === "string" && /^https:\/\//i.test(e[k] as string));
  const lunKey = keys.find(
    (k) =>
      k !== urlKey &&
      /lun/i.test(k) &&
      ((typeof e[k] === "number" && Number.isInteger(e[k])) ||
        (typeof e[k] === "string" && /^\d+$/.test(e[k]))),
  );
  if (!urlKey || !lunKey) return undefined;
  return { keys: keys as [string, string], lunKey, urlKey, lunAsString: typeof e[lunKey] === "string" };
}

/** Data disks as `lunVhdDetails` items of a shape copied from the offer (see `lunItemShape`). */
export function toLunItems(disks: DataDisk[], shape: LunItemShape): Json[] {
  return [...disks]
    .sort((a, b) => a.lun - b.lun)
    .map((d) =>
      Object.fromEntries(
        shape.keys.map((k) => [k, k === shape.lunKey ? (shape.lunAsString ? String(d.lun) : d.lun) : d.uri]),
      ),
    );
}

function itemsOf(entry: unknown): unknown[] {
  const items = (entry as Json | undefined)?.lunVhdDetails;
  return Array.isArray(items) ? items : [];
}

/**
 * The `lunVhdDetails` to write: `[]` without data disks (the documented form); else items shaped like those of
 * this version as stored, or of the plan's newest version that has data disks (the number of data disks is the
 * same in every version, so a plan with disks has them). Refuses when there is nothing to copy from.
 */
function lunItems(
  disks: DataDisk[],
  existing: Json | undefined,
  located: LocatedPlan,
  version: string,
  planId: string,
  offer: string,
): Json[] {
  if (disks.length === 0) return [];
  const candidates: unknown[][] = [itemsOf(existing)];
  for (const node of located.family) {
    const map = imageMap(node, located.key) ?? {};
    const newestFirst = Object.keys(map).sort((a, b) => compareVersions(b, a));
    for (const v of newestFirst) candidates.push(itemsOf(map[v]));
  }
  const examples = candidates.filter((items) => items.length > 0);
  const shape = examples.map((items) => lunItemShape(items[0])).find(Boolean);
  if (shape) return toLunItems(disks, shape);
  const seen = examples[0]?.[0];
  throw new ImageVersionError(
    seen === undefined
      ? `Not writing image version ${version} of plan ${planId} (offer ${offer}) with ${disks.length} data disk(s): no version of the plan has data disks to copy the lunVhdDetails item shape from, and the Cloud Partner Portal API documents none (its samples only show []). Nothing was written. Add the plan's first version with data disks in the portal; later versions can then be added here with the same number of disks.`
      : `Not writing image version ${version} of plan ${planId} (offer ${offer}) with ${disks.length} data disk(s): the plan's lunVhdDetails items have the keys ${Object.keys(seen as Json).join(", ")}, and only items of exactly a LUN and an https VHD URI can be copied. Nothing was written; add this version's data disks in the portal.`,
  );
}

/** A stored entry as the resource compares it; data disks read by the shape of each item. */
function fromEntry(entry: unknown): CppImage | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const e = entry as Json;
  const image: CppImage = {
    osVhdUrl: typeof e.osVhdUrl === "string" ? e.osVhdUrl : "",
    dataDisks: itemsOf(e)
      .filter((d): d is Json => typeof d === "object" && d !== null)
      .map((d) => {
        const shape = lunItemShape(d);
        return shape
          ? { lun: Number(d[shape.lunKey]), uri: String(d[shape.urlKey]) }
          : { lun: Number(d.lun ?? d.lunNumber), uri: String(d.lunVhdUrl ?? d.lunVhdUri ?? d.uri ?? "") };
      }),
  };
  for (const key of ["label", "description", "mediaName"] as const)
    if (typeof e[key] === "string") image[key] = e[key] as string;
  if (typeof e.showInGui === "boolean") image.showInGui = e.showInGui;
  return image;
}

function toEntry(
  image: CppImage,
  disks: Json[],
  key: string,
  planId: string,
  version: string,
  suffix: string,
  existing: Json | undefined,
): Json {
  if (key !== CORE_VM_IMAGES) return { ...existing, osVhdUrl: image.osVhdUrl, lunVhdDetails: disks };
  const label = image.label ?? (existing?.label as string | undefined) ?? `${planId} ${version}`;
  const mediaName =
    image.mediaName ??
    (existing?.mediaName as string | undefined) ??
    `${planId}-${version}`.replace(/\./g, "-");
  return {
    ...existing,
    mediaName: suffix && !mediaName.endsWith(suffix) ? `${mediaName}${suffix}` : mediaName,
    showInGui: image.showInGui ?? (existing?.showInGui as boolean | undefined) ?? true,
    // "MM/DD/YYYY" or "" (the portal fills it when the image is published).
    publishedDate: (existing?.publishedDate as string | undefined) ?? "",
    label,
    description: image.description ?? (existing?.description as string | undefined) ?? label,
    osVhdUrl: image.osVhdUrl,
    lunVhdDetails: disks,
  };
}

/** The version rules of the docs, checked before a write so the message names the plan and the versions. */
function checkNewVersion(map: Json, version: string, image: CppImage, planId: string, offer: string): void {
  const highest = highestVersion(Object.keys(map));
  if (highest !== undefined && compareVersions(version, highest) <= 0) {
    throw new ImageVersionError(
      `Image version ${version} of plan ${planId} (offer ${offer}) must be greater than every earlier version; the highest is ${highest}. Choose a version above ${highest}.`,
    );
  }
  const counts = new Set(
    Object.values(map).map((e) =>
      Array.isArray((e as Json)?.lunVhdDetails) ? ((e as Json).lunVhdDetails as unknown[]).length : 0,
    ),
  );
  if (counts.size > 0 && !counts.has(image.dataDisks.length)) {
    throw new ImageVersionError(
      `Image version ${version} of plan ${planId} (offer ${offer}) has ${image.dataDisks.length} data disk(s), but the plan's earlier versions have ${[...counts].join("/")}: the number of data disks cannot change between versions.`,
    );
  }
}

function diskKey(disks: DataDisk[]): string {
  return JSON.stringify([...disks].sort((a, b) => a.lun - b.lun).map((d) => [d.lun, sasIdentity(d.uri)]));
}

function describeDisks(disks: DataDisk[]): string {
  return disks.map((d) => `LUN ${d.lun} ${blobPath(d.uri)}`).join(", ");
}

/** Exactly the same stored image (SAS parameters included): anything else is someone else's edit. */
function sameStored(a: CppImage | undefined, b: CppImage | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(image: CppImage | undefined): unknown {
  if (!image) return null;
  return {
    osVhdUrl: image.osVhdUrl,
    dataDisks: [...image.dataDisks].sort((a, b) => a.lun - b.lun),
    label: image.label,
    description: image.description,
    mediaName: image.mediaName,
    showInGui: image.showInGui,
    diskGenerations: [...(image.diskGenerations ?? [])].sort(),
  };
}
