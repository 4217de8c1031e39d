/**
 * Programs in other languages on the native provider, with the real Pulumi CLI against the CPP simulator:
 * examples/go-golive (Go, Automation API inline program on the generated sdk/go) and examples/yaml-release
 * (Pulumi YAML, with pulumi-language-yaml built by scripts/install-pulumi-yaml.sh).
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePulumiYaml, NATIVE_PLUGIN_DIR, REPO_ROOT } from "../../scripts/lib/pulumi-cli";
import { releaseOffer, sasUri } from "../../scripts/lib/release";
import { e2eSuite, goBuild, hasGo, resourcesOf, run } from "./helpers";

const CANARY = "e2e-languages-canary-3e8d0b";
const GO_EXAMPLE = path.join(REPO_ROOT, "examples/go-golive");
const YAML_EXAMPLE = path.join(REPO_ROOT, "examples/yaml-release");

if (!hasGo) {
  console.warn(
    "tests/e2e/languages.e2e.ts: SKIPPED: `go` is not on PATH; the Go example and the YAML language host are built with Go (https://go.dev/dl).",
  );
}
const withGo = hasGo ? test : test.skip;

const e2e = e2eSuite(CANARY, { link: [], enabled: hasGo });
const tmpDirs: string[] = [];

afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

withGo(
  "Go: examples/go-golive (Automation API inline program, generated sdk/go) takes an offer live",
  async () => {
    const offerId = "go-golive-1";
    e2e.sim.addOffer({ publisherId: "contoso", offerId });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-go-golive-"));
    tmpDirs.push(out);
    const binary = path.join(out, "go-golive");
    await goBuild(GO_EXAMPLE, binary, { ...process.env, GOFLAGS: "-mod=mod" });

    // Only for its environment (PATH with the CLI and the plugin, a throwaway backend and PULUMI_HOME).
    const stack = e2e.stack({ projectDir: GO_EXAMPLE, stackName: "go", extraPath: [NATIVE_PLUGIN_DIR] });
    const args = ["-stack", "dev", "-offer", offerId, "-endpoint", e2e.sim.url, "-poll-interval", "0.05"];
    const up = await run(binary, [...args, "-max-poll-interval", "0.2"], {
      cwd: out,
      env: { ...stack.env, CLOUDPARTNER_ACCESS_TOKEN: CANARY },
    });
    const output = up.stdout + up.stderr;
    expect({ code: up.code, output }).toMatchObject({ code: 0 });
    expect(up.stdout).toMatch(/\+ +cloudpartner:index:OfferGoLive +offer-live +created/);
    expect(up.stdout).toContain("status: succeeded");
    expect(up.stdout).toMatch(
      new RegExp(`operationLocation: ${e2e.sim.url}/api/publishers/contoso/offers/${offerId}/operations/`),
    );
    expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
    expect(output).not.toContain(CANARY);

    // Run again: nothing to do, nothing sent.
    const again = await run(binary, [...args, "-max-poll-interval", "0.2"], {
      cwd: out,
      env: { ...stack.env, CLOUDPARTNER_ACCESS_TOKEN: CANARY },
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("status: succeeded");
    expect(e2e.sim.goLivePosts("contoso", offerId)).toBe(1);
  },
);

withGo(
  "YAML: examples/yaml-release takes a new image version live (version → publish → go-live); a re-run sends nothing; a new version sends one of each",
  async () => {
    const yamlDir = await ensurePulumiYaml();
    const offer = releaseOffer("yaml-release-1");
    const { offerId } = offer;
    e2e.sim.addOffer(offer);
    const stack = e2e.stack({
      projectDir: YAML_EXAMPLE,
      stackName: "yaml",
      extraPath: [yamlDir, NATIVE_PLUGIN_DIR],
    });
    const release = async (version: string) => {
      await stack.ok(["config", "set", "version", version]);
      await stack.ok(["config", "set", "--secret", "osVhdUrl", sasUri("contoso", `os-${version}`)]);
      return stack.ok(["up", "--yes"]);
    };
    const counts = () => [
      e2e.sim.count({ kind: "offer", method: "PUT", offerId }),
      e2e.sim.count({ kind: "publish", method: "POST", offerId }),
      e2e.sim.goLivePosts("contoso", offerId),
    ];
    await stack.init(
      {
        offerId,
        planId: offer.planId,
        pollIntervalSeconds: "0.05",
        maxPollIntervalSeconds: "0.2",
        "cloudpartner:endpoint": e2e.sim.url,
      },
      { "cloudpartner:accessToken": CANARY },
    );
    await stack.ok(["config", "set", "--path", "notificationEmails[0]", "release@contoso.example"]);

    const up = await release("1.1.0");
    expect(up.stdout).toMatch(/\+ +cloudpartner:index:VmImageVersion +image +created/);
    expect(up.stdout).toMatch(/\+ +cloudpartner:index:OfferPublish +offer-publish +created/);
    expect(up.stdout).toMatch(/\+ +cloudpartner:index:OfferGoLive +offer-live +created/);
    expect(await stack.outputs()).toMatchObject({
      version: "1.1.0",
      liveStatus: "succeeded",
      liveStep: "Live",
    });
    expect(counts()).toEqual([1, 1, 1]);
    const state = await stack.exportState();
    expect(state).not.toContain(CANARY);
    expect(up.stdout + up.stderr).not.toContain(CANARY);
    expect(up.stdout + up.stderr).not.toMatch(/sig=/);
    expect(resourcesOf(state).map((r) => r.type)).toEqual(
      expect.arrayContaining([
        "cloudpartner:index:VmImageVersion",
        "cloudpartner:index:OfferPublish",
        "cloudpartner:index:OfferGoLive",
      ]),
    );

    await stack.ok(["up", "--yes", "--expect-no-changes"]);
    expect(counts()).toEqual([1, 1, 1]);

    await release("1.2.0");
    expect(await stack.outputs()).toMatchObject({ version: "1.2.0", liveStatus: "succeeded" });
    expect(counts()).toEqual([2, 2, 2]);
  },
);
