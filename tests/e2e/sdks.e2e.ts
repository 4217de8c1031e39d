/**
 * The generated SDKs as CI and users see them.
 *
 * `npm run check-sdk` fails when any generated language is stale: a file changed, added or removed in
 * sdk/go, sdk/nodejs, sdk/python, sdk/dotnet or sdk/java (run on a copy of the generator's inputs).
 *
 * The generated Go SDK resolves and builds on its own, as a user's `go get` sees it: a copy of sdk/go outside
 * the repository (so no go.work, no replace of a parent module), no replace directives in its go.mod,
 * `-mod=readonly` (go.mod and go.sum complete, nothing rewritten) and only the Go module proxy. The Go example
 * (tests/e2e/languages.e2e.ts) builds the SDK through a `replace` to ../../sdk/go, which hides a requirement the
 * proxy does not serve.
 */

import { execFile, execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/pulumi-cli";

const hasGo = spawnSync("go", ["version"]).status === 0;
if (!hasGo) {
  console.warn("tests/e2e/sdks.e2e.ts: SKIPPED: `go` is not on PATH (https://go.dev/dl).");
}

(hasGo ? test : test.skip)("npm run check-sdk fails when any generated language is stale", () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-check-sdk-"));
  try {
    for (const entry of ["schema.json", "docs/logo.png", "sdk", "tools/gen-sdk", "scripts/gen-sdk.sh"]) {
      fs.cpSync(path.join(REPO_ROOT, entry), path.join(copy, entry), { recursive: true });
    }
    const check = () =>
      spawnSync("bash", [path.join(copy, "scripts/gen-sdk.sh"), "--check"], {
        encoding: "utf8",
        timeout: 15 * 60_000,
      });
    const fresh = check();
    expect({ status: fresh.status, stderr: fresh.stderr }).toEqual({ status: 0, stderr: fresh.stderr });
    expect(fresh.stdout).toContain("gen-sdk: sdk/ matches schema.json\n");

    const languages = fs.readdirSync(path.join(copy, "sdk")).sort();
    expect(languages).toEqual(["dotnet", "go", "java", "nodejs", "python"]);
    const stale: Record<string, (number | null)[]> = {};
    for (const language of languages) {
      const dir = path.join(copy, "sdk", language);
      const files = execFileSync("find", [dir, "-type", "f"], { encoding: "utf8" }).trim().split("\n").sort();
      const file = files.find((f) => !f.endsWith(".png")) as string;
      const original = fs.readFileSync(file);
      const results: (number | null)[] = [];
      fs.appendFileSync(file, "\n// edited by hand\n");
      const edited = check();
      results.push(edited.status);
      expect(edited.stderr).toContain("sdk/ is stale");
      fs.writeFileSync(file, original);
      fs.rmSync(file);
      results.push(check().status);
      fs.writeFileSync(file, original);
      fs.writeFileSync(path.join(dir, "extra.txt"), "not generated\n");
      results.push(check().status);
      fs.rmSync(path.join(dir, "extra.txt"));
      stale[language] = results;
    }
    // Edited, removed, added: each fails the check, in every language.
    expect(stale).toEqual(Object.fromEntries(languages.map((l) => [l, [1, 1, 1]])));
    expect(check().status).toBe(0);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

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
