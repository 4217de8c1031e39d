/**
 * Running the real Pulumi CLI against a local, throwaway backend: shared by `npm run demo` and the
 * end-to-end tests. Never touches the user's ~/.pulumi or Pulumi Cloud, nor the repository: state,
 * PULUMI_HOME and a copy of the project (so `Pulumi.<stack>.yaml` lands there) live in a temporary directory.
 */

import { type ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

/**
 * Makes sure `pulumi` is available (builds it from Go modules on first use; cached afterwards) and returns
 * the directory holding it. Build progress goes to `onProgress` (default: stderr).
 */
export function ensurePulumiCli(
  onProgress: (chunk: string) => void = (c) => process.stderr.write(c),
): Promise<string> {
  return installedDir("install-pulumi-cli.sh", "pulumi", onProgress);
}

/**
 * Makes sure the Pulumi YAML language host `pulumi-language-yaml` is available (built from its Go module on
 * first use by scripts/install-pulumi-yaml.sh; cached afterwards) and returns the directory holding it.
 */
export function ensurePulumiYaml(
  onProgress: (chunk: string) => void = (c) => process.stderr.write(c),
): Promise<string> {
  return installedDir("install-pulumi-yaml.sh", "pulumi-language-yaml", onProgress);
}

/** Runs one of scripts/install-*.sh; resolves with the directory it prints last, once it holds `binary`. */
function installedDir(script: string, binary: string, onProgress: (chunk: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path.join(REPO_ROOT, "scripts", script)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => onProgress(chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const binDir = stdout.trim().split("\n").at(-1) ?? "";
      if (code === 0 && binDir && fs.existsSync(path.join(binDir, binary))) resolve(binDir);
      else reject(new Error(`scripts/${script} failed (exit ${code}); see its output above.`));
    });
  });
}

/**
 * Lets programs inside this repository `import "pulumi-cloudpartner"` the way users do: a link from
 * node_modules/pulumi-cloudpartner to the repository (whose `main` is the compiled dist/).
 */
export function linkSelfPackage(): void {
  const link = path.join(REPO_ROOT, "node_modules", "pulumi-cloudpartner");
  try {
    if (fs.realpathSync(link) === REPO_ROOT) return;
    fs.rmSync(link, { force: true, recursive: true });
  } catch {
    // missing: create below
  }
  fs.symlinkSync("..", link, "dir");
}

/**
 * Lets programs inside this repository `import "@pulumi-cloudpartner/cloudpartner"`, the generated Node.js SDK
 * of the native provider, the way users do: a link from node_modules/@pulumi-cloudpartner/cloudpartner to
 * sdk/nodejs (TypeScript sources, compiled with the program by ts-node).
 */
export function linkNativeNodeSdk(): void {
  const link = path.join(REPO_ROOT, "node_modules", "@pulumi-cloudpartner", "cloudpartner");
  const target = path.join(REPO_ROOT, "sdk", "nodejs");
  try {
    if (fs.realpathSync(link) === target) return;
    fs.rmSync(link, { force: true, recursive: true });
  } catch {
    // missing: create below
  }
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(path.join("..", "..", "sdk", "nodejs"), link, "dir");
}

/** The folder holding the native provider plugin `pulumi-resource-cloudpartner` (put it on PATH). */
export const NATIVE_PLUGIN_DIR = path.join(REPO_ROOT, "bin");

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface LocalStackOptions {
  /** Folder of the Pulumi project (e.g. examples/golive). */
  projectDir: string;
  stackName: string;
  /** Directory with the CLI (from ensurePulumiCli). */
  cliBinDir: string;
  /** Extra environment for every command (e.g. CLOUDPARTNER_ACCESS_TOKEN). */
  env?: NodeJS.ProcessEnv;
  /** Echo command output as it arrives (the demo does; tests do not). */
  echo?: boolean;
  /** Folders put on PATH after the CLI's (e.g. NATIVE_PLUGIN_DIR, the YAML language host's). */
  extraPath?: string[];
}

/** One stack of a project on a throwaway local backend. Call `dispose()` to delete everything. */
export class LocalStack {
  readonly stateDir: string;
  /** The temporary copy of the project the commands run in. */
  readonly projectDir: string;
  readonly configFile: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: LocalStackOptions) {
    this.stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-pulumi-"));
    fs.mkdirSync(path.join(this.stateDir, "backend"));
    fs.mkdirSync(path.join(this.stateDir, "home"));
    this.projectDir = copyProject(options.projectDir, path.join(this.stateDir, "project"));
    this.configFile = path.join(this.projectDir, `Pulumi.${options.stackName}.yaml`);
    const nodeBin = path.join(REPO_ROOT, "node_modules", ".bin");
    this.env = {
      ...process.env,
      PATH: [options.cliBinDir, ...(options.extraPath ?? []), nodeBin, process.env.PATH ?? ""].join(
        path.delimiter,
      ),
      PULUMI_BACKEND_URL: `file://${path.join(this.stateDir, "backend")}`,
      PULUMI_HOME: path.join(this.stateDir, "home"),
      PULUMI_CONFIG_PASSPHRASE: "throwaway-local-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      CLOUDPARTNER_ACCESS_TOKEN: "",
      ...options.env,
    };
  }

  /** Runs `pulumi <args>` in the project with this stack's config file. Never throws on a non-zero exit. */
  run(args: string[], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<CommandResult> {
    return new Promise((resolve) => {
      const child = execFile(
        "pulumi",
        [...args, "--non-interactive", "--cwd", this.projectDir],
        { env: { ...this.env, ...extraEnv }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (this.options.echo) {
        child.stdout?.pipe(process.stdout);
        child.stderr?.pipe(process.stderr);
      }
    });
  }

  /**
   * Starts `pulumi <args>` in its own process group without waiting (for kill tests); `output()` returns
   * what it printed so far.
   */
  start(args: string[]): { child: ChildProcess; output: () => string; killGroup: () => void } {
    const child = spawn("pulumi", [...args, "--non-interactive", "--cwd", this.projectDir], {
      env: this.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    return {
      child,
      output: () => output,
      // SIGKILL to the whole group: the CLI, its language host, the program and the provider host.
      killGroup: () => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // the whole group is gone already
        }
      },
    };
  }

  /** Like run(), but throws with the output when the command fails. */
  async ok(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CommandResult> {
    const result = await this.run(args, extraEnv);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  async init(config: Record<string, string> = {}, secrets: Record<string, string> = {}): Promise<void> {
    await this.ok(["stack", "init", this.options.stackName]);
    for (const [key, value] of Object.entries(config)) await this.ok(["config", "set", key, value]);
    for (const [key, value] of Object.entries(secrets))
      await this.ok(["config", "set", "--secret", key, value]);
  }

  async outputs(): Promise<Record<string, unknown>> {
    return JSON.parse((await this.ok(["stack", "output", "--json"])).stdout);
  }

  async exportState(): Promise<string> {
    return (await this.ok(["stack", "export"])).stdout;
  }

  dispose(): void {
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/**
 * Copies a project's sources (not its stack files) and links the repository's node_modules, where
 * `pulumi-cloudpartner` resolves to this repository (see linkSelfPackage).
 */
function copyProject(from: string, to: string): string {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (!entry.isFile() || /^Pulumi\..+\.yaml$/.test(entry.name)) continue;
    fs.copyFileSync(path.join(from, entry.name), path.join(to, entry.name));
  }
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(to, "node_modules"), "dir");
  return to;
}
