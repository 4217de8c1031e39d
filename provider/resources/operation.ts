/**
 * The lifecycle shared by every offer operation resource (go-live, publish): check/diff/create/read/update/delete,
 * whichever front door calls it (the dynamic provider host loads it through `provider/provider.ts`, the native
 * plugin through `native/`). Nothing here is serialized into state, so the token read in `configure` lives only
 * in this process's memory.
 */

import { apiProfile, createBackend } from "../backends";
import { staticTokenRefused, staticTokenWarning, type TokenProvider } from "../core/auth";
import type {
  ApiName,
  OfferBackend,
  OperationHandle,
  OperationKind,
  ReadLimits,
  StartOptions,
} from "../core/backend";
import { canonical } from "../core/canonical";
import { AuthenticationError, CloudPartnerError, NotFoundError, ProtocolError } from "../core/errors";
import { operationIdFromLocation } from "../core/location";
import { isAwaitingSignoff, type OperationSnapshot } from "../core/operation";
import { type PollOperationOptions, pollOperation, progressLine } from "../core/poller";
import {
  type CheckFailure,
  checkOperationInputs,
  type OperationInputs,
  UNKNOWN_VALUE,
} from "../core/validate";
import {
  backendOptions,
  type LogSeverity,
  type ProviderHooks,
  ProviderTokens,
  progressSeverity,
} from "./connection";
import { exitWithEngine } from "./engine-watch";
import { applySnapshot, forState, type OperationOutputs, ResourceInitError } from "./outputs";
import { isFinished, statusFromList, statusFromOffer } from "./status-from-offer";
import type {
  CheckResult,
  ConfigureRequest,
  CreateResult,
  DiffResult,
  Inputs,
  LifecycleProvider,
  ReadResult,
  UpdateResult,
} from "./types";

export { ACCESS_TOKEN_CONFIG_KEY, type ProviderHooks } from "./connection";

const PROVIDER_KEY = "__provider";

/**
 * Set by `check` when the resource already exists and has `triggers`: whether they changed since its last
 * deployment. `create` only sees the new inputs, and a replace has many causes (`endpoint`, `apiVersion`,
 * `pulumi up --replace`); only a change of the triggers (e.g. a new image version in the draft) makes an
 * operation that already rests at its preview or finished out of date. Absent (a first create, or one after a
 * killed run cleared with `--clear-pending-creates`): the old triggers are unknown, so they count as changed.
 */
export const TRIGGERS_CHANGED_KEY = "__triggersChanged";

/**
 * Per-call control a front door other than the dynamic host passes to `create`/`update` (the native provider:
 * its Cancel RPC and the engine's `customTimeouts`). Both optional; the dynamic host passes neither.
 */
export interface CallControl {
  /** Aborts in-flight requests and the wait at once; the operation is saved as partial state. */
  signal?: AbortSignal;
  /** Stop waiting at this time (ms since the epoch on the provider's clock) if `timeoutSeconds` ends later. */
  deadlineMs?: number;
  /** Where `deadlineMs` comes from, for the message when it ends the wait (e.g. customTimeouts.create). */
  deadlineSetting?: { name: string; description: string };
}

/** An input one kind adds to the common ones (publish: `notificationEmails`). It is kept in the outputs. */
export interface KindInput {
  /**
   * Validates a value (never called with one still unknown during preview) and returns it normalized; `api` is
   * the resource's, so an API's own check stays below the seam (`apiProfile(api).startInputs`).
   */
  check(value: unknown, api: ApiName): { value: unknown; problems: string[] };
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
  /** Checks across this kind's inputs (publish: `modular` needs `configuration`); values still unknown are skipped. */
  checkTogether?(inputs: Record<string, unknown>, api: ApiName): CheckFailure[];
  /**
   * What `pulumi preview` shows before this kind's operation is sent (publish: the declared fields whose draft,
   * preview and live values differ): lines to log, read from the API. Called from check (a resource not in
   * state yet) and diff; a failure is logged as a warning and changes nothing.
   */
  plan?(inputs: OperationInputs & Extra, backend: () => OfferBackend): Promise<string[]>;
  /**
   * Stop waiting at the preview sign-off point instead of the end (publish). The output `awaitingSignoff`
   * then says whether the operation rests there, and a resource resting there is not resumed by `pulumi up`.
   */
  stopsAtSignoff?: boolean;
}

/** How long after a diff its plan lines are not shown again by a check of the same inputs (a replacement's). */
const PLAN_REPEAT_MS = 60_000;

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
  implements LifecycleProvider
{
  readonly #tokens: ProviderTokens;
  /** When a diff last showed the plan lines of these inputs (canonical JSON), for the check that follows it. */
  readonly #planned = new Map<string, number>();

  protected constructor(
    private readonly spec: KindSpec<Extra>,
    private readonly hooks: ProviderHooks = {},
  ) {
    this.#tokens = new ProviderTokens(hooks.tokenProvider);
  }

  async configure(req: ConfigureRequest): Promise<void> {
    this.#tokens.configure(req);
  }

  async check(olds: Inputs, news: Inputs): Promise<CheckResult> {
    const checked = this.#check(news);
    // A resource not in state yet has no diff: what its create would send is shown here.
    if (olds.offerId === undefined && checked.failures.length === 0)
      await this.#plan(checked.inputs, "check");
    const triggers = checked.inputs.triggers;
    delete checked.inputs[TRIGGERS_CHANGED_KEY];
    // Only for a resource in state whose triggers are known (in a preview they may not be yet).
    if (
      olds.offerId !== undefined &&
      Array.isArray(triggers) &&
      triggers.length > 0 &&
      !JSON.stringify(triggers).includes(UNKNOWN_VALUE)
    )
      checked.inputs[TRIGGERS_CHANGED_KEY] = !sameValue(olds.triggers, triggers);
    return checked;
  }

  async diff(_id: string, olds: Inputs, news: Inputs): Promise<DiffResult> {
    const checked = this.#check(news);
    const filled = checked.inputs;
    if (checked.failures.length === 0) await this.#plan(filled, "diff");
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

  async create(raw: Inputs, control: CallControl = {}): Promise<CreateResult> {
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
        // Replaced for another reason (endpoint, apiVersion, `--replace`): it is still the current one.
        onlyInProgress:
          inputs.triggers !== undefined && inputs.triggers.length > 0 && raw[TRIGGERS_CHANGED_KEY] !== false,
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

  async update(id: string, olds: Inputs, news: Inputs, control: CallControl = {}): Promise<UpdateResult> {
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

  async read(id: string, props: Inputs): Promise<ReadResult> {
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
   * The operation record answered 404 (records do not live forever). An operation that had already finished
   * keeps its outcome: the offer's status describes the offer's latest operation, which may be a later one (a
   * go-live that succeeded long ago must not read `failed` because a new publish now waits for review, or the
   * diff would replace it and send a go-live nobody asked for). One still running takes its status from its own
   * entry in the offer's list of operations when listed, else from the offer's (`statusFromOffer`), so it never
   * keeps `running` beside a status that says otherwise, and a later `pulumi up` does not resume a wait that
   * cannot succeed. The offer is read either way: when it is gone, the caller removes the resource.
   */
  async #fromOffer(backend: OfferBackend, outs: OperationOutputs): Promise<OperationOutputs> {
    const offer = await backend.offerStatus();
    const gone = `[${backend.offer}] the ${this.spec.label} operation ${outs.operationLocation} is no longer available (HTTP 404)`;
    if (isFinished(outs.status)) {
      this.#log(
        `${gone}; it ended ${outs.status}, and that is kept: the offer's status (${offer.status || "empty"}) describes its latest operation, which may be a later one.`,
      );
      return outs;
    }
    const id = backend.api === "ingestion" ? outs.submissionId : outs.operationId;
    // A list this client cannot read says nothing about this operation: the offer's status is then all there is.
    const listed = await backend.listOperations().catch((error: unknown) => {
      if (error instanceof ProtocolError) return [];
      throw error;
    });
    const derived = statusFromList(this.spec.kind, id, listed) ?? statusFromOffer(this.spec.kind, offer);
    this.#log(
      derived.source === "list"
        ? `${gone}; ${derived.note}`
        : `${gone}; the offer's status is ${offer.status || "empty"}: ${derived.note}`,
    );
    return {
      ...outs,
      status: derived.status,
      rawStatus: derived.rawStatus,
      messages: [derived.note],
      ...(this.spec.stopsAtSignoff ? { awaitingSignoff: derived.awaitingSignoff } : {}),
      ...(derived.status !== "running" && !outs.completedAt
        ? { completedAt: new Date(this.#now()).toISOString() }
        : {}),
    };
  }

  async delete(_id: string, props: Inputs): Promise<void> {
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
      const callerMs = (control.deadlineMs ?? Number.POSITIVE_INFINITY) - this.#now();
      const options: PollOperationOptions = {
        pollIntervalMs: inputs.pollIntervalSeconds * 1000,
        maxPollIntervalMs: inputs.maxPollIntervalSeconds * 1000,
        // The earlier of timeoutSeconds and the caller's deadline (the poller needs a positive time); the
        // timeout message names whichever it was.
        timeoutMs: Math.max(1, Math.min(inputs.timeoutSeconds * 1000, callerMs)),
        ...(callerMs < inputs.timeoutSeconds * 1000 && control.deadlineSetting
          ? { timeoutSetting: control.deadlineSetting }
          : {}),
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
          this.#log(progressLine(what, this.spec.label, event), progressSeverity(event));
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
          `The ${this.spec.label} operation ${current.operationLocation} is no longer available (HTTP 404), and its status as read now is ${fromOffer.rawStatus}: an operation still runs for ${what}, but this resource cannot follow it without its record. ` +
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

  /**
   * Logs this kind's plan lines (`KindSpec.plan`) for inputs that are all known. Reads only; whatever fails is a
   * warning, never a failed preview (the operation's own checks run again before anything is sent).
   */
  async #plan(checked: Record<string, unknown>, from: "check" | "diff"): Promise<void> {
    if (!this.spec.plan || JSON.stringify(checked).includes(UNKNOWN_VALUE)) return;
    let inputs: OperationInputs & Extra;
    try {
      inputs = this.#inputs(checked);
    } catch {
      return;
    }
    // The engine checks a resource it replaces a second time (without olds) right after the diff that said so:
    // that check does not show the diff's lines again. Every diff shows them (the draft may have changed).
    const key = JSON.stringify(canonical(inputs));
    const now = this.#now();
    for (const [planned, at] of this.#planned) if (now - at >= PLAN_REPEAT_MS) this.#planned.delete(planned);
    if (from === "check" && this.#planned.has(key)) return;
    if (from === "diff") this.#planned.set(key, now);
    try {
      // The backend only when the kind reads something (a publish without configuration reads nothing).
      const lines = await this.spec.plan(inputs, () => this.#backend(inputs));
      for (const line of lines) this.#log(line);
    } catch (error) {
      this.#log(
        `[${inputs.offerId}] could not read what the ${this.spec.label} would send (${(error as Error).message}); it is checked again before anything is sent.`,
        "warning",
      );
    }
  }

  /** The common checks plus this kind's own inputs; fills defaults and normalizes. */
  #check(news: Inputs): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
    const { inputs, failures } = checkOperationInputs(news, apiProfile);
    for (const [property, input] of Object.entries<KindInput>(this.spec.inputs)) {
      if (inputs[property] === UNKNOWN_VALUE) continue;
      if (input.apis && !input.apis.includes((inputs.api ?? "cpp") as ApiName)) continue;
      const checked = input.check(inputs[property], (inputs.api ?? "cpp") as ApiName);
      // The host cannot serialize `undefined` (a missing input): leave it out, the failure says why.
      if (checked.value !== undefined) inputs[property] = checked.value;
      failures.push(...checked.problems.map((reason) => ({ property, reason })));
    }
    if (this.spec.checkTogether)
      failures.push(...this.spec.checkTogether(inputs, (inputs.api ?? "cpp") as ApiName));
    return { inputs, failures };
  }

  /** The checked inputs, common and this kind's own; throws naming every invalid one. */
  #inputs(raw: Inputs): OperationInputs & Extra {
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

  #log(line: string, severity: LogSeverity = "info"): void {
    if (this.hooks.log) this.hooks.log(line, severity);
    else console.log(line);
  }

  #now(): number {
    return (this.hooks.clock ?? Date).now();
  }

  /** Never serialize configuration or hooks (they may hold a token). */
  toJSON(): Record<string, string> {
    return { kind: this.spec.kind };
  }
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
