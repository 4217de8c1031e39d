/**
 * Runs the benchmarks, each in its own process (so one's timers, garbage and connections cannot disturb
 * the next), then prints every goal and rewrites bench/RESULTS.md from bench/out/*.json.
 *
 *   npm run bench                                  # build, then all of them
 *   npx ts-node --transpile-only bench/run.ts polling fanout   # some of them (after `npm run build`)
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type MachineInfo, machineInfo } from "./lib/machine";
import { type BenchReport, markdownTable, OUT_DIR, renderReport, type Table } from "./lib/report";

const BENCHMARKS = [
  "polling",
  "ingestion-polling",
  "fanout",
  "client-overhead",
  "footprint",
  "plugin",
  "offer-configuration",
] as const;
const ROOT = path.resolve(__dirname, "..");

function loadReport(name: string): BenchReport | undefined {
  const file = path.join(OUT_DIR, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as BenchReport) : undefined;
}

function machineLines(machine: MachineInfo): string[] {
  return [
    `- CPU: ${machine.cpuModel}, ${machine.nproc} cores (nproc), ${machine.memoryGiB} GiB RAM`,
    `- Node ${machine.node}, ${machine.platform}`,
    `- Load average at start: ${machine.loadAverage.join(" / ")} (1 / 5 / 15 min)`,
    `- Date: ${machine.date}`,
  ];
}

function goalSummary(reports: BenchReport[]): Table {
  return {
    title: "All goals",
    headers: ["benchmark", "goal", "target", "measured", "met"],
    rows: reports.flatMap((r) =>
      r.goals.map((g) => [r.name, g.goal, g.target, g.measured, g.met ? "yes" : "**NO**"]),
    ),
  };
}

function writeResults(reports: BenchReport[], machine: MachineInfo): string {
  const parts = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (bench/run.ts); see bench/README.md for what each benchmark does and how to run one alone.",
    "Every table sets this project beside its baselines, measured in the same run on the same simulator.",
    "",
    "## Machine",
    "",
    ...machineLines(machine),
    "",
    markdownTable(goalSummary(reports)),
    "",
  ];
  for (const report of reports) {
    parts.push(renderReport(report));
    // A report older than this run comes from an earlier run (this one skipped or failed it): say so.
    if (report.machine && report.machine.date < machine.date) {
      parts.push(
        `_From an earlier run, at ${report.machine.date} (load average ${report.machine.loadAverage.join(" / ")})._`,
        "",
      );
    }
  }
  const file = path.join(__dirname, "RESULTS.md");
  writeFileSync(file, `${parts.join("\n").trimEnd()}\n`);
  return file;
}

function main(): void {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
  if (unknown.length) {
    console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Choose from: ${BENCHMARKS.join(", ")}.`);
    process.exit(2);
  }
  const selected = requested.length ? requested : [...BENCHMARKS];
  const machine = machineInfo();
  console.log(["# pulumi-cloudpartner benchmarks", "", ...machineLines(machine), ""].join("\n"));
  const failed: string[] = [];
  for (const name of selected) {
    console.log(`\n=== ${name} ===`);
    const started = performance.now();
    const result = spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(__dirname, `${name}.ts`)],
      { cwd: ROOT, stdio: "inherit", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (result.status !== 0) {
      failed.push(name);
      console.error(`${name} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    } else {
      console.log(`(${name}: ${seconds} s)`);
    }
  }
  const reports = BENCHMARKS.map(loadReport).filter((r): r is BenchReport => r !== undefined);
  console.log(`\n${markdownTable(goalSummary(reports))}`);
  const file = writeResults(reports, machine);
  console.log(`\nWrote ${path.relative(ROOT, file)}.`);
  if (failed.length) {
    console.error(`Failed: ${failed.join(", ")}`);
    process.exit(1);
  }
}

main();
