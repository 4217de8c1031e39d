/**
 * Waiting on a `configure` job of resources (a technical configuration, an offer's declared parts) with the shared
 * poller: its intervals, `Retry-After`, timeout and failed-poll rules. The caller judges the completed job's result.
 */

import type { OperationSnapshot } from "../core/operation";
import type { Clock } from "../core/options";
import { pollOperation } from "../core/poller";
import type { IngestionClient } from "./client";
import { INGESTION_SERVICE } from "./constants";
import { type ConfigureStatus, jobState, rawJobStatus } from "./parse";

export interface JobWaitOptions {
  offerId: string;
  /** What the job configures, for the poller's messages ("technical configuration"). */
  label: string;
  /** First interval; the poller backs off from it up to 15 s (or this, if longer). */
  pollIntervalMs: number;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

/** The job as it completed (`jobStatus` completed, whatever its `jobResult`); a completed `first` is not polled. */
export async function waitForConfigureJob(
  client: IngestionClient,
  first: ConfigureStatus,
  options: JobWaitOptions,
): Promise<ConfigureStatus> {
  let job = first;
  if (/^completed$/i.test(job.jobStatus)) return job;
  const snapshotOf = (j: ConfigureStatus): OperationSnapshot => ({
    id: j.jobId,
    // The poller only waits: the caller judges the completed job's result.
    status: /^completed$/i.test(j.jobStatus) ? "succeeded" : "running",
    rawStatus: rawJobStatus(j),
    statusRecognized: jobState(j).recognized,
    steps: [],
    messages: [],
  });
  await pollOperation(
    async (pollSignal, limits) => {
      const read = await client.jobStatus(job.jobId, options.offerId, pollSignal, limits);
      job = read.job;
      return {
        snapshot: snapshotOf(job),
        ...(read.retryAfterMs ? { retryAfterMs: read.retryAfterMs } : {}),
      };
    },
    client.jobStatusUrl(job.jobId),
    {
      pollIntervalMs: options.pollIntervalMs,
      maxPollIntervalMs: Math.max(options.pollIntervalMs, 15_000),
      timeoutMs: options.timeoutMs,
      clock: options.clock,
      offerId: options.offerId,
      label: options.label,
      service: INGESTION_SERVICE,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  return job;
}
