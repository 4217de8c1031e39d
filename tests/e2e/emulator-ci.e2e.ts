/**
 * The CI recipe of emulator/README.md, run as written (a shell script): it starts `pulumi-cloudpartner
 * emulator`, runs `pulumi up` of examples/golive against it and passes with one go-live; the same recipe fails
 * the job when a second go-live was sent.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createServer } from "node:net";
import * as path from "node:path";
import { ensurePulumiCli, LocalStack, linkSelfPackage, REPO_ROOT } from "../../scripts/lib/pulumi-cli";

const CLI = path.join(REPO_ROOT, "dist/provider/cli.js");

/** The shell recipe block of emulator/README.md. */
function recipe(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "emulator/README.md"), "utf8");
  const after = readme.split("The same as a shell recipe")[1] ?? "";
  const block = /```sh\n([\s\S]*?)```/.exec(after)?.[1];
  if (!block) throw new Error("emulator/README.md has no shell recipe block");
  return block;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function bash(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}

let cliBinDir = "";
const stacks: LocalStack[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first.`);
  cliBinDir = await ensurePulumiCli();
  linkSelfPackage();
});
afterAll(() => {
  for (const stack of stacks) stack.dispose();
});

async function runRecipe(stackName: string, edit: (script: string) => string) {
  const stack = new LocalStack({ projectDir: path.join(REPO_ROOT, "examples/golive"), stackName, cliBinDir });
  stacks.push(stack);
  await stack.init({ pollIntervalSeconds: "0.2", maxPollIntervalSeconds: "0.5" });
  const port = await freePort();
  // As written, except: the package is this checkout (not installed), and a free port instead of 7380.
  expect(recipe()).toContain("./node_modules/.bin/pulumi-cloudpartner emulator");
  const script = edit(recipe())
    .replaceAll("./node_modules/.bin/pulumi-cloudpartner", `node ${JSON.stringify(CLI)}`)
    .replaceAll("7380", String(port));
  return bash(script, stack.projectDir, stack.env);
}

test("the README's shell recipe: emulator, pulumi up, one go-live: the job passes", async () => {
  const { code, output } = await runRecipe("ci-pass", (script) => script);
  expect(output).toContain('status           : "succeeded"');
  expect(code).toBe(0);
}, 600_000);

test("the same recipe fails the job when a second go-live was sent", async () => {
  const { code, output } = await runRecipe("ci-fail", (script) =>
    script.replace(
      "pulumi up --yes\n",
      'pulumi up --yes\ncurl -sf -o /dev/null -X POST -H "Authorization: Bearer $CLOUDPARTNER_ACCESS_TOKEN" -d "{}" ' +
        '"http://127.0.0.1:7380/api/publishers/contoso/offers/legacy-offer/golive?api-version=2017-10-31"\n',
    ),
  );
  expect(output).toContain("a second go-live was sent (2)");
  expect(code).toBe(1);
}, 600_000);
