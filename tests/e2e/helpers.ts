/** Helpers shared by the end-to-end suites (tests/e2e/*.e2e.ts). */

import * as fs from "node:fs";
import type { LocalStack } from "../../scripts/lib/pulumi-cli";

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
