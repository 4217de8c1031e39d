/**
 * Processes as a test of "the plugin exits when its engine is gone" sees them: the stand-in engine
 * (`stand-in-engine.js`, a process a test can SIGKILL), and a look at other processes through /proc (Linux).
 */

import * as fs from "node:fs";
import * as path from "node:path";

/** `node stand-in-engine.js <plugin> [args...]` starts the plugin as the engine would (see that file). */
export const STAND_IN_ENGINE = path.join(__dirname, "stand-in-engine.js");

/** The plugin's pid, from the stand-in engine's stderr. */
export function pluginPidOf(standInStderr: string): number {
  const match = /stand-in-engine: plugin pid (\d+)/.exec(standInStderr);
  if (!match) throw new Error(`the stand-in engine did not say its plugin's pid: ${standInStderr}`);
  return Number(match[1]);
}

/** Whether `pid` runs (a zombie, dead but not yet reaped, does not). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The pids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A process's command line, words joined by spaces ("" once it is gone). */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Milliseconds until none of `pids` runs; throws after `timeoutMs`. */
export async function untilGone(pids: number[], timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (pids.some(alive)) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`still running ${timeoutMs} ms later: ${pids.filter(alive).map(commandOf).join("; ")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}

/** SIGKILLs those of `pids` still running (a failed test's leftovers). */
export function killLeftovers(pids: number[]): void {
  for (const pid of pids.filter(alive)) process.kill(pid, "SIGKILL");
}
