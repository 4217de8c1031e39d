/** Memory figures of another process, from /proc (Linux). */

import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

export interface ProcessMemory {
  /** Peak resident set size so far (VmHWM), MiB. */
  peakRssMiB: number;
  /** Current resident set size (VmRSS), MiB. */
  rssMiB: number;
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? NaN);
  return { peakRssMiB: kib("VmHWM") / 1024, rssMiB: kib("VmRSS") / 1024 };
}

/** The compiled provider the thin serialized provider loads; the host benchmarks need it built. */
export function requireBuiltProvider(): void {
  const built = path.resolve(__dirname, "../../dist/provider/provider.js");
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: run \`npm run build\` first (npm run bench does it for you).`);
  }
}

/** CPU time (user + system) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
