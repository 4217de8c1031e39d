/**
 * The dynamic resource providers: check/diff/create/read/update/delete for offer operations (go-live,
 * publish). This module runs inside Pulumi's dynamic provider host, loaded at run time by the thin
 * serialized provider in `resource.ts`; nothing here is serialized into state, so the token read in
 * `configure` lives only in this process's memory.
 */

import type * as pulumi from "@pulumi/pulumi";
import { createBackend } from "../backends";
import { staticTokenRefused, staticTokenWarning, type TokenProvider } from "../core/auth";
import type {
  ApiName,
  OfferBackend,
  OfferStatusReport,
  OperationHandle,
  OperationKind,
  ReadLimits,
  StartOptions,
} from "../core/backend";
import { AuthenticationError, CloudPartnerError, NotFoundError } from "../core/errors";
import { operationIdFromLocation } from "../core/location";
import { isAwaitingSignoff, type OperationSnapshot } from "../core/operation";
import { backendOptions, type ProviderHooks, ProviderTokens } from "./connection";

export { ACCESS_TOKEN_CONFIG_KEY, type ProviderHooks } from "./connection";

import { type PollOperationOptions, pollOperation, progressLine } from "../core/poller";
import { normalizeStatus, type OperationStatus } from "../core/status";
import {
  type CheckFailure,
  checkOperationInputs,
  type OperationInputs,
  UNKNOWN_VALUE,
} from "../core/validate";
import { checkNotificationEmails } from "../cpp/emails";

const PROVIDER_KEY = "__provider";

/** One step of an operation, as kept in the outputs. */
export interface StepOutput {
  name: string;
  status: string;
  progressPercentage?: number;
  messages?: string[];
}

/** What an operation resource keeps in state. */
export interface OperationOutputs extends OperationInputs {
  operationLocation: string;
  operationId?: string;
  /** Ingestion: the durable product id, `product/<guid>`. */
  productId?: string;
  /** Ingestion: the submission sent to preview or live (learned while polling for a publish). */
  submissionId?: string;
  status: OperationStatus;
  /** The status as the API last spelled it. */
  rawStatus?: string;
  /** True when the resource attached to an operation that was already running instead of starting one. */
  attached: boolean;
  startedAt: string;
  completedAt?: string;
  currentStep?: string;
  steps: StepOutput[];
  /** The latest messages of the step that needs attention (blocked, failed). */
  messages: string[];
  /** Kinds that stop at the preview sign-off point (publish): true while the operation rests there. */
  awaitingSignoff?: boolean;
}

let engineWatch: NodeJS.Timeout | undefined;

/**
 * In Pulumi's dynamic provider host, a wait can outlive the engine that asked for it (`pulumi up` killed
 * with SIGKILL leaves the host behind): nobody could receive the result, yet the host would poll for days.
 * So the host exits once its parent is gone. The operation keeps running on the Cloud Partner Portal and the
 * next `pulumi up` attaches to it.
 */
function exitWithEngine(): void {
  if (engineWatch || !/[\\/](dynamic-provider[\\/]index|native[\\/]main)\.js$/.test(process.argv[1] ?? ""))
    return;
  const engine = process.ppid;
  engineWatch = setInterval(() => {
    if (process.ppid === engine) return;
    process.stderr.write(
      "pulumi-cloudpartner: the Pulumi engine that started this provider is gone; exiting. Operations keep running " +
        "on the Cloud Partner Portal; the next `pulumi up` attaches to them.\n",
    );
    process.exit(1);
  }, 1000);
  engineWatch.unref();
}

/**
 * Per-call control a front door other than the dynamic host passes to `create`/`update` (the native provider:
 * its Cancel RPC and the engine's `customTimeouts`). Both optional; the dynamic host passes neither.
 */
export interface CallControl {
  /** Aborts in-flight requests and the wait at once; the operation is saved as partial state. */
  signal?: AbortSignal;
  /** Stop waiting at this time (ms since the epoch on the provider's clock) if `timeoutSeconds` ends later. */
  deadlineMs?: number;
}

/**
 * Thrown once the API accepted the operation and something later went wrong (timeout, failure, repeated
 * errors). The dynamic provider host turns `id` + `properties` into a partially created resource, so the
 * operation location is saved and the next `pulumi up` resumes it instead of starting another one.
 */
export class ResourceInitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
  ) {
    super(message);
    this.name = "ResourceInitError";
  }
}

/** An input one kind adds to the common ones (publish: `notificationEmails`). It is kept in the outputs. */
export interface KindInput {
  /** Validates a value (never called with one still unknown during preview) and returns it normalized. */
  check(value: unknown): { value: unknown; problems: string[] };
  /** What a change does: start a new operation (`replace`), or record the new value in state (`update`). */
  onChange: "replace" | "update";
  /** The APIs that use this input (default: all). For the others it is optional, not checked, and ignored. */
  apis?: ApiName[];
}

/** What distinguishes one kind of operation resource from another; everything else is shared. */
export interface KindSpec<Extra extends object> {
  kind: OperationKind;
  /** Human name for messages: "go-live", "publish". */
  label: string;
  /** Inputs this kind takes on top of `OperationInputs`. */
  inputs: { [K in keyof Extra]-?: KindInput };
  /** Why an operation that already finished was taken over, for the log: "the latest published version already went live". */
  adopted: string;
  /** What this kind sends with its start request (publish: the notification e-mails). */
  startOptions?(inputs: OperationInputs & Extra): StartOptions;
  /**
   * Stop waiting at the preview sign-off point instead of the end (publish). The output `awaitingSignoff`
   * then says whether the operation rests there, and a resource resting there is not resumed by `pulumi up`.
   */
  stopsAtSignoff?: boolean;
}

/** Inputs whose change needs a new operation, for every kind: they say which offer and which API. */
const IDENTITY_INPUTS = ["api", "publisherId", "offerId", "endpoint", "apiVersion", "triggers"];
/** Inputs absent from older state that mean their default: a missing `api` is `cpp`. */
const ABSENT_MEANS: Record<string, unknown> = { api: "cpp" };
/** Inputs that only change how this resource waits: recorded in place, never a new operation. */
const WAITING_INPUTS = [
  "wait",
  "timeoutSeconds",
  "pollIntervalSeconds",
  "maxPollIntervalSeconds",
  "requestTimeoutSeconds",
];

/** The machinery shared by every operation resource; a subclass only describes its kind. */
export abstract class OperationResourceProvider<Extra extends object = Record<never, never>>
  implements pulumi.dynamic.ResourceProvider
{
  readonly #tokens: ProviderTokens;

  protected constructor(
    private readonly spec: KindSpec<Extra>,
    private readonly hooks: ProviderHooks = {},
  ) {
    this.#tokens = new ProviderTokens(hooks.tokenProvider);
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.#tokens.configure(req);
  }

  async check(_olds: pulumi.Inputs, news: pulumi.Inputs): Promise<pulumi.dynamic.CheckResult> {
    return this.#check(news);
  }

  async diff(_id: pulumi.ID, olds: pulumi.Inputs, news: pulumi.Inputs): Promise<pulumi.dynamic.DiffResult> {
    const filled = this.#check(news).inputs;
    const extras = Object.entries<KindInput>(this.spec.inputs);
    const changed = (key: string) =>
      !sameValue(olds[key] ?? ABSENT_MEANS[key], filled[key] ?? ABSENT_MEANS[key]);
    const replaces = [
      ...IDENTITY_INPUTS,
      ...extras.filter(([, i]) => i.onChange === "replace").map(([k]) => k),
    ].filter(changed);
    // A failed or canceled operation no longer matches the desired state: start a new one.
    if (olds.status === "failed" || olds.status === "canceled") replaces.push("status");
    const updates = [
      ...WAITING_INPUTS,
      ...extras.filter(([, i]) => i.onChange === "update").map(([k]) => k),
    ].filter(changed);
    // An operation still running (e.g. after a timeout) is resumed by an update, unless it rests where this
    // kind stops waiting (a publish at sign-off): there is nothing to wait for until the publisher acts.
    const resume = olds.status === "running" && filled.wait !== false && olds.awaitingSignoff !== true;
    return {
      changes: replaces.length > 0 || updates.length > 0 || resume,
      replaces,
      deleteBeforeReplace: true,
    };
  }

  async create(raw: pulumi.Inputs, control: CallControl = {}): Promise<pulumi.dynamic.CreateResult> {
    const inputs = this.#inputs(raw);
    const { signal } = control;
    const backend = this.#backend(inputs);
    const what = backend.offer;
    for (const [property, input] of Object.entries<KindInput>(this.spec.inputs))
      if (input.apis && !input.apis.includes(backend.api) && raw[property] !== undefined)
        this.#log(`[${what}] ${property} is ignored: the ${backend.service} has no such setting.`);
    // Take over an operation already running (e.g. after an interrupted `pulumi up`), or one that already
    // finished and is still current (e.g. a go-live that finished while a killed run was away).
    const started =
      (await backend.findExisting(this.spec.kind, signal, {
        // Replaced because its triggers changed (e.g. a new image version): a resting publish predates that.
        onlyInProgress: inputs.triggers !== undefined && inputs.triggers.length > 0,
      })) ?? (await backend.start(this.spec.kind, { ...this.spec.startOptions?.(inputs), signal }));
    this.#log(
      started.origin === "attached"
        ? `[${what}] ${this.spec.label} already running; attaching to ${started.operationLocation}`
        : started.origin === "adopted"
          ? `[${what}] ${this.spec.adopted}; adopting ${started.operationLocation} (no new ${this.spec.label})`
          : `[${what}] ${this.spec.label} accepted; operation ${started.operationLocation}`,
    );
    const outs: OperationOutputs = {
      ...inputs,
      operationLocation: started.operationLocation,
      operationId: started.operationId ?? operationIdFromLocation(started.operationLocation),
      ...(started.productId ? { productId: started.productId } : {}),
      ...(started.submissionId ? { submissionId: started.submissionId } : {}),
      status: "running",
      attached: started.origin !== "started",
      // An operation taken over keeps its own start (when the API says it): the wait's pace counts from there.
      startedAt: startTimeOf(started.createdAt, this.#now()),
      steps: [],
      messages: [],
      ...(this.spec.stopsAtSignoff ? { awaitingSignoff: false } : {}),
    };
    const id = `${what}/${this.spec.kind}/${outs.operationId ?? outs.submissionId ?? "operation"}`;
    const final = await this.#follow(backend, inputs, outs, id, raw[PROVIDER_KEY], control);
    return { id, outs: forState(final) };
  }

  async update(
    id: pulumi.ID,
    olds: pulumi.Inputs,
    news: pulumi.Inputs,
    control: CallControl = {},
  ): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = this.#inputs(news);
    const previous = olds as Partial<OperationOutputs>;
    if (typeof previous.operationLocation !== "string") {
      throw new Error(
        `${id} has no saved operation location; run \`pulumi up --replace <URN>\` (\`pulumi stack --show-urns\` lists it) to start a new ${this.spec.label}.`,
      );
    }
    const outs: OperationOutputs = {
      ...(previous as OperationOutputs),
      ...inputs,
      steps: previous.steps ?? [],
      messages: previous.messages ?? [],
    };
    const backend = this.#backend(inputs);
    if (outs.status === "running") {
      this.#log(`[${backend.offer}] resuming ${this.spec.label} ${outs.operationLocation} (no new request)`);
      return { outs: forState(await this.#follow(backend, inputs, outs, id, news[PROVIDER_KEY], control)) };
    }
    return { outs: forState(outs) };
  }

  async read(id: pulumi.ID, props: pulumi.Inputs): Promise<pulumi.dynamic.ReadResult> {
    const outs = { ...(props as OperationOutputs) };
    if (typeof outs.operationLocation !== "string") return { id, props };
    const inputs = this.#inputs(props);
    const backend = this.#backend(inputs);
    try {
      const { snapshot, handle } = await backend.readOperation(this.spec.kind, outs);
      return { id, props: forState(this.#apply({ ...outs, ...handle }, snapshot)) };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    // The operation record is gone; the offer tells whether there is anything left to track.
    try {
      return { id, props: forState(await this.#fromOffer(backend, outs)) };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      this.#log(`[${backend.offer}] the offer no longer exists; removing ${id} from the stack.`);
      return { id: "", props: {} };
    }
  }

  /**
   * The operation record answered 404 (records do not live forever): the resource takes its status from the
   * offer's (`statusFromOffer`), so it never keeps `running` beside a status that says otherwise, and a
   * later `pulumi up` does not resume a wait that cannot succeed.
   */
  async #fromOffer(backend: OfferBackend, outs: OperationOutputs): Promise<OperationOutputs> {
    const offer = await backend.offerStatus();
    const derived = statusFromOffer(this.spec.kind, offer);
    this.#log(
      `[${backend.offer}] the ${this.spec.label} operation ${outs.operationLocation} is no longer available (HTTP 404); the offer's status is ${offer.status || "empty"}: ${derived.note}`,
    );
    return {
      ...outs,
      status: derived.status,
      rawStatus: offer.status,
      messages: [derived.note],
      ...(this.spec.stopsAtSignoff ? { awaitingSignoff: derived.awaitingSignoff } : {}),
      ...(derived.status !== "running" && !outs.completedAt
        ? { completedAt: new Date(this.#now()).toISOString() }
        : {}),
    };
  }

  async delete(_id: pulumi.ID, props: pulumi.Inputs): Promise<void> {
    const ingestion = props.api === "ingestion";
    const what = ingestion ? `${props.offerId}` : `${props.publisherId}/${props.offerId}`;
    const emails =
      Array.isArray(props.notificationEmails) && props.notificationEmails.length > 0
        ? ` --notification-emails ${props.notificationEmails.join(",")}`
        : "";
    const cancel = ingestion
      ? `\`npx pulumi-cloudpartner cancel --api ingestion ${props.offerId} --job ${props.operationId ?? "<jobId>"}\``
      : `\`npx pulumi-cloudpartner cancel ${props.publisherId} ${props.offerId}${emails}\``;
    const service = ingestion ? "Product Ingestion API" : "Cloud Partner Portal API";
    const state =
      props.status !== "running"
        ? "so the offer stays as it is."
        : props.awaitingSignoff === true
          ? `and the preview stays ready for go-live (to withdraw it, cancel with ${cancel}).`
          : `and the operation ${props.operationLocation} keeps running (cancel it with ${cancel}).`;
    this.#log(
      `[${what}] removing the ${this.spec.label} record from the stack only: the ${service} cannot undo a ${this.spec.label}, ${state}`,
    );
  }

  /** Polls (when `wait`) or reads once, and turns every post-acceptance failure into a ResourceInitError. */
  async #follow(
    backend: OfferBackend,
    inputs: OperationInputs,
    outs: OperationOutputs,
    id: string,
    serializedProvider: unknown,
    control: CallControl = {},
  ): Promise<OperationOutputs> {
    const what = backend.offer;
    exitWithEngine();
    let current = outs;
    // Handle fields learned while polling (the submission a publish created) are kept and used from then on.
    const read = async (signal?: AbortSignal, limits?: ReadLimits) => {
      const polled = await backend.readOperation(this.spec.kind, current as OperationHandle, signal, limits);
      if (polled.handle) current = { ...current, ...polled.handle };
      return polled;
    };
    try {
      if (!inputs.wait) {
        const { snapshot } = await read(control.signal);
        return this.#apply(current, snapshot);
      }
      const tokens = this.#tokenProvider(inputs);
      const now = this.#now();
      const warning = staticTokenWarning(tokens, now, now + inputs.timeoutSeconds * 1000);
      if (warning) this.#log(`[${what}] ${warning}`);
      const options: PollOperationOptions = {
        pollIntervalMs: inputs.pollIntervalSeconds * 1000,
        maxPollIntervalMs: inputs.maxPollIntervalSeconds * 1000,
        // The earlier of timeoutSeconds and the caller's deadline (the poller needs a positive time).
        timeoutMs: Math.max(
          1,
          Math.min(
            inputs.timeoutSeconds * 1000,
            (control.deadlineMs ?? Number.POSITIVE_INFINITY) - this.#now(),
          ),
        ),
        signal: control.signal,
        // A resumed wait keeps the pace of the operation's age instead of starting over at pollIntervalSeconds.
        startedAtMs: Date.parse(outs.startedAt),
        heartbeatIntervalMs: this.hooks.heartbeatIntervalMs,
        clock: this.hooks.clock,
        publisherId: inputs.publisherId,
        offerId: inputs.offerId,
        service: backend.service,
        label: this.spec.label,
        until: this.spec.stopsAtSignoff ? isAwaitingSignoff : undefined,
        onProgress: (event) => {
          if (event.snapshot) current = this.#apply(current, event.snapshot);
          this.#log(progressLine(what, this.spec.label, event));
        },
      };
      const final = await pollOperation(read, outs.operationLocation, options);
      current = this.#apply(current, final);
      this.#log(`[${what}] ${this.spec.label} ${outcomeOf(current, backend)}`);
      return current;
    } catch (error) {
      if (error instanceof NotFoundError) {
        const fromOffer = await this.#fromOffer(backend, current).catch((offerError: unknown) => {
          throw offerError instanceof NotFoundError
            ? new Error(
                `${error.message} The offer ${what} no longer exists either; run \`pulumi refresh\` to drop ${id} from the stack.`,
              )
            : offerError;
        });
        if (fromOffer.status !== "running" || fromOffer.awaitingSignoff === true) return fromOffer;
        const message =
          `The ${this.spec.label} operation ${current.operationLocation} is no longer available (HTTP 404), and the offer's status is ${fromOffer.rawStatus}: an operation still runs for ${what}, but this resource cannot follow it without its record. ` +
          `Either run \`pulumi up --replace <this resource's URN>\` (\`pulumi stack --show-urns\` lists it): the new resource attaches to the running ${this.spec.label} if the offer lists one (nothing is sent while one runs); ` +
          `or wait until \`npx pulumi-cloudpartner status ${backend.api === "ingestion" ? `--api ingestion ${inputs.offerId}` : `${inputs.publisherId} ${inputs.offerId}`}\` shows it ended, then run \`pulumi refresh\` and \`pulumi up\`.`;
        throw new ResourceInitError(
          message,
          id,
          forState({ ...fromOffer, [PROVIDER_KEY]: serializedProvider }),
          [message],
        );
      }
      if (error instanceof CloudPartnerError && error.code === "CPP_OPERATION_FAILED")
        current = { ...current, status: "failed" };
      if (error instanceof CloudPartnerError && error.code === "CPP_OPERATION_CANCELED")
        current = { ...current, status: "canceled" };
      let message = (error as Error).message;
      if (error instanceof AuthenticationError && !this.#tokenProvider(inputs).canRefresh)
        message = staticTokenRefused(
          this.#tokenProvider(inputs),
          `the ${this.spec.label} of ${what}`,
          error.apiMessage,
        );
      if (current.status === "running") {
        // Whatever stopped the wait (timeout messages say so already), the operation itself goes on.
        const resume = `The ${this.spec.label} keeps running on ${backend.service}; run \`pulumi up\` again to resume waiting (it is not sent again).`;
        if (!message.includes("pulumi up")) message = `${message} ${resume}`;
      }
      // The host drops __provider on this path; without it a later update or delete could not load us.
      throw new ResourceInitError(message, id, forState({ ...current, [PROVIDER_KEY]: serializedProvider }), [
        message,
      ]);
    }
  }

  /** The common checks plus this kind's own inputs; fills defaults and normalizes. */
  #check(news: pulumi.Inputs): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
    const { inputs, failures } = checkOperationInputs(news);
    for (const [property, input] of Object.entries<KindInput>(this.spec.inputs)) {
      if (inputs[property] === UNKNOWN_VALUE) continue;
      if (input.apis && !input.apis.includes((inputs.api ?? "cpp") as ApiName)) continue;
      const checked = input.check(inputs[property]);
      // The host cannot serialize `undefined` (a missing input): leave it out, the failure says why.
      if (checked.value !== undefined) inputs[property] = checked.value;
      failures.push(...checked.problems.map((reason) => ({ property, reason })));
    }
    return { inputs, failures };
  }

  /** The checked inputs, common and this kind's own; throws naming every invalid one. */
  #inputs(raw: pulumi.Inputs): OperationInputs & Extra {
    const { inputs, failures } = this.#check(raw);
    if (failures.length) throw new Error(failures.map((f) => f.reason).join(" "));
    const pick = inputs as unknown as OperationInputs;
    const extras = Object.fromEntries(Object.keys(this.spec.inputs).map((key) => [key, inputs[key]]));
    return {
      ...(pick.api !== undefined ? { api: pick.api } : {}),
      publisherId: pick.publisherId,
      offerId: pick.offerId,
      endpoint: pick.endpoint,
      apiVersion: pick.apiVersion,
      wait: pick.wait,
      timeoutSeconds: pick.timeoutSeconds,
      pollIntervalSeconds: pick.pollIntervalSeconds,
      maxPollIntervalSeconds: pick.maxPollIntervalSeconds,
      requestTimeoutSeconds: pick.requestTimeoutSeconds,
      ...(pick.triggers !== undefined ? { triggers: pick.triggers } : {}),
      ...(extras as Extra),
    };
  }

  /** Applies a poll's snapshot, plus what this kind derives from it. */
  #apply(outs: OperationOutputs, snapshot: OperationSnapshot): OperationOutputs {
    const applied = applySnapshot(outs, snapshot, this.#now());
    return this.spec.stopsAtSignoff ? { ...applied, awaitingSignoff: isAwaitingSignoff(snapshot) } : applied;
  }

  /** The token source for this resource's API (one per Azure AD scope, made on first use). */
  #tokenProvider(inputs: OperationInputs): TokenProvider {
    return this.#tokens.for(inputs.api ?? "cpp");
  }

  #backend(inputs: OperationInputs): OfferBackend {
    return createBackend(
      backendOptions(inputs, this.#tokenProvider(inputs), this.hooks, (line) => this.#log(line)),
    );
  }

  #log(line: string): void {
    (this.hooks.log ?? console.log)(line);
  }

  #now(): number {
    return (this.hooks.clock ?? Date).now();
  }

  /** Never serialize configuration or hooks (they may hold a token). */
  toJSON(): Record<string, string> {
    return { kind: this.spec.kind };
  }
}

/** Applies what a poll returned to the outputs. */
export function applySnapshot(
  outs: OperationOutputs,
  snapshot: OperationSnapshot,
  nowMs: number,
): OperationOutputs {
  const attention = snapshot.steps.find(
    (s) => s.messages.length > 0 && s.status.toLowerCase() !== "complete",
  );
  const terminal = snapshot.status !== "running";
  return {
    ...outs,
    status: snapshot.status,
    rawStatus: snapshot.rawStatus,
    currentStep: snapshot.currentStep?.name ?? outs.currentStep,
    steps: snapshot.steps.map((s) => ({
      name: s.name,
      status: s.status,
      ...(s.progressPercentage !== undefined ? { progressPercentage: s.progressPercentage } : {}),
      ...(s.messages.length ? { messages: s.messages.slice(-5) } : {}),
    })),
    messages: [
      ...new Set([...(attention?.messages ?? []), ...(snapshot.error ? [snapshot.error] : [])]),
    ].slice(-10),
    ...(terminal && !outs.completedAt ? { completedAt: new Date(nowMs).toISOString() } : {}),
  };
}

/**
 * Outputs as the provider host can store them: it rejects `undefined` ("Unexpected struct type"), which
 * would fail a deployment after the API accepted the operation, so absent values are left out.
 */
export function forState<T extends object>(outputs: T): T {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined)) as T;
}

/**
 * What an operation whose record is gone (HTTP 404) amounts to, from the offer's status (which describes the
 * offer's latest operation): `live`/succeeded → succeeded; failed; canceled; `neverPublished`/`notStarted`
 * (nothing ran, nothing runs) → failed; `waitingForPublisherReview` → a publish rests at sign-off (running,
 * awaiting sign-off: not resumed), while for a go-live it means the go-live did not take (failed, so the next
 * `pulumi up` starts one); anything else still running → running.
 */
export function statusFromOffer(
  kind: OperationKind,
  offer: Pick<OfferStatusReport, "status" | "awaitingSignoff">,
): { status: OperationStatus; awaitingSignoff: boolean; note: string } {
  const key = offer.status.toLowerCase().replace(/[^a-z]/g, "");
  if (key === "live") return { status: "succeeded", awaitingSignoff: false, note: "the offer is live." };
  if (key === "neverpublished" || key === "notstarted")
    return {
      status: "failed",
      awaitingSignoff: false,
      note: `nothing runs for the offer; the next \`pulumi up\` starts a new ${kind === "golive" ? "go-live" : "publish"}.`,
    };
  if (offer.awaitingSignoff)
    return kind === "publish"
      ? {
          status: "running",
          awaitingSignoff: true,
          note: "the preview is ready: review the preview links, then go live (OfferGoLive).",
        }
      : {
          status: "failed",
          awaitingSignoff: false,
          note: "the offer waits for its go-live, so this go-live did not take; the next `pulumi up` starts one.",
        };
  const normalized = normalizeStatus(offer.status);
  if (normalized.status !== "running")
    return {
      status: normalized.status,
      awaitingSignoff: false,
      note: `the offer's latest operation ${normalized.status}.`,
    };
  return {
    status: "running",
    awaitingSignoff: false,
    note: `an operation still runs for the offer${normalized.recognized ? "" : ` (status ${JSON.stringify(offer.status)} is not one this client knows)`}.`,
  };
}

/** `startedAt` for a new resource: the API's start time when it is a valid time not in the future, else now. */
function startTimeOf(createdAt: string | undefined, nowMs: number): string {
  const at = Date.parse(createdAt ?? "");
  return new Date(Number.isNaN(at) || at > nowMs ? nowMs : at).toISOString();
}

/** How a wait ended, for the last progress line. */
function outcomeOf(outs: OperationOutputs, backend: OfferBackend): string {
  if (outs.awaitingSignoff && backend.api === "ingestion")
    return `stopped at ${outs.currentStep ?? "the sign-off step"}: the preview is ready. Review it, then go live (OfferGoLive).`;
  if (outs.awaitingSignoff) {
    return (
      `stopped at ${outs.currentStep ?? "the sign-off step"}: the preview is ready. ` +
      "Review the preview links, then go live (OfferGoLive): the go-live is the sign-off."
    );
  }
  return outs.status === "succeeded" ? "succeeded." : `reached ${outs.currentStep ?? outs.rawStatus}.`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Takes an offer live: POST .../golive, then waits for the operation to end. */
export class OfferGoLiveProvider extends OperationResourceProvider {
  constructor(hooks: ProviderHooks = {}) {
    super(
      {
        kind: "golive",
        label: "go-live",
        adopted: "the latest published version already went live",
        inputs: {},
      },
      hooks,
    );
  }
}

/** Inputs `OfferPublish` adds. */
export interface PublishInputs {
  /** Optional: without it the publish request has no body (the API ignores the addresses for migrated offers). */
  notificationEmails?: string[];
}

/**
 * Publishes an offer: POST .../publish (with the notification e-mails when given), then waits until the
 * preview is ready (the publish rests at its sign-off step) or the publish ends. The next move is the
 * publisher's: review the preview links, then go live (OfferGoLive); the go-live is the sign-off. Changing the e-mails is recorded in place:
 * re-publishing would restart certification for a list of recipients.
 */
export class OfferPublishProvider extends OperationResourceProvider<PublishInputs> {
  constructor(hooks: ProviderHooks = {}) {
    super(
      {
        kind: "publish",
        label: "publish",
        adopted: "the current version was already published and its preview is ready",
        inputs: {
          notificationEmails: {
            check: (value) =>
              value === undefined || value === null
                ? { value: undefined, problems: [] }
                : checkNotificationEmails(value),
            onChange: "update",
            apis: ["cpp"],
          },
        },
        startOptions: (inputs) => ({ notificationEmails: inputs.notificationEmails }),
        stopsAtSignoff: true,
      },
      hooks,
    );
  }
}
