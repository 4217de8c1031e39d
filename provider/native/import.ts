/** `pulumi import` of an operation resource by id: the state it starts from, found with reads only. */

import { createBackend } from "../backends";
import type { OperationKind } from "../core/backend";
import { ConfigurationError } from "../core/errors";
import { operationUrl } from "../core/location";
import type { OperationResourceProvider } from "../resources";
import { type ProviderConfig, withConfigDefaults } from "./config";
import { RESOURCE_KINDS } from "./contract";
import type { Properties } from "./properties";

/**
 * The state an import starts from: the id names the offer and the operation,
 * `<publisherId>/<offerId>/<golive|publish>/<operationId>` as the resources' own ids, or `.../current` for
 * the operation of that kind running now or last done. Only reads are sent.
 */
export async function importedState(
  type: string,
  id: string,
  providers: Record<OperationKind, OperationResourceProvider<object>>,
  config: ProviderConfig,
): Promise<{ id: string; props: Properties }> {
  const kind = RESOURCE_KINDS[type];
  if (!kind) {
    throw new ConfigurationError(
      `Cannot import "${id}": ${type} is not imported by id. Declare the resource with the version's image instead: \`pulumi up\` adopts a version already in the draft with that image without writing anything.`,
    );
  }
  const parts = id.split("/");
  const usage = `Import ${type} with the id <publisherId>/<offerId>/${kind}/<operationId> (the resource id of the operation) or <publisherId>/<offerId>/${kind}/current.`;
  if (parts.length !== 4 || parts[2] !== kind)
    throw new ConfigurationError(`Cannot import "${id}". ${usage}`);
  const [publisherId, offerId, , operationId] = parts as [string, string, string, string];
  const provider = providers[kind];
  const checked = await provider.check({}, withConfigDefaults({ publisherId, offerId }, config));
  if (checked.failures?.length) {
    throw new ConfigurationError(
      `Cannot import "${id}": ${checked.failures.map((f) => f.reason).join(" ")} ${usage}`,
    );
  }
  const inputs = checked.inputs as Properties;
  if ((inputs.api ?? "cpp") !== "cpp") {
    throw new ConfigurationError(
      `Cannot import "${id}": import by id is available for the Cloud Partner Portal API (api "cpp") only so far.`,
    );
  }
  let operationLocation: string;
  let resolvedId = operationId;
  if (operationId === "current") {
    const backend = createBackend({
      api: "cpp",
      publisherId,
      offerId,
      endpoint: inputs.endpoint as string,
      apiVersion: inputs.apiVersion as string,
      accessToken: config.accessToken,
    });
    const existing = await backend.findExisting(kind);
    if (!existing) {
      throw new ConfigurationError(
        `Cannot import "${id}": ${publisherId}/${offerId} has no ${kind} operation running or done that is still current. Create the resource with \`pulumi up\` instead.`,
      );
    }
    operationLocation = existing.operationLocation;
    resolvedId = existing.operationId ?? operationId;
  } else {
    operationLocation = operationUrl(
      inputs.endpoint as string,
      inputs.apiVersion as string,
      publisherId,
      offerId,
      operationId,
    );
  }
  const props = {
    ...inputs,
    operationLocation,
    operationId: resolvedId,
    status: "running",
    attached: true,
    startedAt: new Date().toISOString(),
    steps: [],
    messages: [],
  };
  // The id the resource would have had, had it started the operation (as the dynamic resources' ids).
  return { id: `${publisherId}/${offerId}/${kind}/${resolvedId}`, props };
}
