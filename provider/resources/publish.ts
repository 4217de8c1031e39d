import { apiProfile } from "../backends";
import type { ApiName, PublishGuard } from "../core/backend";
import { type OperationInputs, UNKNOWN_VALUE } from "../core/validate";
import type { ProviderHooks } from "./connection";
import { type KindInput, OperationResourceProvider } from "./operation";

/** Inputs `OfferPublish` adds. */
export interface PublishInputs {
  /** Optional: without it the publish request has no body (the API ignores the addresses for migrated offers). */
  notificationEmails?: string[];
  /**
   * Ingestion only: OfferConfiguration's `declaration` output. Before the preview is sent, the draft is compared
   * with the preview, and a change the declaration does not explain refuses the publish (nothing sent).
   */
  configuration?: string;
  /** Ingestion only, with `configuration`: publish even when the draft holds undeclared changes (they are logged). */
  allowUndeclaredChanges?: boolean;
  /**
   * Ingestion only, with `configuration`: `key.field` (or `key`) paths, `[*]` for any id, whose undeclared
   * changes do not refuse the publish (fields another resource owns, e.g. VmImageVersion's image versions).
   */
  allowUndeclaredChangesTo?: string[];
  /** Ingestion only, needs `configuration`: a modular publish, which publishes only the declared resources. */
  modular?: boolean;
}

/** An optional input the API's profile checks (`backends.ts`, below the seam); absent stays absent. */
function startInput(api: ApiName, name: string, value: unknown): { value: unknown; problems: string[] } {
  const check = apiProfile(api).startInputs[name];
  return value === undefined || value === null || !check ? { value: undefined, problems: [] } : check(value);
}

/** Publish safety's settings, when the resource has a configuration on the Product Ingestion API. */
function guardOf(inputs: OperationInputs & PublishInputs): PublishGuard | undefined {
  if (inputs.api !== "ingestion" || typeof inputs.configuration !== "string") return undefined;
  return {
    configuration: inputs.configuration,
    allowUndeclaredChanges: inputs.allowUndeclaredChanges === true,
    allowUndeclaredChangesTo: inputs.allowUndeclaredChangesTo ?? [],
    modular: inputs.modular === true,
  };
}

/** A boolean input that may be left out. */
const optionalBoolean =
  (name: string): KindInput["check"] =>
  (value) =>
    value === undefined || value === null
      ? { value: undefined, problems: [] }
      : typeof value === "boolean"
        ? { value, problems: [] }
        : { value: undefined, problems: [`${name} must be true or false, got ${typeof value}.`] };

/**
 * Publishes an offer: POST .../publish (with the notification e-mails when given), then waits until the
 * preview is ready (the publish rests at its sign-off step) or the publish ends. The next move is the
 * publisher's: review the preview links, then go live (OfferGoLive); the go-live is the sign-off. Changing the e-mails is recorded in place:
 * re-publishing would restart certification for a list of recipients.
 *
 * Ingestion, with `configuration`: publish safety (`IngestionBackend` compares draft, preview and declaration
 * before the preview is sent) and, in `pulumi preview`, one line per declared field whose draft, preview and
 * live values differ. Changing `configuration`, `allowUndeclaredChanges(To)` or `modular` is recorded in place: they
 * govern the next publish, which `triggers` (e.g. `[config.declaration]`) starts.
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
            check: (value, api) => startInput(api, "notificationEmails", value),
            onChange: "update",
            apis: ["cpp"],
          },
          configuration: {
            check: (value, api) => startInput(api, "configuration", value),
            onChange: "update",
            apis: ["ingestion"],
          },
          allowUndeclaredChanges: {
            check: optionalBoolean("allowUndeclaredChanges"),
            onChange: "update",
            apis: ["ingestion"],
          },
          allowUndeclaredChangesTo: {
            check: (value, api) => startInput(api, "allowUndeclaredChangesTo", value),
            onChange: "update",
            apis: ["ingestion"],
          },
          modular: { check: optionalBoolean("modular"), onChange: "update", apis: ["ingestion"] },
        },
        checkTogether: (inputs, api) =>
          api === "ingestion" && inputs.modular === true && inputs.configuration === undefined
            ? [
                {
                  property: "modular",
                  reason:
                    "modular needs configuration: a modular publish lists the declared resources, so pass the OfferConfiguration's declaration (configuration: config.declaration), or leave modular out to publish the whole draft.",
                },
              ]
            : [],
        startOptions: (inputs) => {
          const publishGuard = guardOf(inputs);
          return { notificationEmails: inputs.notificationEmails, ...(publishGuard ? { publishGuard } : {}) };
        },
        plan: async (inputs, backendOf) => {
          const guard = guardOf(inputs);
          if (!guard || guard.configuration === UNKNOWN_VALUE) return [];
          const backend = backendOf();
          return backend.declaredStages ? backend.declaredStages(guard) : [];
        },
        stopsAtSignoff: true,
      },
      hooks,
    );
  }
}
