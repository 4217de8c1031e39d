/**
 * The generated Go SDK resolves and builds on its own, as a user's `go get` sees it: a copy of sdk/go outside
 * the repository (so no go.work, no replace of a parent module), no replace directives in its go.mod,
 * `-mod=readonly` (go.mod and go.sum complete, nothing rewritten) and only the Go module proxy. The Go example
 * (tests/e2e/languages.e2e.ts) builds the SDK through a `replace` to ../../sdk/go, which hides a requirement the
 * proxy does not serve.
 */

import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/pulumi-cli";

const hasGo = spawnSync("go", ["version"]).status === 0;
if (!hasGo) {
  console.warn("tests/e2e/sdk-go.e2e.ts: SKIPPED: `go` is not on PATH (https://go.dev/dl).");
}

(hasGo ? test : test.skip)("sdk/go builds alone (a copy, no replace directives, -mod=readonly)", async () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-sdk-go-"));
  try {
    fs.cpSync(path.join(REPO_ROOT, "sdk/go"), copy, { recursive: true });
    const gomod = fs.readFileSync(path.join(copy, "go.mod"), "utf8");
    expect(gomod).not.toMatch(/^\s*replace\b/m);
    expect(fs.existsSync(path.join(copy, "go.sum"))).toBe(true);

    const started = Date.now();
    const env: NodeJS.ProcessEnv = { ...process.env, GOWORK: "off", GOFLAGS: "-mod=readonly" };
    const build = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        "go",
        ["build", "./..."],
        { cwd: copy, env, timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          resolve({
            code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
            // A cold module cache reports its downloads; nothing else may be printed.
            output: `${stdout}${stderr}`
              .split("\n")
              .filter((line) => line.trim() !== "" && !/^go: downloading \S+ \S+$/.test(line.trim()))
              .join("\n"),
          });
        },
      );
    });
    expect(build).toEqual({ code: 0, output: "" });
    console.log(`go build ./... of sdk/go alone: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});
