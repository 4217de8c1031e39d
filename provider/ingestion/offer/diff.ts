/** Field-level differences between declared parts and the tree, or between two sets of inputs. */

import type { DeclaredPart, TreeIndex } from "./keys";
import type { OfferConfigurationInputs } from "./types";

export interface FieldChange {
  key: string;
  field: string;
  kind: "add" | "update" | "delete";
  old?: unknown;
  new?: unknown;
}

export function diffPart(_part: DeclaredPart, _current: Record<string, unknown> | undefined): FieldChange[] {
  throw new Error("not implemented");
}

export function diffDeclared(_parts: DeclaredPart[], _tree: TreeIndex): FieldChange[] {
  throw new Error("not implemented");
}

export function diffInputs(_olds: OfferConfigurationInputs, _news: OfferConfigurationInputs): FieldChange[] {
  throw new Error("not implemented");
}

export function propertyPath(_key: string, _field: string): string {
  throw new Error("not implemented");
}

export function describeChange(_change: FieldChange): string {
  throw new Error("not implemented");
}
