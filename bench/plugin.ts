/**
 * The native plugin as users get it: the release's single executable (scripts/lib/plugin-build.ts, unpacked
 * from its archive into an empty folder) against today's launcher `bin/pulumi-resource-cloudpartner` (Node +
 * dist/ + node_modules), in the same run: size on disk, and cold start from spawn to the first `GetSchema`
 * answered (what the engine asks first), with the peak RSS at that point. Builds the archive first (about
 * 10 s); needs `npm run build` for the launcher.
 *
 *   npm run build && npx ts-node --transpile-only bench/plugin.ts
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { binaryPath, hostPlatform, platformOf, REPO_ROOT, releaseArchive } from "../scripts/lib/plugin-build";
import { ProviderHost } from "../tests/support/provider-host";
import { processMemory, requireBuiltProvider } from "./lib/process-info";
import { type BenchReport, progress, runStandalone } from "./lib/report";
import { fixed, median } from "./lib/stats";

const ROUNDS = 15;
const TARGET_EXTRA_MS = 100;
const LAUNCHER = path.join(REPO_ROOT, "bin", "pulumi-resource-cloudpartner");
const provproto: typeof import("@pulumi/pulumi/proto/provider_pb") = require("@pulumi/pulumi/proto/provider_pb");

interface Start {
  portMs: number;
  schemaMs: number;
  peakRssMiB: number;
}

async function coldStart(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Start> {
  const started = performance.now();
  const host = await ProviderHost.start(env, { command, args: ["127.0.0.1:1"], cwd });
  const portMs = performance.now() - started;
  try {
    const schema = await host.call<{ getSchema(): string }>("getSchema", new provproto.GetSchemaRequest());
    const schemaMs = performance.now() - started;
    if (!schema.getSchema().includes('"name": "cloudpartner"')) throw new Error(`${command}: wrong schema`);
    return { portMs, schemaMs, peakRssMiB: processMemory(host.pid ?? 0).peakRssMiB };
  } finally {
    await host.stop();
  }
}

/** Bytes under `dir` (files, not following links). */
function du(dir: string): number {
  let total = 0;
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) return stat.size;
  for (const entry of fs.readdirSync(dir)) total += du(path.join(dir, entry));
  return total;
}

/** The package folders a user's `npm install pulumi-cloudpartner @pulumi/pulumi` brings: dependencies and peers, transitively. */
function runtimeClosure(): string[] {
  const seen = new Set<string>();
  const visit = (dir: string, names: string[]) => {
    for (const name of names) {
      let from = dir;
      let found: string | undefined;
      for (;;) {
        const candidate = path.join(from, "node_modules", name);
        if (fs.existsSync(path.join(candidate, "package.json"))) {
          found = fs.realpathSync(candidate);
          break;
        }
        const up = path.dirname(from);
        if (up === from) break;
        from = up;
      }
      if (!found || seen.has(found)) continue;
      seen.add(found);
      const pkg = JSON.parse(fs.readFileSync(path.join(found, "package.json"), "utf8"));
      visit(found, [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
    }
  };
  const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
  visit(REPO_ROOT, [...Object.keys(root.dependencies ?? {}), ...Object.keys(root.peerDependencies ?? {})]);
  return [...seen];
}

const mb = (bytes: number) => `${fixed(bytes / 1e6, 1)} MB`;

export async function main(): Promise<BenchReport> {
  requireBuiltProvider();
  progress(`building the ${hostPlatform()} release archive`);
  const archive = await releaseArchive(hostPlatform(), progress);
  const binary = binaryPath(platformOf(hostPlatform()));
  // Unpacked where nothing of the project is: the way `pulumi plugin install --file` leaves it.
  const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-plugin-bench-"));
  try {
    const tar: typeof import("tar") = require("tar");
    await tar.extract({ file: archive, cwd: unpacked });
    const sea = path.join(unpacked, path.basename(binary));
    // No Node and no node_modules on its PATH.
    const seaEnv = { PATH: "/usr/bin:/bin" };

    const variants = {
      launcher: () => coldStart(LAUNCHER, REPO_ROOT, {}),
      sea: () => coldStart(sea, unpacked, seaEnv),
    };
    const runs: Record<keyof typeof variants, Start[]> = { launcher: [], sea: [] };
    // One start of each first, not counted (the page cache and this process's gRPC client warm up).
    await variants.launcher();
    await variants.sea();
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 5 === 0) progress(`cold starts, round ${round + 1}/${ROUNDS}`);
      const order: Array<keyof typeof variants> = round % 2 ? ["sea", "launcher"] : ["launcher", "sea"];
      for (const kind of order) runs[kind].push(await variants[kind]());
    }
    const med = (kind: keyof typeof runs, field: keyof Start) => median(runs[kind].map((r) => r[field]));
    const extraMs = med("sea", "schemaMs") - med("launcher", "schemaMs");

    const node = fs.statSync(fs.realpathSync(process.execPath)).size;
    const dist = du(path.join(REPO_ROOT, "dist", "provider"));
    const closure = runtimeClosure();
    const modules = closure.reduce((sum, dir) => sum + du(dir), 0);
    const launcherTotal = fs.statSync(LAUNCHER).size + dist + modules + node;
    const seaSize = fs.statSync(binary).size;
    const archiveSize = fs.statSync(archive).size;

    const row = (label: string, kind: keyof typeof runs) => [
      label,
      `${fixed(med(kind, "portMs"), 0)} ms`,
      `${fixed(med(kind, "schemaMs"), 0)} ms`,
      kind === "launcher" ? "—" : `${extraMs >= 0 ? "+" : ""}${fixed(extraMs, 0)} ms`,
      `${fixed(med(kind, "peakRssMiB"), 1)} MiB`,
    ];
    return {
      name: "plugin",
      title: "Plugin executable: single executable vs launcher",
      method:
        "The release's single executable (Node SEA: the esbuild bundle of provider/native/main.ts with V8's code cache, " +
        "injected into the pinned Node 24 binary, symbols stripped), unpacked from its archive into an empty temporary " +
        "folder and started with PATH=/usr/bin:/bin, against the launcher bin/pulumi-resource-cloudpartner (sh, then the " +
        "pinned Node running dist/provider/native/main.js from this checkout). Each start is timed from spawn to the port " +
        `line and to the first GetSchema answered over gRPC; median of ${ROUNDS} rounds after one unrecorded start of each, ` +
        "the order alternating each round; peak RSS is the plugin's VmHWM after GetSchema.",
      tables: [
        {
          title: `Cold start to first GetSchema (median of ${ROUNDS})`,
          headers: ["plugin", "port printed", "GetSchema answered", "vs launcher", "peak RSS"],
          rows: [
            row("launcher (bin/, Node + dist/ + node_modules)", "launcher"),
            row("single executable", "sea"),
          ],
          notes: [
            `Per-round GetSchema times, launcher: ${runs.launcher.map((r) => fixed(r.schemaMs, 0)).join(", ")} ms.`,
            `Single executable: ${runs.sea.map((r) => fixed(r.schemaMs, 0)).join(", ")} ms.`,
          ],
        },
        {
          title: "Size on disk",
          headers: ["plugin", "what a machine needs", "size"],
          rows: [
            [
              "launcher",
              `the 1 KB script, dist/provider (${mb(dist)}), ${closure.length} runtime packages (${mb(modules)}), Node.js (${mb(node)})`,
              mb(launcherTotal),
            ],
            ["single executable", "the binary alone", mb(seaSize)],
            ["release archive", path.basename(archive), mb(archiveSize)],
          ],
          notes: [
            "Runtime packages: the dependencies and peer dependencies of package.json (undici, @azure/identity, @pulumi/pulumi), transitively, as installed here; a user's install may dedupe differently.",
          ],
        },
      ],
      goals: [
        {
          goal: "single executable: first GetSchema answered, vs the launcher",
          target: `≤ launcher + ${TARGET_EXTRA_MS} ms`,
          measured: `${fixed(med("sea", "schemaMs"), 0)} vs ${fixed(med("launcher", "schemaMs"), 0)} ms (${extraMs >= 0 ? "+" : ""}${fixed(extraMs, 0)} ms)`,
          met: extraMs <= TARGET_EXTRA_MS,
        },
      ],
      raw: { runs, sizes: { seaSize, archiveSize, launcherTotal, dist, modules, node } },
    };
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
}

if (require.main === module) runStandalone(main);
