/**
 * Fails at once, naming both versions, when the package is loaded on a Node.js older than it needs: undici (the
 * HTTP client) would otherwise fail later with "Cannot read properties of undefined (reading 'bind')". Every
 * entry point (`index`, `cli`, `provider`) imports this module before anything that loads undici.
 */

import { ConfigurationError } from "./errors";
import { PACKAGE_JSON } from "./version";

/** The oldest Node.js this package runs on: package.json `engines.node` (`>=22.19.0`). */
export const REQUIRED_NODE_VERSION =
  /(\d+)\.(\d+)\.(\d+)/.exec(PACKAGE_JSON.engines?.node ?? "")?.[0] ?? "22.19.0";

/** A message when `running` is older than `required`; undefined when it is new enough. */
export function nodeVersionProblem(
  running: string = process.versions.node,
  required: string = REQUIRED_NODE_VERSION,
): string | undefined {
  const parts = (version: string) => version.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const [have, need] = [parts(running), parts(required)];
  for (let i = 0; i < 3; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a > b) return undefined;
    if (a < b)
      return (
        `pulumi-cloudpartner needs Node.js ${required} or newer, but runs on Node.js ${running} (${process.execPath}). ` +
        "Install a current Node.js (22 LTS from 22.19, or 24) and run again; for Pulumi programs, put it first on PATH."
      );
  }
  return undefined;
}

const problem = nodeVersionProblem();
if (problem) throw new ConfigurationError(problem);
