/**
 * The seam between what Pulumi sees and the API behind it. A backend is bound to one offer and answers five
 * questions: is there already an operation of this kind to take over, start one, how is it doing (by the handle a
 * resource saved), cancel, and where does the offer stand. The Pulumi layer, the poller and the CLI only talk to
 * this interface; `cpp/` and `ingestion/` implement it on the shared core (transport, auth, retries, errors).
 */

import type { OperationSnapshot, StepSnapshot } from "./operation";
import type { OperationStatus } from "./status";

/** Which API a resource talks to. */
export type ApiName = "cpp" | "ingestion";
export const API_NAMES: readonly ApiName[] = ["cpp", "ingestion"];

/** A check of one input an API adds (CPP: the publish's notification e-mails); returns the value normalized. */
export type InputCheck = (value: unknown) => { value: unknown; problems: string[] };

/**
 * What the input checks above the seam need to know about an API, so the core never imports an API's
 * constants: `backends.ts` (`apiProfile`) hands it down.
 */
export interface ApiProfile {
  /** The default `endpoint`. */
  endpoint: string;
  /** The default `apiVersion`. */
  apiVersion: string;
  /** The endpoint may carry a path (the ingestion API lives under `/rp/product-ingestion`). */
  endpointPath: boolean;
  /** `publisherId` may be left out (ingestion: the token identifies the account). */
  publisherOptional: boolean;
  /** Why a value is not an `apiVersion` this API takes, or undefined. */
  apiVersionProblem(value: unknown): string | undefined;
  /** Checks of the inputs this API adds to a start request, by input name. */
  startInputs: Readonly<Record<string, InputCheck>>;
}

/** The operations a resource can start. */
export type OperationKind = "golive" | "publish";

/** What a resource saves in state to find its operation again in a later run (all of it is safe to store). */
export interface OperationHandle {
  /** Absolute URL of what is polled (CPP: the operation; ingestion: the configure job's status). */
  operationLocation: string;
  /** CPP: the operation's GUID or `$`-separated id; ingestion: the configure job id. */
  operationId?: string;
  /** Ingestion: the durable product id, `product/<guid>`. */
  productId?: string;
  /** Ingestion: the submission sent to preview or live. */
  submissionId?: string;
}

/** How a resource came to own its operation. */
export type OperationOrigin =
  /** This resource sent the request that started it. */
  | "started"
  /** One of this kind was already running (an interrupted run, another tool): no request was sent. */
  | "attached"
  /** One of this kind already finished and is still current (e.g. the latest publish already went live). */
  | "adopted";

export interface StartedOperation extends OperationHandle {
  origin: OperationOrigin;
  /** When the API says the operation started (ISO 8601), if it says. Resumed waits count from here. */
  createdAt?: string;
}

/** Bounds a poller puts on one read. */
export interface ReadLimits {
  /** Honour a server's Retry-After inside this read's retries up to this long. */
  maxRetryAfterMs?: number;
}

/** One poll's answer. */
export interface OperationRead {
  snapshot: OperationSnapshot;
  /** The server's Retry-After on this answer, in ms. */
  retryAfterMs?: number;
  /** Handle fields learned while reading (ingestion: the submission id once the job created it). */
  handle?: Partial<OperationHandle>;
}

/**
 * Where a listed operation stands, finer than `state`: `inProgress` and `awaitingSignoff` (resting at the
 * preview sign-off point, `waitingForPublisherReview`) are both `running`; `unrecognized` is a state spelling
 * the normalizer does not know (counted as running, and never trusted for a decision to send a request).
 */
export type OperationOutcome =
  | "inProgress"
  | "awaitingSignoff"
  | "succeeded"
  | "failed"
  | "canceled"
  | "unrecognized";

/** An operation as listed for the offer, classified once (CPP: `cpp/submissions.ts` `classifySubmission`). */
export interface OperationSummary {
  id: string;
  kind: OperationKind | "cancel" | "unknown";
  /** Normalized through the one status normalizer. */
  state: OperationStatus;
  /** As the API spelled it. */
  rawState: string;
  outcome: OperationOutcome;
  /** The offer version (CPP) or submission number (ingestion) it concerns, when known. */
  version?: number;
  /** When it last changed (ms since the epoch), when known. */
  changedAt?: number;
  /** CPP `slot` (`staging`, `production`) or ingestion target (`preview`, `live`). */
  slot?: string;
  /** CPP `submissionType` as sent. */
  type?: string;
}

/** Where an offer stands. */
export interface OfferStatusReport {
  publisherId?: string;
  offerId: string;
  /** The status exactly as the API reports it (CPP: `neverPublished`, `waitingForPublisherReview`, ...). */
  status: string;
  /** True when a preview is ready and waits for the publisher: the point to review it, then go live. */
  awaitingSignoff: boolean;
  /** The step the latest operation is at (the first not complete, or the one that stopped it). */
  currentStep?: StepSnapshot;
  steps: StepSnapshot[];
  previewLinks: string[];
  liveLinks: string[];
}

export interface CancelResult {
  /** True when the API canceled synchronously. */
  completed: boolean;
  /** Where the cancellation can be followed, when it is itself an operation. */
  operationLocation?: string;
}

export interface FindOptions {
  /**
   * Take over only an operation still in progress, never one that rests (a publish at its sign-off step) or
   * finished: the resource was replaced because its `triggers` changed (e.g. a new image version in the draft),
   * so an earlier publish no longer matches what must be published.
   */
  onlyInProgress?: boolean;
}

export interface StartOptions {
  /** CPP publish/cancel: who is e-mailed. Optional; the ingestion API has no such field. */
  notificationEmails?: string[];
  /** Ingestion publish: check the draft against the program's declaration before the preview is sent. */
  publishGuard?: PublishGuard;
  signal?: AbortSignal;
}

/**
 * Publish safety (ingestion): the draft may only hold the changes the program declares, relative to the preview.
 * `configuration` is OfferConfiguration's `declaration` output, opaque above the seam.
 */
export interface PublishGuard {
  configuration: string;
  /** Publish even when the draft holds changes the declaration does not explain (they are logged). */
  allowUndeclaredChanges: boolean;
  /** `key.field` (or `key`) patterns, `[*]` for any id, whose undeclared changes are allowed (other owners). */
  allowUndeclaredChangesTo: string[];
  /** Modular publish: the submission lists the declared resources, and only those are published. */
  modular: boolean;
}

export interface OfferBackend {
  readonly api: ApiName;
  /** The service as messages name it: "the Cloud Partner Portal", "Partner Center (Product Ingestion API)". */
  readonly service: string;
  /** The configured endpoint, normalized. */
  readonly endpoint: string;
  /** The offer as messages name it: `contoso/contoso-offer` (CPP) or `contoso-offer` (ingestion). */
  readonly offer: string;
  /** Where the token comes from, for messages. Never a token. */
  readonly tokenSource: string;
  /**
   * An operation of this kind that a new resource takes over instead of starting one: one running, or one that
   * finished and is still current. Fails closed: an answer it does not understand is an error, never "none".
   */
  findExisting(
    kind: OperationKind,
    signal?: AbortSignal,
    options?: FindOptions,
  ): Promise<StartedOperation | undefined>;
  /** Starts an operation; never sends it twice (a request that may have been applied is checked, not re-sent). */
  start(kind: OperationKind, options?: StartOptions): Promise<StartedOperation>;
  /**
   * The handle of the operation a resource id names by its last part (CPP: the operation id; ingestion: the
   * configure job id, or the `submission/...` id of a resource that attached to a submission), for `pulumi
   * import`. Sends nothing.
   */
  handleOf(operationId: string): OperationHandle;
  /** Reads the operation a resource saved. */
  readOperation(
    kind: OperationKind,
    handle: OperationHandle,
    signal?: AbortSignal,
    limits?: ReadLimits,
  ): Promise<OperationRead>;
  /** The offer's operations, newest first (by version, then time), classified. */
  listOperations(signal?: AbortSignal): Promise<OperationSummary[]>;
  /** Cancels what runs for the offer (CPP) or the given job (ingestion). */
  cancel(options?: StartOptions & { handle?: OperationHandle }): Promise<CancelResult>;
  offerStatus(signal?: AbortSignal): Promise<OfferStatusReport>;
  /**
   * For `pulumi preview` (ingestion, with a declaration): one line per declared field whose draft, preview and
   * live values differ. Reads only. Absent on APIs without resource trees.
   */
  declaredStages?(guard: PublishGuard, signal?: AbortSignal): Promise<string[]>;
}
