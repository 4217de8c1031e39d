import { randomUUID } from "node:crypto";
import {
  buildTimeline,
  cancelSteps,
  DEFAULT_GO_LIVE_STEPS,
  DEFAULT_PUBLISH_STEPS,
  evaluate,
  type OperationRecord,
} from "./operations";
import type { OfferSeed, OfferState, OfferView, OperationPlan, SubmissionKind } from "./types";

/** Simulated time: real time since start scaled, plus manual jumps, so tests can both speed up and skip. */
export class SimClock {
  private readonly originMs = Date.now();
  private offsetMs = 0;

  constructor(private readonly timeScale: number) {}

  nowMs(): number {
    return this.originMs + (Date.now() - this.originMs) * this.timeScale + this.offsetMs;
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface OfferRecord {
  seed: OfferSeed;
  publisherId: string;
  offerId: string;
  migrated: boolean;
  state: OfferState;
  offerVersion: number;
  etagCounter: number;
  definition: Record<string, unknown>;
  notificationEmails?: string;
  operations: OperationRecord[];
}

export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function offerKey(publisherId: string, offerId: string): string {
  return `${publisherId}/${offerId}`;
}

const SIGNED_OFF: OfferState[] = ["signedOff", "live"];

export class SimStore {
  readonly clock: SimClock;
  private readonly offers = new Map<string, OfferRecord>();
  /** By GUID and by `$` id; a later operation with the same `$` id replaces the earlier one. */
  private readonly operationsById = new Map<string, OperationRecord>();

  constructor(timeScale: number, seeds: OfferSeed[]) {
    this.clock = new SimClock(timeScale);
    for (const seed of seeds) this.addOffer(seed);
  }

  addOffer(seed: OfferSeed): OfferRecord {
    if (!seed.publisherId || !seed.offerId)
      throw new SimError(400, "BadRequest", "publisherId and offerId are required.");
    const state = seed.state ?? "signedOff";
    const offer: OfferRecord = {
      seed,
      publisherId: seed.publisherId,
      offerId: seed.offerId,
      migrated: seed.migrated ?? true,
      state,
      offerVersion: seed.offerVersion ?? 1,
      etagCounter: 1,
      definition: {},
      operations: [],
    };
    this.offers.set(offerKey(offer.publisherId, offer.offerId), offer);
    this.synthesizeHistory(offer);
    return offer;
  }

  /** Seeded states come with the finished operations that led there, so submissions and status look real. */
  private synthesizeHistory(offer: OfferRecord): void {
    if (offer.state === "neverPublished") return;
    offer.notificationEmails = offer.seed.notificationEmails ?? `${offer.publisherId}@example.com`;
    const total = (steps: typeof DEFAULT_GO_LIVE_STEPS) =>
      steps.reduce((sum, s) => sum + s.durationSeconds, 0);
    const now = this.clock.nowMs();
    const goLiveSeconds = offer.state === "live" ? total(DEFAULT_GO_LIVE_STEPS) : 0;
    const publishStart = now - (total(DEFAULT_PUBLISH_STEPS) + goLiveSeconds + 3600) * 1000;
    const publish = this.newOperation(offer, "publish", { steps: DEFAULT_PUBLISH_STEPS }, publishStart);
    publish.signedOff = offer.state !== "published";
    publish.applied = true;
    if (offer.state === "live") {
      const goLive = this.newOperation(
        offer,
        "golive",
        { steps: DEFAULT_GO_LIVE_STEPS },
        now - goLiveSeconds * 1000,
      );
      goLive.applied = true;
    }
  }

  publishers(): Set<string> {
    return new Set([...this.offers.values()].map((offer) => offer.publisherId));
  }

  findOffer(publisherId: string, offerId: string): OfferRecord | undefined {
    const offer = this.offers.get(offerKey(publisherId, offerId));
    if (offer) this.settle(offer);
    return offer;
  }

  /** The offer, or the 404 the API gives, naming what is missing. */
  requireOffer(publisherId: string, offerId: string): OfferRecord {
    if (!this.publishers().has(publisherId)) {
      throw new SimError(404, "NotFound", `Publisher '${publisherId}' was not found.`);
    }
    const offer = this.findOffer(publisherId, offerId);
    if (!offer)
      throw new SimError(404, "NotFound", `Offer '${offerId}' was not found for publisher '${publisherId}'.`);
    return offer;
  }

  findOperation(id: string): OperationRecord | undefined {
    const op = this.operationsById.get(id);
    if (op) this.findOffer(op.publisherId, op.offerId);
    return op;
  }

  /** Apply finished operations' effects on the offer lazily, in order (they never overlap). */
  private settle(offer: OfferRecord): void {
    const now = this.clock.nowMs();
    for (const op of offer.operations) {
      if (op.applied) continue;
      const status = evaluate(op, now).status;
      if (status === "running") break;
      op.applied = true;
      if (status !== "succeeded") continue;
      if (op.kind === "publish") offer.state = "published";
      if (op.kind === "golive") offer.state = "live";
    }
  }

  running(offer: OfferRecord): OperationRecord[] {
    const now = this.clock.nowMs();
    return offer.operations.filter((op) => evaluate(op, now).status === "running");
  }

  private plan(
    offer: OfferRecord,
    kind: SubmissionKind,
  ): { steps: OperationRecord["steps"]; plan: OperationPlan } {
    if (kind === "cancel") return { steps: cancelSteps(offer.seed.cancelSeconds ?? 60), plan: {} };
    const plan = (kind === "golive" ? offer.seed.goLive : offer.seed.publish) ?? {};
    return { steps: plan.steps ?? (kind === "golive" ? DEFAULT_GO_LIVE_STEPS : DEFAULT_PUBLISH_STEPS), plan };
  }

  private newOperation(
    offer: OfferRecord,
    kind: SubmissionKind,
    planOverride?: OperationPlan,
    startMs = this.clock.nowMs(),
  ): OperationRecord {
    const resolved = planOverride
      ? { steps: planOverride.steps ?? [], plan: planOverride }
      : this.plan(offer, kind);
    const slot =
      kind === "golive" ? (offer.seed.goLiveSlot ?? "production") : kind === "publish" ? "preview" : "cancel";
    const guid = randomUUID();
    const dollarId = [offer.publisherId, offer.offerId, offer.offerVersion, slot].join("$");
    const op: OperationRecord = {
      guid,
      dollarId,
      publicId: offer.migrated ? guid : dollarId,
      kind,
      publisherId: offer.publisherId,
      offerId: offer.offerId,
      offerVersion: offer.offerVersion,
      slot,
      steps: resolved.steps,
      plan: resolved.plan,
      timeline: buildTimeline(resolved.steps, resolved.plan),
      startMs,
      signedOff: false,
      applied: false,
      notificationEmails: offer.notificationEmails ?? "",
    };
    offer.operations.push(op);
    this.operationsById.set(guid, op);
    this.operationsById.set(dollarId, op);
    return op;
  }

  /** Go-live: only on a signed-off (or already live) offer, one running operation at a time. */
  startGoLive(offer: OfferRecord): OperationRecord {
    this.assertIdle(offer);
    if (!SIGNED_OFF.includes(offer.state)) {
      throw new SimError(
        400,
        "BadRequest",
        "Offer must be published and the preview signed off before going live.",
      );
    }
    return this.newOperation(offer, "golive");
  }

  /** Publish is idempotent: a running publish is returned instead of starting another. */
  startPublish(offer: OfferRecord, notificationEmails: string): OperationRecord {
    const runningPublish = this.running(offer).find((op) => op.kind === "publish");
    if (runningPublish) return runningPublish;
    this.assertIdle(offer);
    if (offer.seed.publishValidationError !== undefined) {
      throw new SimError(422, "ValidationFailed", offer.seed.publishValidationError);
    }
    offer.notificationEmails = notificationEmails;
    return this.newOperation(offer, "publish");
  }

  /** Cancel the running operation; returns the cancel operation, or undefined when canceled synchronously. */
  cancel(offer: OfferRecord): OperationRecord | undefined {
    const running = this.running(offer);
    const existing = running.find((op) => op.kind === "cancel");
    if (existing) return existing;
    const target = running[0];
    if (!target) {
      throw new SimError(
        400,
        "BadRequest",
        `No operation is running for offer '${offerKey(offer.publisherId, offer.offerId)}'.`,
      );
    }
    if (offer.seed.cancelSync) {
      target.cancelAtMs = this.clock.nowMs();
      return undefined;
    }
    const cancelOp = this.newOperation(offer, "cancel");
    cancelOp.cancelOf = target.guid;
    target.cancelAtMs = cancelOp.startMs + cancelOp.timeline.endAt * 1000;
    return cancelOp;
  }

  signoff(offer: OfferRecord): void {
    if (offer.state !== "published") {
      throw new SimError(
        409,
        "Conflict",
        `Offer '${offer.offerId}' is '${offer.state}', not waiting for signoff.`,
      );
    }
    offer.state = "signedOff";
    const lastPublish = offer.operations.filter((op) => op.kind === "publish").at(-1);
    if (lastPublish) lastPublish.signedOff = true;
  }

  private assertIdle(offer: OfferRecord): void {
    const running = this.running(offer)[0];
    if (running) {
      throw new SimError(
        409,
        "OperationInProgress",
        `An operation is already running for offer '${offerKey(offer.publisherId, offer.offerId)}' (${running.publicId}).`,
      );
    }
  }

  /** What GET .../status reports, derived from the latest non-cancel operation. */
  offerStatus(offer: OfferRecord): { status: string; operation?: OperationRecord } {
    const operation = offer.operations.filter((op) => op.kind !== "cancel").at(-1);
    if (!operation) return { status: offer.state === "neverPublished" ? "neverPublished" : "notStarted" };
    const status = evaluate(operation, this.clock.nowMs()).status;
    if (status === "succeeded" && operation.kind === "publish" && offer.state === "published") {
      return { status: "waitingForPublisherReview", operation };
    }
    return { status, operation };
  }

  etag(offer: OfferRecord): string {
    return `"${offer.offerVersion}-${offer.etagCounter}"`;
  }

  view(offer: OfferRecord): OfferView {
    const running = this.running(offer).find((op) => op.kind !== "cancel");
    return {
      publisherId: offer.publisherId,
      offerId: offer.offerId,
      migrated: offer.migrated,
      state: offer.state,
      offerVersion: offer.offerVersion,
      etag: this.etag(offer),
      status: this.offerStatus(offer).status,
      notificationEmails: offer.notificationEmails,
      operations: offer.operations.map((op) => op.publicId),
      runningOperationId: running?.publicId,
    };
  }
}
