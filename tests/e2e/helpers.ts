/** Helpers shared by the end-to-end suites (tests/e2e/*.e2e.ts). */

import * as fs from "node:fs";
import { type CppSimulator, startSimulator } from "../../emulator/server";
import {
  ensurePulumiCli,
  LocalStack,
  type LocalStackOptions,
  linkSelfPackage,
} from "../../scripts/lib/pulumi-cli";

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  initErrors?: string[];
  provider?: string;
}

/** The resources of `pulumi stack export` output. */
export function resourcesOf(exported: string): StateResource[] {
  return JSON.parse(exported).deployment.resources ?? [];
}

/** Command lines of the processes started for one stack: they inherit its PULUMI_HOME (Linux /proc). */
export function processesOf(stack: LocalStack): string[] {
  const marker = `PULUMI_HOME=${stack.env.PULUMI_HOME}\0`;
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/environ`, "utf8").includes(marker)) continue;
      found.push(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Polls `condition` every 50 ms; throws naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Registers the hooks every e2e file shares: before, the Pulumi CLI is ensured, the packages the programs
 * import are linked (`link`, default the package itself) and a time-scaled simulator accepting `canary`
 * starts; after, every stack made with `stack()` is disposed and the simulator closed. With `enabled` false
 * (a file whose tests are skipped) nothing is started.
 */
export function e2eSuite(canary: string, options: { link?: Array<() => void>; enabled?: boolean } = {}) {
  const suite = {
    sim: undefined as unknown as CppSimulator,
    cliBinDir: "",
    stacks: [] as LocalStack[],
    /** A new stack (disposed after the file) run with the ensured CLI. */
    stack(stackOptions: Omit<LocalStackOptions, "cliBinDir">): LocalStack {
      const stack = new LocalStack({ ...stackOptions, cliBinDir: suite.cliBinDir });
      suite.stacks.push(stack);
      return stack;
    },
    /** `stack init` with `config`, polling every 0.05-0.2 s, then `extra`; the canary token and `secrets` as secrets. */
    init(
      stack: LocalStack,
      config: Record<string, string>,
      extra: Record<string, string> = {},
      secrets: Record<string, string> = {},
    ): Promise<void> {
      return stack.init(
        { ...config, pollIntervalSeconds: "0.05", maxPollIntervalSeconds: "0.2", ...extra },
        { "cloudpartner:accessToken": canary, ...secrets },
      );
    },
  };
  beforeAll(async () => {
    if (options.enabled === false) return;
    suite.cliBinDir = await ensurePulumiCli();
    for (const link of options.link ?? [linkSelfPackage]) link();
    suite.sim = await startSimulator({ timeScale: 1_000_000, acceptedTokens: [canary], quiet: true });
  });
  afterAll(async () => {
    for (const stack of suite.stacks) stack.dispose();
    await suite.sim?.close();
  });
  return suite;
}
