/**
 * The Cloud Partner Portal behind the backend seam: one offer (`publisherId/offerId`), its go-live and publish
 * operations, found, started, read and canceled through `CloudPartnerClient`.
 */

import type {
  CancelResult,
  FindOptions,
  OfferBackend,
  OfferStatusReport,
  OperationHandle,
  OperationKind,
  OperationRead,
  OperationSummary,
  ReadLimits,
  StartedOperation,
  StartOptions,
} from "../core/backend";
import { operationUrl } from "../core/location";
import { currentStep, isAwaitingSignoff } from "../core/operation";
import { normalizeStatus } from "../core/status";
import {
  type StartedOperation as ClientStartedOperation,
  CloudPartnerClient,
  type CloudPartnerClientOptions,
  CPP_WORDING,
  type OfferStatus,
} from "./client";

export interface CppBackendOptions extends CloudPartnerClientOptions {
  publisherId: string;
  offerId: string;
}

export class CppBackend implements OfferBackend {
  readonly api = "cpp" as const;
  readonly service = CPP_WORDING.service;
  readonly client: CloudPartnerClient;
  readonly publisherId: string;
  readonly offerId: string;

  constructor(options: CppBackendOptions) {
    const { publisherId, offerId, ...clientOptions } = options;
    this.publisherId = publisherId;
    this.offerId = offerId;
    this.client = new CloudPartnerClient(clientOptions);
  }

  get endpoint(): string {
    return this.client.endpoint;
  }

  get offer(): string {
    return `${this.publisherId}/${this.offerId}`;
  }

  get tokenSource(): string {
    return this.client.tokenSource;
  }

  handleOf(operationId: string): OperationHandle {
    const { endpoint, apiVersion } = this.client;
    return {
      operationLocation: operationUrl(endpoint, apiVersion, this.publisherId, this.offerId, operationId),
      operationId,
    };
  }

  async findExisting(
    kind: OperationKind,
    signal?: AbortSignal,
    options?: FindOptions,
  ): Promise<StartedOperation | undefined> {
    const existing = await this.client.findExistingOperation(
      this.publisherId,
      this.offerId,
      kind,
      signal,
      options,
    );
    if (!existing) return undefined;
    return toStarted(existing.operation, existing.running ? "attached" : "adopted");
  }

  async start(kind: OperationKind, options: StartOptions = {}): Promise<StartedOperation> {
    const started =
      kind === "golive"
        ? await this.client.goLive(this.publisherId, this.offerId, options.signal)
        : await this.client.publish(
            this.publisherId,
            this.offerId,
            options.notificationEmails,
            options.signal,
          );
    return toStarted(started, started.attached ? "attached" : "started");
  }

  readOperation(
    _kind: OperationKind,
    handle: OperationHandle,
    signal?: AbortSignal,
    limits?: ReadLimits,
  ): Promise<OperationRead> {
    return this.client.getOperation(handle.operationLocation, signal, limits);
  }

  listOperations(signal?: AbortSignal): Promise<OperationSummary[]> {
    return this.client.listSummaries(this.publisherId, this.offerId, { signal });
  }

  cancel(options: StartOptions = {}): Promise<CancelResult> {
    return this.client.cancel(this.publisherId, this.offerId, options.notificationEmails, options.signal);
  }

  async offerStatus(signal?: AbortSignal): Promise<OfferStatusReport> {
    const offer = await this.client.getOfferStatus(this.publisherId, this.offerId, signal);
    return describeOfferStatus(this.publisherId, this.offerId, offer);
  }

  toJSON(): Record<string, string> {
    return { api: this.api, offer: this.offer };
  }
}

function toStarted(operation: ClientStartedOperation, origin: StartedOperation["origin"]): StartedOperation {
  return {
    operationLocation: operation.operationLocation,
    ...(operation.operationId ? { operationId: operation.operationId } : {}),
    origin,
  };
}

/** Shapes what `CloudPartnerClient.getOfferStatus` returned into a report. */
export function describeOfferStatus(
  publisherId: string,
  offerId: string,
  offer: OfferStatus,
): OfferStatusReport {
  const normalized = normalizeStatus(offer.status);
  const awaitingSignoff = isAwaitingSignoff({
    status: normalized.status,
    rawStatus: offer.status,
    steps: offer.steps,
  });
  const step = currentStep(offer.steps);
  return {
    publisherId,
    offerId,
    status: offer.status,
    awaitingSignoff,
    ...(step ? { currentStep: step } : {}),
    steps: offer.steps,
    previewLinks: offer.previewLinks,
    liveLinks: offer.liveLinks,
  };
}
