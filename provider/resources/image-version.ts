/**
 * The lifecycle of `VmImageVersion`: one image version of one plan (read the plan, adopt or write the version,
 * retire it on delete). Talks only to the `PlanImageBackend` seam; called by both front doors. SAS URIs are
 * credentials: they travel in inputs and outputs marked secret and appear in messages as blob paths only.
 *
 * Every request of a create, update or delete carries the call's abort signal: the native door's Cancel and the
 * engine's `customTimeouts` stop a write at once (the dynamic host passes neither).
 */

import { createImageBackend } from "../backends";
import type { ApiName } from "../core/backend";
import { canonical } from "../core/canonical";
import { ConcurrentEditError, ImageVersionError, NotFoundError, PlanNotFoundError } from "../core/errors";
import { type Deprecation, type PlanImageBackend, redactSas, stateOf } from "../core/images";
import { capitalize } from "../core/rest";
import { type StoppedCall, withCallControl } from "./call-control";
import { backendOptions, offerLabel, type ProviderHooks, ProviderTokens } from "./connection";
import {
  CONNECTION,
  checkImageInputs,
  IDENTITY,
  IMAGE,
  type ImageVersionInputs,
  type ImageVersionOutputs,
  type IngestionImageInput,
  imageKey,
  imageOf,
  type VmImage,
} from "./image-inputs";
import type { CallControl } from "./operation";
import { forState } from "./outputs";
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

/**
 * The versions that a create in this process wrote or adopted, by offer, plan and version, each with the state
 * that create returned (see `stateKey`). A deployment runs in one process (the dynamic provider host and the
 * native plugin each live for one `pulumi up`), and a resource it creates is never deleted in the same
 * deployment: a delete of the same version after a create of it is another resource's, replaced or renamed
 * (create-before-delete), whose removal would take the version the new resource just adopted.
 */
const claimed = new Map<string, Set<string>>();

function claimKey(inputs: Pick<ImageVersionInputs, "offerId" | "planId" | "version">): string {
  return JSON.stringify([inputs.offerId, inputs.planId, inputs.version]);
}

/** A resource's state as claims compare it: without what a refresh may change or the host adds. */
function stateKey(props: Inputs): string {
  const skip = new Set(["__provider", "state", "published", "planIds"]);
  const compared = Object.fromEntries(Object.entries(props).filter(([key]) => !skip.has(key)));
  return JSON.stringify(canonical(compared, (_key, value) => value !== undefined && value !== null));
}

export class VmImageVersionProvider implements LifecycleProvider {
  readonly #tokens: ProviderTokens;

  constructor(private readonly hooks: ProviderHooks = {}) {
    this.#tokens = new ProviderTokens(hooks.tokenProvider);
  }

  async configure(req: ConfigureRequest): Promise<void> {
    this.#tokens.configure(req);
  }

  /** SAS URIs are checked when new or changed: an unchanged stack is never stuck on a SAS nearing expiry. */
  async check(olds: Inputs, news: Inputs): Promise<CheckResult> {
    return checkImageInputs(news, this.#now(), olds);
  }

  async diff(_id: string, olds: Inputs, news: Inputs): Promise<DiffResult> {
    const filled = checkImageInputs(news).inputs;
    const changed = (key: string) =>
      JSON.stringify(olds[key] ?? null) !== JSON.stringify(filled[key] ?? null);
    const ingestion = (filled.api ?? olds.api) === "ingestion";
    const replaces = IDENTITY.filter((key) => !(ingestion && key === "publisherId") && changed(key));
    const imageChanges = IMAGE.filter((key) => imageKey(olds, key) !== imageKey(filled, key));
    if (imageChanges.length > 0 && olds.published === true) {
      // A published image cannot change: it takes a new version (the create says so if the version stays).
      this.#log(
        `[${olds.publisherId}/${olds.offerId}] image version ${olds.version} of plan ${olds.planId} is published (${olds.state}); changing ${imageChanges.join(", ")} replaces the resource: give the new image a new version.`,
      );
      replaces.push(...imageChanges);
    }
    // Anything else (a never-published image, a re-generated SAS, deprecate, timeouts) is an in-place update.
    const updates = Object.keys({ ...olds, ...filled }).filter(
      (key) =>
        !replaces.includes(key) &&
        (IMAGE.includes(key) ||
          CONNECTION.includes(key) ||
          key === "publisherId" ||
          key === "deprecate" ||
          key === "deprecation") &&
        changed(key),
    );
    return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(raw: Inputs, control: CallControl = {}): Promise<CreateResult> {
    const inputs = this.#inputs(raw);
    const outs = await this.#controlled(control, "create", inputs, (signal) =>
      this.#apply(inputs, undefined, signal),
    );
    const key = claimKey(inputs);
    claimed.set(key, new Set([...(claimed.get(key) ?? []), stateKey(outs)]));
    return {
      id: `${offerLabel(inputs)}/${inputs.planId}/${inputs.version}`,
      outs: forState(outs),
    };
  }

  async update(_id: string, olds: Inputs, news: Inputs, control: CallControl = {}): Promise<UpdateResult> {
    const inputs = this.#inputs(news);
    const outs = await this.#controlled(control, "update", inputs, (signal) =>
      this.#apply(inputs, olds as ImageVersionOutputs, signal),
    );
    // A resource created in this process and updated since is still itself (not another resource's claim).
    const claims = claimed.get(claimKey(inputs));
    if (claims?.delete(stateKey(olds))) claims.add(stateKey(outs));
    return { outs: forState(outs) };
  }

  async read(id: string, props: Inputs): Promise<ReadResult> {
    const outs = props as ImageVersionOutputs;
    const inputs = this.#inputs(props);
    const backend = this.#backend(inputs);
    try {
      const plan = await backend.readPlan(inputs.planId);
      const published = await backend.publishedState(inputs.planId, inputs.version);
      const state = stateOf(plan.versions.has(inputs.version), published);
      if (state === "absent") {
        this.#log(
          `[${backend.offer}] image version ${inputs.version} of plan ${inputs.planId} is gone; removing ${id} from the stack.`,
        );
        return { id: "", props: {} };
      }
      return {
        id,
        props: forState({
          ...outs,
          planIds: plan.planIds,
          state,
          published: published.preview || published.live,
        }),
      };
    } catch (error) {
      const gone = this.#gone(error, inputs.planId);
      if (!gone) throw error;
      this.#log(`[${backend.offer}] ${gone}; removing ${id} from the stack.`);
      return { id: "", props: {} };
    }
  }

  async delete(id: string, props: Inputs, control: CallControl = {}): Promise<void> {
    const inputs = this.#inputs(props);
    const what = `image version ${inputs.version} of plan ${inputs.planId}`;
    const claims = claimed.get(claimKey(inputs));
    const mine = stateKey(props);
    if (claims && [...claims].some((claim) => claim !== mine)) {
      this.#log(
        `[${offerLabel(inputs)}] keeping ${what} in the draft: another resource of this deployment created or adopted it (this resource was replaced or renamed); this only removes ${id || "the resource"} from the stack.`,
      );
      return;
    }
    claims?.delete(mine);
    await this.#controlled(control, "delete", inputs, (signal) => this.#delete(id, inputs, signal));
  }

  async #delete(id: string, inputs: ImageVersionInputs, signal: AbortSignal): Promise<void> {
    const backend = this.#backend(inputs);
    const what = `image version ${inputs.version} of plan ${inputs.planId}`;
    let plan: Awaited<ReturnType<typeof backend.readPlan>>;
    try {
      plan = await backend.readPlan(inputs.planId, signal);
    } catch (error) {
      const gone = this.#gone(error, inputs.planId);
      if (!gone) throw error;
      this.#log(
        `[${backend.offer}] ${gone}, so ${what} is not in the draft either: nothing to remove; ${id || "the resource"} is removed from the stack. Published versions stay as published until the next publish.`,
      );
      return;
    }
    const stored = plan.versions.get(inputs.version);
    if (!stored) {
      this.#log(`[${backend.offer}] ${what} is not in the draft; nothing to remove.`);
      return;
    }
    const published = await backend.publishedState(inputs.planId, inputs.version, signal);
    const isPublished = published.preview || published.live;
    const retire = inputs.api === "ingestion" ? inputs.deprecation !== undefined : inputs.deprecate;
    if (isPublished && !retire) {
      const how =
        inputs.api === "ingestion"
          ? 'Set deprecation { dateOffset: "P30D", reason: "endOfSupport" }'
          : "Set deprecate: true";
      this.#log(
        `[${backend.offer}] keeping ${what}: it is published (${published.live ? "live" : "preview"}) and published images are not deleted. ${how} to retire it on destroy; this only removes the resource from the stack.`,
      );
      return;
    }
    try {
      await backend.removeVersion({
        planId: inputs.planId,
        version: inputs.version,
        mode: isPublished ? "deprecate" : "remove",
        ...(inputs.deprecation ? { deprecation: inputs.deprecation } : {}),
        expected: stored,
        token: plan.token,
        signal,
      });
    } catch (error) {
      if (!(error instanceof ImageVersionError)) throw error;
      this.#log(`[${backend.offer}] ${error.message} The resource is removed from the stack only.`);
      return;
    }
    this.#log(
      `[${backend.offer}] ${isPublished ? "deprecated" : "removed"} ${what} in the draft; publish the offer for it to take effect.`,
    );
  }

  /**
   * Runs a create, update or delete with one signal that aborts on the caller's (Cancel) and at its deadline
   * (`customTimeouts`), and says which one stopped it and what to do.
   */
  async #controlled<T>(
    control: CallControl,
    verb: "create" | "update" | "delete",
    inputs: ImageVersionInputs,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const stopped = (): StoppedCall => ({
      what: `the ${verb} of image version ${inputs.version} of plan ${inputs.planId} (offer ${offerLabel(inputs)})`,
      next: `A write in flight may still be applied. ${
        verb === "delete"
          ? "Run `pulumi destroy` (or `pulumi up`) again: it re-reads the plan and removes only what is still there."
          : "Run `pulumi up` again: it re-reads the plan and adopts the version if the write went through, or writes it."
      }`,
      details: {
        offerId: inputs.offerId,
        ...(inputs.publisherId ? { publisherId: inputs.publisherId } : {}),
      },
    });
    return withCallControl(control, verb, stopped, run);
  }

  /** Why a read found nothing left to manage (the offer or the plan is gone), or undefined. */
  #gone(error: unknown, planId: string): string | undefined {
    if (error instanceof PlanNotFoundError)
      return `plan ${planId} is no longer in the draft (${error.message})`;
    if (error instanceof NotFoundError) return `the offer no longer exists (${error.message})`;
    return undefined;
  }

  /** Reads the plan, adopts or writes the version, reads where it stands. */
  async #apply(
    inputs: ImageVersionInputs,
    previous: ImageVersionOutputs | undefined,
    signal: AbortSignal,
  ): Promise<ImageVersionOutputs> {
    const backend = this.#backend(inputs);
    const image = imageOf(inputs);
    const what = `image version ${inputs.version} of plan ${inputs.planId}`;
    const plan = await backend.readPlan(inputs.planId, signal);
    const stored = plan.versions.get(inputs.version);
    if (previous && stored && (typeof previous.osVhdUrl === "string" || Array.isArray(previous.images))) {
      const mine = imageOf({
        ...previous,
        dataDisks: previous.dataDisks ?? [],
        diskGenerations: previous.diskGenerations ?? [],
      });
      if (!backend.sameImage(mine, stored) && !backend.sameImage(image, stored)) {
        const changes = backend.describeChange(mine, stored);
        throw new ConcurrentEditError(
          `${capitalize(what)} (offer ${backend.offer}) was changed by someone else since the last \`pulumi up\`: ${changes.join("; ")}. Nothing was overwritten; align the program with the portal (or revert the portal edit), then run \`pulumi up\` again.`,
          { changes },
        );
      }
    }
    const alreadyPresent = previous
      ? previous.alreadyPresent === true
      : stored !== undefined && backend.sameImage(image, stored);
    if (stored && backend.sameImage(image, stored)) {
      this.#log(`[${backend.offer}] ${what} is already in the draft with this image; nothing to write.`);
    } else {
      // Every SAS URI written is checked, only now: an adopted or unchanged version's may be near expiry.
      const { failures } = checkImageInputs(inputs as unknown as Inputs, this.#now());
      if (failures.length) throw new ImageVersionError(redactSas(failures.map((f) => f.reason).join(" ")));
      if (stored) {
        const published = await backend.publishedState(inputs.planId, inputs.version, signal);
        if (published.preview || published.live) {
          throw new ImageVersionError(
            `${capitalize(what)} (offer ${backend.offer}) is already published (${published.live ? "live" : "preview"}) with another image: ${backend.describeChange(stored, image).join("; ")}. Published images cannot change: give the new image a new version.`,
          );
        }
      }
      const result = await backend.putVersion({
        planId: inputs.planId,
        version: inputs.version,
        image,
        expected: stored,
        token: plan.token,
        signal,
      });
      const restored = !stored && plan.markedDeleted?.includes(inputs.version);
      this.#log(
        `[${backend.offer}] ${
          stored
            ? `replaced ${what}: ${backend.describeChange(stored, image).join("; ")}`
            : restored
              ? `restored ${what}, whose draft entry was marked lifecycleState "deleted": it is generallyAvailable again with ${backend
                  .describeChange(undefined, image)
                  .join("; ")
                  .replace(/^added \((.*)\)$/, "$1")}`
              : `${what}: ${backend.describeChange(undefined, image).join("; ")}`
        }` +
          (result.conflicts
            ? ` after ${result.conflicts} concurrent edit(s) of the offer (re-read and re-applied)`
            : "") +
          (result.recovered ? "; the answer was lost and a re-read showed the write applied" : "") +
          ". Publish the offer to take it to preview.",
      );
    }
    const published = await backend.publishedState(inputs.planId, inputs.version, signal);
    const state = stateOf(true, published);
    return {
      ...inputs,
      planIds: plan.planIds,
      state: state === "absent" ? "draft" : state,
      published: published.preview || published.live,
      alreadyPresent,
    };
  }

  /** The checked inputs; SAS URIs are checked right before a write (`#apply`), not here. */
  #inputs(raw: Inputs): ImageVersionInputs {
    const { inputs, failures } = checkImageInputs(raw);
    if (failures.length) throw new ImageVersionError(redactSas(failures.map((f) => f.reason).join(" ")));
    return {
      api: inputs.api as ApiName,
      ...(inputs.publisherId !== undefined ? { publisherId: inputs.publisherId as string } : {}),
      offerId: inputs.offerId as string,
      planId: inputs.planId as string,
      version: inputs.version as string,
      ...(inputs.osVhdUrl !== undefined ? { osVhdUrl: inputs.osVhdUrl as string } : {}),
      dataDisks: inputs.dataDisks as ImageVersionInputs["dataDisks"],
      ...(inputs.images !== undefined ? { images: inputs.images as IngestionImageInput[] } : {}),
      ...(inputs.deprecation !== undefined ? { deprecation: inputs.deprecation as Deprecation } : {}),
      ...(inputs.label !== undefined ? { label: inputs.label as string } : {}),
      ...(inputs.description !== undefined ? { description: inputs.description as string } : {}),
      ...(inputs.mediaName !== undefined ? { mediaName: inputs.mediaName as string } : {}),
      ...(inputs.showInGui !== undefined ? { showInGui: inputs.showInGui as boolean } : {}),
      diskGenerations: inputs.diskGenerations as string[],
      deprecate: inputs.deprecate as boolean,
      endpoint: inputs.endpoint as string,
      apiVersion: inputs.apiVersion as string,
      requestTimeoutSeconds: inputs.requestTimeoutSeconds as number,
    };
  }

  /** The backend of the resource's API; `imageOf` gives it images of its own shape. */
  #backend(inputs: ImageVersionInputs): PlanImageBackend<VmImage> {
    return createImageBackend(
      backendOptions(inputs, this.#tokens.for(inputs.api), this.hooks, (line) => this.#log(line)),
    ) as PlanImageBackend<VmImage>;
  }

  #log(line: string): void {
    (this.hooks.log ?? console.log)(redactSas(line));
  }

  #now(): number {
    return (this.hooks.clock ?? Date).now();
  }

  /** Never serialize configuration or hooks (they may hold a token). */
  toJSON(): Record<string, string> {
    return { kind: "vmImageVersion" };
  }
}
