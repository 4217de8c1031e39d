/** `pulumi import` of an operation resource by id: the state it starts from, found with reads only. */

import { createBackend } from "../backends";
import type { ApiName, OperationHandle, OperationKind } from "../core/backend";
import { ConfigurationError } from "../core/errors";
import { operationIdFromLocation } from "../core/location";
import type { OperationResourceProvider } from "../resources";
import { type ProviderConfig, withConfigDefaults } from "./config";
import { RESOURCE_KINDS } from "./contract";
import type { Properties } from "./properties";

const LABELS: Record<OperationKind, string> = { golive: "go-live", publish: "publish" };

/** What an import id names: the offer (and its API) and the operation, or `current`. */
interface ImportId {
  api: ApiName;
  publisherId?: string;
  offerId: string;
  operationId: string;
}

/**
 * The id shapes, as the resources' own ids (`pulumi stack --show-ids`):
 * - Cloud Partner Portal: `<publisherId>/<offerId>/<golive|publish>/<operationId>`;
 * - Product Ingestion API: `<offerExternalId>/<golive|publish>/<jobId>` (the configure job), or
 *   `<offerExternalId>/<golive|publish>/submission/<productGuid>/<submissionGuid>` (a resource that attached to a
 *   submission);
 * each with `current` as the operation for the one of that kind running now or last done. The id's shape tells
 * the API; with `cloudpartner:api` set to `ingestion`, the ingestion shape is read first.
 */
function parseImportId(id: string, kind: OperationKind, config: ProviderConfig): ImportId | undefined {
  const parts = id.split("/");
  const ingestion = (): ImportId | undefined =>
    parts.length >= 3 && parts[1] === kind && parts[0]
      ? { api: "ingestion", offerId: parts[0], operationId: parts.slice(2).join("/") }
      : undefined;
  const cpp = (): ImportId | undefined =>
    parts.length === 4 && parts[2] === kind && parts[0] && parts[1]
      ? { api: "cpp", publisherId: parts[0], offerId: parts[1], operationId: parts[3] ?? "" }
      : undefined;
  const named = config.api === "ingestion" ? (ingestion() ?? cpp()) : (cpp() ?? ingestion());
  return named?.operationId ? named : undefined;
}

/**
 * The state an import starts from: the offer and the operation the id names (see `parseImportId`), read by the
 * resource's own `read` afterwards. Only reads are sent.
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
  const usage =
    `Import ${type} with the resource id of the operation (\`pulumi stack --show-ids\` of a stack that has it) or with \`current\` for the ${LABELS[kind]} running now or last done: ` +
    `<publisherId>/<offerId>/${kind}/<operationId|current> on the Cloud Partner Portal, ` +
    `<offerExternalId>/${kind}/<jobId|current> on the Product Ingestion API.`;
  const named = parseImportId(id, kind, config);
  if (!named) throw new ConfigurationError(`Cannot import "${id}". ${usage}`);
  const { api, publisherId, offerId, operationId } = named;
  const provider = providers[kind];
  const checked = await provider.check(
    {},
    withConfigDefaults({ api, ...(publisherId ? { publisherId } : {}), offerId }, config),
  );
  if (checked.failures?.length) {
    throw new ConfigurationError(
      `Cannot import "${id}": ${checked.failures.map((f) => f.reason).join(" ")} ${usage}`,
    );
  }
  const inputs = checked.inputs as Properties;
  const backend = createBackend({
    api,
    ...(publisherId ? { publisherId } : {}),
    offerId,
    endpoint: inputs.endpoint as string,
    apiVersion: inputs.apiVersion as string,
    accessToken: config.accessToken,
  });
  let handle: OperationHandle;
  if (operationId === "current") {
    const existing = await backend.findExisting(kind);
    if (!existing) {
      throw new ConfigurationError(
        `Cannot import "${id}": ${backend.offer} has no ${LABELS[kind]} operation running or done that is still current. Create the resource with \`pulumi up\` instead.`,
      );
    }
    const { origin: _origin, createdAt: _createdAt, ...found } = existing;
    handle = found;
  } else {
    handle = backend.handleOf(operationId);
  }
  handle = {
    ...handle,
    operationId: handle.operationId ?? operationIdFromLocation(handle.operationLocation),
  };
  const props = {
    ...inputs,
    ...handle,
    status: "running",
    attached: true,
    startedAt: new Date().toISOString(),
    steps: [],
    messages: [],
  };
  // The id the resource would have had, had it started or attached to the operation (as the dynamic resources').
  const last = handle.operationId ?? handle.submissionId ?? operationId;
  return { id: `${backend.offer}/${kind}/${last}`, props };
}
