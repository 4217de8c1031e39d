/** Checks of the declared offer before any request. */

import type { CheckFailure } from "../../core/validate";
import type { DeclaredPart, TreeIndex } from "./keys";
import type { OfferConfigurationInputs } from "./types";

export function validateOffer(_inputs: OfferConfigurationInputs): CheckFailure[] {
  throw new Error("not implemented");
}

export function afterTheFactProblems(
  _parts: DeclaredPart[],
  _draft: TreeIndex,
  _published: { preview?: TreeIndex; live?: TreeIndex },
  _olds?: OfferConfigurationInputs,
): string[] {
  throw new Error("not implemented");
}
