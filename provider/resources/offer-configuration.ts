/**
 * The lifecycle of `OfferConfiguration`: the whole offer as code on the Product Ingestion API (the flow itself is
 * `ingestion/offer/apply.ts`). `check` and `diff` send nothing: check validates and fills defaults, diff compares
 * the state (the draft's values of the declared fields as last read) with the program, field by field. create and
 * update apply the declaration with one configure of only what differs; read (refresh) brings portal edits into
 * state, so the next preview shows them as a change back; an import by the offer id turns the offer's tree into
 * inputs; delete sends nothing (the offer is left as it is).
 *
 * Every request of a create or update carries the call's abort signal: the native door's Cancel and the engine's
 * `customTimeouts` stop a write at once (the dynamic host passes neither). The token is never in state.
 */

import { apiProfile, offerConfigurationApi } from "../backends";
import { OfferConfigurationError } from "../core/errors";
import { endpointProblem } from "../core/options";
import { type CheckFailure, INPUT_DEFAULTS, UNKNOWN_VALUE } from "../core/validate";
import type { OfferOutcome, OfferSession } from "../ingestion/offer/apply";
import type { OfferConfigurationInputs } from "../ingestion/offer/types";
import { type StoppedCall, withCallControl } from "./call-control";
import { type ProviderHooks, ProviderTokens } from "./connection";
import type { CallControl } from "./operation";
import { forState } from "./outputs";
import type {
  CheckResult,
  ConfigureRequest,
  CreateResult,
  DiffResult,
  Inputs,
  LifecycleProvider,
  PropertyChangeKind,
  ReadResult,
  UpdateResult,
} from "./types";

/** What the resource takes, with the connection keys every resource has. */
export interface OfferConfigurationResourceInputs extends OfferConfigurationInputs {
  /** `$version` of every call. Default `2022-07-01`. */
  apiVersion?: string;
}

/** What `OfferConfiguration` keeps in state. */
export interface OfferConfigurationOutputs extends OfferConfigurationResourceInputs {
  /** `product/<guid>`. */
  productId: string;
  /** Durable id of every declared part, by key (`listing`, `plans[gen2].availability`, ...). */
  resourceIds: Record<string, string>;
  /**
   * Canonical JSON of the normalised declared parts: the same for the same declaration, run after run (OfferPublish's
   * `configuration` and `triggers` take it).
   */
  declaration: string;
  /** `key.field` where the draft differs from preview, or preview from live, for the declared fields. */
  pendingChanges: string[];
}

/** Inputs that only say where and how to call: an in-place update, never a replace. */
const CONNECTION = ["endpoint", "apiVersion", "requestTimeoutSeconds"] as const;
/** Outputs that are not inputs. */
const OUTPUT_KEYS = ["productId", "resourceIds", "declaration", "pendingChanges"];
/** The declared parts (everything else is connection, options or outputs). */
const PART_KEYS = [
  "product",
  "property",
  "listing",
  "listingAssets",
  "availability",
  "reseller",
  "technicalConfiguration",
  "plans",
  "resources",
];

/** Every input of the resource. */
const INPUT_KEYS = ["offerId", "api", ...PART_KEYS, "removedPlans", ...CONNECTION];

const INGESTION = apiProfile("ingestion");
const DEFAULTS = {
  api: "ingestion",
  endpoint: INGESTION.endpoint,
  apiVersion: INGESTION.apiVersion,
  requestTimeoutSeconds: INPUT_DEFAULTS.requestTimeoutSeconds,
  removedPlans: "keep",
} as const;

const isUnknown = (value: unknown) => value === UNKNOWN_VALUE;

/** The inputs with defaults filled (values left out, never `undefined`, so state has no holes). */
export function withOfferDefaults(raw: Inputs): Inputs {
  const given = Object.fromEntries(
    Object.entries(raw).filter(([key, v]) => v !== undefined && v !== null && !key.startsWith("__")),
  );
  return { ...DEFAULTS, ...given };
}

/** Checks of the inputs: the connection keys here, the declared offer in `validateOffer`. Sends nothing. */
export function checkOfferInputs(
  news: Inputs,
  olds: Inputs = {},
): { inputs: Inputs; failures: CheckFailure[] } {
  const inputs = withOfferDefaults(news);
  const failures: CheckFailure[] = [];
  if (!isUnknown(inputs.api) && inputs.api !== "ingestion")
    failures.push({
      property: "api",
      reason:
        inputs.api === "cpp"
          ? 'api "cpp" has no resource tree: OfferConfiguration needs the Product Ingestion API (leave api out, or set "ingestion"). Offers still on the Cloud Partner Portal API keep their configuration in the portal.'
          : `api must be "ingestion", got ${JSON.stringify(inputs.api)}.`,
    });
  if (!isUnknown(inputs.endpoint)) {
    const problem =
      typeof inputs.endpoint === "string"
        ? endpointProblem(inputs.endpoint, { allowPath: true })
        : "must be a string";
    if (problem) failures.push({ property: "endpoint", reason: `endpoint ${problem}.` });
  }
  if (!isUnknown(inputs.apiVersion)) {
    const problem = INGESTION.apiVersionProblem(inputs.apiVersion);
    if (problem) failures.push({ property: "apiVersion", reason: `apiVersion ${problem}.` });
  }
  const timeout = inputs.requestTimeoutSeconds;
  if (!isUnknown(timeout) && (typeof timeout !== "number" || !(timeout > 0) || timeout > 3600))
    failures.push({
      property: "requestTimeoutSeconds",
      reason: "requestTimeoutSeconds must be a number of seconds between 0 and 3600.",
    });
  // A misspelt top-level input would otherwise be carried along and never declare anything.
  for (const key of Object.keys(inputs))
    if (!INPUT_KEYS.includes(key) && !OUTPUT_KEYS.includes(key))
      failures.push({
        property: key,
        reason: `${key} is not an input of OfferConfiguration (inputs: ${INPUT_KEYS.join(", ")}); fix the name, or declare another resource type raw in resources.`,
      });
  // The offer type is fixed once the offer exists (it does once this resource was created: olds are its inputs).
  const before = (olds.product as { type?: unknown } | undefined)?.type;
  const after = (inputs.product as { type?: unknown } | undefined)?.type;
  if (
    typeof before === "string" &&
    typeof after === "string" &&
    before !== after &&
    olds.offerId === inputs.offerId
  )
    failures.push({
      property: "product.type",
      reason: `product.type cannot change from ${before} to ${after}: an offer's type is fixed once it is created. Keep ${before}, or declare another offer (a new offerId) of type ${after}.`,
    });
  failures.push(...offerConfigurationApi().validateOffer(offerInputsOf(inputs)));
  return { inputs, failures };
}

/** The declared offer of a property bag (inputs or state), without outputs and connection-only keys. */
function offerInputsOf(props: Inputs): OfferConfigurationInputs {
  const out: Inputs = {};
  for (const [key, value] of Object.entries(props)) {
    if (OUTPUT_KEYS.includes(key) || key.startsWith("__") || value === undefined || value === null) continue;
    out[key] = value;
  }
  return out as OfferConfigurationInputs;
}

/**
 * The canonical declaration (the model's `declarationOf`: the normalised declared parts by key; no connection keys,
 * no outputs), which OfferPublish reads back with `parseDeclaration`.
 */
export function declarationOf(inputs: OfferConfigurationInputs, productType: string | undefined): string {
  const api = offerConfigurationApi();
  // The offer id goes with it: OfferPublish refuses the declaration of another offer.
  return api.declarationOf(api.declaredParts(inputs, productType), inputs.offerId);
}

export class OfferConfigurationProvider implements LifecycleProvider {
  readonly #tokens: ProviderTokens;

  constructor(private readonly hooks: ProviderHooks = {}) {
    this.#tokens = new ProviderTokens(hooks.tokenProvider);
  }

  async configure(req: ConfigureRequest): Promise<void> {
    this.#tokens.configure(req);
  }

  async check(olds: Inputs, news: Inputs): Promise<CheckResult> {
    const { inputs, failures } = checkOfferInputs(news, olds);
    return { inputs, failures };
  }

  /** From state and program only: no request. `offerId` replaces; every other change is in place. */
  async diff(_id: string, olds: Inputs, news: Inputs): Promise<DiffResult> {
    const before = withOfferDefaults(olds);
    const after = withOfferDefaults(news);
    const detailedDiff: Record<string, { kind: PropertyChangeKind; inputDiff: boolean }> = {};
    const replaces: string[] = [];
    if (before.offerId !== after.offerId) {
      replaces.push("offerId");
      detailedDiff.offerId = { kind: "update-replace", inputDiff: true };
    }
    for (const key of [...CONNECTION, "removedPlans", "api"])
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
        detailedDiff[key] = { kind: kindOf(before[key], after[key]), inputDiff: true };
    const { diffInputs, propertyPath } = offerConfigurationApi();
    // Values not known yet (preview): each is a change of its own path, and the rest is compared as it stands.
    const known = withKnownValues(before, after, (path) => {
      detailedDiff[path] ??= { kind: "update", inputDiff: true };
    });
    if (replaces.length === 0)
      for (const change of diffInputs(offerInputsOf(before), offerInputsOf(known)))
        detailedDiff[
          propertyPath(change.key, change.field, offerInputsOf(change.kind === "delete" ? before : after))
        ] = {
          kind: change.kind,
          inputDiff: true,
        };
    const changes = Object.keys(detailedDiff).length > 0;
    // Always given (empty: nothing changed), so the native door never falls back to a top-level comparison.
    return { changes, replaces, deleteBeforeReplace: false, detailedDiff };
  }

  async create(raw: Inputs, control: CallControl = {}): Promise<CreateResult> {
    const inputs = this.#inputs(raw);
    const outcome = await this.#controlled(control, "create", inputs, (session) =>
      offerConfigurationApi().applyOffer(offerInputsOf(inputs), undefined, session),
    );
    return { id: inputs.offerId as string, outs: forState(this.#outputs(inputs, outcome)) };
  }

  async update(_id: string, olds: Inputs, news: Inputs, control: CallControl = {}): Promise<UpdateResult> {
    const inputs = this.#inputs(news);
    const previous = offerInputsOf(withOfferDefaults(olds));
    const outcome = await this.#controlled(control, "update", inputs, (session) =>
      offerConfigurationApi().applyOffer(offerInputsOf(inputs), previous, session),
    );
    return { outs: forState(this.#outputs(inputs, outcome)) };
  }

  /**
   * Refresh: the draft's values of the declared fields (portal edits come into state), durable ids, pending
   * changes. Import (no state, the id is the offer id): the offer's draft tree as inputs.
   */
  async read(id: string, props: Inputs): Promise<ReadResult> {
    const importing = typeof props.offerId !== "string";
    const given = importing ? { ...props, offerId: id } : props;
    const inputs = this.#inputs(given, false);
    const session = this.#session(inputs);
    const { importOffer, readOffer } = offerConfigurationApi();
    if (importing) {
      const { inputs: exported, outcome } = await importOffer(session);
      this.#log(
        `[${id}] imported the offer's draft: ${Object.keys(outcome.resourceIds).length} declared parts (pulumi writes them into the program).`,
      );
      const connection = Object.fromEntries(
        ["endpoint", "api"].filter((key) => props[key] !== undefined).map((key) => [key, props[key]]),
      );
      return {
        id,
        props: forState({
          ...connection,
          ...exported,
          productId: outcome.productId,
          resourceIds: outcome.resourceIds,
          declaration: declarationOf(exported, productTypeOf(outcome)),
          pendingChanges: outcome.pendingChanges,
        }),
      };
    }
    const declared = offerInputsOf(inputs);
    const outcome = await readOffer(
      declared,
      typeof props.productId === "string" ? props.productId : undefined,
      session,
      // As the last `pulumi up` computed them: a refresh reads the draft tree only.
      Array.isArray(props.pendingChanges) ? props.pendingChanges.map(String) : undefined,
    );
    if (!outcome) {
      this.#log(`[${id}] the offer no longer exists in Partner Center; removing ${id} from the stack.`);
      return { id: "", props: {} };
    }
    const refreshed = this.#outputs(inputs, outcome);
    // The declaration is the program's (OfferPublish's triggers): a refresh does not change it.
    return {
      id,
      props: forState({
        ...refreshed,
        declaration: typeof props.declaration === "string" ? props.declaration : refreshed.declaration,
      }),
    };
  }

  /** Sends nothing: the offer stays as it is (offers are retired in Partner Center, never deleted by code). */
  async delete(id: string, props: Inputs): Promise<void> {
    this.#log(
      `[${typeof props.offerId === "string" ? props.offerId : id}] OfferConfiguration removed from the stack; the offer is left in Partner Center as it is (nothing is deleted or hidden).`,
    );
  }

  #outputs(inputs: Inputs, outcome: OfferOutcome): OfferConfigurationOutputs {
    const productType = productTypeOf(outcome);
    const declared = offerInputsOf(inputs);
    const options = Object.fromEntries(
      [...CONNECTION, "api", "removedPlans"]
        .filter((k) => inputs[k] !== undefined)
        .map((k) => [k, inputs[k]]),
    );
    // Every part key the program declares is replaced by what the draft holds (or dropped when it has none).
    const parts = Object.fromEntries(
      PART_KEYS.filter((key) => (outcome.observed as Inputs)[key] !== undefined).map((key) => [
        key,
        (outcome.observed as Inputs)[key],
      ]),
    );
    return {
      ...(options as Partial<OfferConfigurationOutputs>),
      offerId: inputs.offerId as string,
      ...parts,
      productId: outcome.productId,
      resourceIds: outcome.resourceIds,
      declaration: declarationOf(declared, productType),
      pendingChanges: outcome.pendingChanges,
    };
  }

  /** The checked inputs; a failure here is a bad state or program (check reported it already). */
  #inputs(raw: Inputs, validate = true): Inputs {
    const { inputs, failures } = checkOfferInputs(raw);
    const blocking = validate ? failures : failures.filter((f) => CONNECTION.includes(f.property as never));
    if (blocking.length)
      throw new OfferConfigurationError(
        `Offer ${String(inputs.offerId)}: ${blocking.map((f) => f.reason).join(" ")} Nothing was sent.`,
        {
          ...(typeof inputs.offerId === "string" ? { offerId: inputs.offerId } : {}),
          problems: blocking.map((f) => ({ key: f.property, message: f.reason })),
        },
      );
    return inputs;
  }

  #session(inputs: Inputs, signal?: AbortSignal): OfferSession {
    const offerId = inputs.offerId as string;
    const client = offerConfigurationApi().client({
      endpoint: inputs.endpoint as string,
      apiVersion: inputs.apiVersion as string,
      tokenProvider: this.#tokens.for("ingestion"),
      requestTimeoutMs: (inputs.requestTimeoutSeconds as number) * 1000,
      ...(this.hooks.transport ? { transport: this.hooks.transport } : {}),
      ...(this.hooks.clock ? { clock: this.hooks.clock } : {}),
      log: (line) => this.#log(`[${offerId}] ${line}`),
    });
    return {
      client,
      offerId,
      log: (line) => this.#log(line),
      ...(this.hooks.clock ? { clock: this.hooks.clock } : {}),
      ...(this.hooks.jobPollIntervalMs !== undefined
        ? { jobPollIntervalMs: this.hooks.jobPollIntervalMs }
        : {}),
      ...(signal ? { signal } : {}),
    };
  }

  /**
   * Runs a create or update with one signal that aborts on the caller's (Cancel) and at its deadline
   * (`customTimeouts`), and says which one stopped it and what to do.
   */
  async #controlled<T>(
    control: CallControl,
    verb: "create" | "update",
    inputs: Inputs,
    run: (session: OfferSession) => Promise<T>,
  ): Promise<T> {
    const offerId = inputs.offerId as string;
    const stopped = (): StoppedCall => ({
      what: `the ${verb} of offer ${offerId}'s configuration`,
      next: "A configure in flight may still be applied. Run `pulumi up` again: it re-reads the draft and sends only what still differs (nothing twice).",
      details: { offerId },
    });
    return withCallControl(control, verb, stopped, (signal) => run(this.#session(inputs, signal)));
  }

  #log(line: string): void {
    (this.hooks.log ?? console.log)(line);
  }

  /** Never serialize configuration or hooks (they may hold a token). */
  toJSON(): Record<string, string> {
    return { kind: "offerConfiguration" };
  }
}

/**
 * The program with every value still unknown (`UNKNOWN_VALUE`, during preview) replaced by the state's, each such
 * place reported by its property path (`listing`, `plans["gen2"].availability`): an unknown whole part must not
 * read as a part removed from the program.
 */
function withKnownValues(olds: Inputs, news: Inputs, unknown: (path: string) => void): Inputs {
  /** `value` at `path` (its state counterpart `old`); `plans` says its children are plans, keyed by plan id. */
  const walk = (old: unknown, value: unknown, path: string, plans: boolean): unknown => {
    if (isUnknown(value)) {
      unknown(path);
      return old;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const before = typeof old === "object" && old !== null && !Array.isArray(old) ? (old as Inputs) : {};
    return Object.fromEntries(
      Object.entries(value as Inputs).map(([key, item]) => [
        key,
        walk(before[key], item, plans ? `${path}[${JSON.stringify(key)}]` : `${path}.${key}`, false),
      ]),
    );
  };
  const out: Inputs = {};
  for (const [key, value] of Object.entries(news)) {
    const known = walk(olds[key], value, key, key === "plans");
    if (known !== undefined) out[key] = known;
  }
  return out;
}

function productTypeOf(outcome: OfferOutcome): string | undefined {
  return outcome.productType;
}

function kindOf(before: unknown, after: unknown): PropertyChangeKind {
  return before === undefined ? "add" : after === undefined ? "delete" : "update";
}
