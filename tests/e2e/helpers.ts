/** Helpers shared by the end-to-end suites (tests/e2e/*.e2e.ts). */

import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type CppSimulator, startSimulator } from "../../emulator/server";
import {
  type CommandResult,
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

/** Runs `file` with `args` (no shell); never throws: resolves with its exit code and output. */
export function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Whether `go` runs here (the Go example and the YAML language host are built with it). */
export const hasGo = spawnSync("go", ["version"]).status === 0;

/**
 * `go build -o <binary> .` of the Go module in `dir` with `env`: it must succeed and print nothing but the
 * module downloads a cold module cache reports (`go: downloading <module> <version>`). The default Go module
 * and build caches keep later builds to seconds (the first one takes minutes). Logs how long it took.
 */
export async function goBuild(dir: string, binary: string, env: NodeJS.ProcessEnv): Promise<void> {
  const started = Date.now();
  const build = await run("go", ["build", "-o", binary, "."], { cwd: dir, env });
  const printed = `${build.stdout}${build.stderr}`
    .split("\n")
    .filter((line) => line.trim() !== "" && !/^go: downloading \S+ \S+$/.test(line.trim()));
  expect({ code: build.code, printed }).toEqual({ code: 0, printed: [] });
  console.log(`go build -o ${path.basename(binary)}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
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

/**
 * The leaf changes shown under the resource of type `type` in a `--diff` display, each as
 * `<dotted path>: <what the CLI printed>`, e.g. `plans.hardened.availability.pricing.corePricing.pricePerCore:
 * 0.09 => 0.11`. Nested objects and lists (`~ plans: {`) are not leaves; their keys make up the path.
 */
export function changedLeaves(output: string, type: string): string[] {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => line.includes(`${type}: (`));
  if (start < 0) return [];
  const headerIndent = (lines[start]?.match(/^\s*/)?.[0].length ?? 0) + 2;
  const leaves: string[] = [];
  const stack: Array<{ indent: number; key: string }> = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") continue;
    const indent = line.match(/^\s*/)?.[0].length ?? 0;
    // The next resource (same or lower indentation than this one's header) or the summary ends the block.
    if (/^\s*(?:[~+-]{1,3}|\+-|-\+)?\s*[\w-]+:[\w/:.-]+: \(/.test(line) && indent <= headerIndent) break;
    if (/^(Resources|Outputs|Diagnostics|Duration):/.test(line.trim())) break;
    // `~ key   : value` (keys are padded to a column), `[0]: {` for list items.
    const entry = line.match(/^(\s*)([~+-]{1,3}|\+-|-\+)?\s*\[?("?[^":\s[\]]+"?)\]?\s*:\s?(.*)$/);
    if (!entry || /^\[\w+=/.test(line.trim())) {
      // `[id=…]`, `[urn=…]`, `[provider=…]`, or a closing brace.
      if (/^\s*[}\]]\s*$/.test(line)) stack.pop();
      continue;
    }
    const key = (entry[3] ?? "").replace(/^"|"$/g, "");
    const rest = (entry[4] ?? "").trim();
    while (stack.length && (stack.at(-1)?.indent ?? 0) >= indent) stack.pop();
    if (rest === "{" || rest === "[") {
      stack.push({ indent, key });
      continue;
    }
    if (!entry[2]) continue; // unchanged context
    leaves.push(`${[...stack.map((s) => s.key), key].join(".")}: ${rest}`);
  }
  return leaves;
}
