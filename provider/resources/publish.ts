import { apiProfile } from "../backends";
import { CloudPartnerError } from "../core/errors";
import { UNKNOWN_VALUE } from "../core/validate";
import { readDeclaration } from "../ingestion/offer/declaration";
import { allowedPatternProblem } from "../ingestion/publish-safety";
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
 * live values differ. Changing `configuration`, `allowUndeclaredChanges` or `modular` is recorded in place: they
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
            check: (value, api) => {
              const check = apiProfile(api).startInputs.notificationEmails;
              return value === undefined || value === null || !check
                ? { value: undefined, problems: [] }
                : check(value);
            },
            onChange: "update",
            apis: ["cpp"],
          },
          configuration: {
            check: (value) => {
              if (value === undefined || value === null) return { value: undefined, problems: [] };
              try {
                readDeclaration(value);
                return { value, problems: [] };
              } catch (error) {
                if (error instanceof CloudPartnerError)
                  return { value: undefined, problems: [error.message] };
                throw error;
              }
            },
            onChange: "update",
            apis: ["ingestion"],
          },
          allowUndeclaredChanges: {
            check: optionalBoolean("allowUndeclaredChanges"),
            onChange: "update",
            apis: ["ingestion"],
          },
          allowUndeclaredChangesTo: {
            check: (value) => {
              if (value === undefined || value === null) return { value: undefined, problems: [] };
              if (!Array.isArray(value))
                return {
                  value: undefined,
                  problems: [
                    `allowUndeclaredChangesTo must be a list of key.field paths, got ${typeof value} (write ["plans[*].technicalConfiguration.vmImageVersions"]).`,
                  ],
                };
              const problems = value.flatMap((pattern, i) => {
                const problem = allowedPatternProblem(pattern);
                return problem ? [`allowUndeclaredChangesTo[${i}] ${problem}.`] : [];
              });
              return { value: problems.length ? undefined : value, problems };
            },
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
        startOptions: (inputs) => ({
          notificationEmails: inputs.notificationEmails,
          ...(inputs.api === "ingestion" && typeof inputs.configuration === "string"
            ? {
                publishGuard: {
                  configuration: inputs.configuration,
                  allowUndeclaredChanges: inputs.allowUndeclaredChanges === true,
                  allowUndeclaredChangesTo: inputs.allowUndeclaredChangesTo ?? [],
                  modular: inputs.modular === true,
                },
              }
            : {}),
        }),
        plan: async (inputs, backend, signal) =>
          inputs.api === "ingestion" &&
          typeof inputs.configuration === "string" &&
          inputs.configuration !== UNKNOWN_VALUE &&
          backend.declaredStages
            ? backend.declaredStages(inputs.configuration, signal)
            : [],
        stopsAtSignoff: true,
      },
      hooks,
    );
  }
}
