/**
 * The plugin installed the way Pulumi users install plugins: the release archive (built here by
 * scripts/lib/plugin-build.ts, or the one `CLOUDPARTNER_PLUGIN_ARCHIVE` names, e.g. a downloaded release) goes
 * into a clean PULUMI_HOME with `pulumi plugin install resource cloudpartner <version> --file <archive>`, then
 * examples/yaml-release takes an offer live against the simulator with nothing of this checkout on PATH (only
 * the CLI and the YAML language host: no Node.js, no node_modules, no `plugins.providers`; and a NODE_OPTIONS
 * that would break a Node.js program).
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { checksumsName, hostPlatform, packageVersion, releaseArchive } from "../../scripts/lib/plugin-build";
import { ensurePulumiYaml, REPO_ROOT } from "../../scripts/lib/pulumi-cli";
import { releaseOffer, sasUri } from "../../scripts/lib/release";
import { e2eSuite } from "./helpers";

const CANARY = "e2e-plugin-install-canary-71c4aa";
const YAML_EXAMPLE = path.join(REPO_ROOT, "examples/yaml-release");

// The YAML language host is built with Go (scripts/install-pulumi-yaml.sh).
const hasGo = spawnSync("go", ["version"]).status === 0;
if (!hasGo) {
  console.warn(
    "tests/e2e/plugin-install.e2e.ts: SKIPPED: `go` is not on PATH; the YAML language host is built with Go (https://go.dev/dl).",
  );
}
const withGo = hasGo ? test : test.skip;
const e2e = e2eSuite(CANARY, { link: [], enabled: hasGo });

/** The archive under test, built once for the file (or the one CLOUDPARTNER_PLUGIN_ARCHIVE names). */
let archiveBuild: Promise<string> | undefined;
function theArchive(): Promise<string> {
  archiveBuild ??= process.env.CLOUDPARTNER_PLUGIN_ARCHIVE
    ? Promise.resolve(path.resolve(process.env.CLOUDPARTNER_PLUGIN_ARCHIVE))
    : releaseArchive(hostPlatform(), (line) => console.log(`release:plugin: ${line}`));
  return archiveBuild;
}

withGo(
  "`pulumi plugin install --file <release archive>` into a clean PULUMI_HOME; a YAML program takes an offer live with no checkout, Node.js or node_modules on PATH",
  async () => {
    const version = packageVersion();
    const archive = await theArchive();
    if (!process.env.CLOUDPARTNER_PLUGIN_ARCHIVE) {
      // The checksums file next to it vouches for the archive the CLI installs.
      const sums = fs.readFileSync(path.join(path.dirname(archive), checksumsName(version)), "utf8");
      const sha256 = createHash("sha256").update(fs.readFileSync(archive)).digest("hex");
      expect(sums).toContain(`${sha256}  ${path.basename(archive)}\n`);
    }
    const yamlDir = await ensurePulumiYaml();
    const offer = releaseOffer("plugin-install-1");
    const { offerId } = offer;
    e2e.sim.addOffer(offer);
    // PATH: the CLI and the YAML host, nothing else (the machine's own `node` lives in /usr/bin). A NODE_OPTIONS
    // meant for the user's own Node.js does not reach the plugin.
    const stack = e2e.stack({
      projectDir: YAML_EXAMPLE,
      stackName: "installed",
      env: {
        PATH: [e2e.cliBinDir, yamlDir].join(path.delimiter),
        NODE_OPTIONS: "--require /nonexistent/preload-for-another-program.js",
      },
    });
    expect(stack.env.PATH).toBe([e2e.cliBinDir, yamlDir].join(path.delimiter));
    // The copy of the project links the repository's node_modules for Node.js programs; this one has none.
    fs.unlinkSync(path.join(stack.projectDir, "node_modules"));
    expect(fs.readFileSync(path.join(stack.projectDir, "Pulumi.yaml"), "utf8")).not.toMatch(/^plugins:/m);
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
    expect(fs.readdirSync(installed).sort()).toEqual([
      "LICENSE",
      "README.md",
      "pulumi-resource-cloudpartner",
    ]);
    expect((await stack.ok(["plugin", "ls"])).stdout).toMatch(
      new RegExp(`cloudpartner\\s+resource\\s+${version}`),
    );

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
    const output = up.stdout + up.stderr;
    expect(output).toMatch(/\+ +cloudpartner:index:OfferGoLive +offer-live +created/);
    // The installed plugin served it: nothing on PATH could (the CLI names a plugin it took from PATH).
    expect(output).not.toContain("using pulumi-resource-cloudpartner from $PATH");
    expect(await stack.outputs()).toMatchObject({ version: "1.1.0", liveStatus: "succeeded" });
    expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
    expect(e2e.sim.count({ kind: "publish", method: "POST", offerId })).toBe(1);
    expect(output).not.toContain(CANARY);
    expect(await stack.exportState()).not.toContain(CANARY);

    // A re-run finds nothing to do and sends nothing.
    await stack.ok(["up", "--yes", "--expect-no-changes"]);
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
