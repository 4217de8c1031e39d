import { randomUUID } from "node:crypto";
import { applyPortalEdit, certificationFailure } from "./images";
import {
  buildTimeline,
  cancelSteps,
  DEFAULT_GO_LIVE_STEPS,
  DEFAULT_PUBLISH_STEPS,
  evaluate,
  type OperationRecord,
  SLOTS,
} from "./operations";
import type {
  OfferSeed,
  OfferSettings,
  OfferState,
  OfferView,
  OperationPlan,
  PortalEdit,
  SpellingSettings,
  StatusSpelling,
  SubmissionKind,
} from "./types";

/** Simulated time: real time since start scaled, plus manual jumps, so tests can both speed up and skip. */
export class SimClock {
  private readonly originMs = Date.now();
  private offsetMs = 0;

  /** `simulatedStartMs`: the simulated instant the clock starts at (a restored state's); default real now. */
  constructor(
    readonly timeScale: number,
    simulatedStartMs?: number,
  ) {
    if (simulatedStartMs !== undefined) this.offsetMs = simulatedStartMs - this.originMs;
  }

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
  /** Definitions by offer version (the draft is the newest), for GET .../versions/{n} and slots. */
  versions: Map<number, Record<string, unknown>>;
  notificationEmails?: string;
  operations: OperationRecord[];
  /** Portal edits that land just before the next PUT (a concurrent edit between a read and a write). */
  pendingPortalEdits: PortalEdit[];
  /** One-shot failures for the next operations of a kind (control `fail-next`), oldest first. */
  failNext?: StepFailure[];
}

/** The next operation of `kind` (default: publish or go-live, whichever comes first) fails at `stepId`. */
export interface StepFailure {
  kind?: "publish" | "golive";
  stepId: string;
  messages: string[];
}

/** A container SAS as the docs ask for (read and list, valid until year 9999: tests advance the simulated clock by decades), so seeded images certify. */
export const SEED_SAS =
  "sv=2020-08-04&sr=c&sp=rl&st=2020-01-01T00%3A00%3A00Z&se=9999-12-31T23%3A59%3A59Z&sig=c2ltdWxhdGVkLXNpZ25hdHVyZQ%3D%3D";

/** A small `microsoft-azure-virtualmachines` definition with one plan, shaped like the CPP offer document. */
export function defaultDefinition(publisherId: string, offerId: string): Record<string, unknown> {
  return {
    displayText: `${offerId} (${publisherId})`,
    offer: {
      "microsoft-azure-marketplace.title": offerId,
      "microsoft-azure-marketplace.summary": `Simulated offer ${offerId}.`,
    },
    plans: [
      {
        planId: `${offerId}-plan`,
        "microsoft-azure-virtualmachines.skuTitle": `${offerId} plan`,
        "microsoft-azure-virtualmachines.vmImages": {
          "1.0.0": {
            osVhdUrl: `https://${publisherId}.blob.core.windows.net/vhds/${offerId}-1.0.0.vhd?${SEED_SAS}`,
            lunVhdDetails: [],
          },
        },
      },
    ],
  };
}

/** Slots of GET .../slot/{slot}, by their lower-case name. */
export type SlotName = "draft" | "preview" | "production";

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

/** States in which the preview is ready (or already live), so a go-live is accepted. */
const GO_LIVE_READY: OfferState[] = ["published", "signedOff", "live"];

const REFUSED_GO_LIVE = "Go-live was refused for this offer.";

export class SimStore {
  readonly clock: SimClock;
  private readonly offers = new Map<string, OfferRecord>();
  /** By GUID and by `$` id; a later operation with the same `$` id replaces the earlier one. */
  private readonly operationsById = new Map<string, OperationRecord>();

  constructor(
    timeScale: number | SimClock,
    seeds: OfferSeed[],
    /** Global spelling defaults (and the global `refuseGoLive`); an offer's own settings win. */
    readonly settings: SpellingSettings & { refuseGoLive?: boolean | string } = {},
  ) {
    this.clock = typeof timeScale === "number" ? new SimClock(timeScale) : timeScale;
    for (const seed of seeds) this.addOffer(seed);
  }

  /** Every offer record, for the state file. */
  records(): OfferRecord[] {
    return [...this.offers.values()];
  }

  /** Replaces every offer with restored records (the state file's). */
  load(records: OfferRecord[]): void {
    this.offers.clear();
    this.operationsById.clear();
    for (const offer of records) {
      this.offers.set(offerKey(offer.publisherId, offer.offerId), offer);
      for (const op of offer.operations) {
        this.operationsById.set(op.guid, op);
        this.operationsById.set(op.dollarId, op);
      }
    }
  }

  /**
   * Moves a running operation on by `seconds` of simulated time (its start moves back), or with `"end"` to
   * where it ends (a publish: to the publisher's sign-off). Throws 409 when it is not running.
   */
  advanceOperation(op: OperationRecord, by: number | "end"): void {
    const now = this.clock.nowMs();
    if (evaluate(op, now).status !== "running")
      throw new SimError(409, "Conflict", `Operation '${op.publicId}' is not running; nothing to advance.`);
    const endMs = Math.min(op.startMs + op.timeline.endAt * 1000, op.cancelAtMs ?? Number.POSITIVE_INFINITY);
    const shiftMs = by === "end" ? Math.max(0, endMs - now) : by * 1000;
    this.shiftOperation(op, shiftMs);
  }

  /** One-shot failures for the next publish or go-live of any offer (control `POST fail-next`). */
  readonly failNext: StepFailure[] = [];

  /** Queues a one-shot failure for any offer's next publish or go-live (400 for a step no default plan has). */
  queueGlobalFailure(failure: StepFailure): void {
    const kinds = failure.kind ? [failure.kind] : (["publish", "golive"] as const);
    const known = kinds.flatMap((kind) =>
      (kind === "golive" ? DEFAULT_GO_LIVE_STEPS : DEFAULT_PUBLISH_STEPS).map((s) => s.id),
    );
    if (!known.includes(failure.stepId)) {
      throw new SimError(
        400,
        "BadRequest",
        `A ${failure.kind ?? "publish or go-live"} has no step '${failure.stepId}'; its steps: ${[...new Set(known)].join(", ")}.`,
      );
    }
    this.failNext.push(failure);
  }

  /** Queues a one-shot failure for the offer's next publish or go-live (400 for a step that plan lacks). */
  queueFailure(offer: OfferRecord, failure: StepFailure): void {
    const kinds = failure.kind ? [failure.kind] : (["publish", "golive"] as const);
    const known = kinds.flatMap((kind) => this.plan(offer, kind).steps.map((step) => step.id));
    if (!known.includes(failure.stepId)) {
      throw new SimError(
        400,
        "BadRequest",
        `The ${failure.kind ?? "publish or go-live"} of offer '${offer.offerId}' has no step '${failure.stepId}'; its steps: ${[...new Set(known)].join(", ")}.`,
      );
    }
    offer.failNext = [...(offer.failNext ?? []), failure];
  }

  private shiftOperation(op: OperationRecord, shiftMs: number): void {
    op.startMs -= shiftMs;
    if (op.cancelAtMs !== undefined) op.cancelAtMs -= shiftMs;
  }

  /**
   * The running operation fails at `stepId` (default: the step it is in) with `messages`: now when that is
   * the current step, else when that step's time is up. 400 for an unknown or already passed step.
   */
  failOperation(op: OperationRecord, stepId: string | undefined, messages: string[]): void {
    const now = this.clock.nowMs();
    const evaluation = evaluate(op, now);
    if (evaluation.status !== "running")
      throw new SimError(409, "Conflict", `Operation '${op.publicId}' is not running; it cannot fail now.`);
    const current = evaluation.steps.findIndex(
      (step) => step.status === "inProgress" || step.status === "waitingForPublisherReview",
    );
    const index = stepId === undefined ? current : op.steps.findIndex((step) => step.id === stepId);
    if (index < 0) {
      throw new SimError(
        400,
        "BadRequest",
        `Operation '${op.publicId}' has no step '${stepId ?? ""}'; its steps: ${op.steps.map((s) => s.id).join(", ")}.`,
      );
    }
    if (current >= 0 && index < current) {
      throw new SimError(
        400,
        "BadRequest",
        `Step '${op.steps[index]?.id}' of operation '${op.publicId}' is already complete; name the current step or a later one.`,
      );
    }
    const target = op.steps[index] as OperationRecord["steps"][number];
    op.plan = { ...op.plan, failAt: { stepId: target.id, messages }, cancel: false };
    op.timeline = buildTimeline(op.steps, op.plan);
    op.holdsAtSignoff = false;
    if (index === current) this.shiftOperation(op, Math.max(0, op.startMs + op.timeline.endAt * 1000 - now));
  }

  addOffer(seed: OfferSeed): OfferRecord {
    if (!seed.publisherId || !seed.offerId)
      throw new SimError(400, "BadRequest", "publisherId and offerId are required.");
    const state = seed.state ?? "published";
    const offerVersion = seed.offerVersion ?? 1;
    const definition = seed.definition ?? defaultDefinition(seed.publisherId, seed.offerId);
    const offer: OfferRecord = {
      seed,
      publisherId: seed.publisherId,
      offerId: seed.offerId,
      migrated: seed.migrated ?? true,
      state,
      offerVersion,
      etagCounter: 1,
      definition,
      versions: new Map(Array.from({ length: offerVersion }, (_, i) => [i + 1, definition])),
      operations: [],
      pendingPortalEdits: [],
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
    if (publish.signedOff) publish.signedOffAtMs = now - (goLiveSeconds + 3600) * 1000;
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

  /** Offers in insertion order. */
  allOffers(): OfferRecord[] {
    return [...this.offers.values()].map((offer) => {
      this.settle(offer);
      return offer;
    });
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

  /** The operation a GET may show: undefined when unknown or its record is gone. */
  visibleOperation(id: string): OperationRecord | undefined {
    const op = this.findOperation(id);
    return op?.recordGone ? undefined : op;
  }

  dropOperationRecord(id: string, fromSubmissions = false): OperationRecord {
    const op = this.findOperation(id);
    if (!op) throw new SimError(404, "NotFound", `Operation '${id}' was not found.`);
    op.recordGone = true;
    if (fromSubmissions) op.hiddenFromSubmissions = true;
    return op;
  }

  /** How this operation's statuses are spelled: its plan, then its offer, then the global default. */
  spelling(op: OperationRecord): StatusSpelling | undefined {
    const seed = this.offers.get(offerKey(op.publisherId, op.offerId))?.seed;
    const merged = { ...this.settings.statusSpelling, ...seed?.statusSpelling, ...op.plan.statusSpelling };
    return Object.keys(merged).length > 0 ? merged : undefined;
  }

  omitSubmissionType(offer: OfferRecord): boolean {
    return offer.seed.omitSubmissionType ?? this.settings.omitSubmissionType ?? false;
  }

  configureOffer(offer: OfferRecord, settings: OfferSettings): void {
    const allowed: Array<keyof OfferSettings> = [
      "refuseGoLive",
      "publishRunsAtSignoff",
      "cancelLocationInBody",
      "statusSpelling",
      "omitSubmissionType",
      "unreadableBlobs",
      "echoBlobUri",
    ];
    for (const key of Object.keys(settings)) {
      if (!allowed.includes(key as keyof OfferSettings)) {
        throw new SimError(
          400,
          "BadRequest",
          `Unknown offer setting '${key}'; known: ${allowed.join(", ")}.`,
        );
      }
    }
    offer.seed = { ...offer.seed, ...settings };
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
    offerVersion = offer.offerVersion,
  ): OperationRecord {
    let resolved = planOverride
      ? { steps: planOverride.steps ?? [], plan: planOverride }
      : this.plan(offer, kind);
    // A queued failure of this offer, else an emulator-wide one, whose step this operation has.
    for (const queue of [offer.failNext ?? [], this.failNext]) {
      if (kind === "cancel" || planOverride) break;
      const index = queue.findIndex(
        (f) => (f.kind ?? kind) === kind && resolved.steps.some((step) => step.id === f.stepId),
      );
      if (index < 0) continue;
      const [failure] = queue.splice(index, 1);
      if (failure)
        resolved = {
          ...resolved,
          plan: { ...resolved.plan, failAt: { stepId: failure.stepId, messages: failure.messages } },
        };
      break;
    }
    const slot = kind === "golive" ? (offer.seed.goLiveSlot ?? SLOTS.golive) : SLOTS[kind];
    const guid = randomUUID();
    const dollarId = [offer.publisherId, offer.offerId, offerVersion, slot].join("$");
    const op: OperationRecord = {
      guid,
      dollarId,
      publicId: offer.migrated ? guid : dollarId,
      kind,
      publisherId: offer.publisherId,
      offerId: offer.offerId,
      offerVersion,
      slot,
      steps: resolved.steps,
      plan: resolved.plan,
      timeline: buildTimeline(resolved.steps, resolved.plan),
      startMs,
      signedOff: false,
      holdsAtSignoff: kind === "publish" && offer.seed.publishRunsAtSignoff === true,
      applied: false,
      notificationEmails: offer.notificationEmails ?? "",
    };
    offer.operations.push(op);
    this.operationsById.set(guid, op);
    this.operationsById.set(dollarId, op);
    return op;
  }

  /**
   * Go-live is the publisher's sign-off: accepted once a publish rests at `publisher-signoff` (or the offer
   * is already approved or live). It completes that publish's sign-off step (a publish kept `running`
   * there ends `succeeded`) and starts the go-live. One running operation at a time otherwise.
   */
  startGoLive(offer: OfferRecord): OperationRecord {
    const refusal = offer.seed.refuseGoLive || this.settings.refuseGoLive;
    if (refusal)
      throw new SimError(400, "BadRequest", typeof refusal === "string" ? refusal : REFUSED_GO_LIVE);
    const now = this.clock.nowMs();
    const running = this.running(offer);
    const resting = running.find((op) => op.kind === "publish" && this.restsAtSignoff(op, now));
    const busy = running.find((op) => op !== resting);
    if (busy?.kind === "publish") {
      throw new SimError(
        400,
        "BadRequest",
        `The preview of offer '${offer.offerId}' is not ready yet: publish ${busy.publicId} has not reached the publisher's review. Go live once the preview is ready.`,
      );
    }
    if (busy) this.assertIdle(offer);
    if (!resting && !GO_LIVE_READY.includes(offer.state)) {
      throw new SimError(
        400,
        "BadRequest",
        `Offer '${offer.offerId}' has not been published: publish it and go live once the preview is ready.`,
      );
    }
    const lastPublish = resting ?? offer.operations.filter((op) => op.kind === "publish").at(-1);
    if (lastPublish && !lastPublish.signedOff) {
      lastPublish.signedOff = true;
      lastPublish.signedOffAtMs = now;
    }
    // The go-live takes the published (preview) version live, not a draft edited since.
    return this.newOperation(offer, "golive", undefined, now, lastPublish?.offerVersion);
  }

  /** A publish whose sign-off step waits for the publisher now (running or succeeded there). */
  private restsAtSignoff(op: OperationRecord, nowMs: number): boolean {
    return evaluate(op, nowMs).steps.some((step) => step.status === "waitingForPublisherReview");
  }

  /**
   * Publish is idempotent for the latest version: a running publish is returned instead of starting another.
   * One that rests at its preview (kept `running` there by `publishRunsAtSignoff`) of an older draft is not the
   * latest version: it ends (canceled, its preview replaced) and a new publish of the draft starts.
   */
  startPublish(offer: OfferRecord, notificationEmails: string | undefined): OperationRecord {
    const runningPublish = this.running(offer).find((op) => op.kind === "publish");
    if (runningPublish) {
      const now = this.clock.nowMs();
      const superseded =
        runningPublish.offerVersion < offer.offerVersion && this.restsAtSignoff(runningPublish, now);
      if (!superseded) return runningPublish;
      runningPublish.cancelAtMs = now;
    }
    this.assertIdle(offer);
    if (offer.seed.publishValidationError !== undefined) {
      throw new SimError(422, "ValidationFailed", offer.seed.publishValidationError);
    }
    // Migrated offers ignore the addresses; a publish without them is accepted.
    offer.notificationEmails = notificationEmails ?? "";
    // Certification copies the draft's new images; one that cannot be downloaded fails the publish there.
    const previewVersion = this.slotVersion(offer, "preview");
    const failure = certificationFailure(
      offer.definition,
      previewVersion === undefined ? undefined : offer.versions.get(previewVersion),
      this.clock.nowMs(),
      offer.seed.unreadableBlobs ?? [],
      offer.seed.echoBlobUri,
    );
    if (!failure) return this.newOperation(offer, "publish");
    const { steps, plan } = this.plan(offer, "publish");
    return this.newOperation(offer, "publish", {
      ...plan,
      steps,
      failAt: { stepId: "displaycertify", messages: failure },
    });
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
    const now = this.clock.nowMs();
    if (operation.kind === "publish" && this.restsAtSignoff(operation, now)) {
      return { status: "waitingForPublisherReview", operation };
    }
    return { status: evaluate(operation, now).status, operation };
  }

  /** The offer version a slot shows, or undefined when that slot has never been filled. */
  slotVersion(offer: OfferRecord, slot: SlotName): number | undefined {
    if (slot === "draft") return offer.offerVersion;
    const now = this.clock.nowMs();
    const filled = offer.operations.filter((op) => {
      if (op.kind !== (slot === "preview" ? "publish" : "golive")) return false;
      const status = evaluate(op, now).status;
      return status === "succeeded" || (slot === "preview" && this.restsAtSignoff(op, now));
    });
    return filled.at(-1)?.offerVersion;
  }

  /** Shaped like the API's: `W/"datetime'2026-01-01T00%3A16%3A41.0000000Z'"`, one per saved draft. */
  etag(offer: OfferRecord): string {
    const at = new Date(Date.UTC(2026, 0, 1) + (offer.offerVersion * 1000 + offer.etagCounter) * 1000);
    return `W/"datetime'${at.toISOString().replace("Z", "0000Z").replace(/:/g, "%3A")}'"`;
  }

  /** Saves a new draft (a PUT or a portal edit): a new offer version and ETag. */
  saveDraft(offer: OfferRecord, definition: Record<string, unknown>): void {
    offer.definition = definition;
    offer.offerVersion += 1;
    offer.etagCounter += 1;
    offer.versions.set(offer.offerVersion, definition);
  }

  portalEdit(offer: OfferRecord, edit: PortalEdit): void {
    const definition = structuredClone(offer.definition);
    applyPortalEdit(definition, edit);
    this.saveDraft(offer, definition);
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
