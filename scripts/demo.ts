/**
 * `npm run demo`: the main job of this repository, end to end on one machine. Starts the CPP simulator with
 * a sample offer whose go-live takes about 30 seconds, then runs the real `pulumi up` on examples/golive
 * against it with a throwaway local backend, shows the progress and outputs, and tears everything down.
 */

import * as path from "node:path";
import { startSimulator } from "../tests/simulator/server";
import { ensurePulumiCli, LocalStack, linkSelfPackage, REPO_ROOT } from "./lib/pulumi-cli";

/** The default go-live plan simulates about 3.2 days; this scale plays it in about 30 seconds. */
const TIME_SCALE = 9_500;
const TOKEN = "demo-token";

function say(line: string): void {
  process.stdout.write(`\n\u001b[1m== ${line}\u001b[0m\n`);
}

async function main(): Promise<number> {
  say("Pulumi CLI (built from Go modules on first use; cached afterwards)");
  const cliBinDir = await ensurePulumiCli();
  linkSelfPackage();

  const sim = await startSimulator({ timeScale: TIME_SCALE, acceptedTokens: [TOKEN], quiet: true });
  say(`CPP simulator on ${sim.url} (time scale ${TIME_SCALE}x: the ~3-day go-live plays in ~30 s)`);
  const stack = new LocalStack({
    projectDir: path.join(REPO_ROOT, "examples/golive"),
    stackName: "demo",
    cliBinDir,
    echo: true,
  });
  const started = Date.now();
  try {
    await stack.init(
      {
        publisherId: "contoso",
        offerId: "contoso-offer",
        endpoint: sim.url,
        pollIntervalSeconds: "0.5",
        maxPollIntervalSeconds: "2",
      },
      { "cloudpartner:accessToken": TOKEN },
    );
    say("pulumi preview (sends nothing to the API)");
    await stack.ok(["preview"]);
    say("pulumi up --yes");
    const up = await stack.run(["up", "--yes"]);
    if (up.code !== 0) {
      say(`pulumi up failed (exit ${up.code})`);
      return up.code;
    }
    const outputs = await stack.run(["stack", "output", "--json"]);
    if (outputs.code !== 0) return outputs.code;
    say(
      `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${sim.goLivePosts("contoso", "contoso-offer")} go-live request, ` +
        `${sim.requests.length} API requests in all`,
    );
    return 0;
  } finally {
    stack.dispose();
    await sim.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
