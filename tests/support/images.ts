/** Shared setup of the VmImageVersion provider tests that run it in-process against the simulator. */

import type { CppSimulator } from "../../emulator/server";
import { StaticTokenProvider } from "../../provider/core/auth";
import { PooledTransport } from "../../provider/core/http";
import { sleep } from "../../provider/core/options";
import type { ProviderHooks } from "../../provider/resources";
import { VmImageVersionProvider } from "../../provider/resources";
import { sasUri } from "../../scripts/lib/release";
import { TOKEN, withSimulator } from "./harness";

const T0 = Date.now();

/**
 * A SAS URI of a contoso VHD valid far ahead (the simulator's clock runs a million times faster), the same
 * for the same blob and signature throughout a test file.
 */
export function sas(blob: string, sig: string): string {
  return sasUri("contoso", blob, T0, sig);
}

/** The URL of a contoso VHD without its query: what a redacted message keeps of a SAS URI. */
export const blobPath = (blob: string) => `https://contoso.blob.core.windows.net/vhds/${blob}.vhd`;

/**
 * Adds a live contoso offer whose API cannot read `blob` and quotes the SAS URI it was given in its refusal
 * (`echoBlobUri`), as an API that says "Not able to download blob <uri>" would.
 */
export function addOfferQuotingRefusedBlob(sim: CppSimulator, offerId: string, blob: string): void {
  sim.addOffer({
    publisherId: "contoso",
    offerId,
    state: "live",
    echoBlobUri: true,
    unreadableBlobs: [blobPath(blob)],
  });
}

const DAY_MS = 86_400_000;

/** The same SAS URI expiring `days` from now (real time), started 30 days back. */
export function expiringSas(blob: string, sig: string, days: number): string {
  const url = new URL(sasUri("contoso", blob, Date.now() - 29 * DAY_MS, sig));
  url.searchParams.set("se", new Date(Date.now() + days * DAY_MS).toISOString());
  return url.toString();
}

/** A clock `days` in the past (real waits): what "when the resource was created" looked like. */
export function clockDaysAgo(days: number): {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
} {
  return { now: () => Date.now() - days * DAY_MS, sleep: (ms, signal) => sleep(ms, signal) };
}

/**
 * Registers the hooks of an image-provider test file: one simulator for the file; per test a fresh transport
 * and log. `provider()` is a VmImageVersionProvider on them (with `hooks` added), its log lines in `lines`.
 */
export function imageProviderSuite(hooks: ProviderHooks = {}) {
  const suite = {
    sim: undefined as unknown as CppSimulator,
    transport: undefined as unknown as PooledTransport,
    lines: [] as string[],
    provider: (extra: ProviderHooks = {}) =>
      new VmImageVersionProvider({
        tokenProvider: new StaticTokenProvider(TOKEN),
        transport: suite.transport,
        log: (line) => suite.lines.push(line),
        ...hooks,
        ...extra,
      }),
  };
  beforeAll(async () => {
    suite.sim = await withSimulator();
  });
  afterAll(() => suite.sim.close());
  beforeEach(() => {
    suite.transport = new PooledTransport();
    suite.lines = [];
  });
  afterEach(() => suite.transport.close());
  return suite;
}
