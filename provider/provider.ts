/**
 * The dynamic resource providers: check/diff/create/read/update/delete for offer operations (go-live,
 * publish). This module runs inside Pulumi's dynamic provider host, loaded at run time by the thin
 * serialized provider in `resource.ts`; nothing here is serialized into state, so the token read in
 * `configure` lives only in this process's memory.
 */

import type * as pulumi from "@pulumi/pulumi";
import { resolveTokenProvider, type TokenProvider } from "./auth";
import { CloudPartnerClient, type OperationKind, type StartedOperation } from "./client";
import { CloudPartnerError, NotFoundError } from "./errors";
import type { HttpTransport } from "./http";
import { operationIdFromLocation } from "./location";
import type { OperationSnapshot } from "./operation";
import type { Clock } from "./options";
import { formatDuration, type PollOperationOptions, type ProgressEvent, pollOperation } from "./poller";
import type { OperationStatus } from "./status";
import { type CheckFailure, checkOperationInputs, type OperationInputs } from "./validate";

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

interface KindSpec {
  kind: OperationKind;
  /** Human name for messages: "go-live", "publish". */
  label: string;
  /** Extra input checks (e.g. notification e-mails). */
  check?: (inputs: Record<string, unknown>) => CheckFailure[];
  start(client: CloudPartnerClient, inputs: Record<string, unknown>): Promise<StartedOperation>;
  /** Stop waiting before the operation is terminal (publish: at the publisher sign-off point). */
  until?: (snapshot: OperationSnapshot) => boolean;
  /** Inputs whose change needs a new operation. */
  replaceOn: string[];
}

/** The machinery shared by every operation resource; a subclass only names its kind. */
export abstract class OperationResourceProvider implements pulumi.dynamic.ResourceProvider {
  #accessToken?: string;
  #tokens?: TokenProvider;

  protected constructor(
    private readonly spec: KindSpec,
    private readonly hooks: ProviderHooks = {},
  ) {}

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    const token = req.config.get(ACCESS_TOKEN_CONFIG_KEY);
    this.#accessToken = typeof token === "string" && token !== "" ? token : undefined;
    this.#tokens = undefined;
  }

  async check(_olds: pulumi.Inputs, news: pulumi.Inputs): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkOperationInputs(news);
    failures.push(...(this.spec.check?.(inputs) ?? []));
    return { inputs, failures };
  }

  async diff(_id: pulumi.ID, olds: pulumi.Inputs, news: pulumi.Inputs): Promise<pulumi.dynamic.DiffResult> {
    const filled = checkOperationInputs(news).inputs;
    const replaces = this.spec.replaceOn.filter((key) => !sameValue(olds[key], filled[key]));
    // A failed or canceled operation no longer matches the desired state: start a new one.
    if (olds.status === "failed" || olds.status === "canceled") replaces.push("status");
    const updates = [
      "wait",
      "timeoutSeconds",
      "pollIntervalSeconds",
      "maxPollIntervalSeconds",
      "requestTimeoutSeconds",
    ].filter((key) => !sameValue(olds[key], filled[key]));
    // An operation still running (e.g. after a timeout) is resumed by an update.
    const resume = olds.status === "running" && filled.wait !== false;
    return {
      changes: replaces.length > 0 || updates.length > 0 || resume,
      replaces,
      deleteBeforeReplace: true,
    };
  }

  async create(raw: pulumi.Inputs): Promise<pulumi.dynamic.CreateResult> {
    const inputs = this.#inputs(raw);
    const client = this.#client(inputs);
    const what = `${inputs.publisherId}/${inputs.offerId}`;
    // Attach to an operation of this kind that is already running (e.g. after an interrupted `pulumi up`).
    const running = await client.findRunningOperation(inputs.publisherId, inputs.offerId, this.spec.kind);
    const started = running ?? (await this.spec.start(client, raw));
    this.#log(
      started.attached
        ? `[${what}] ${this.spec.label} already running; attaching to ${started.operationLocation}`
        : `[${what}] ${this.spec.label} accepted; operation ${started.operationLocation}`,
    );
    const outs: OperationOutputs = {
      ...inputs,
      ...this.#extraInputs(raw),
      operationLocation: started.operationLocation,
      operationId: started.operationId ?? operationIdFromLocation(started.operationLocation),
      status: "running",
      attached: started.attached,
      startedAt: new Date(this.#now()).toISOString(),
      steps: [],
      messages: [],
    };
    const id = `${what}/${this.spec.kind}/${outs.operationId ?? "operation"}`;
    const final = await this.#follow(client, inputs, outs, id, raw[PROVIDER_KEY]);
    return { id, outs: final };
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
      ...this.#extraInputs(news),
      steps: previous.steps ?? [],
      messages: previous.messages ?? [],
    };
    const client = this.#client(inputs);
    if (outs.status === "running") {
      this.#log(
        `[${inputs.publisherId}/${inputs.offerId}] resuming ${this.spec.label} ${outs.operationLocation} (no new request)`,
      );
      return { outs: await this.#follow(client, inputs, outs, id, news[PROVIDER_KEY]) };
    }
    return { outs };
  }

  async read(id: pulumi.ID, props: pulumi.Inputs): Promise<pulumi.dynamic.ReadResult> {
    const outs = { ...(props as OperationOutputs) };
    if (typeof outs.operationLocation !== "string") return { id, props };
    const inputs = this.#inputs(props);
    const client = this.#client(inputs);
    try {
      const { snapshot } = await client.getOperation(outs.operationLocation);
      return { id, props: applySnapshot(outs, snapshot, this.#now()) };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    // The operation record is gone; the offer tells whether there is anything left to track.
    try {
      const offer = await client.getOfferStatus(inputs.publisherId, inputs.offerId);
      this.#log(
        `[${inputs.publisherId}/${inputs.offerId}] the operation ${outs.operationLocation} is no longer available; the offer's status is ${offer.status}.`,
      );
      return { id, props: { ...outs, rawStatus: offer.status } };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      this.#log(
        `[${inputs.publisherId}/${inputs.offerId}] the offer no longer exists; removing ${id} from the stack.`,
      );
      return { id: "", props: {} };
    }
  }

  async delete(_id: pulumi.ID, props: pulumi.Inputs): Promise<void> {
    const what = `${props.publisherId}/${props.offerId}`;
    const running = props.status === "running";
    this.#log(
      `[${what}] removing the ${this.spec.label} record from the stack only: the Cloud Partner Portal API cannot undo a ${this.spec.label}, ` +
        (running
          ? `and the operation ${props.operationLocation} keeps running (cancel it with \`npx pulumi-cloudpartner cancel ${props.publisherId} ${props.offerId}\`).`
          : "so the offer stays as it is."),
    );
  }

  /** Polls (when `wait`) or reads once, and turns every post-acceptance failure into a ResourceInitError. */
  async #follow(
    client: CloudPartnerClient,
    inputs: OperationInputs,
    outs: OperationOutputs,
    id: string,
    serializedProvider: unknown,
  ): Promise<OperationOutputs> {
    const what = `${inputs.publisherId}/${inputs.offerId}`;
    let current = outs;
    try {
      if (!inputs.wait) {
        const { snapshot } = await client.getOperation(outs.operationLocation);
        return applySnapshot(current, snapshot, this.#now());
      }
      const options: PollOperationOptions = {
        pollIntervalMs: inputs.pollIntervalSeconds * 1000,
        maxPollIntervalMs: inputs.maxPollIntervalSeconds * 1000,
        timeoutMs: inputs.timeoutSeconds * 1000,
        heartbeatIntervalMs: this.hooks.heartbeatIntervalMs,
        clock: this.hooks.clock,
        publisherId: inputs.publisherId,
        offerId: inputs.offerId,
        until: this.spec.until,
        onProgress: (event) => {
          if (event.snapshot) current = applySnapshot(current, event.snapshot, this.#now());
          this.#log(progressLine(what, this.spec.label, event));
        },
      };
      const final = await pollOperation(client, outs.operationLocation, options);
      current = applySnapshot(current, final, this.#now());
      this.#log(
        `[${what}] ${this.spec.label} ${final.status === "succeeded" ? "succeeded" : `reached ${final.currentStep?.name ?? final.rawStatus}`}.`,
      );
      return current;
    } catch (error) {
      if (error instanceof CloudPartnerError && error.code === "CPP_OPERATION_FAILED")
        current = { ...current, status: "failed" };
      if (error instanceof CloudPartnerError && error.code === "CPP_OPERATION_CANCELED")
        current = { ...current, status: "canceled" };
      const message = (error as Error).message;
      // The host drops __provider on this path; without it a later update or delete could not load us.
      throw new ResourceInitError(message, id, { ...current, [PROVIDER_KEY]: serializedProvider }, [message]);
    }
  }

  #inputs(raw: pulumi.Inputs): OperationInputs {
    const { inputs, failures } = checkOperationInputs(raw);
    if (failures.length) throw new Error(failures.map((f) => f.reason).join(" "));
    const pick = inputs as unknown as OperationInputs;
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
    };
  }

  /** Inputs a subclass adds (kept in outputs); none by default. */
  #extraInputs(raw: pulumi.Inputs): Record<string, unknown> {
    return this.spec.check
      ? Object.fromEntries(Object.entries(raw).filter(([k]) => k === "notificationEmails"))
      : {};
  }

  #client(inputs: OperationInputs): CloudPartnerClient {
    this.#tokens ??= this.hooks.tokenProvider ?? resolveTokenProvider({ accessToken: this.#accessToken });
    return new CloudPartnerClient({
      endpoint: inputs.endpoint,
      apiVersion: inputs.apiVersion,
      tokenProvider: this.#tokens,
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
    messages: [...(attention?.messages ?? []), ...(snapshot.error ? [snapshot.error] : [])].slice(-10),
    ...(terminal && !outs.completedAt ? { completedAt: new Date(nowMs).toISOString() } : {}),
  };
}

/** One progress line, naming the offer and the step: what a release engineer watches for days. */
export function progressLine(what: string, label: string, event: ProgressEvent): string {
  const elapsed = formatDuration(event.elapsedMs);
  if (event.transientError)
    return `[${what}] ${label}: poll failed, will retry (${event.transientError}) — ${elapsed} waited`;
  const step = event.stepName
    ? `${event.stepName} (${event.stepStatus || "?"}${event.progressPercentage !== undefined ? `, ${Math.round(event.progressPercentage)}%` : ""})`
    : "no step reported";
  const status = event.statusRecognized
    ? event.status
    : `${event.rawStatus} (unrecognized status, treated as running)`;
  const prefix = event.heartbeat ? `still ${status}` : status;
  const messages = event.messages.length ? ` — ${event.messages.join(" | ")}` : "";
  return `[${what}] ${label} ${prefix}: ${step}${messages} — ${elapsed} waited`;
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
        start: (client, inputs) => client.goLive(String(inputs.publisherId), String(inputs.offerId)),
        replaceOn: ["publisherId", "offerId", "endpoint", "apiVersion"],
      },
      hooks,
    );
  }
}
