import type { ProviderHooks } from "./connection";
import { OperationResourceProvider } from "./operation";

/** Takes an offer live: POST .../golive, then waits for the operation to end. */
export class OfferGoLiveProvider extends OperationResourceProvider {
  constructor(hooks: ProviderHooks = {}) {
    super(
      {
        kind: "golive",
        label: "go-live",
        adopted: "the latest published version already went live",
        inputs: {},
      },
      hooks,
    );
  }
}
