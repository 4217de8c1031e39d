/** The resources of one `configure` from the changed declared parts. */

import type { DeclaredPart, TreeIndex } from "./keys";

export function configureResources(
  _changed: DeclaredPart[],
  _tree: TreeIndex,
  _offerId: string,
): Array<Record<string, unknown>> {
  throw new Error("not implemented");
}
