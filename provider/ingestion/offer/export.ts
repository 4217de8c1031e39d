/** A resource tree as `OfferConfiguration` inputs (import and `pulumi-cloudpartner export`). */

import type { OfferConfigurationInputs } from "./types";

export function inputsFromTree(
  _resources: Array<Record<string, unknown>>,
  _offerId: string,
): OfferConfigurationInputs {
  throw new Error("not implemented");
}
