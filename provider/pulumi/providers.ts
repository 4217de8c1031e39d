/**
 * The dynamic resource providers: check/diff/create/read/update/delete for offer operations (go-live,
 * publish). This module runs inside Pulumi's dynamic provider host, loaded at run time by the thin
 * serialized provider in `resource.ts`; nothing here is serialized into state, so the token read in
 * `configure` lives only in this process's memory.
 */

import type * as pulumi from "@pulumi/pulumi";
import { createBackend, scopeOf } from "../backends";
import { resolveTokenProvider, type TokenProvider } from "../core/auth";
import type { OfferBackend, OperationKind, StartOptions } from "../core/backend";
import { CloudPartnerError, NotFoundError } from "../core/errors";
import type { HttpTransport } from "../core/http";
import { operationIdFromLocation } from "../core/location";
import { isAwaitingSignoff, type OperationSnapshot } from "../core/operation";
import type { Clock } from "../core/options";
import { type PollOperationOptions, pollOperation, progressLine } from "../core/poller";
import type { OperationStatus } from "../core/status";
import {
  type CheckFailure,
  checkOperationInputs,
  type OperationInputs,
  UNKNOWN_VALUE,
} from "../core/validate";
import { checkNotificationEmails } from "../cpp/emails";

/** The Pulumi config key holding the bearer token (set it with `pulumi config set --secret`). */
export const ACCESS_TOKEN_CONFIG_KEY = "cloudpartner:accessToken";
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
  if (engineWatch || !/[\\/]dynamic-provider[\\/]index\.js$/.test(process.argv[1] ?? "")) return;
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

/** Test and advanced-use hooks; every one is optional. */
export interface ProviderHooks {
  tokenProvider?: TokenProvider;
  transport?: HttpTransport;
  clock?: Clock;
  /** Where progress lines go. Default `console.log` (the Pulumi CLI shows them). */
  log?: (line: string) => void;
  /** Overrides the heartbeat interval (default 5 minutes). */
  heartbeatIntervalMs?: number;
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
const IDENTITY_INPUTS = ["publisherId", "offerId", "endpoint", "apiVersion", "triggers"];
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
  #accessToken?: string;
  /** One token source per Azure AD scope (each API has its own audience), made on first use. */
  readonly #tokens = new Map<string, TokenProvider>();

  protected constructor(
    private readonly spec: KindSpec<Extra>,
    private readonly hooks: ProviderHooks = {},
  ) {}

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    const token = req.config.get(ACCESS_TOKEN_CONFIG_KEY);
    this.#accessToken = typeof token === "string" && token !== "" ? token : undefined;
    this.#tokens.clear();
  }

  async check(_olds: pulumi.Inputs, news: pulumi.Inputs): Promise<pulumi.dynamic.CheckResult> {
    return this.#check(news);
  }

  async diff(_id: pulumi.ID, olds: pulumi.Inputs, news: pulumi.Inputs): Promise<pulumi.dynamic.DiffResult> {
    const filled = this.#check(news).inputs;
    const extras = Object.entries<KindInput>(this.spec.inputs);
    const changed = (key: string) => !sameValue(olds[key], filled[key]);
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

  async create(raw: pulumi.Inputs): Promise<pulumi.dynamic.CreateResult> {
    const inputs = this.#inputs(raw);
    const backend = this.#backend(inputs);
    const what = backend.offer;
    // Take over an operation already running (e.g. after an interrupted `pulumi up`), or one that already
    // finished and is still current (e.g. a go-live that finished while a killed run was away).
    const started =
      (await backend.findExisting(this.spec.kind)) ??
      (await backend.start(this.spec.kind, this.spec.startOptions?.(inputs) ?? {}));
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
      status: "running",
      attached: started.origin !== "started",
      startedAt: new Date(this.#now()).toISOString(),
      steps: [],
      messages: [],
      ...(this.spec.stopsAtSignoff ? { awaitingSignoff: false } : {}),
    };
    const id = `${what}/${this.spec.kind}/${outs.operationId ?? "operation"}`;
    const final = await this.#follow(backend, inputs, outs, id, raw[PROVIDER_KEY]);
    return { id, outs: forState(final) };
  }

  async update(
    id: pulumi.ID,
    olds: pulumi.Inputs,
    news: pulumi.Inputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const inputs = this.#inputs(news);
    const previous = olds as Partial<OperationOutputs>;
    if (typeof previous.operationLocation !== "string") {
      throw new Error(
        `${id} has no saved operation location; run \`pulumi up --replace ${id}\` to start a new ${this.spec.label}.`,
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
      return { outs: forState(await this.#follow(backend, inputs, outs, id, news[PROVIDER_KEY])) };
    }
    return { outs: forState(outs) };
  }

  async read(id: pulumi.ID, props: pulumi.Inputs): Promise<pulumi.dynamic.ReadResult> {
    const outs = { ...(props as OperationOutputs) };
    if (typeof outs.operationLocation !== "string") return { id, props };
    const inputs = this.#inputs(props);
    const backend = this.#backend(inputs);
    try {
      const { snapshot } = await backend.readOperation(this.spec.kind, outs);
      return { id, props: forState(this.#apply(outs, snapshot)) };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    // The operation record is gone; the offer tells whether there is anything left to track.
    try {
      const offer = await backend.offerStatus();
      this.#log(
        `[${backend.offer}] the operation ${outs.operationLocation} is no longer available; the offer's status is ${offer.status}.`,
      );
      const awaiting = this.spec.stopsAtSignoff ? { awaitingSignoff: offer.awaitingSignoff } : {};
      return { id, props: forState({ ...outs, rawStatus: offer.status, ...awaiting }) };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      this.#log(`[${backend.offer}] the offer no longer exists; removing ${id} from the stack.`);
      return { id: "", props: {} };
    }
  }

  async delete(_id: pulumi.ID, props: pulumi.Inputs): Promise<void> {
    const what = `${props.publisherId}/${props.offerId}`;
    const emails = Array.isArray(props.notificationEmails)
      ? props.notificationEmails.join(",")
      : "<you@example.com>";
    const cancel = `\`npx pulumi-cloudpartner cancel ${props.publisherId} ${props.offerId} --notification-emails ${emails}\``;
    const state =
      props.status !== "running"
        ? "so the offer stays as it is."
        : props.awaitingSignoff === true
          ? `and the preview keeps waiting for the publisher's sign-off (to withdraw it, cancel with ${cancel}).`
          : `and the operation ${props.operationLocation} keeps running (cancel it with ${cancel}).`;
    this.#log(
      `[${what}] removing the ${this.spec.label} record from the stack only: the Cloud Partner Portal API cannot undo a ${this.spec.label}, ${state}`,
    );
  }

  /** Polls (when `wait`) or reads once, and turns every post-acceptance failure into a ResourceInitError. */
  async #follow(
    backend: OfferBackend,
    inputs: OperationInputs,
    outs: OperationOutputs,
    id: string,
    serializedProvider: unknown,
  ): Promise<OperationOutputs> {
    const what = backend.offer;
    exitWithEngine();
    const read = (signal?: AbortSignal) => backend.readOperation(this.spec.kind, outs, signal);
    let current = outs;
    try {
      if (!inputs.wait) {
        const { snapshot } = await read();
        return this.#apply(current, snapshot);
      }
      const options: PollOperationOptions = {
        pollIntervalMs: inputs.pollIntervalSeconds * 1000,
        maxPollIntervalMs: inputs.maxPollIntervalSeconds * 1000,
        timeoutMs: inputs.timeoutSeconds * 1000,
        heartbeatIntervalMs: this.hooks.heartbeatIntervalMs,
        clock: this.hooks.clock,
        publisherId: inputs.publisherId,
        offerId: inputs.offerId,
        label: this.spec.label,
        until: this.spec.stopsAtSignoff ? isAwaitingSignoff : undefined,
        onProgress: (event) => {
          if (event.snapshot) current = this.#apply(current, event.snapshot);
          this.#log(progressLine(what, this.spec.label, event));
        },
      };
      const final = await pollOperation(read, outs.operationLocation, options);
      current = this.#apply(current, final);
      this.#log(`[${what}] ${this.spec.label} ${outcomeOf(current)}`);
      return current;
    } catch (error) {
      if (error instanceof CloudPartnerError && error.code === "CPP_OPERATION_FAILED")
        current = { ...current, status: "failed" };
      if (error instanceof CloudPartnerError && error.code === "CPP_OPERATION_CANCELED")
        current = { ...current, status: "canceled" };
      let message = (error as Error).message;
      if (current.status === "running") {
        // Whatever stopped the wait (timeout messages say so already), the operation itself goes on.
        const resume = `The ${this.spec.label} keeps running on the Cloud Partner Portal; run \`pulumi up\` again to resume waiting (it is not sent again).`;
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

  #backend(inputs: OperationInputs): OfferBackend {
    const api = inputs.api ?? "cpp";
    const scope = scopeOf(api);
    let tokens = this.hooks.tokenProvider ?? this.#tokens.get(scope);
    if (!tokens) {
      tokens = resolveTokenProvider({ accessToken: this.#accessToken, scope });
      this.#tokens.set(scope, tokens);
    }
    return createBackend({
      api,
      publisherId: inputs.publisherId,
      offerId: inputs.offerId,
      endpoint: inputs.endpoint,
      apiVersion: inputs.apiVersion,
      tokenProvider: tokens,
      requestTimeoutMs: inputs.requestTimeoutSeconds * 1000,
      transport: this.hooks.transport,
      clock: this.hooks.clock,
      log: (line) => this.#log(`[${inputs.publisherId}/${inputs.offerId}] ${line}`),
    });
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

/** How a wait ended, for the last progress line. */
function outcomeOf(outs: OperationOutputs): string {
  if (outs.awaitingSignoff) {
    return (
      `stopped at ${outs.currentStep ?? "the sign-off step"}: the preview is ready and waits for the publisher's sign-off. ` +
      "Review the preview, sign off in the Cloud Partner Portal, then go live."
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
  notificationEmails: string[];
}

/**
 * Publishes an offer: POST .../publish with the notification e-mails, then waits until the preview is
 * ready for the publisher's sign-off (or the publish ends). Changing the e-mails is recorded in place:
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
          notificationEmails: { check: (value) => checkNotificationEmails(value), onChange: "update" },
        },
        startOptions: (inputs) => ({ notificationEmails: inputs.notificationEmails }),
        stopsAtSignoff: true,
      },
      hooks,
    );
  }
}
