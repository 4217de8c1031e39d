import { type CppSimulator, type SimulatorOptions, startSimulator } from "../../emulator/server";
import { PooledTransport } from "../../provider/core/http";
import { CloudPartnerClient, type CloudPartnerClientOptions } from "../../provider/cpp/client";

export const TOKEN = "test-token";

/** One simulator per test file, with a fresh transport per client so connection counts are per test. */
export async function withSimulator(options: SimulatorOptions = {}): Promise<CppSimulator> {
  return startSimulator({ timeScale: 1_000_000, quiet: true, ...options });
}

/** A client on the simulator with fast retries; close its transport with `closeClient`. */
export function clientFor(sim: CppSimulator, options: CloudPartnerClientOptions = {}) {
  const transport = new PooledTransport();
  const client = new CloudPartnerClient({
    endpoint: sim.url,
    accessToken: TOKEN,
    requestTimeoutMs: 2_000,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
    transport,
    ...options,
  });
  return { client, transport };
}

/** Poll options that make a time-scaled days-long operation finish in a blink. */
export const fastPoll = { pollIntervalMs: 10, maxPollIntervalMs: 20, heartbeatIntervalMs: 60_000 };

/**
 * Inputs of a go-live resource on the simulator at `endpoint` that polls every 10-20 ms, as the provider
 * host receives them (with the serialized provider).
 */
export function goLiveInputs(
  endpoint: string,
  providerText: string,
  offerId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    publisherId: "contoso",
    offerId,
    endpoint,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    __provider: providerText,
    ...extra,
  };
}

/**
 * Inputs of an `api: "ingestion"` resource on the simulator at `endpoint` (its Product Ingestion API under
 * /rp/product-ingestion) that polls every 10-20 ms, as the provider host receives them.
 */
export function ingestionInputs(
  endpoint: string,
  providerText: string | undefined,
  offerId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    api: "ingestion",
    offerId,
    endpoint: `${endpoint}/rp/product-ingestion`,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    __provider: providerText,
    ...extra,
  };
}

/**
 * Registers the hooks of a client test file: one simulator for the file; per test a fresh client on it with
 * `clientFor` (its transport closed after the test). `newOffer(seed)` adds the contoso offer `<prefix>-<n>`.
 */
export function clientSuite(prefix: string, defaults: Record<string, unknown> = {}) {
  let counter = 0;
  const suite = {
    sim: undefined as unknown as CppSimulator,
    client: undefined as unknown as CloudPartnerClient,
    transport: undefined as unknown as PooledTransport,
    newOffer(seed: Record<string, unknown> = {}): string {
      const offerId = `${prefix}-${++counter}`;
      suite.sim.addOffer({ publisherId: "contoso", offerId, ...defaults, ...seed });
      return offerId;
    },
  };
  beforeAll(async () => {
    suite.sim = await withSimulator();
  });
  afterAll(async () => {
    await suite.sim.close();
  });
  beforeEach(() => {
    ({ client: suite.client, transport: suite.transport } = clientFor(suite.sim));
  });
  afterEach(async () => {
    await suite.transport.close();
  });
  return suite;
}

/**
 * Registers a fresh simulator per test, started with no options, closed after the test; `onStart` is told of
 * each one. Returns `start(options)`, which replaces the current simulator with one started with `options`.
 */
export function simulatorPerTest(onStart: (sim: CppSimulator) => void) {
  let current: CppSimulator | undefined;
  async function start(options: SimulatorOptions = {}): Promise<CppSimulator> {
    await current?.close();
    current = await startSimulator(options);
    onStart(current);
    return current;
  }
  beforeEach(() => start());
  afterEach(() => current?.close());
  return start;
}
