/**
 * The plugin installed the way Pulumi users install plugins: the release archive (built here by
 * scripts/lib/plugin-build.ts, or the one `CLOUDPARTNER_PLUGIN_ARCHIVE` names, e.g. a downloaded release) goes
 * into a clean PULUMI_HOME with `pulumi plugin install resource cloudpartner <version> --file <archive>`, then a
 * YAML program (examples/yaml-release) and a Go program (examples/go-golive, built on sdk/go) take an offer
 * live against the simulator with nothing of this checkout on PATH: only the CLI and the YAML language host,
 * or the CLI and Go; no Node.js, no node_modules, no bin/ launcher, no `plugins.providers`; and a NODE_OPTIONS
 * that would break a Node.js program.
 */

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import {
  checksumsName,
  hostPlatform,
  PLUGIN_NAME,
  packageVersion,
  releaseArchive,
} from "../../scripts/lib/plugin-build";
import { ensurePulumiYaml, type LocalStack, REPO_ROOT } from "../../scripts/lib/pulumi-cli";
import { releaseOffer, sasUri } from "../../scripts/lib/release";
import { e2eSuite, goBuild, hasGo, run } from "./helpers";

const CANARY = "e2e-plugin-install-canary-71c4aa";
const YAML_EXAMPLE = path.join(REPO_ROOT, "examples/yaml-release");
const GO_EXAMPLE = path.join(REPO_ROOT, "examples/go-golive");
const GO_SDK = path.join(REPO_ROOT, "sdk/go");
const GO_SDK_MODULE = "github.com/pulumi-cloudpartner/pulumi-cloudpartner/sdk/go";

// The YAML language host and the Go program are built with Go (scripts/install-pulumi-yaml.sh).
if (!hasGo) {
  console.warn(
    "tests/e2e/plugin-install.e2e.ts: SKIPPED: `go` is not on PATH; the YAML language host and the Go program are built with Go (https://go.dev/dl).",
  );
}
const withGo = hasGo ? test : test.skip;
const e2e = e2eSuite(CANARY, { link: [], enabled: hasGo });

/** The archive under test, built once for the file (or the one CLOUDPARTNER_PLUGIN_ARCHIVE names). */
let archiveBuild: Promise<string> | undefined;
function theArchive(): Promise<string> {
  archiveBuild ??= process.env.CLOUDPARTNER_PLUGIN_ARCHIVE
    ? Promise.resolve(path.resolve(process.env.CLOUDPARTNER_PLUGIN_ARCHIVE))
    : releaseArchive(hostPlatform(), (line) => console.log(`release:plugin: ${line}`)).then((archive) => {
        // The checksums file next to it vouches for the archive the CLI installs.
        const sums = fs.readFileSync(
          path.join(path.dirname(archive), checksumsName(packageVersion())),
          "utf8",
        );
        const sha256 = createHash("sha256").update(fs.readFileSync(archive)).digest("hex");
        expect(sums).toContain(`${sha256}  ${path.basename(archive)}\n`);
        return archive;
      });
  return archiveBuild;
}

/** The programs on PATH (a directory of `PATH`) among `names`, as `<dir>/<name>`. */
function onPath(PATH: string, names: string[]): string[] {
  return PATH.split(path.delimiter).flatMap((dir) =>
    names.map((name) => path.join(dir, name)).filter((file) => fs.existsSync(file)),
  );
}

/**
 * A stack of (a copy of) `projectDir` whose PATH is the CLI's directory and `pathDirs`, nothing else, and whose
 * new PULUMI_HOME gets the release archive with `pulumi plugin install resource cloudpartner <version> --file`.
 */
async function stackWithInstalledPlugin(
  projectDir: string,
  stackName: string,
  pathDirs: string[],
): Promise<LocalStack> {
  const version = packageVersion();
  const archive = await theArchive();
  const PATH = [e2e.cliBinDir, ...pathDirs].join(path.delimiter);
  // The machine's own `node` lives in /usr/bin, which is not on this PATH. A NODE_OPTIONS meant for the
  // user's own Node.js does not reach the plugin.
  const stack = e2e.stack({
    projectDir,
    stackName,
    env: { PATH, NODE_OPTIONS: "--require /nonexistent/preload-for-another-program.js" },
  });
  expect(stack.env.PATH).toBe(PATH);
  expect(onPath(PATH, ["node", "npm", "npx", PLUGIN_NAME])).toEqual([]);
  // The copy of the project links the repository's node_modules for Node.js programs; this one has none.
  fs.unlinkSync(path.join(stack.projectDir, "node_modules"));
  const home = stack.env.PULUMI_HOME as string;
  expect(fs.readdirSync(home)).toEqual([]);

  const install = await stack.ok([
    "plugin",
    "install",
    "resource",
    "cloudpartner",
    version,
    "--file",
    path.resolve(archive),
  ]);
  expect(install.stdout + install.stderr).not.toMatch(/error/i);
  const installed = path.join(home, "plugins", `resource-cloudpartner-v${version}`);
  expect(fs.readdirSync(installed).sort()).toEqual(["LICENSE", "README.md", PLUGIN_NAME]);
  expect((await stack.ok(["plugin", "ls"])).stdout).toMatch(
    new RegExp(`cloudpartner\\s+resource\\s+${version}`),
  );
  return stack;
}

/** What one `up` that took `offerId` live through the installed plugin printed (`output`) and sent. */
function expectTakenLiveOnce(output: string, offerId: string): void {
  expect(output).toMatch(/\+ +cloudpartner:index:OfferGoLive +offer-live +created/);
  // The installed plugin served it: nothing on PATH could (the CLI names a plugin it took from PATH).
  expect(output).not.toContain("using pulumi-resource-cloudpartner from $PATH");
  expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
  expect(output).not.toContain(CANARY);
}

/** Runs `again` (a second `up` of the same program) and checks that it sent no request at all. */
async function expectSendsNothing(again: () => Promise<unknown>): Promise<void> {
  const before = e2e.sim.requests.length;
  await again();
  expect(e2e.sim.requests.slice(before)).toEqual([]);
}

withGo(
  "`pulumi plugin install --file <release archive>` into a clean PULUMI_HOME; a YAML program takes an offer live with no checkout, Node.js or node_modules on PATH",
  async () => {
    const yamlDir = await ensurePulumiYaml();
    const offer = releaseOffer("plugin-install-1");
    const { offerId } = offer;
    e2e.sim.addOffer(offer);
    const stack = await stackWithInstalledPlugin(YAML_EXAMPLE, "installed", [yamlDir]);
    expect(fs.readFileSync(path.join(stack.projectDir, "Pulumi.yaml"), "utf8")).not.toMatch(/^plugins:/m);

    await stack.init(
      {
        offerId,
        planId: offer.planId,
        version: "1.1.0",
        pollIntervalSeconds: "0.05",
        maxPollIntervalSeconds: "0.2",
        "cloudpartner:endpoint": e2e.sim.url,
      },
      { "cloudpartner:accessToken": CANARY, osVhdUrl: sasUri("contoso", "os-1.1.0") },
    );
    await stack.ok(["config", "set", "--path", "notificationEmails[0]", "release@contoso.example"]);
    const up = await stack.ok(["up", "--yes"]);
    expectTakenLiveOnce(up.stdout + up.stderr, offerId);
    expect(await stack.outputs()).toMatchObject({ version: "1.1.0", liveStatus: "succeeded" });
    expect(e2e.sim.count({ kind: "publish", method: "POST", offerId })).toBe(1);
    expect(await stack.exportState()).not.toContain(CANARY);

    // A re-run finds nothing to do and sends nothing.
    await expectSendsNothing(() => stack.ok(["up", "--yes", "--expect-no-changes"]));
  },
);

withGo(
  "the same installed plugin serves a Go program (examples/go-golive on sdk/go): an offer goes live with only the CLI and Go on PATH",
  async () => {
    const offerId = "plugin-install-go-1";
    e2e.sim.addOffer({ publisherId: "contoso", offerId });
    // `go` and what it needs: its own GOROOT/bin (go, gofmt). No C compiler (it lives in /usr/bin beside
    // node), so a pure-Go build.
    const goBin = path.join((await run("go", ["env", "GOROOT"])).stdout.trim(), "bin");
    const stack = await stackWithInstalledPlugin(GO_EXAMPLE, "go", [goBin]);
    const env = { ...stack.env, CGO_ENABLED: "0" };

    // The copy builds on this checkout's sdk/go (a library, not the plugin): its replace, made absolute.
    // Everything else resolves from the example's go.mod and go.sum as they are (no -mod=mod) and the module
    // proxy (no git on this PATH for a direct fetch).
    const edit = await run("go", ["mod", "edit", `-replace=${GO_SDK_MODULE}=${GO_SDK}`], {
      cwd: stack.projectDir,
      env,
    });
    expect(edit).toMatchObject({ code: 0, stderr: "" });
    const binary = path.join(stack.stateDir, "go-golive");
    await goBuild(stack.projectDir, binary, env);

    // The Automation API program makes its own project (runtime go, no `plugins`) and stack on this backend.
    const args = ["-stack", "dev", "-offer", offerId, "-endpoint", e2e.sim.url];
    const goUp = () =>
      run(binary, [...args, "-poll-interval", "0.05", "-max-poll-interval", "0.2"], {
        cwd: stack.stateDir,
        env: { ...env, CLOUDPARTNER_ACCESS_TOKEN: CANARY },
      });
    const up = await goUp();
    const output = up.stdout + up.stderr;
    expect({ code: up.code, output }).toMatchObject({ code: 0 });
    expectTakenLiveOnce(output, offerId);
    expect(up.stdout).toContain("status: succeeded");
    const state = await stack.ok(["stack", "export", "--stack", "organization/cloudpartner-go-golive/dev"]);
    expect(state.stdout).toContain('"type": "cloudpartner:index:OfferGoLive"');
    expect(state.stdout).not.toContain(CANARY);

    await expectSendsNothing(async () => {
      const again = await goUp();
      expect({ code: again.code, output: again.stdout + again.stderr }).toMatchObject({ code: 0 });
      expect(again.stdout).toContain("status: succeeded");
      expect(again.stdout + again.stderr).not.toContain(CANARY);
    });
    expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
  },
);

withGo(
  "the archive is named as the CLI downloads it from a plugin server (`--server`, the URL form of pluginDownloadURL)",
  async () => {
    const version = packageVersion();
    const archive = await theArchive();
    // A release's download folder, as GitHub serves `releases/download/v<version>/<asset>`.
    const requested: string[] = [];
    const server = http.createServer((req, res) => {
      requested.push(req.url ?? "");
      const prefix = `/releases/download/v${version}/`;
      if (req.url === `${prefix}${path.basename(archive)}`) {
        // The CLI checks the length it was told (as GitHub sends it).
        res.writeHead(200, {
          "content-type": "application/gzip",
          "content-length": fs.statSync(archive).size,
        });
        fs.createReadStream(archive).pipe(res);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const stack = e2e.stack({ projectDir: YAML_EXAMPLE, stackName: "download" });
      const home = stack.env.PULUMI_HOME as string;
      await stack.ok([
        "plugin",
        "install",
        "resource",
        "cloudpartner",
        version,
        "--server",
        `http://127.0.0.1:${port}/releases/download/v${version}`,
      ]);
      expect(requested).toContain(`/releases/download/v${version}/${path.basename(archive)}`);
      const installed = path.join(home, "plugins", `resource-cloudpartner-v${version}`);
      expect(fs.existsSync(path.join(installed, "pulumi-resource-cloudpartner"))).toBe(true);
    } finally {
      server.close();
    }
  },
);
