/**
 * scripts/install-pulumi-cli.sh shares one cache between checkouts (~/.cache/pulumi-cloudpartner). Two
 * checkouts whose language hosts differ (two branches) must each get, and keep, their own host while
 * installing at the same time, and concurrent installs of the same checkout must agree on one complete
 * directory. The CLI build itself is not under test here: the cache is seeded with a stand-in `pulumi` that
 * answers `pulumi version` (the script's own check of a cached build), and with a stand-in program generator
 * under the key of its sources, so the test takes a second.
 */

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(REPO_ROOT, "scripts/install-pulumi-cli.sh");
const HOST_FILES = ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];
/** The program generator's sources, in the order the script hashes them into its cache key. */
const GENERATOR_FILES = [
  "tools/pulumi-cli/program-gen/main.go",
  "tools/pulumi-cli/go.mod",
  "tools/pulumi-cli/go.sum",
];
const VERSION = /^PULUMI_VERSION="([^"]+)"$/m.exec(fs.readFileSync(SCRIPT, "utf8"))?.[1] as string;

let root: string;
let cache: string;

/** A checkout holding the install script and its language host; `marker` makes its host differ. */
function checkout(name: string, marker: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, "scripts"), { recursive: true });
  fs.mkdirSync(path.join(dir, "tools/pulumi-language-nodejs"), { recursive: true });
  fs.copyFileSync(SCRIPT, path.join(dir, "scripts/install-pulumi-cli.sh"));
  for (const file of HOST_FILES) {
    const source = fs.readFileSync(path.join(REPO_ROOT, "tools/pulumi-language-nodejs", file), "utf8");
    fs.writeFileSync(path.join(dir, "tools/pulumi-language-nodejs", file), `${source}\n// ${marker}\n`);
  }
  for (const file of GENERATOR_FILES) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
  }
  return dir;
}

function install(
  dir: string,
  options: { pathFirst?: string } = {},
): Promise<{ code: number | null; binDir: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [options.pathFirst, path.join(REPO_ROOT, "node_modules/.bin"), process.env.PATH]
      .filter(Boolean)
      .join(":"),
    PULUMI_CLOUDPARTNER_CACHE: cache,
  };
  // Ignore any pulumi on the machine's PATH, unless the test puts one first.
  if (!options.pathFirst) env.PULUMI_CLOUDPARTNER_BUILD_CLI = "1";
  else delete env.PULUMI_CLOUDPARTNER_BUILD_CLI;
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path.join(dir, "scripts/install-pulumi-cli.sh")], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    // "close", not "exit": only then is all of stdout read.
    child.on("close", (code) => resolve({ code, binDir: stdout.trim().split("\n").at(-1) ?? "", stderr }));
  });
}

/** Starts the host the way the CLI does (`pulumi-language-nodejs <engine>`); it must print its port. */
function hostPrintsPort(binDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, "pulumi-language-nodejs"), ["127.0.0.1:1"], {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: `${path.join(REPO_ROOT, "node_modules/.bin")}:${process.env.PATH}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the host in ${binDir} printed no port within 20 s: ${err}`));
    }, 20_000);
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) {
        clearTimeout(timer);
        child.kill("SIGKILL");
        resolve(out.split("\n")[0] ?? "");
      }
    });
    child.on("exit", (code) => {
      if (!out.includes("\n")) {
        clearTimeout(timer);
        reject(new Error(`the host in ${binDir} exited (${code}) without a port: ${err}`));
      }
    });
  });
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-install-cli-"));
  cache = path.join(root, "cache");
  const cliDir = path.join(cache, "pulumi-cli", VERSION, "bin");
  fs.mkdirSync(cliDir, { recursive: true });
  fs.writeFileSync(
    path.join(cliDir, "pulumi"),
    `#!/bin/sh\nif [ "$1" = version ]; then echo ${VERSION}; exit 0; fi\nexit 3\n`,
    { mode: 0o755 },
  );
  const key = createHash("sha256")
    .update(Buffer.concat(GENERATOR_FILES.map((file) => fs.readFileSync(path.join(REPO_ROOT, file)))))
    .digest("hex")
    .slice(0, 16);
  const generatorDir = path.join(cache, "pulumi-cli", VERSION, "program-gen", key);
  fs.mkdirSync(generatorDir, { recursive: true });
  fs.writeFileSync(path.join(generatorDir, "pulumi-program-gen"), "#!/bin/sh\nexit 3\n", { mode: 0o755 });
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

test("two checkouts installing at once each keep their own language host, complete and working", async () => {
  expect(VERSION).toMatch(/^v3\.\d+\.\d+$/);
  const a = checkout("a", "checkout a");
  const b = checkout("b", "checkout b");

  const runs = await Promise.all([install(a), install(b), install(a), install(b), install(a), install(b)]);
  for (const run of runs)
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: run.stderr });
  const dirsOf = (n: number) => new Set(runs.filter((_, i) => i % 2 === n).map((r) => r.binDir));
  const [aDirs, bDirs] = [dirsOf(0), dirsOf(1)];
  // Concurrent installs of one checkout agree on one directory; the two checkouts get two.
  expect(aDirs.size).toBe(1);
  expect(bDirs.size).toBe(1);
  const aDir = [...aDirs][0] as string;
  const bDir = [...bDirs][0] as string;
  expect(aDir).not.toBe(bDir);

  // Another install of b, while a's directory is in use, leaves it alone.
  const before = HOST_FILES.map((f) => fs.statSync(path.join(aDir, f)).mtimeMs);
  expect((await install(b)).binDir).toBe(bDir);
  expect(HOST_FILES.map((f) => fs.statSync(path.join(aDir, f)).mtimeMs)).toEqual(before);

  const installed: Array<[string, string]> = [
    [aDir, a],
    [bDir, b],
  ];
  for (const [dir, from] of installed) {
    for (const file of HOST_FILES) {
      expect(fs.readFileSync(path.join(dir, file), "utf8")).toBe(
        fs.readFileSync(path.join(from, "tools/pulumi-language-nodejs", file), "utf8"),
      );
      expect(fs.statSync(path.join(dir, file)).mode & 0o111).not.toBe(0);
    }
    expect(fs.existsSync(path.join(dir, "pulumi"))).toBe(true);
    expect(await hostPrintsPort(dir)).toMatch(/^\d+$/);
  }
  // No half-built directory is left behind.
  expect(fs.readdirSync(path.dirname(aDir)).filter((n) => n.startsWith("."))).toEqual([]);
});

test("a host directory that does not hold the checkout's plugins is refused, not used", async () => {
  const a = checkout("a", "checkout a");
  const first = await install(a);
  expect(first.code).toBe(0);
  fs.writeFileSync(path.join(first.binDir, "pulumi-language-nodejs"), "#!/bin/sh\nexit 1\n");
  const second = await install(a);
  expect(second.code).not.toBe(0);
  expect(second.stderr).toContain("does not hold this checkout's plugins; remove it and run again");
});

test("a shell set up by one checkout (its host directory on PATH) does not hand that host to another", async () => {
  const a = checkout("a", "checkout a");
  const b = checkout("b", "checkout b");
  const aDir = (await install(a)).binDir;
  const fromAShell = await install(b, { pathFirst: aDir });
  expect(fromAShell.code).toBe(0);
  expect(fromAShell.binDir).not.toBe(aDir);
  expect(fs.readFileSync(path.join(fromAShell.binDir, "pulumi-language-nodejs"), "utf8")).toContain(
    "// checkout b",
  );
});
