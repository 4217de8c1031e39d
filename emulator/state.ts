/**
 * The emulator's state file: offers (plans, image versions, drafts by version), operations, ingestion products
 * (resource trees, submissions, jobs), the simulated clock and the request log, as one JSON document written
 * atomically (a temporary file, fsync, rename, fsync of the folder), so a kill at any moment leaves either the
 * previous state or the new one, never a broken file.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { JobRecord, ProductRecord, SubmissionRecord } from "./ingestion/store";
import type { OperationRecord } from "./operations";
import type { OfferRecord, StepFailure } from "./store";
import type { RequestLogEntry, SpellingSettings } from "./types";

export const STATE_FORMAT = "pulumi-cloudpartner-emulator-state";
export const STATE_VERSION = 1;

type SerializedOffer = Omit<OfferRecord, "versions" | "operations"> & {
  versions: Array<[number, Record<string, unknown>]>;
  operations: OperationRecord[];
};
type SerializedJob = Omit<JobRecord, "product" | "submission"> & {
  submission?: Omit<SubmissionRecord, "job">;
};
type SerializedProduct = Omit<ProductRecord, "jobs" | "submissions"> & {
  jobs: SerializedJob[];
  /** Job ids of the product's submissions, in order (each submission belongs to one job). */
  submissions: string[];
};

export interface EmulatorStateFile {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  /** Real time of the write (ISO). */
  savedAt: string;
  /** Simulated now at `savedAt`, and the time scale then: the clock goes on from there after a restart. */
  clock: { simulatedNowMs: number; realMs: number; timeScale: number };
  cpp: {
    settings: SpellingSettings & { refuseGoLive?: boolean | string };
    offers: SerializedOffer[];
    /** Emulator-wide one-shot failures (control `POST fail-next`). */
    failNext?: StepFailure[];
  };
  ingestion: { submissionCounter: string; products: SerializedProduct[] };
  /** The request log, `Authorization` redacted. */
  requests: RequestLogEntry[];
}

export interface LiveState {
  clock: { nowMs(): number; readonly timeScale: number };
  settings: SpellingSettings & { refuseGoLive?: boolean | string };
  offers: OfferRecord[];
  failNext: StepFailure[];
  products: ProductRecord[];
  submissionCounter: bigint;
  requests: RequestLogEntry[];
}

/** A request log entry as stored or shown: the bearer token replaced. */
export function redactEntry(entry: RequestLogEntry): RequestLogEntry {
  const headers = { ...entry.headers };
  if (headers.authorization !== undefined) headers.authorization = "[redacted]";
  return { ...entry, headers };
}

export function serializeState(state: LiveState): string {
  const offers: SerializedOffer[] = state.offers.map((offer) => ({
    ...offer,
    versions: [...offer.versions.entries()],
  }));
  const products: SerializedProduct[] = state.products.map((product) => ({
    ...product,
    jobs: product.jobs.map(({ product: _, submission, ...job }) => ({
      ...job,
      ...(submission ? { submission: { ...submission, job: undefined } } : {}),
    })),
    submissions: product.submissions.map((submission) => submission.job.jobId),
  }));
  const file: EmulatorStateFile = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    savedAt: new Date().toISOString(),
    clock: { simulatedNowMs: state.clock.nowMs(), realMs: Date.now(), timeScale: state.clock.timeScale },
    cpp: { settings: state.settings, offers, failNext: state.failNext },
    ingestion: { submissionCounter: state.submissionCounter.toString(), products },
    requests: state.requests.map(redactEntry),
  };
  return `${JSON.stringify(file)}\n`;
}

export interface RestoredState {
  /** Simulated now, with the time passed since the write counted at the saved time scale. */
  simulatedNowMs: number;
  settings: EmulatorStateFile["cpp"]["settings"];
  offers: OfferRecord[];
  failNext: StepFailure[];
  products: ProductRecord[];
  submissionCounter: bigint;
  requests: RequestLogEntry[];
}

/** Parses a state file's text; throws an Error naming the file and what is wrong. */
export function parseState(text: string, file: string): RestoredState {
  let value: EmulatorStateFile;
  try {
    value = JSON.parse(text) as EmulatorStateFile;
  } catch (error) {
    throw new Error(
      `The state file ${file} is not JSON (${(error as Error).message}); move it away to start from the seed.`,
    );
  }
  if (value?.format !== STATE_FORMAT || value.version !== STATE_VERSION) {
    throw new Error(
      `${file} is not an emulator state file of version ${STATE_VERSION} (format ${JSON.stringify(value?.format)}, version ${JSON.stringify(value?.version)}); pass another --state file.`,
    );
  }
  const offers = value.cpp.offers.map((offer): OfferRecord => {
    const versions = new Map(offer.versions);
    // The draft is the newest version's document (one object, as before the write).
    return { ...offer, versions, definition: versions.get(offer.offerVersion) ?? offer.definition };
  });
  const products = value.ingestion.products.map((serialized): ProductRecord => {
    const product = { ...serialized, jobs: [], submissions: [] } as unknown as ProductRecord;
    const byId = new Map<string, JobRecord>();
    for (const { submission, ...rest } of serialized.jobs) {
      const job = { ...rest, product } as JobRecord;
      if (submission) job.submission = { ...submission, job };
      byId.set(job.jobId, job);
      product.jobs.push(job);
    }
    for (const jobId of serialized.submissions) {
      const submission = byId.get(jobId)?.submission;
      if (!submission)
        throw new Error(`${file}: submission of job '${jobId}' is missing; the file is damaged.`);
      product.submissions.push(submission);
    }
    return product;
  });
  const { simulatedNowMs, realMs, timeScale } = value.clock;
  return {
    simulatedNowMs: simulatedNowMs + Math.max(0, Date.now() - realMs) * timeScale,
    settings: value.cpp.settings ?? {},
    offers,
    failNext: value.cpp.failNext ?? [],
    products,
    submissionCounter: BigInt(value.ingestion.submissionCounter),
    requests: value.requests ?? [],
  };
}

/** Reads the state file, or undefined when there is none yet. */
export function readStateFile(file: string): RestoredState | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Cannot read the state file ${file}: ${(error as Error).message}.`);
  }
  return parseState(text, file);
}

/**
 * Writes the state after changes, one write at a time (changes during a write give one more write), always
 * through a temporary file. `writeDelayMs` holds each write half-done that long: a test kills the process then.
 */
export class StateWriter {
  private dirty = false;
  private writing?: Promise<void>;
  private readonly temp: string;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => string,
    private readonly options: { writeDelayMs?: number; onError?: (message: string) => void } = {},
  ) {
    this.temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  }

  /** Something changed: write soon. */
  changed(): void {
    this.dirty = true;
    this.writing ??= this.loop();
  }

  /** Resolves once every change so far is on disk. */
  async flush(): Promise<void> {
    this.changed();
    while (this.writing) await this.writing;
  }

  /** Writes now, synchronously (the last write at exit). */
  flushSync(): void {
    const text = this.snapshot();
    const fd = openSync(this.temp, "w");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.temp, this.file);
    syncFolder(this.file);
    this.dirty = false;
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        try {
          await this.write(this.snapshot());
        } catch (error) {
          this.options.onError?.(
            `Could not write the state file ${this.file}: ${(error as Error).message}. The previous state stays; the next change tries again.`,
          );
          await rm(this.temp, { force: true }).catch(() => undefined);
          return;
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async write(text: string): Promise<void> {
    const handle = await open(this.temp, "w");
    try {
      const delay = this.options.writeDelayMs ?? 0;
      if (delay > 0) {
        const half = Math.floor(text.length / 2);
        await handle.write(text.slice(0, half));
        await new Promise((resolve) => setTimeout(resolve, delay));
        await handle.write(text.slice(half));
      } else {
        await handle.write(text);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.temp, this.file);
    syncFolder(this.file);
  }

  /** Removes a temporary file a killed process left. */
  static cleanup(file: string): void {
    const prefix = `.${path.basename(file)}.`;
    try {
      for (const name of readdirSync(path.dirname(file))) {
        if (name.startsWith(prefix) && name.endsWith(".tmp"))
          rmSync(path.join(path.dirname(file), name), { force: true });
      }
    } catch {
      // No folder yet: nothing to clean.
    }
  }
}

/** The rename is durable once the folder entry is on disk (not supported on every platform: best effort). */
function syncFolder(file: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path.dirname(file), "r");
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder for fsync.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
