/**
 * The lifecycle's own request and result shapes. They match what Pulumi's dynamic provider host passes and
 * expects (`pulumi.dynamic.*`), so a provider here is a dynamic provider as it stands, and the native front door
 * calls the same methods; nothing below the front doors depends on either engine protocol.
 */

import type { CheckFailure } from "../core/validate";

/** A resource's inputs or state, as the engine hands them over (values of any shape). */
// biome-ignore lint/suspicious/noExplicitAny: the engine's property bags hold values of any shape
export type Inputs = Record<string, any>;

/** A result's property bag: any value, as the dynamic host's own result types have it. */
// biome-ignore lint/suspicious/noExplicitAny: matches `pulumi.dynamic` results, whose bags are `any`
type Bag = any;

/** The provider configuration a front door hands over: only `get` of a config key is used. */
export interface ConfigureRequest {
  config: { get(key: string): string | undefined };
}

export interface CheckResult {
  readonly inputs?: Bag;
  readonly failures?: CheckFailure[];
}

/** How one property path changes, as the engine's detailed diff has it. */
export type PropertyChangeKind =
  | "add"
  | "update"
  | "delete"
  | "add-replace"
  | "update-replace"
  | "delete-replace";

export interface DiffResult {
  readonly changes?: boolean;
  readonly replaces?: string[];
  readonly stables?: string[];
  readonly deleteBeforeReplace?: boolean;
  /**
   * Per property path (`listing.title`, `plans["gen2"].availability.pricing.corePricing.price`), what changes.
   * The native door sends it as the engine's detailed diff; the dynamic host has no such field (the engine
   * shows its own input diff there).
   */
  readonly detailedDiff?: Record<string, { kind: PropertyChangeKind; inputDiff: boolean }>;
}

export interface CreateResult {
  readonly id: string;
  readonly outs?: Bag;
}

export interface ReadResult {
  readonly id?: string;
  readonly props?: Bag;
}

export interface UpdateResult {
  readonly outs?: Bag;
}

/** One resource's lifecycle: what both front doors call. */
export interface LifecycleProvider {
  configure(req: ConfigureRequest): Promise<void>;
  check(olds: Inputs, news: Inputs): Promise<CheckResult>;
  diff(id: string, olds: Inputs, news: Inputs): Promise<DiffResult>;
  create(inputs: Inputs): Promise<CreateResult>;
  read(id: string, props: Inputs): Promise<ReadResult>;
  update(id: string, olds: Inputs, news: Inputs): Promise<UpdateResult>;
  delete(id: string, props: Inputs): Promise<void>;
}
