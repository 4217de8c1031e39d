/**
 * The Partner Center Product Ingestion API behind the backend seam. An offer is a product found by its external
 * id; a publish is a configure job that sends the draft to `preview`, a go-live one that sends the newest ready
 * preview submission to `live`. Before any configure POST the product's submissions are read: one already in
 * flight for the target is attached to, a preview already live is adopted (go-live), a ready preview not yet
 * live is adopted (publish, unless its triggers changed), and a POST is only repeated when a re-read proves the
 * first one did nothing.
 */

import type {
  CancelResult,
  FindOptions,
  OfferBackend,
  OfferStatusReport,
  OperationHandle,
  OperationKind,
  OperationOutcome,
  OperationRead,
  OperationSummary,
  PublishGuard,
  ReadLimits,
  StartedOperation,
  StartOptions,
} from "../core/backend";
import {
  CloudPartnerError,
  ConfigurationError,
  endSentence,
  OperationInProgressError,
  ProtocolError,
  RejectedError,
  redactSecrets,
  TransientError,
  UndeclaredChangesError,
} from "../core/errors";
import {
  currentStep,
  isAwaitingSignoff,
  type OperationSnapshot,
  redactSnapshot,
  type StepSnapshot,
} from "../core/operation";
import { retryDelayMs } from "../core/retry";
import type { OperationStatus } from "../core/status";
import { IngestionClient, type IngestionClientOptions } from "./client";
import { INGESTION_SERVICE } from "./constants";
import { type Declaration, readDeclaration } from "./offer/declaration";
import {
  type ConfigureStatus,
  conflictKind,
  flattenJobErrors,
  type IngestionSubmission,
  jobState,
  rawJobStatus,
  type SubmissionState,
  submissionState,
} from "./parse";
import {
  type DraftChange,
  describeDraftChange,
  describeStageDifference,
  draftChanges,
  isAllowedChange,
  modularResources,
  type ReadTree,
  readTree,
  stageDifferences,
} from "./publish-safety";
import { schemaAdviceFor } from "./schemas";

export interface IngestionBackendOptions extends IngestionClientOptions {
  /** The product's external id in Partner Center. */
  offerId: string;
  /** Not needed (the token identifies the seller account); kept for messages when given. */
  publisherId?: string;
}

type Target = "preview" | "live";

const targetOf = (kind: OperationKind): Target => (kind === "publish" ? "preview" : "live");

/** The status step a ready preview rests at; `isAwaitingSignoff` recognizes it. */
export const READY_TO_GO_LIVE = "Ready to go live";

export class IngestionBackend implements OfferBackend {
  readonly api = "ingestion" as const;
  readonly service = INGESTION_SERVICE;
  readonly client: IngestionClient;
  readonly offerId: string;
  readonly publisherId?: string;
  #productId?: string;
  readonly #log: (message: string) => void;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: IngestionBackendOptions) {
    const { offerId, publisherId, ...clientOptions } = options;
    this.offerId = offerId;
    if (publisherId) this.publisherId = publisherId;
    this.client = new IngestionClient(clientOptions);
    this.#log = options.log ?? (() => {});
    this.#random = options.random ?? Math.random;
    const clock = options.clock;
    this.#sleep = (ms, signal) =>
      clock ? clock.sleep(ms, signal) : new Promise((resolve) => setTimeout(resolve, ms));
  }

  get endpoint(): string {
    return this.client.endpoint;
  }

  get offer(): string {
    return this.offerId;
  }

  get tokenSource(): string {
    return this.client.tokenSource;
  }

  async #product(signal?: AbortSignal): Promise<string> {
    this.#productId ??= await this.client.productId(this.offerId, signal);
    return this.#productId;
  }

  async #submissions(
    signal?: AbortSignal,
  ): Promise<{ productId: string; submissions: IngestionSubmission[] }> {
    const productId = await this.#product(signal);
    return { productId, submissions: await this.client.submissions(productId, this.offerId, signal) };
  }

  handleOf(operationId: string): OperationHandle {
    return operationId.startsWith("submission/")
      ? { operationLocation: this.client.submissionUrl(operationId), submissionId: operationId }
      : { operationLocation: this.client.jobStatusUrl(operationId), operationId };
  }

  async findExisting(
    kind: OperationKind,
    signal?: AbortSignal,
    options: FindOptions = {},
  ): Promise<StartedOperation | undefined> {
    const { productId, submissions } = await this.#submissions(signal);
    const existing = existingSubmission(kind, submissions, this.offerId, options);
    return existing ? this.#attach(productId, existing.submission, existing.origin) : undefined;
  }

  #attach(
    productId: string,
    submission: IngestionSubmission,
    origin: "attached" | "adopted",
  ): StartedOperation {
    return {
      operationLocation: this.client.submissionUrl(submission.id),
      productId,
      submissionId: submission.id,
      origin,
      ...(submission.created ? { createdAt: submission.created } : {}),
    };
  }

  async start(kind: OperationKind, options: StartOptions = {}): Promise<StartedOperation> {
    const { signal } = options;
    const target = targetOf(kind);
    const { productId, submissions: before } = await this.#submissions(signal);
    let submissionId: string | undefined;
    if (kind === "golive") {
      const preview = readyPreview(before, this.offerId);
      if (!preview) throw noPreviewReady(this.offerId, before);
      submissionId = preview.id;
    }
    // Publish safety: refuses (nothing sent) when the draft holds changes the declaration does not explain.
    const modular =
      kind === "publish" && options.publishGuard
        ? await this.#guardPublish(productId, options.publishGuard, signal)
        : [];
    const retry = this.client.retry;
    for (let attempt = 0; ; attempt++) {
      try {
        const { job } = await this.client.configureSubmission(
          productId,
          this.offerId,
          target,
          submissionId,
          signal,
          modular,
        );
        // Some answers carry the refusal as an already failed job instead of a 400.
        const refusal =
          jobState(job).status === "failed"
            ? job.errors.map((e) => conflictKind(e.message)).find(Boolean)
            : undefined;
        if (refusal)
          return await this.#onConflict(
            kind,
            productId,
            refusal,
            // Logged as well as thrown: the job's words without their SAS signatures.
            endSentence(redactSecrets(flattenJobErrors(job.errors).join(" | "))),
            signal,
          );
        return {
          operationLocation: this.client.jobStatusUrl(job.jobId),
          operationId: job.jobId,
          productId,
          ...(submissionId ? { submissionId } : {}),
          origin: "started",
          ...(job.jobStart ? { createdAt: job.jobStart } : {}),
        };
      } catch (error) {
        const conflict =
          error instanceof CloudPartnerError && error.status === 400
            ? conflictKind(error.apiMessage)
            : undefined;
        if (conflict) return this.#onConflict(kind, productId, conflict, (error as Error).message, signal);
        if (!(error instanceof TransientError) || attempt >= retry.maxRetries) throw error;
        if (error.requestMayHaveBeenProcessed && error.status !== 429) {
          // The POST may have been applied: only a re-read that shows nothing new allows sending it again.
          const after = await this.client.submissions(productId, this.offerId, signal);
          const applied = appliedSince(before, after, target);
          if (applied) {
            this.#log(
              `${error.message} The configure request had been applied; following submission ${applied.id}.`,
            );
            return this.#attach(productId, applied, "attached");
          }
        }
        const delay = retryDelayMs(attempt, error.retryAfterMs, retry, this.#random);
        this.#log(
          `configure (${target}) failed (${error.message}); nothing was applied, sending it again in ${delay} ms.`,
        );
        await this.#sleep(delay, signal);
      }
    }
  }

  /**
   * Reads the draft and preview trees (2 requests) and compares them with the declaration: a change the
   * declaration does not explain refuses the publish (UndeclaredChangesError, nothing sent) unless allowed. A
   * modular publish compares only the resources it lists, and returns them for the submission.
   */
  async #guardPublish(
    productId: string,
    guard: PublishGuard,
    signal?: AbortSignal,
  ): Promise<Array<Record<string, unknown>>> {
    this.#declaration(guard.configuration); // before any read: another offer's declaration reads nothing
    const [draft, preview] = await Promise.all([
      this.#tree(productId, "draft", signal),
      this.#tree(productId, "preview", signal),
    ]);
    const verdict = this.#assess(guard, draft, preview);
    const { published, declared, allowed, unexplained, what, against } = verdict;
    if (unexplained.length > 0 && !guard.allowUndeclaredChanges)
      throw new UndeclaredChangesError(
        `Offer ${this.offerId}: ${what} ${published ? "hold" : "holds"} ${unexplained.length === 1 ? "a change" : `${unexplained.length} changes`} compared with ${against} that the configuration does not declare, so nothing was published: ${unexplained.map(describeDraftChange).join("; ")}. ` +
          "Publishing would ship them unreviewed (portal edits?). Either declare them in the OfferConfiguration, or undo them in Partner Center (a declared field edited in the portal: `pulumi refresh`, then `pulumi up` writes the declared value back), then run `pulumi up` again; " +
          "or, to publish the draft as it is, set `allowUndeclaredChanges: true` on this OfferPublish (or list the fields another resource owns in `allowUndeclaredChangesTo`, e.g. the image versions of VmImageVersion: plans[*].technicalConfiguration.vmImageVersions).",
        { offerId: this.offerId, changes: unexplained.map(describeDraftChange) },
      );
    // The provider's log prefixes each line with the offer.
    const held =
      declared.length + allowed.length + unexplained.length === 0
        ? "no change"
        : [
            changeCount(declared, "declared"),
            ...(allowed.length > 0 ? [`${changeCount(allowed, "allowed")} (allowUndeclaredChangesTo)`] : []),
            unexplained.length === 0 ? "no undeclared one" : changeCount(unexplained, "undeclared"),
          ]
            .join(", ")
            .replace(/, ([^,]*)$/, " and $1");
    this.#log(
      `publish safety: ${what} ${published ? "hold" : "holds"} ${held} compared with ${against}${published ? `; modular publish of ${[...published.keys].join(", ")}` : ""}.`,
    );
    for (const change of allowed)
      this.#log(`publishing an undeclared change (allowUndeclaredChangesTo): ${describeDraftChange(change)}`);
    for (const change of unexplained)
      this.#log(`publishing an undeclared change (allowUndeclaredChanges): ${describeDraftChange(change)}`);
    return published?.resources ?? [];
  }

  /** What a publish with this guard would send and ship, from the trees as read; the same for preview and up. */
  #assess(guard: PublishGuard, draft: ReadTree | undefined, preview: ReadTree | undefined) {
    const declaration = this.#declaration(guard.configuration);
    if (!draft)
      throw new ProtocolError(
        `${INGESTION_SERVICE} has no draft resource tree for offer ${this.offerId}; nothing was sent.`,
        { offerId: this.offerId },
      );
    const published = guard.modular ? modularResources(draft, declaration.parts, this.offerId) : undefined;
    const changes = draftChanges(
      draft.compared,
      preview?.compared,
      declaration.parts,
      published ? { only: published.keys } : {},
    );
    const allowed = changes.filter(
      (change) => !change.explained && isAllowedChange(change, guard.allowUndeclaredChangesTo),
    );
    return {
      declaration,
      published,
      declared: changes.filter((change) => change.explained),
      allowed,
      unexplained: changes.filter((change) => !change.explained && !allowed.includes(change)),
      what: published ? `the ${published.keys.size} resources this modular publish lists` : "the draft",
      against: preview ? "the preview" : "nothing published (the offer has never been published)",
    };
  }

  /** The declaration, checked to be this offer's. */
  #declaration(configuration: string): Declaration {
    const declaration = readDeclaration(configuration);
    if (declaration.offerId !== undefined && declaration.offerId !== this.offerId)
      throw new ConfigurationError(
        `configuration is the declaration of offer ${declaration.offerId}, and this resource publishes offer ${this.offerId}; nothing was sent. Pass the declaration of the OfferConfiguration of offer ${this.offerId}.`,
        { offerId: this.offerId },
      );
    return declaration;
  }

  async #tree(
    productId: string,
    target: "draft" | "preview" | "live",
    signal?: AbortSignal,
  ): Promise<ReadTree | undefined> {
    const resources = await this.client.resourceTree(productId, this.offerId, target, signal);
    return resources ? readTree(resources) : undefined;
  }

  /**
   * One line per declared field whose draft, preview and live values differ, and what the next publish would do
   * with undeclared changes (refuse them, or ship them as allowed). Reads only: the product lookup (once per
   * backend), the draft and preview trees, and the live tree when there is a preview (never published means never
   * live): at most 4 requests.
   */
  async declaredStages(guard: PublishGuard, signal?: AbortSignal): Promise<string[]> {
    this.#declaration(guard.configuration); // before any read
    const productId = await this.#product(signal);
    const [draft, preview] = await Promise.all([
      this.#tree(productId, "draft", signal),
      this.#tree(productId, "preview", signal),
    ]);
    const live = preview ? await this.#tree(productId, "live", signal) : undefined;
    const { declaration, allowed, unexplained, what } = this.#assess(guard, draft, preview);
    const differences = stageDifferences(
      declaration.parts,
      (draft as ReadTree).compared,
      preview?.compared,
      live?.compared,
    );
    const stages = `${preview ? "" : " (no preview yet)"}${preview && !live ? " (never live)" : ""}`;
    const next =
      unexplained.length === 0
        ? []
        : guard.allowUndeclaredChanges
          ? [`the next publish ships them (allowUndeclaredChanges)`]
          : ["the next publish refuses them"];
    return [
      `[${this.offerId}] declared fields that differ between draft, preview and live${stages}: ${differences.length === 0 ? "none" : differences.length}`,
      ...differences.flatMap((difference) =>
        describeStageDifference(difference).map((line) => `[${this.offerId}]   ${line}`),
      ),
      ...(unexplained.length > 0
        ? [
            `[${this.offerId}] ${what} ${what === "the draft" ? "holds" : "hold"} ${changeCount(unexplained)} the configuration does not declare (${next.join("")}): ${unexplained.map(describeDraftChange).join("; ")}`,
          ]
        : []),
      ...(allowed.length > 0
        ? [
            `[${this.offerId}] allowed by allowUndeclaredChangesTo: ${allowed.map(describeDraftChange).join("; ")}`,
          ]
        : []),
    ];
  }

  /** "An In Progress submission already exists" / "not the latest": attach, adopt, or explain. Never re-sent. */
  async #onConflict(
    kind: OperationKind,
    productId: string,
    conflict: "inProgress" | "notLatest",
    said: string,
    signal?: AbortSignal,
  ): Promise<StartedOperation> {
    const submissions = await this.client.submissions(productId, this.offerId, signal);
    // The configure just refused did not publish the draft: only one in flight is taken over, never a ready preview.
    const existing = existingSubmission(kind, submissions, this.offerId, { onlyInProgress: true });
    if (existing) {
      this.#log(`${said} Taking over submission ${existing.submission.id} (${existing.origin}).`);
      return this.#attach(productId, existing.submission, existing.origin);
    }
    const other = submissions.find((s) => submissionState(s) === "inFlight");
    const check = `Check it with \`pulumi-cloudpartner status --api ingestion ${this.offerId}\`.`;
    if (conflict === "inProgress") {
      const which = other
        ? `the ${other.target} submission ${other.id} (${other.status}/${other.result ?? "?"})`
        : "a submission not listed yet";
      throw new OperationInProgressError(
        `${said} Partner Center runs one submission per offer at a time, and ${which} is in progress for offer ${this.offerId}. Wait until it has finished (or cancel its job), then run \`pulumi up\` again. ${check}`,
        { offerId: this.offerId },
      );
    }
    throw new RejectedError(
      `${said} The preview submission sent live is not the newest preview of offer ${this.offerId} (a newer publish exists, is running, or failed). Publish again (OfferPublish), wait until that preview is ready, then go live. ${check}`,
      { offerId: this.offerId },
    );
  }

  async readOperation(
    kind: OperationKind,
    handle: OperationHandle,
    signal?: AbortSignal,
    limits?: ReadLimits,
  ): Promise<OperationRead> {
    const jobId = handle.operationId ?? jobIdOf(handle.operationLocation);
    let job: ConfigureStatus | undefined;
    let retryAfterMs: number | undefined;
    if (jobId) {
      try {
        ({ job, retryAfterMs } = await this.client.jobStatus(jobId, this.offerId, signal, limits));
      } catch (error) {
        // A 5xx on a job's status says nothing about the job: it counts as still pending.
        if (!(error instanceof TransientError) || (error.status ?? 0) < 500) throw error;
        return {
          snapshot: unavailableSnapshot(kind, error),
          ...(error.retryAfterMs ? { retryAfterMs: error.retryAfterMs } : {}),
        };
      }
    }
    const state = job ? jobState(job).status : undefined;
    let submission: IngestionSubmission | undefined;
    let submissionId = handle.submissionId;
    // Reading submissions costs a request: only when the job's answer is not enough on its own.
    if (!job || state === "succeeded" || (!submissionId && state === "running")) {
      const productId = handle.productId ?? (await this.#product(signal));
      const submissions = await this.client.submissions(productId, this.offerId, signal);
      const target = targetOf(kind);
      submissionId ??= submissions.find((s) => s.target === target && submissionState(s) === "inFlight")?.id;
      if (!submissionId && job && state === "succeeded")
        submissionId = await this.#createdBy(job.jobId, signal);
      submission = submissionId
        ? submissions.find((s) => s.target === target && s.id === submissionId)
        : undefined;
    }
    const snapshot = snapshotOf(kind, job, submission, submissionId);
    const learned = submissionId && submissionId !== handle.submissionId ? { submissionId } : undefined;
    return { snapshot, ...(retryAfterMs ? { retryAfterMs } : {}), ...(learned ? { handle: learned } : {}) };
  }

  /** The submission a finished job created, from `GET configure/<jobId>` (configure-detail). */
  async #createdBy(jobId: string, signal?: AbortSignal): Promise<string | undefined> {
    const detail = await this.client.jobDetail(jobId, this.offerId, signal);
    return detail.find((id) => id.startsWith("submission/"));
  }

  async listOperations(signal?: AbortSignal): Promise<OperationSummary[]> {
    const { submissions } = await this.#submissions(signal);
    return submissions
      .filter((s) => s.target !== "draft")
      .map((s) => {
        const state = submissionState(s);
        const changedAt = Date.parse(s.created ?? "");
        return {
          id: s.id,
          kind: s.target === "preview" ? "publish" : "golive",
          state: statusOfSubmission(state),
          rawState: rawSubmissionStatus(s),
          outcome: outcomeOfSubmission(s.target, state),
          ...(Number.isNaN(changedAt) ? {} : { changedAt }),
          slot: s.target,
        };
      });
  }

  async cancel(options: StartOptions & { handle?: OperationHandle } = {}): Promise<CancelResult> {
    const location = options.handle?.operationLocation ?? "";
    const jobId = options.handle?.operationId || jobIdOf(location);
    if (!jobId) {
      const { submissions } = await this.#submissions(options.signal);
      const running = submissions.find((s) => submissionState(s) === "inFlight");
      // A saved location that is a submission's: the resource attached to a submission without its job.
      const given = location
        ? `${location} is not a configure job's location (…/configure/<jobId>/status): a resource that attached to a submission already in flight follows the submission and has no job id. `
        : "";
      throw new ConfigurationError(
        running
          ? `${given}The ${running.target} submission ${running.id} of offer ${this.offerId} is in progress. The Product Ingestion API cancels configure jobs, not submissions, and lists no jobs, so the job id must come from where it was started: ${whereToFindTheJob(this.offerId)}`
          : `${given}Nothing is in progress for offer ${this.offerId}; there is nothing to cancel.`,
        { offerId: this.offerId },
      );
    }
    const job = await this.client.cancelJob(jobId, this.offerId, options.signal);
    const done = job ? jobState(job).status !== "running" : false;
    return done
      ? { completed: true }
      : { completed: false, operationLocation: this.client.jobStatusUrl(jobId) };
  }

  async offerStatus(signal?: AbortSignal): Promise<OfferStatusReport> {
    const { submissions } = await this.#submissions(signal);
    return describeSubmissions(this.offerId, submissions, this.publisherId);
  }

  toJSON(): Record<string, string> {
    return { api: this.api, offer: this.offer };
  }
}

/** Where the configure job id of a running submission can be found, for the cancel that needs it. */
function whereToFindTheJob(offerId: string): string {
  return (
    "the `operationId` output of the OfferPublish or OfferGoLive resource that sent the configure (`pulumi stack export` shows each resource's outputs); " +
    "after an attach (`attached: true`, no `operationId`), the output of the `pulumi up` that sent it, on its line `publish accepted; operation …/configure/<jobId>/status` (or `go-live accepted; …`). " +
    `Then run \`pulumi-cloudpartner cancel --api ingestion ${offerId} --job <jobId>\` (the whole operation URL works too). ` +
    "A submission started in Partner Center itself can only be canceled there."
  );
}

/** "1 declared change", "2 changes". */
function changeCount(changes: DraftChange[], kind?: string): string {
  const what = kind ? `${kind} ` : "";
  return changes.length === 1 ? `1 ${what}change` : `${changes.length} ${what}changes`;
}

/** The configure job id in a saved `configure/<jobId>/status` location. */
function jobIdOf(location: string): string | undefined {
  try {
    const match = /\/configure\/([^/]+)\/status\/?$/.exec(new URL(location).pathname);
    return match?.[1] ? decodeURIComponent(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Every entry's state; one this client cannot judge stops the decision (fail closed). */
function judged(
  submissions: IngestionSubmission[],
  offerId: string,
): Array<[IngestionSubmission, SubmissionState]> {
  return submissions.map((s) => {
    const state = submissionState(s);
    if (!state)
      throw new ProtocolError(
        `The ${s.target} submission ${s.id} of offer ${offerId} has a status this client does not know (${rawSubmissionStatus(s)}); nothing was sent. Check the offer in Partner Center.`,
        { offerId },
      );
    return [s, state];
  });
}

/** The newest preview submission that succeeded. */
export function readyPreview(
  submissions: IngestionSubmission[],
  offerId: string,
): IngestionSubmission | undefined {
  return judged(submissions, offerId).find(
    ([s, state]) => s.target === "preview" && state === "succeeded",
  )?.[0];
}

/**
 * What a new resource of this kind takes over instead of configuring:
 * - a submission in flight for its target (attach);
 * - go-live: the ready preview that is already live (same id: adopt). A list with live entries and no preview
 *   entry (cloudpub's `["live","draft"]` case, SUSE's status tests) describes an offer whose newest submission
 *   went live: its newest live entry, when it succeeded, is adopted;
 * - publish: the newest preview submission, when it succeeded (the preview is ready) and has not gone live or
 *   begun to (no live entry with its id succeeded or in flight): adopt it instead of publishing again and
 *   restarting certification (e.g. after a killed run, or a replace for another reason than its triggers).
 *
 * `onlyInProgress` (a publish replaced because its `triggers` changed, e.g. a new image version in the draft):
 * a ready preview predates that change, so only a submission in flight is taken over, as for CPP.
 */
export function existingSubmission(
  kind: OperationKind,
  submissions: IngestionSubmission[],
  offerId: string,
  options: FindOptions = {},
): { submission: IngestionSubmission; origin: "attached" | "adopted" } | undefined {
  const target = targetOf(kind);
  const states = judged(submissions, offerId);
  const inFlight = states.find(([s, state]) => s.target === target && state === "inFlight")?.[0];
  if (inFlight) return { submission: inFlight, origin: "attached" };
  if (kind === "publish") {
    if (options.onlyInProgress) return undefined;
    const newest = states.find(([s]) => s.target === "preview");
    if (newest?.[1] !== "succeeded") return undefined;
    const wentLive = states.some(
      ([s, state]) =>
        s.target === "live" && s.id === newest[0].id && (state === "succeeded" || state === "inFlight"),
    );
    return wentLive ? undefined : { submission: newest[0], origin: "adopted" };
  }
  const preview = readyPreview(submissions, offerId);
  const live = preview
    ? states.find(([s, state]) => s.target === "live" && s.id === preview.id && state === "succeeded")?.[0]
    : liveWithoutPreview(states);
  return live ? { submission: live, origin: "adopted" } : undefined;
}

/**
 * With no preview entry listed at all, the newest live entry when it succeeded: the offer is live and nothing
 * newer waits for review. Undefined when a preview entry exists (the preview decides) or the newest live failed.
 */
function liveWithoutPreview(
  states: Array<[IngestionSubmission, SubmissionState]>,
): IngestionSubmission | undefined {
  if (states.some(([s]) => s.target === "preview")) return undefined;
  const newestLive = states.find(([s]) => s.target === "live");
  return newestLive?.[1] === "succeeded" ? newestLive[0] : undefined;
}

/** A submission for `target` that the re-read shows and the first read did not (new, or now in flight). */
export function appliedSince(
  before: IngestionSubmission[],
  after: IngestionSubmission[],
  target: Target,
): IngestionSubmission | undefined {
  const seen = new Set(before.map((s) => `${s.target}:${s.id}:${s.status}:${s.result}`));
  return after.find(
    (s) =>
      s.target === target &&
      (submissionState(s) === "inFlight" || !seen.has(`${s.target}:${s.id}:${s.status}:${s.result}`)),
  );
}

function noPreviewReady(offerId: string, submissions: IngestionSubmission[]): RejectedError {
  const preview = submissions.find((s) => s.target === "preview");
  const live = submissions.find((s) => s.target === "live");
  const where = preview
    ? `its newest preview submission ${preview.id} is ${rawSubmissionStatus(preview)}`
    : live
      ? `Partner Center lists no preview submission, and its newest live submission ${live.id} is ${rawSubmissionStatus(live)}`
      : "it has never been published to preview";
  return new RejectedError(
    `Offer ${offerId} has no preview ready to go live: ${where}. Publish first (OfferPublish, api "ingestion"), wait until the preview is ready, then go live. Nothing was sent.`,
    { offerId },
  );
}

function rawSubmissionStatus(s: IngestionSubmission): string {
  return [s.status ?? "unknown", s.result].filter(Boolean).join("/");
}

function statusOfSubmission(state: SubmissionState | undefined): OperationStatus {
  return state === "succeeded" ? "succeeded" : state === "failed" ? "failed" : "running";
}

const PROGRESS: Record<string, number> = { notstarted: 0, running: 50, completed: 100 };

function jobStep(job: ConfigureStatus): StepSnapshot {
  const state = jobState(job).status;
  const status =
    state === "succeeded"
      ? "completed"
      : state === "failed"
        ? "failed"
        : state === "canceled"
          ? "cancelled"
          : job.jobStatus;
  const progress = PROGRESS[job.jobStatus.toLowerCase()];
  return {
    id: job.jobId,
    name: "Configure job",
    status,
    ...(progress !== undefined ? { progressPercentage: progress } : {}),
    messages: flattenJobErrors(job.errors),
  };
}

function submissionStep(
  kind: OperationKind,
  submission: IngestionSubmission | undefined,
  id: string | undefined,
): StepSnapshot {
  const name = `${kind === "publish" ? "Preview" : "Live"} submission`;
  if (!submission)
    return { ...(id ? { id } : {}), name, status: "notStarted", progressPercentage: 0, messages: [] };
  const state = submissionState(submission);
  const status =
    state === "succeeded" ? "completed" : state === "failed" ? "failed" : (submission.status ?? "running");
  return {
    id: submission.id,
    name,
    status,
    progressPercentage:
      state === "succeeded" || state === "failed"
        ? 100
        : (PROGRESS[(submission.status ?? "").toLowerCase()] ?? 50),
    messages: [],
  };
}

/** One poll's snapshot: the job step (when the job is known), the submission step, and for a publish the sign-off step. */
export function snapshotOf(
  kind: OperationKind,
  job: ConfigureStatus | undefined,
  submission: IngestionSubmission | undefined,
  submissionId: string | undefined,
): OperationSnapshot {
  const steps = [...(job ? [jobStep(job)] : []), submissionStep(kind, submission, submissionId)];
  const judgedJob = job ? jobState(job) : undefined;
  const subState = submission ? submissionState(submission) : undefined;
  let status: OperationStatus = "running";
  if (judgedJob && judgedJob.status !== "running" && judgedJob.status !== "succeeded")
    status = judgedJob.status;
  else if (subState === "failed") status = "failed";
  else if (subState === "succeeded" && (!judgedJob || judgedJob.status === "succeeded")) status = "succeeded";
  if (kind === "publish" && status === "succeeded") {
    steps.push({
      name: READY_TO_GO_LIVE,
      status: "waitingForPublisherReview",
      messages: [`The preview (${submission?.id}) is ready: review it, then go live (OfferGoLive).`],
    });
  }
  const said = job ? flattenJobErrors(job.errors) : [];
  // A schema that requires what was not sent: which schema, what it wants, what to do.
  const messages = [...said, ...schemaAdviceFor(said)];
  const rawStatus = job ? rawJobStatus(job) : submission ? rawSubmissionStatus(submission) : "unknown";
  return redactSnapshot({
    ...(job ? { id: job.jobId } : submission ? { id: submission.id } : {}),
    submissionType: kind === "publish" ? "preview" : "live",
    status,
    rawStatus,
    statusRecognized: judgedJob ? judgedJob.recognized : subState !== undefined || !submission,
    steps,
    currentStep: currentStep(steps),
    messages,
    ...(status === "failed" && messages.length === 0 && submission
      ? {
          error: `The ${submission.target} submission ${submission.id} failed (${rawSubmissionStatus(submission)}); see Partner Center for the reason.`,
        }
      : {}),
    ...(job?.jobStart
      ? { createdDateTime: job.jobStart }
      : submission?.created
        ? { createdDateTime: submission.created }
        : {}),
    ...(job?.jobEnd ? { lastActionDateTime: job.jobEnd } : {}),
  });
}

function unavailableSnapshot(kind: OperationKind, error: TransientError): OperationSnapshot {
  // The job's state was not seen: the step says so instead of claiming it runs (timeouts quote this step).
  const step: StepSnapshot = {
    name: "Configure job",
    status: `unknown (HTTP ${error.status})`,
    messages: [`The job's status answered HTTP ${error.status}; counted as still pending.`],
  };
  return {
    submissionType: kind === "publish" ? "preview" : "live",
    status: "running",
    rawStatus: `unavailable (HTTP ${error.status}), counted as pending`,
    statusRecognized: true,
    steps: [step],
    currentStep: step,
    messages: [],
  };
}

/** Where the offer stands, from its submissions: draft, newest preview, newest live. */
export function describeSubmissions(
  offerId: string,
  submissions: IngestionSubmission[],
  publisherId?: string,
): OfferStatusReport {
  const states = judged(submissions, offerId);
  const newest = (target: IngestionSubmission["target"]) => states.find(([s]) => s.target === target);
  const preview = newest("preview");
  const live = newest("live");
  const currentLive = states.find(([s, state]) => s.target === "live" && state === "succeeded")?.[0];
  const inFlight = states.find(([, state]) => state === "inFlight")?.[0];
  let status: string;
  if (inFlight) status = `${inFlight.target}InProgress`;
  else if (!preview)
    // Live entries without a preview entry: the newest submission went live (or its go-live failed).
    status = !live ? "neverPublished" : live[1] === "failed" ? "liveFailed" : "live";
  else if (preview[1] === "failed") status = "previewFailed";
  else if (currentLive && currentLive.id === preview[0].id) status = "live";
  else if (live?.[1] === "failed") status = "liveFailed";
  else status = "waitingForPublisherReview";
  const steps: StepSnapshot[] = (["draft", "preview", "live"] as const).flatMap((target) => {
    const entry = newest(target);
    if (!entry) return [];
    const [s, state] = entry;
    const name = `${target.charAt(0).toUpperCase()}${target.slice(1)} submission`;
    const stepStatus =
      state === "draft"
        ? "draft"
        : state === "succeeded"
          ? "completed"
          : state === "failed"
            ? "failed"
            : (s.status ?? "running");
    return [{ id: s.id, name, status: stepStatus, messages: s.created ? [`created ${s.created}`] : [] }];
  });
  if (status === "waitingForPublisherReview" && preview)
    steps.push({
      name: READY_TO_GO_LIVE,
      status: "waitingForPublisherReview",
      messages: [`The preview ${preview[0].id} is ready: review it, then go live.`],
    });
  const normalized: OperationStatus = status.endsWith("Failed")
    ? "failed"
    : status === "live"
      ? "succeeded"
      : "running";
  // The draft is where edits wait, not a step of the way to live.
  const step = currentStep(steps.filter((s) => s.status !== "draft"));
  return {
    ...(publisherId ? { publisherId } : {}),
    offerId,
    status,
    awaitingSignoff: isAwaitingSignoff({ status: normalized, rawStatus: status, steps }),
    ...(step ? { currentStep: step } : {}),
    steps,
    previewLinks: [],
    liveLinks: [],
  };
}

/** A listed submission's outcome: a preview that succeeded is ready to go live (the go-live is the sign-off). */
function outcomeOfSubmission(target: string, state: SubmissionState | undefined): OperationOutcome {
  switch (state) {
    case "inFlight":
      return "inProgress";
    case "succeeded":
      return target === "preview" ? "awaitingSignoff" : "succeeded";
    case "failed":
      return "failed";
    default:
      return "unrecognized";
  }
}
