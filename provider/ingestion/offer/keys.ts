/** Declared parts and tree resources, both addressed by key (`plans[gen2].listing`, `resources[<type>:<plan>]`). */

import type { OfferConfigurationInputs } from "./types";

export interface DeclaredPart {
  key: string;
  type: string;
  scope: "offer" | "plan";
  planId?: string;
  fields: Record<string, unknown>;
  raw?: boolean;
}

export function declaredParts(_inputs: OfferConfigurationInputs, _productType?: string): DeclaredPart[] {
  throw new Error("not implemented");
}

export interface TreeIndex {
  productId?: string;
  productType?: string;
  byKey: Map<string, Record<string, unknown>>;
  /** plan externalId -> plan durable id */
  planIds: Map<string, string>;
  unkeyed: Array<Record<string, unknown>>;
}

export function indexTree(_resources: Array<Record<string, unknown>>): TreeIndex {
  throw new Error("not implemented");
}
