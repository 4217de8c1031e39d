/** Public types of the CPP simulator. Kept free of node:http so clients can import them cheaply. */

import type { IngestionControl, IngestionOptions, IngestionRequestKind } from "./ingestion/types";

export type * from "./ingestion/types";

/** Lifecycle of an offer as far as go-live cares. */
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
   * Extension: the operation ends (succeeded) when it reaches this step, which then shows
   * `waitingForPublisherReview` until the offer is signed off. Used by the default publish plan.
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

export interface OfferSeed {
  publisherId: string;
  offerId: string;
  /** Migrated (Partner Center) offers get GUID operation ids; others get `p$o$version$slot` ids. Default true. */
  migrated?: boolean;
  /** Default "signedOff": published and preview signed off, i.e. ready for go-live. */
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
  /** Never answer; with `ms`, process and answer after that many real milliseconds. */
  | { type: "hang"; ms?: number }
  /** Process, then answer 200 with truncated JSON. */
  | { type: "malformedJson" }
  /** Operation GET shows this status string. */
  | { type: "statusSpelling"; status: string }
  /** 202 without a Location header. */
  | { type: "missingLocation" }
  /** 202 with `Operation-Location` instead of `Location`. */
  | { type: "operationLocationHeader"; omitApiVersion?: boolean }
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
  /** Sign off the preview of a published offer (state published → signedOff). */
  signoff(publisherId: string, offerId: string): OfferView;
  /** Move the simulated clock forward. */
  advance(simulatedSeconds: number): void;
  /** Simulated now. */
  now(): Date;
  /** The Product Ingestion API's products, jobs and switches. */
  readonly ingestion: IngestionControl;
  /** Clear log, faults and operations; re-seed. */
  reset(): void;
  /** Close the server, destroying open and hung connections. */
  close(): Promise<void>;
}
