/** Shared setup of the VmImageVersion provider tests that run it in-process against the simulator. */

import type { CppSimulator } from "../../emulator/server";
import { StaticTokenProvider } from "../../provider/core/auth";
import { PooledTransport } from "../../provider/core/http";
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

/**
 * Registers the hooks of an image-provider test file: one simulator for the file; per test a fresh transport
 * and log. `provider()` is a VmImageVersionProvider on them (with `hooks` added), its log lines in `lines`.
 */
export function imageProviderSuite(hooks: ProviderHooks = {}) {
  const suite = {
    sim: undefined as unknown as CppSimulator,
    transport: undefined as unknown as PooledTransport,
    lines: [] as string[],
    provider: () =>
      new VmImageVersionProvider({
        tokenProvider: new StaticTokenProvider(TOKEN),
        transport: suite.transport,
        log: (line) => suite.lines.push(line),
        ...hooks,
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
