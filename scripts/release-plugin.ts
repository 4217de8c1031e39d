/**
 * `npm run release:plugin -- --platform linux-x64 [--platform win-x64 ...]`: builds the self-contained plugin
 * executable of each platform (default: this machine's) and packs its release archive, named as Pulumi
 * downloads it, into release/ with a checksums file (scripts/lib/plugin-build.ts). Prints the archives' paths.
 */

import * as path from "node:path";
import {
  checksumsName,
  hostPlatform,
  packageVersion,
  platformOf,
  RELEASE_DIR,
  REPO_ROOT,
  releaseArchive,
} from "./lib/plugin-build";

function platforms(argv: string[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--platform") names.push(...(argv[++i] ?? "").split(","));
    else if (arg.startsWith("--platform=")) names.push(...arg.slice("--platform=".length).split(","));
    else throw new Error(`Unknown argument "${arg}". Usage: npm run release:plugin -- --platform linux-x64`);
  }
  for (const name of names) platformOf(name); // fail before building anything
  return names.length ? names : [hostPlatform()];
}

async function main(): Promise<void> {
  const names = platforms(process.argv.slice(2));
  for (const name of names) {
    const archive = await releaseArchive(name, (line) => process.stderr.write(`${line}\n`));
    console.log(path.relative(REPO_ROOT, archive));
  }
  console.log(path.relative(REPO_ROOT, path.join(RELEASE_DIR, checksumsName(packageVersion()))));
}

main().catch((error: unknown) => {
  process.stderr.write(`release:plugin: ${(error as Error).message}\n`);
  process.exit(1);
});
