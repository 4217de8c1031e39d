/**
 * The generated Python SDK (sdk/python) byte-compiles. Python programs cannot run on these machines (no PyPI),
 * so this is how far the Python door is checked.
 */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "../..");
const python = ["python3", "python"].find((cmd) => spawnSync(cmd, ["--version"]).status === 0);
if (!python) console.warn("tests/native/sdk-python.test.ts: SKIPPED: no python3 on PATH.");

(python ? test : test.skip)(
  "the generated Python SDK byte-compiles (python3 -m compileall sdk/python)",
  () => {
    // A copy, so no __pycache__ lands in the repository.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-sdk-python-"));
    try {
      fs.cpSync(path.join(REPO_ROOT, "sdk/python"), copy, { recursive: true });
      const result = spawnSync(python as string, ["-m", "compileall", "-q", "-f", copy], {
        encoding: "utf8",
      });
      expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({
        status: 0,
        output: "",
      });
      const compiled = spawnSync("find", [copy, "-name", "*.pyc"], { encoding: "utf8" }).stdout.split("\n");
      expect(compiled.filter((f) => f.includes("offer_go_live")).length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  },
);
