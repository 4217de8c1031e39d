/**
 * The lifecycle of `VmImageVersion`: one image version of one plan (read the plan, adopt or write the version,
 * retire it on delete). Talks only to the `PlanImageBackend` seam; called by both front doors. SAS URIs are
 * credentials: they travel in inputs and outputs marked secret and appear in messages as blob paths only.
 */

import { createImageBackend } from "../backends";
import type { ApiName } from "../core/backend";
import { ConcurrentEditError, ImageVersionError, NotFoundError } from "../core/errors";
import { type Deprecation, type PlanImageBackend, redactSas, stateOf } from "../core/images";
import { backendOptions, offerLabel, type ProviderHooks, ProviderTokens } from "./connection";
import {
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

export class VmImageVersionProvider implements LifecycleProvider {
  readonly #tokens: ProviderTokens;

  constructor(private readonly hooks: ProviderHooks = {}) {
    this.#tokens = new ProviderTokens(hooks.tokenProvider);
  }

  async configure(req: ConfigureRequest): Promise<void> {
    this.#tokens.configure(req);
  }

  async check(_olds: Inputs, news: Inputs): Promise<CheckResult> {
    return checkImageInputs(news, this.#now());
  }

  async diff(_id: string, olds: Inputs, news: Inputs): Promise<DiffResult> {
    const filled = checkImageInputs(news).inputs;
    const changed = (key: string) =>
      JSON.stringify(olds[key] ?? null) !== JSON.stringify(filled[key] ?? null);
    const replaces = IDENTITY.filter(changed);
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
          key === "deprecate" ||
          key === "deprecation" ||
          key === "requestTimeoutSeconds") &&
        changed(key),
    );
    return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(raw: Inputs): Promise<CreateResult> {
    const inputs = this.#inputs(raw, true);
    const outs = await this.#apply(inputs, undefined);
    return {
      id: `${offerLabel(inputs)}/${inputs.planId}/${inputs.version}`,
      outs: forState(outs),
    };
  }

  async update(_id: string, olds: Inputs, news: Inputs): Promise<UpdateResult> {
    const inputs = this.#inputs(news, true);
    return { outs: forState(await this.#apply(inputs, olds as ImageVersionOutputs)) };
  }

  async read(id: string, props: Inputs): Promise<ReadResult> {
    const outs = props as ImageVersionOutputs;
    const inputs = this.#inputs(props, false);
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
      if (!(error instanceof NotFoundError)) throw error;
      this.#log(`[${backend.offer}] the offer no longer exists; removing ${id} from the stack.`);
      return { id: "", props: {} };
    }
  }

  async delete(_id: string, props: Inputs): Promise<void> {
    const inputs = this.#inputs(props, false);
    const backend = this.#backend(inputs);
    const what = `image version ${inputs.version} of plan ${inputs.planId}`;
    const plan = await backend.readPlan(inputs.planId);
    const stored = plan.versions.get(inputs.version);
    if (!stored) {
      this.#log(`[${backend.offer}] ${what} is not in the draft; nothing to remove.`);
      return;
    }
    const published = await backend.publishedState(inputs.planId, inputs.version);
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

  /** Reads the plan, adopts or writes the version, reads where it stands. */
  async #apply(
    inputs: ImageVersionInputs,
    previous: ImageVersionOutputs | undefined,
  ): Promise<ImageVersionOutputs> {
    const backend = this.#backend(inputs);
    const image = imageOf(inputs);
    const what = `image version ${inputs.version} of plan ${inputs.planId}`;
    const plan = await backend.readPlan(inputs.planId);
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
          `${capital(what)} (offer ${backend.offer}) was changed by someone else since the last \`pulumi up\`: ${changes.join("; ")}. Nothing was overwritten; align the program with the portal (or revert the portal edit), then run \`pulumi up\` again.`,
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
      if (stored) {
        const published = await backend.publishedState(inputs.planId, inputs.version);
        if (published.preview || published.live) {
          throw new ImageVersionError(
            `${capital(what)} (offer ${backend.offer}) is already published (${published.live ? "live" : "preview"}) with another image: ${backend.describeChange(stored, image).join("; ")}. Published images cannot change: give the new image a new version.`,
          );
        }
      }
      const result = await backend.putVersion({
        planId: inputs.planId,
        version: inputs.version,
        image,
        expected: stored,
        token: plan.token,
      });
      this.#log(
        `[${backend.offer}] ${stored ? `replaced ${what}: ${backend.describeChange(stored, image).join("; ")}` : `${what}: ${backend.describeChange(undefined, image).join("; ")}`}` +
          (result.conflicts
            ? ` after ${result.conflicts} concurrent edit(s) of the offer (re-read and re-applied)`
            : "") +
          (result.recovered ? "; the answer was lost and a re-read showed the write applied" : "") +
          ". Publish the offer to take it to preview.",
      );
    }
    const published = await backend.publishedState(inputs.planId, inputs.version);
    const state = stateOf(true, published);
    return {
      ...inputs,
      planIds: plan.planIds,
      state: state === "absent" ? "draft" : state,
      published: published.preview || published.live,
      alreadyPresent,
    };
  }

  #inputs(raw: Inputs, checkSas: boolean): ImageVersionInputs {
    const { inputs, failures } = checkImageInputs(raw, checkSas ? this.#now() : undefined);
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

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
