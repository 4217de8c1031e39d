/**
 * What every benchmark hands back: tables and goals, printed as Markdown (readable in a terminal and
 * pasted as is into bench/RESULTS.md) and saved as JSON in bench/out/.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type MachineInfo, machineInfo } from "./machine";

export interface Table {
  title: string;
  headers: string[];
  rows: Array<Array<string | number>>;
  /** Lines printed under the table: definitions, caveats. */
  notes?: string[];
}

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchReport {
  /** File name without extension: `polling`, `fanout`, ... */
  name: string;
  title: string;
  /** One paragraph: what was measured and how. */
  method: string;
  tables: Table[];
  goals: Goal[];
  /** Wall time of the benchmark itself, ms. */
  durationMs?: number;
  /** Where and when it ran (filled in by `runStandalone`). */
  machine?: MachineInfo;
  /** Raw figures for later analysis (kept in bench/out/*.json only). */
  raw?: unknown;
}

export const OUT_DIR = path.resolve(__dirname, "../out");

export function markdownTable(table: Table): string {
  const cells = [table.headers, ...table.rows.map((row) => row.map(String))];
  const widths = table.headers.map((_, i) => Math.max(3, ...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 3)).join(" | ")} |`;
  const separator = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  const out = [`**${table.title}**`, "", line(cells[0] ?? []), separator, ...cells.slice(1).map(line)];
  if (table.notes?.length) out.push("", ...table.notes.map((note) => `- ${note}`));
  return out.join("\n");
}

export function goalsTable(goals: Goal[]): Table {
  return {
    title: "Goals",
    headers: ["goal", "target", "measured", "met"],
    rows: goals.map((g) => [g.goal, g.target, g.measured, g.met ? "yes" : "**NO**"]),
  };
}

export function renderReport(report: BenchReport, level = "##"): string {
  const parts = [`${level} ${report.title}`, "", report.method, ""];
  for (const table of report.tables) parts.push(markdownTable(table), "");
  if (report.goals.length) parts.push(markdownTable(goalsTable(report.goals)), "");
  if (report.durationMs !== undefined)
    parts.push(`_Benchmark wall time: ${(report.durationMs / 1000).toFixed(1)} s._`, "");
  return parts.join("\n");
}

export function writeReport(report: BenchReport): string {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${report.name}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/**
 * Runs a benchmark's `main` when its file is executed directly: prints the tables, saves the JSON,
 * exits non-zero only when the benchmark itself crashed (a missed goal is a result, not a failure).
 */
export function runStandalone(main: () => Promise<BenchReport>): void {
  const started = performance.now();
  const machine = machineInfo();
  main()
    .then((report) => {
      report.durationMs ??= performance.now() - started;
      report.machine ??= machine;
      const file = writeReport(report);
      console.log(`\n${renderReport(report)}`);
      console.log(`(saved ${path.relative(process.cwd(), file)})`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    });
}

/** Progress to stderr so stdout stays the tables. */
export function progress(line: string): void {
  process.stderr.write(`  · ${line}\n`);
}
