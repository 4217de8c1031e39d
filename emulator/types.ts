/** Public types of the CPP simulator. Kept free of node:http so clients can import them cheaply. */

import type {
  ConfigureTarget,
  IngestionControl,
  IngestionOptions,
  IngestionRequestKind,
} from "./ingestion/types";

export type * from "./ingestion/types";

/**
 * Lifecycle of an offer as far as go-live cares. `published`: the latest publish rests at its
 * `publisher-signoff` step (the preview is ready); a go-live is the publisher's sign-off and is accepted.
 * `signedOff`: a seed-only state for an offer whose preview was approved in the portal (the publish's
 * sign-off step shows `complete`); it accepts go-live too.
 */
export type OfferState = "neverPublished" | "published" | "signedOff" | "live";

/** The three kinds of submission (operation) the API starts. */
export type SubmissionKind = "golive" | "publish" | "cancel";

/** What a request was for; used by the request log, `count()` and fault matching. */
export type RequestKind =
  | "golive"
  | "publish"
  | "cancel"
  | "operation"
  | "submissions"
  | "status"
  | "offer"
  | "publishers"
  | "offers"
  | "version"
  | "slot"
  | "other"
  | IngestionRequestKind;

/** Normalized operation status; `statusSpelling` decides how it is written on the wire. */
export type CanonicalStatus = "running" | "succeeded" | "failed" | "canceled";

export interface StepPlan {
  id: string;
  stepName: string;
  /** Simulated seconds the step takes. */
  durationSeconds: number;
  /**
   * The publish rests at this step: it shows `waitingForPublisherReview` until a go-live (the publisher's
   * sign-off) completes it. The operation itself then reads `succeeded`, or `running` with
   * `OfferSeed.publishRunsAtSignoff`. Used by the default publish plan.
   */
  waitsForSignoff?: boolean;
  description?: string;
}

export interface StatusSpelling {
  succeeded?: string;
  running?: string;
  failed?: string;
  canceled?: string;
}

export interface OperationPlan {
  steps?: StepPlan[];
  /** The operation fails when this step's duration has elapsed; the step turns `blocked` with the messages. */
  failAt?: { stepId: string; messages: string[] };
  /** The operation ends `canceled` instead: at `failAt`'s step if given, else at the end of the first step. */
  cancel?: boolean;
  statusSpelling?: StatusSpelling;
}

/** Where a 202 from cancel names the cancel operation. */
export interface CancelLocationInBody {
  /** Body key holding the relative location. Default `operationLocation`. */
  key?: string;
  /** Send the location in the body only, without the Location / Operation-Location headers. */
  withoutHeaders?: boolean;
}

/** Knobs that change how the simulator spells things; per offer (seed, /_sim/offers/p/o/settings) or global. */
export interface SpellingSettings {
  /** How operation and submission states are written, e.g. `{ running: "inProgress", succeeded: "Succeeded" }`. */
  statusSpelling?: StatusSpelling;
  /** Submissions carry `slot` only, no `submissionType`. */
  omitSubmissionType?: boolean;
}

/** The per-offer switches `/_sim/offers/{p}/{o}/settings` may change at run time. */
export interface OfferSettings extends SpellingSettings {
  /** Go-live answers 400 with this message (`true`: a default message), whatever the offer's state. */
  refuseGoLive?: boolean | string;
  /** The publish keeps `running` while it rests at sign-off, until a go-live ends it `succeeded`. */
  publishRunsAtSignoff?: boolean;
  /** Cancel's 202 also (or only) names the cancel operation in a JSON body. */
  cancelLocationInBody?: boolean | CancelLocationInBody;
  /** Blob URLs (without query) that certification cannot download: a publish of a draft using one fails. */
  unreadableBlobs?: string[];
  /**
   * An API that quotes the whole SAS URI it refused (signature included): an offer PUT whose new image version
   * uses a blob of `unreadableBlobs` answers 400 "Not able to download blob <SAS URI> …", and certification's
   * failure message quotes the SAS URI too.
   */
  echoBlobUri?: boolean;
}

/**
 * An edit made in the portal: sets `displayText`, or sets (`image`) or removes (`image: null`) one image version
 * of one plan (or generation sub-plan), or deletes a plan (`removePlan`). It saves the draft (new ETag) like a PUT.
 */
export interface PortalEdit {
  displayText?: string;
  removePlan?: string;
  planId?: string;
  version?: string;
  image?: Record<string, unknown> | null;
}

export interface OfferSeed extends OfferSettings {
  publisherId: string;
  offerId: string;
  /** Migrated (Partner Center) offers get GUID operation ids; others get `p$o$version$slot` ids. Default true. */
  migrated?: boolean;
  /** Default "published": the publish rests at sign-off, the preview is ready; go-live is accepted. */
  state?: OfferState;
  /** Default 1. */
  offerVersion?: number;
  goLive?: OperationPlan;
  publish?: OperationPlan;
  /** Publish answers 422 ValidationFailed with this message. */
  publishValidationError?: string;
  /** Operation GET wraps the object in an array, like the docs' sample. */
  wrapInArray?: boolean;
  /** Every operation GET carries `Retry-After: N` (real seconds). */
  retryAfterSeconds?: number;
  /** Cancel answers 200 and cancels at once instead of 202 + a cancel operation. */
  cancelSync?: boolean;
  /** Simulated seconds a cancel operation takes. Default 60. */
  cancelSeconds?: number;
  /** Slot in non-migrated go-live ids. Default "production" (the docs' sample shows "preview"). */
  goLiveSlot?: string;
  /** E-mails of the publish that made the seeded state. Default `<publisherId>@example.com`. */
  notificationEmails?: string;
  /** `offerTypeId` of the offer document. Default `microsoft-azure-virtualmachines`. */
  offerTypeId?: string;
  /** The offer document's `definition` (draft); default a small VM offer with one plan. */
  definition?: Record<string, unknown>;
}

export interface FaultMatch {
  method?: "GET" | "POST" | "PUT";
  kind?: RequestKind;
}

export type FaultSpec =
  /** Answer with this status without processing. `retryAfter`: seconds or an HTTP date. */
  | { type: "status"; status: number; retryAfter?: string; body?: string }
  /** Destroy the socket before processing: a go-live is NOT started. */
  | { type: "reset" }
  /** Process normally (a go-live IS started), then destroy the socket without answering. */
  | { type: "resetAfterProcessing" }
  /**
   * Never answer; with `ms`, process and answer after that many real milliseconds; with `untilReleased`, process
   * and answer once the test calls `sim.releaseHeld()` (an event, not a race against the clock).
   */
  | { type: "hang"; ms?: number; untilReleased?: boolean }
  /** Process, then answer 200 with truncated JSON. */
  | { type: "malformedJson" }
  /** Operation GET shows this status string. */
  | { type: "statusSpelling"; status: string }
  /** 202 without a Location header. */
  | { type: "missingLocation" }
  /** 202 with `Operation-Location` only (no `Location`). */
  | { type: "operationLocationHeader"; omitApiVersion?: boolean }
  /** 202 with `Location` only (no `Operation-Location`). */
  | { type: "locationHeaderOnly" }
  /** Absolute Location on this simulator, or on `host` (a base URL such as `http://127.0.0.2:8080`). */
  | { type: "absoluteLocation"; host?: string; omitApiVersion?: boolean }
  /** 401 without processing (e.g. token expiry mid-poll). */
  | { type: "unauthorized" }
  /** 403 without processing. */
  | { type: "forbidden" };

export type FaultType = FaultSpec["type"];

/** A fault consumed in order; `times` (default 1) is how many matching requests it hits. */
export type Fault = FaultSpec & { match?: FaultMatch; times?: number };

export interface RandomFaultOptions {
  /** Probability (0..1) that an /api request is faulted. */
  rate: number;
  /** PRNG seed; the same seed gives the same sequence. Default 1. */
  seed?: number;
  /** Default: 503, 500, reset, malformedJson. POSTs only ever get faults that skip processing. */
  types?: Array<FaultType | FaultSpec>;
}

export interface RequestLogEntry {
  method: string;
  /** Raw request target as received, query included. */
  path: string;
  /** Absolute URL on this simulator. */
  url: string;
  /** Headers as received (authorization included). */
  headers: Record<string, string | string[] | undefined>;
  /** 0 while unanswered or when the socket was destroyed. */
  status: number;
  /** Epoch ms of arrival (real time). */
  at: number;
  kind: RequestKind;
  publisherId?: string;
  offerId?: string;
  /** Ingestion `POST configure`: what its body configures (a technical configuration, preview or live). */
  configures?: ConfigureTarget;
  /** Ingestion `POST configure`: the `$schema` types of its body's resources, in order (`unknown` when unparseable). */
  resourceTypes?: string[];
  /** Ingestion resource-tree GET: the tree asked for (draft when the query names none). */
  targetType?: "draft" | "preview" | "live";
  /** The fault applied, if any. */
  fault?: FaultType;
  /** The route handler ran (past api-version and auth checks). */
  processed: boolean;
}

export interface RequestFilter {
  method?: string;
  kind?: RequestKind;
  publisherId?: string;
  offerId?: string;
}

export interface SimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Simulated seconds per real second. Default 1. */
  timeScale?: number;
  /** Default ["test-token"]; an empty array disables auth. */
  acceptedTokens?: string[];
  /** Token → real time (Date or epoch ms) after which it is rejected with 401. */
  tokenExpiry?: Record<string, Date | number>;
  /** Default: the offers of seed.json. */
  offers?: OfferSeed[];
  /** 403 for these publishers. */
  forbiddenPublishers?: string[];
  /** The Product Ingestion API under `/rp/product-ingestion/` (same tokens, clock and faults). */
  ingestion?: IngestionOptions;
  /** Suppress request log lines. */
  quiet?: boolean;
  /** Receives one line per request (`METHOD path status`). Nothing is printed without it. */
  log?: (line: string) => void;
  /** Defaults for every offer (an offer's own settings win); also settable via POST /_sim/settings. */
  statusSpelling?: StatusSpelling;
  omitSubmissionType?: boolean;
  /**
   * Keep the state in this file (atomic writes after every change) and start from it when it exists. Faults
   * and held requests are not kept.
   */
  stateFile?: string;
  /** Tests of crash safety: each state write stays half-written this many real ms. */
  stateWriteDelayMs?: number;
  /** The control API answers 401 without one of these bearer tokens (default: no token needed). */
  controlTokens?: string[];
  /** Problems the emulator survives (a failed state write), one line each; default stderr. */
  onError?: (message: string) => void;
}

/** Snapshot of an offer. */
export interface OfferView {
  publisherId: string;
  offerId: string;
  migrated: boolean;
  state: OfferState;
  offerVersion: number;
  etag: string;
  /** What GET .../status reports. */
  status: string;
  notificationEmails?: string;
  /** Public operation ids, oldest first. */
  operations: string[];
  runningOperationId?: string;
}

export interface SimulatorStats {
  /** Processed go-live POSTs by `publisherId/offerId`. */
  goLivePosts: Record<string, number>;
  connections: number;
  requests: number;
}

export interface CppSimulator {
  /** Lets every request held by a `hang` fault with `untilReleased` go on (processed, then answered). */
  releaseHeld(): void;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Every /api request (control calls excluded), oldest first. */
  readonly requests: RequestLogEntry[];
  /** TCP connections opened since start (or the last reset). */
  readonly connections: number;
  count(filter?: RequestFilter): number;
  /** Go-live POSTs that reached the handler (so could have started an operation). */
  goLivePosts(publisherId: string, offerId: string): number;
  stats(): SimulatorStats;
  /** Replace the fault list of one offer; `("*", "*")` applies to every request. */
  setFaults(publisherId: string, offerId: string, faults: Fault[]): void;
  setRandomFaults(options: RandomFaultOptions | undefined): void;
  addOffer(seed: OfferSeed): OfferView;
  offer(publisherId: string, offerId: string): OfferView | undefined;
  /** The operation JSON as an operation GET would show it now (by GUID or `$` id). */
  operation(id: string): Record<string, unknown> | undefined;
  /** Change an offer's run-time switches (refuse go-live, spellings, cancel body, ...); merged into its seed. */
  configureOffer(publisherId: string, offerId: string, settings: OfferSettings): OfferView;
  /**
   * Edit the draft as the portal would (new ETag). With `beforeNextPut`, the edit is queued; each PUT
   * of the offer lets the oldest queued edit land first: the race between a client's read and its write.
   */
  portalEdit(
    publisherId: string,
    offerId: string,
    edit: PortalEdit,
    options?: { beforeNextPut?: boolean },
  ): OfferView;
  /** The offer's draft definition (a copy). */
  draft(publisherId: string, offerId: string): Record<string, unknown> | undefined;
  /** Change the global spelling defaults, and the emulator-wide go-live refusal (both APIs). */
  configure(settings: SpellingSettings & { refuseGoLive?: boolean | string }): void;
  /**
   * The operation record is gone: its GET answers 404 (by GUID and `$` id); with `fromSubmissions` it is
   * left out of the submissions list too. The operation still runs and still moves the offer's status.
   */
  dropOperationRecord(id: string, options?: { fromSubmissions?: boolean }): void;
  /** Every offer, in the order added. */
  offers(): OfferView[];
  /**
   * Move one running operation on by `seconds` of simulated time, or with `"end"` to where it ends now (a
   * publish: its publisher sign-off). 404 for an unknown operation, 409 when it is not running.
   */
  advanceOperation(id: string, by: number | "end"): void;
  /** The running operation fails at `stepId` (default the current step: now; a later step: when it ends). */
  failOperation(id: string, stepId: string | undefined, messages: string[]): void;
  /**
   * The offer's next publish or go-live (`kind`, default whichever starts first) fails at `stepId`; with
   * `("*", "*")` the next one of any offer.
   */
  failNext(
    publisherId: string,
    offerId: string,
    failure: { kind?: "publish" | "golive"; stepId: string; messages: string[] },
  ): void;
  /** Move the simulated clock forward. */
  advance(simulatedSeconds: number): void;
  /** Simulated now. */
  now(): Date;
  /** The Product Ingestion API's products, jobs and switches. */
  readonly ingestion: IngestionControl;
  /** Clear log, faults and operations; re-seed. */
  reset(): void;
  /** Resolves once every change so far is in the state file (`stateFile`; at once without one). */
  flushState(): Promise<void>;
  /** Close the server, destroying open and hung connections (the state file is written first). */
  close(): Promise<void>;
}
