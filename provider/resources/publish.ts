import { apiProfile } from "../backends";
import type { ProviderHooks } from "./connection";
import { OperationResourceProvider } from "./operation";

/** Inputs `OfferPublish` adds. */
export interface PublishInputs {
  /** Optional: without it the publish request has no body (the API ignores the addresses for migrated offers). */
  notificationEmails?: string[];
}

/**
 * Publishes an offer: POST .../publish (with the notification e-mails when given), then waits until the
 * preview is ready (the publish rests at its sign-off step) or the publish ends. The next move is the
 * publisher's: review the preview links, then go live (OfferGoLive); the go-live is the sign-off. Changing the e-mails is recorded in place:
 * re-publishing would restart certification for a list of recipients.
 */
export class OfferPublishProvider extends OperationResourceProvider<PublishInputs> {
  constructor(hooks: ProviderHooks = {}) {
    super(
      {
        kind: "publish",
        label: "publish",
        adopted: "the current version was already published and its preview is ready",
        inputs: {
          notificationEmails: {
            check: (value, api) => {
              const check = apiProfile(api).startInputs.notificationEmails;
              return value === undefined || value === null || !check
                ? { value: undefined, problems: [] }
                : check(value);
            },
            onChange: "update",
            apis: ["cpp"],
          },
        },
        startOptions: (inputs) => ({ notificationEmails: inputs.notificationEmails }),
        stopsAtSignoff: true,
      },
      hooks,
    );
  }
}
