/**
 * The whole offer as code, applied: look the product up by its external id (create it from the declared
 * `product` when it is missing), read the draft resource tree, diff the declared parts against it, and send ONE
 * `configure` with only the parts that differ. Right before that configure the draft is read again; a part that
 * changed since the first read (a portal edit) is reported per `key.field` and nothing is sent. The job is waited
 * for with the shared poller (as the technical-configuration writes of `images.ts`), its per-resource errors are
 * named by key and field, and the durable ids are read back. What the program does not declare is never touched;
 * nothing is ever deleted.
 *
 * A lost answer (the POST may have been applied) is never followed by a second configure sent blindly: the draft
 * is read again and compared with what was sent (applied: done) and with what was there (untouched: sent again);
 * anything else is reported. A killed run leaves nothing to resume: the next run reads the draft and sends only
 * what still differs.
 *
 * The pure parts (keys, normalisation, diff, rules, the configure body, export) are `keys.ts`, `normalize.ts`,
 * `diff.ts`, `validate.ts`, `write.ts` and `export.ts`; this file only reads, decides the order and writes.
 */

import {
  CloudPartnerError,
  ConcurrentEditError,
  endSentence,
  NotFoundError,
  OfferConfigurationError,
  type OfferProblem,
  RejectedError,
  TransientError,
} from "../../core/errors";
import { type Clock, systemClock } from "../../core/options";
import { retryDelayMs } from "../../core/retry";
import type { IngestionClient } from "../client";
import { waitForConfigureJob } from "../job-wait";
import { type ConfigureStatus, type JobError, jobState, rawJobStatus } from "../parse";
import { schemaAdviceFor } from "../schemas";
import { describeValue, diffDeclared, diffPart, type FieldChange } from "./diff";
import { inputsFromTree } from "./export";
import { type DeclaredPart, declaredParts, indexTree, stopSellPart, type TreeIndex } from "./keys";
import { normalizeFields, sameValue } from "./normalize";
import type { OfferConfigurationInputs } from "./types";
import { afterTheFactProblems } from "./validate";
import { configureResources, keysByResourceName } from "./write";

type Json = Record<string, unknown>;
type Target = "draft" | "preview" | "live";

/** Configure attempts after lost answers (each preceded by a re-read that proves the first did nothing). */
const MAX_LOST_ANSWERS = 2;

/** What applying and reading an offer needs: the client and how to wait. */
export interface OfferSession {
  client: IngestionClient;
  offerId: string;
  /** Progress lines (the provider prefixes nothing: lines name the offer themselves). */
  log: (line: string) => void;
  clock?: Clock;
  random?: () => number;
  /** First wait between polls of the configure job. Default 2 000 ms (jobs take seconds). */
  jobPollIntervalMs?: number;
  /** Give up waiting for the configure job after this long. Default 10 minutes. */
  jobTimeoutMs?: number;
  signal?: AbortSignal;
}

/** One tree as read, with its index by key. */
interface ReadTree {
  resources: Json[];
  index: TreeIndex;
}

/** Where the offer stands after an apply or a read. */
export interface OfferOutcome {
  productId: string;
  /** `product.type` as the draft says (or as declared for a new offer). */
  productType?: string;
  /** Durable id of every declared part found in the draft, by key. */
  resourceIds: Record<string, string>;
  /** The declared inputs with every declared field as the draft holds it (what state keeps). */
  observed: OfferConfigurationInputs;
  /** `key.field` where the draft differs from preview, or preview from live, for the declared fields. */
  pendingChanges: string[];
  /** What the configure sent (empty: nothing was written). */
  changes: FieldChange[];
  /** The configure job, when one was sent. */
  jobId?: string;
}

/** The product's trees, each read at most once per call (preview and live only when something needs them). */
class Trees {
  readonly #published = new Map<Target, Promise<ReadTree | undefined>>();
  constructor(
    private readonly session: OfferSession,
    readonly productId: string,
  ) {}

  async draft(): Promise<ReadTree> {
    return (await this.#read("draft")) ?? { resources: [], index: indexTree([]) };
  }

  published(target: "preview" | "live"): Promise<ReadTree | undefined> {
    let read = this.#published.get(target);
    if (!read) {
      read = this.#read(target);
      this.#published.set(target, read);
    }
    return read;
  }

  async #read(target: Target): Promise<ReadTree | undefined> {
    const { client, offerId, signal } = this.session;
    const resources = await client.resourceTree(this.productId, offerId, target, signal);
    return resources ? { resources, index: indexTree(resources) } : undefined;
  }
}

/**
 * Creates or updates the offer's declared parts in its draft. `previous` is the state of the last apply or
 * refresh (undefined on create): a declared field whose draft value moved away from it and from the program
 * since then was edited in the portal, and is reported rather than overwritten.
 */
export async function applyOffer(
  inputs: OfferConfigurationInputs,
  previous: OfferConfigurationInputs | undefined,
  session: OfferSession,
): Promise<OfferOutcome> {
  const { client, offerId, signal } = session;
  const productId = await lookupProduct(client, offerId, signal);
  if (!productId) return createOffer(inputs, session);

  const trees = new Trees(session, productId);
  const first = await trees.draft();
  const productType = first.index.productType ?? inputs.product?.type;
  refuseTypeChange(inputs, first.index, offerId);
  const parts = [
    ...declaredParts(inputs, productType),
    ...removedPlanParts(inputs, previous, first.index, session),
  ];
  const changes = diffDeclared(parts, first.index);
  if (changes.length === 0) {
    session.log(`[${offerId}] the draft already holds every declared part as declared; nothing to write.`);
    return outcome(inputs, parts, productId, first, trees, [], undefined, productType);
  }
  const changedKeys = new Set(changes.map((c) => c.key));
  const changed = parts.filter((p) => changedKeys.has(p.key));
  refuseEditsSinceLastRead(changed, previous, first.index, offerId, productType);
  await refuseAfterTheFact(changed, first.index, trees, previous, offerId);

  const body = configureResources(changed, first.index, offerId);
  let job: ConfigureStatus | undefined;
  let lostAnswers = 0;
  // Right before the configure: what the first read saw must still be there, for every part being written.
  let now = await trees.draft();
  for (;;) {
    refuseConcurrentEdits(changed, first.index, now.index, offerId);
    try {
      ({ job } = await client.configureResources(body, offerId, signal).catch((error: unknown) => {
        throw error instanceof RejectedError && error.status === 400
          ? requestRefusal(error, changed, body, first.index, offerId)
          : error;
      }));
      break;
    } catch (error) {
      // Only a POST whose answer was lost is looked at again; the job of an answered one is only ever waited for.
      if (
        !(error instanceof TransientError) ||
        !error.requestMayHaveBeenProcessed ||
        lostAnswers >= MAX_LOST_ANSWERS
      )
        throw error;
      lostAnswers++;
      session.log(
        `[${offerId}] ${endSentence(error.message)} The configure may have been applied; re-reading the draft to compare before anything is sent again.`,
      );
      await (session.clock ?? systemClock).sleep(
        retryDelayMs(lostAnswers - 1, error.retryAfterMs, client.retry, session.random ?? Math.random),
        signal,
      );
      now = await trees.draft();
      if (diffDeclared(changed, now.index).length === 0) {
        session.log(`[${offerId}] the re-read shows the configure applied; not sending it again.`);
        break;
      }
      // Untouched since the first read (checked at the top of the loop): sending it again is safe.
    }
  }
  if (job) {
    session.log(
      `[${offerId}] configure job ${job.jobId}: ${describeChanges(changes)} (${body.length} resource${body.length === 1 ? "" : "s"}).`,
    );
    await waitForJob(job, changed, body, first.index, session);
    session.log(
      `[${offerId}] configure job ${job.jobId} succeeded: the draft holds the declared values; publish the offer (OfferPublish) to take them to preview.`,
    );
  }
  const jobId = job?.jobId;
  const after = await trees.draft();
  return outcome(inputs, parts, productId, after, trees, changes, jobId, productType);
}

/**
 * A refresh: the draft's values of the declared fields and the durable ids. Undefined when the offer no longer
 * exists. `productId` from state spares the lookup, and `pendingAsOf` (the state's `pendingChanges`) the preview
 * and live trees: a refresh is one draft tree read. Without it (an old state) the pending changes are read too.
 */
export async function readOffer(
  inputs: OfferConfigurationInputs,
  productId: string | undefined,
  session: OfferSession,
  pendingAsOf?: string[],
): Promise<OfferOutcome | undefined> {
  const { client, offerId, signal } = session;
  const id = productId ?? (await lookupProduct(client, offerId, signal));
  if (!id) return undefined;
  const trees = new Trees(session, id);
  let draft: ReadTree;
  try {
    draft = await trees.draft();
  } catch (error) {
    if (error instanceof NotFoundError && productId)
      return readOffer(inputs, undefined, session, pendingAsOf);
    throw error;
  }
  const productType = draft.index.productType ?? inputs.product?.type;
  const parts = declaredParts(inputs, productType);
  return outcome(inputs, parts, id, draft, trees, [], undefined, productType, pendingAsOf);
}

/**
 * `pulumi import <name> <offerId>`: the draft tree as inputs, with the outcome a refresh of them gives (durable
 * ids, pending changes). One lookup, one draft read, then preview and live.
 */
export async function importOffer(
  session: OfferSession,
): Promise<{ inputs: OfferConfigurationInputs; outcome: OfferOutcome }> {
  const { client, offerId, signal } = session;
  const productId = await lookupProduct(client, offerId, signal);
  if (!productId)
    throw new NotFoundError(
      `Partner Center has no product with the offer id (external id) "${offerId}"; nothing to import. Check the id given to \`pulumi import\`: it is the offer's id in Partner Center.`,
      { offerId },
    );
  const trees = new Trees(session, productId);
  const draft = await trees.draft();
  const inputs = inputsFromTree(draft.resources, offerId);
  const productType = draft.index.productType;
  const parts = declaredParts(inputs, productType);
  return {
    inputs,
    outcome: await outcome(inputs, parts, productId, draft, trees, [], undefined, productType),
  };
}

/** The offer's tree of one target as inputs (`pulumi import`, `pulumi-cloudpartner export`). Reads only. */
export async function exportOfferInputs(
  client: IngestionClient,
  offerId: string,
  target: Target = "draft",
  signal?: AbortSignal,
): Promise<OfferConfigurationInputs> {
  const productId = await lookupProduct(client, offerId, signal);
  if (!productId)
    throw new NotFoundError(
      `Partner Center has no product with the offer id (external id) "${offerId}"; nothing to export. Check the offer id (the offer's id in Partner Center).`,
      { offerId },
    );
  const resources = await client.resourceTree(productId, offerId, target, signal);
  if (!resources)
    throw new NotFoundError(
      `Offer ${offerId} has no ${target} tree: it was never published to ${target}. Export the draft (--target draft) instead.`,
      { offerId },
    );
  return inputsFromTree(resources, offerId);
}

/** The durable product id, or undefined when Partner Center has no product with this external id. */
async function lookupProduct(
  client: IngestionClient,
  offerId: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    return await client.productId(offerId, signal);
  } catch (error) {
    if (error instanceof NotFoundError && error.status === 200) return undefined;
    throw error;
  }
}

/** A new offer: the product and every declared part in one configure, tied by `resourceName`. */
async function createOffer(inputs: OfferConfigurationInputs, session: OfferSession): Promise<OfferOutcome> {
  const { client, offerId, signal } = session;
  const product = inputs.product;
  if (!product?.type || !product.alias)
    throw new OfferConfigurationError(
      `Partner Center has no offer "${offerId}" (no product with that external id), and the program does not say how to create it. Declare product { type, alias } (e.g. type "azureVirtualMachine") to create it, or fix offerId to name an existing offer.`,
      {
        offerId,
        problems: [
          {
            key: "product",
            field: !product?.type ? "type" : "alias",
            message: "required to create the offer",
          },
        ],
      },
    );
  const empty = indexTree([]);
  const parts = declaredParts(inputs, product.type);
  const changes = diffDeclared(parts, empty);
  const body = configureResources(parts, empty, offerId);
  let jobId: string | undefined;
  try {
    const { job } = await client.configureResources(body, offerId, signal).catch((error: unknown) => {
      throw error instanceof RejectedError && error.status === 400
        ? requestRefusal(error, parts, body, empty, offerId)
        : error;
    });
    jobId = job.jobId;
    session.log(
      `[${offerId}] creating the offer (${product.type}, "${product.alias}"): configure job ${job.jobId} with ${body.length} resource${body.length === 1 ? "" : "s"}.`,
    );
    await waitForJob(job, parts, body, empty, session);
  } catch (error) {
    if (!(error instanceof TransientError) || !error.requestMayHaveBeenProcessed) throw error;
    // Whether the product now exists decides: never a second create sent blindly.
    const created = await lookupProduct(client, offerId, signal);
    if (!created)
      throw new CloudPartnerError(
        "CPP_TRANSIENT",
        `${endSentence(error.message)} The configure that creates offer ${offerId} may or may not have been applied, and the offer is not there yet. Nothing else was sent; run \`pulumi up\` again: it looks the offer up first and creates it only if it is still missing.`,
        { offerId, cause: error },
      );
    session.log(`[${offerId}] the answer was lost, but the offer exists now; reading it back.`);
    return applyOffer(inputs, undefined, session);
  }
  const productId = await lookupProduct(client, offerId, signal);
  if (!productId)
    throw new OfferConfigurationError(
      `The configure job${jobId ? ` ${jobId}` : ""} that creates offer ${offerId} succeeded, but no product with that external id can be found. Check the offer in Partner Center, then run \`pulumi up\` again.`,
      { offerId, ...(jobId ? { jobId } : {}) },
    );
  session.log(
    `[${offerId}] created the offer (${productId}) with ${body.length} resource${body.length === 1 ? "" : "s"}; publish it (OfferPublish) to take it to preview.`,
  );
  const trees = new Trees(session, productId);
  const after = await trees.draft();
  return outcome(inputs, parts, productId, after, trees, changes, jobId, product.type);
}

/** The offer type never changes once created: refused, never attempted. */
function refuseTypeChange(inputs: OfferConfigurationInputs, draft: TreeIndex, offerId: string): void {
  const declared = inputs.product?.type;
  if (declared && draft.productType && declared !== draft.productType)
    throw new OfferConfigurationError(
      `Offer ${offerId} is of type ${draft.productType}; product.type says ${declared}. An offer's type is fixed once it is created: set product.type to ${draft.productType}, or declare a new offer (another offerId) of type ${declared}. Nothing was sent.`,
      { offerId, problems: [{ key: "product", field: "type", message: `fixed as ${draft.productType}` }] },
    );
}

/**
 * Plans in the last state but no longer in the program: left as they are and logged, or (`removedPlans: "hide"`)
 * stop-sold, their `price-and-availability-plan` set to visibility `hidden` in the same configure.
 */
function removedPlanParts(
  inputs: OfferConfigurationInputs,
  previous: OfferConfigurationInputs | undefined,
  draft: TreeIndex,
  session: OfferSession,
): DeclaredPart[] {
  const removed = Object.keys(previous?.plans ?? {}).filter((id) => !Object.hasOwn(inputs.plans ?? {}, id));
  const parts: DeclaredPart[] = [];
  for (const planId of removed) {
    if (!draft.planIds.has(planId)) continue;
    if ((inputs.removedPlans ?? "keep") === "hide") {
      parts.push(stopSellPart(planId));
      session.log(
        `[${session.offerId}] plans[${planId}]: removed from the program; stop-selling it (visibility hidden) as removedPlans "hide" says.`,
      );
    } else
      session.log(
        `[${session.offerId}] plans[${planId}]: removed from the program; left in the offer as it is (set removedPlans: "hide" to stop selling it).`,
      );
  }
  return parts;
}

/** Values compared by meaning: canonical JSON of the normalised resource's field. */
function fieldValues(type: string, resource: Json | undefined): Json {
  if (!resource) return {};
  return normalizeFields(type, resource);
}

/** A value for a message: JSON, at most 80 characters. */
function show(value: unknown, field: string): string {
  if (value === undefined) return "(absent)";
  // Secrets (a registry password) masked, SAS signatures redacted, at most 80 characters.
  return describeValue({ [field]: value })
    .replace(/^\{"[^"]*":/, "")
    .replace(/\}$/, "");
}

/**
 * Declared fields the portal changed since the last apply or refresh: the draft holds neither what state
 * recorded nor what the program says. Overwriting them would throw away an edit nobody reviewed.
 */
function refuseEditsSinceLastRead(
  changed: DeclaredPart[],
  previous: OfferConfigurationInputs | undefined,
  draft: TreeIndex,
  offerId: string,
  productType: string | undefined,
): void {
  if (!previous) return;
  const recorded = new Map(declaredParts(previous, productType).map((p) => [p.key, p] as const));
  const lines: string[] = [];
  for (const part of changed) {
    const before = recorded.get(part.key);
    const resource = draft.byKey.get(part.key);
    if (!before || !resource) continue;
    const was = normalizeFields(part.type, before.fields);
    const now = fieldValues(part.type, resource);
    const wanted = normalizeFields(part.type, part.fields);
    for (const field of Object.keys(part.fields)) {
      if (!Object.hasOwn(before.fields, field)) continue;
      if (sameValue(was[field], now[field]) || sameValue(wanted[field], now[field])) continue;
      lines.push(`${part.key}.${field}: was ${show(was[field], field)}, now ${show(now[field], field)}`);
    }
  }
  if (lines.length)
    throw new ConcurrentEditError(
      `Offer ${offerId} was edited outside this program since the last \`pulumi up\` or \`pulumi refresh\`: ${lines.join("; ")}. Nothing was sent. Run \`pulumi refresh\` to take the portal's values into the stack (the next preview then shows the program's values as changes back), or align the program with the portal, then run \`pulumi up\` again.`,
      { offerId, changes: lines },
    );
}

/** The parts being written, compared between the first read and the re-read right before the configure. */
function refuseConcurrentEdits(
  changed: DeclaredPart[],
  before: TreeIndex,
  now: TreeIndex,
  offerId: string,
): void {
  const lines: string[] = [];
  for (const part of changed) {
    const a = fieldValues(part.type, before.byKey.get(part.key));
    const b = fieldValues(part.type, now.byKey.get(part.key));
    if (!before.byKey.has(part.key) && now.byKey.has(part.key)) {
      lines.push(`${part.key}: created in the meantime`);
      continue;
    }
    for (const field of new Set([...Object.keys(a), ...Object.keys(b)]))
      if (!sameValue(a[field], b[field]))
        lines.push(`${part.key}.${field}: was ${show(a[field], field)}, now ${show(b[field], field)}`);
  }
  if (lines.length)
    throw new ConcurrentEditError(
      `Offer ${offerId} was edited in Partner Center between the read and the write: ${lines.join("; ")}. Nothing was sent; review the edit, then run \`pulumi up\` again (it re-reads the draft).`,
      { offerId, changes: lines },
    );
}

/** The rules that cannot change after the fact; preview and live are read only when a changed part needs them. */
async function refuseAfterTheFact(
  changed: DeclaredPart[],
  draft: TreeIndex,
  trees: Trees,
  previous: OfferConfigurationInputs | undefined,
  offerId: string,
): Promise<void> {
  // The rules on published prices, deleted resources and published technical configurations (image versions,
  // SKU ids, the cluster extension type) compare with preview and live; no other rule needs them.
  const needsPublished = changed.some(
    (p) =>
      (p.type === "price-and-availability-plan" && p.fields.pricing !== undefined) ||
      p.fields.lifecycleState === "deleted" ||
      p.key.endsWith(".technicalConfiguration"),
  );
  const published = needsPublished
    ? {
        preview: (await trees.published("preview"))?.index,
        live: (await trees.published("live"))?.index,
      }
    : {};
  const problems = afterTheFactProblems(changed, draft, published, previous);
  if (problems.length)
    throw new OfferConfigurationError(
      `Offer ${offerId}: ${problems.map(endSentence).join(" ")} Nothing was sent.`,
      {
        offerId,
        problems: problems.map((message) => {
          const key = keyOf(message) ?? "offer";
          // "plans[gen2].availability.pricing: ..." names the field after the key.
          const field = message.startsWith(`${key}.`)
            ? message.slice(key.length + 1).split(":")[0]
            : undefined;
          return { key, ...(field ? { field } : {}), message };
        }),
      },
    );
}

/** The key a rule's message starts with (`plans[gen2].availability.pricing: ...`), if any. */
function keyOf(message: string): string | undefined {
  return /^((?:plans\[[^\]]+\](?:\.[A-Za-z]+)?|[A-Za-z]+(?:\[[^\]]+\])?))[.:]/.exec(message)?.[1];
}

/** The outcome of an apply or a read: durable ids, what the draft holds for the declared fields, pending changes. */
async function outcome(
  inputs: OfferConfigurationInputs,
  parts: DeclaredPart[],
  productId: string,
  draft: ReadTree,
  trees: Trees,
  changes: FieldChange[],
  jobId: string | undefined,
  productType: string | undefined,
  /** Pending changes as an earlier call computed them: given, the preview and live trees are not read. */
  pendingAsOf?: string[],
): Promise<OfferOutcome> {
  const resourceIds: Record<string, string> = {};
  for (const part of parts) {
    const id = draft.index.byKey.get(part.key)?.id;
    if (typeof id === "string") resourceIds[part.key] = id;
  }
  const declared = declaredParts(inputs, productType);
  return {
    productId,
    ...(productType ? { productType } : {}),
    resourceIds,
    observed: observedInputs(inputs, declared, draft, productType),
    pendingChanges: pendingAsOf ?? (await pendingChanges(declared, draft, trees)),
    changes,
    ...(jobId ? { jobId } : {}),
  };
}

/**
 * The declared inputs with every declared field replaced by the draft's value (through the export, so
 * references read as `{ externalId }`); a declared part the draft no longer has is left out, so the next diff
 * shows it as an addition.
 */
export function observedInputs(
  inputs: OfferConfigurationInputs,
  declared: DeclaredPart[],
  draft: { resources: Json[] },
  productType: string | undefined,
): OfferConfigurationInputs {
  const exported = inputsFromTree(draft.resources, inputs.offerId, { vmImageVersions: true });
  const read = new Map(declaredParts(exported, productType).map((p) => [p.key, p] as const));
  const observed = structuredClone(inputs) as OfferConfigurationInputs & Json;
  const index = indexTree(draft.resources);
  // A declared field the draft holds as declared keeps the program's spelling (set order, references by external
  // id); one that differs takes the draft's value, as exported (or as read, for what the export leaves out, such
  // as image versions).
  const pick = (part: DeclaredPart): Json | undefined => {
    const resource = index.byKey.get(part.key);
    if (!resource) return undefined;
    const exportedFields = read.get(part.key)?.fields ?? {};
    const out: Json = {};
    for (const [field, value] of Object.entries(part.fields)) {
      if (part.raw && field === "$schema") continue;
      if (diffPart({ ...part, fields: { [field]: value } }, resource).length === 0) out[field] = value;
      else if (exportedFields[field] !== undefined) out[field] = exportedFields[field];
      else if (resource[field] !== undefined) out[field] = structuredClone(resource[field]);
    }
    return out;
  };
  let rawIndex = 0;
  const rawKept: unknown[] = [];
  for (const part of declared) {
    const fields = pick(part);
    if (part.raw) {
      const original = (inputs.resources ?? [])[rawIndex++];
      if (fields && original) rawKept.push({ ...rawRefs(original), ...fields });
      continue;
    }
    if (part.scope === "plan" && part.planId !== undefined) {
      const plans = observed.plans ?? {};
      const plan = plans[part.planId];
      if (!plan) continue;
      const suffix = part.key.slice(`plans[${part.planId}]`.length);
      if (suffix === "") {
        if (!fields) {
          delete plans[part.planId];
          continue;
        }
        for (const field of Object.keys(part.fields)) delete (plan as Json)[field];
        Object.assign(plan, fields);
      } else {
        const sub = suffix.slice(1) as "listing" | "availability" | "technicalConfiguration";
        if (fields) (plan as Json)[sub] = fields;
        else delete (plan as Json)[sub];
      }
      continue;
    }
    const asset = /^listingAssets\[(.*)\]$/.exec(part.key);
    if (asset) {
      const list = (observed.listingAssets ?? []) as unknown as Json[];
      const at = list.findIndex((a) => a.fileName === asset[1]);
      if (at >= 0) list[at] = fields ? { fileName: asset[1], ...fields } : (undefined as unknown as Json);
      observed.listingAssets = list.filter(Boolean) as unknown as typeof observed.listingAssets;
      continue;
    }
    if (fields) observed[part.key] = fields;
    else delete observed[part.key];
  }
  if (inputs.resources) observed.resources = rawKept as typeof inputs.resources;
  return observed;
}

/** A raw resource's `$schema` and references, kept as the program declared them. */
function rawRefs(resource: Json): Json {
  return Object.fromEntries(
    Object.entries(resource).filter(([key]) => key === "$schema" || key === "product" || key === "plan"),
  );
}

/**
 * `key.field` for each declared field whose draft value differs from preview's, or preview's from live's: what
 * the next publish or go-live carries. A tree never reached (no preview yet) counts as holding nothing.
 */
async function pendingChanges(declared: DeclaredPart[], draft: ReadTree, trees: Trees): Promise<string[]> {
  if (declared.length === 0) return [];
  const preview = await trees.published("preview");
  const live = await trees.published("live");
  const out = new Set<string>();
  const compare = (a: TreeIndex, b: TreeIndex | undefined) => {
    for (const part of declared) {
      const x = fieldValues(part.type, a.byKey.get(part.key));
      const y = fieldValues(part.type, b?.byKey.get(part.key));
      for (const field of Object.keys(part.fields))
        if (!sameValue(x[field], y[field])) out.add(`${part.key}.${field}`);
    }
  };
  compare(draft.index, preview?.index);
  if (preview) compare(preview.index, live?.index);
  return [...out].sort();
}

/** "listing.title, plans[gen2].availability.pricing" for a log line. */
function describeChanges(changes: FieldChange[]): string {
  const fields = [...new Set(changes.map((c) => `${c.key}.${c.field}`))];
  return fields.length > 6
    ? `${fields.slice(0, 6).join(", ")} and ${fields.length - 6} more`
    : fields.join(", ");
}

/**
 * Waits for the configure job (the shared poller: intervals, timeout, failed polls) and names each of a failed
 * job's errors by the key and field of the declared part it is about.
 */
async function waitForJob(
  first: ConfigureStatus,
  parts: DeclaredPart[],
  body: Json[],
  tree: TreeIndex,
  session: OfferSession,
): Promise<void> {
  const { client, offerId, signal } = session;
  const job = await waitForConfigureJob(client, first, {
    offerId,
    label: "offer configuration",
    pollIntervalMs: session.jobPollIntervalMs ?? 2_000,
    timeoutMs: session.jobTimeoutMs ?? 10 * 60_000,
    clock: session.clock ?? systemClock,
    ...(signal ? { signal } : {}),
  });
  if (jobState(job).status === "succeeded") return;
  throw jobFailure(job, parts, body, tree, offerId);
}

/** A failed job's errors, each named by the key of the declared part its resource is and the field it names. */
export function jobFailure(
  job: ConfigureStatus,
  parts: DeclaredPart[],
  body: Json[],
  tree: TreeIndex,
  offerId: string,
): OfferConfigurationError {
  const keyByResource = new Map<string, string>();
  for (const [key, resource] of tree.byKey)
    if (typeof resource.id === "string") keyByResource.set(resource.id, key);
  for (const [name, key] of keysByResourceName(body, parts)) keyByResource.set(name, key);
  for (const resource of body) {
    const key = keyOfWritten(resource, parts, tree);
    if (!key) continue;
    for (const name of [resource.id, resource.resourceName])
      if (typeof name === "string" && !keyByResource.has(name)) keyByResource.set(name, key);
  }
  const problems: OfferProblem[] = [];
  const visit = (error: JobError, inherited?: string) => {
    const resourceId = error.resourceId ?? inherited;
    if (error.message) {
      const key = resourceId
        ? (keyByResource.get(resourceId) ?? keyByResource.get(resourceId.toLowerCase()))
        : undefined;
      const part = parts.find((p) => p.key === key);
      const field = fieldOf(error.message, part?.fields);
      problems.push({
        key: key ?? (resourceId ? `resource ${resourceId}` : "offer"),
        ...(field ? { field } : {}),
        ...(resourceId ? { resourceId } : {}),
        message: error.message,
      });
    }
    for (const detail of error.details) visit(detail, resourceId);
  };
  for (const error of job.errors) visit(error);
  // The API's generic "Failure for resource: listing-0" adds nothing beside a resource's own error.
  const specific = new Set(problems.filter((p) => !GENERIC.test(p.message)).map((p) => p.key));
  problems.splice(
    0,
    problems.length,
    ...problems.filter((p) => !GENERIC.test(p.message) || !specific.has(p.key)),
  );
  const lines = problems.length
    ? problems.map((p) => `${p.key}${p.field ? `.${p.field}` : ""}: ${endSentence(p.message)}`)
    : [`the job ended ${rawJobStatus(job)} without saying why.`];
  const advice = schemaAdviceFor(problems.map((p) => p.message));
  return new OfferConfigurationError(
    `Partner Center refused the configuration of offer ${offerId} (configure job ${job.jobId}): ${lines.join(" ")}${advice.length ? ` ${advice.join(" ")}` : ""} Fix what it names, then run \`pulumi up\` again: it re-reads the draft and sends only what still differs.`,
    { offerId, problems, jobId: job.jobId },
  );
}

const GENERIC = /^Failure for resource\b/i;

/**
 * A configure refused as a request (400, nothing applied): the resource it names by position (`resources[2]`,
 * `Resource 2`) is given with its key.
 */
function requestRefusal(
  error: RejectedError,
  parts: DeclaredPart[],
  body: Json[],
  tree: TreeIndex,
  offerId: string,
): OfferConfigurationError {
  const said = error.apiMessage ?? error.message;
  const at = /resources\[(\d+)\]|Resource (\d+)\b/.exec(said);
  const index = at ? Number(at[1] ?? at[2]) : undefined;
  const resource = index === undefined ? undefined : body[index];
  const key = resource ? (keyOfWritten(resource, parts, tree) ?? undefined) : undefined;
  const part = parts.find((p) => p.key === key);
  const field = fieldOf(said, part?.fields);
  return new OfferConfigurationError(
    `Partner Center refused the configuration of offer ${offerId}${key ? ` at ${key}${field ? `.${field}` : ""}` : ""}: ${endSentence(error.message)} Nothing was applied; fix the declaration, then run \`pulumi up\` again.`,
    {
      offerId,
      status: error.status,
      apiCode: error.apiCode,
      apiMessage: error.apiMessage,
      problems: [{ key: key ?? "offer", ...(field ? { field } : {}), message: said }],
      cause: error,
    },
  );
}

/** The declared part a written resource is: same type, and the same plan when it has one. */
function keyOfWritten(resource: Json, parts: DeclaredPart[], tree: TreeIndex): string | undefined {
  if (typeof resource.id === "string") {
    for (const [key, r] of tree.byKey) if (r.id === resource.id) return key;
  }
  const type = /\/schema\/([a-z0-9-]+)\//i.exec(String(resource.$schema ?? ""))?.[1];
  const planRef = resource.plan as unknown;
  const planExternal =
    typeof planRef === "object" && planRef !== null
      ? (planRef as { externalId?: unknown }).externalId
      : undefined;
  const planDurable = typeof planRef === "string" ? planRef : undefined;
  const planId =
    typeof planExternal === "string"
      ? planExternal
      : planDurable
        ? [...tree.planIds].find(([, durable]) => durable === planDurable)?.[0]
        : undefined;
  const candidates = parts.filter((p) => p.type === type && (planId === undefined || p.planId === planId));
  return candidates.length === 1 ? candidates[0]?.key : undefined;
}

/**
 * The field an API message names: `field 'pricing'`, `property "title"`, `Required properties ["alias"]`,
 * `SupportsBackup property has already been enabled`, or a leading `pricing.corePricing.price: ...`. Where the
 * part is known, a name found one level down (`supportsBackup` in `vmProperties`) is given with its parent.
 */
export function fieldOf(message: string, fields?: Record<string, unknown>): string | undefined {
  const found =
    /\b(?:field|property|path|member)\s+['"`‘“]([A-Za-z_$][\w$.[\]]*)['"`’”]/i.exec(message)?.[1] ??
    /Required propert(?:y|ies)\s*\[\s*\\?["']([A-Za-z_$][\w$]*)/i.exec(message)?.[1] ??
    /\b([A-Z][A-Za-z0-9]+) property\b/.exec(message)?.[1] ??
    /^([a-z][\w]*(?:\.[A-Za-z_]\w*)+)\s*:/.exec(message)?.[1];
  if (!found) return undefined;
  const name = found.replace(/^\$\.?/, "");
  if (!fields) return name;
  const top = name.split(".")[0] ?? name;
  const lower = top.charAt(0).toLowerCase() + top.slice(1);
  for (const candidate of [top, lower])
    if (Object.hasOwn(fields, candidate)) return name.replace(top, candidate);
  for (const [parent, value] of Object.entries(fields))
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      for (const candidate of [top, lower])
        if (Object.hasOwn(value, candidate)) return `${parent}.${candidate}`;
  return lower;
}
