/**
 * Syntax checks of generated C# and Java sources with real grammars (tests/support/parse-sources.js, on
 * tree-sitter's C# and Java grammars). No .NET toolchain, NuGet or Maven Central can be had on these
 * machines, so the generated .NET and Java SDKs cannot be compiled here; parsing is how far they are checked.
 */

import { execFileSync } from "node:child_process";
import * as path from "node:path";

export type SourceLanguage = "c-sharp" | "java";

export interface ParsedSource {
  /** Every syntax error as `line:column: what`; empty when the source parses. */
  errors: string[];
  /** C#: the namespace declarations. */
  namespaces: string[];
  /** Java: the package declaration. */
  package: string | null;
  /** Names of the top-level types (inside namespaces for C#). */
  types: string[];
}

/** Parses each source in one child process (the WebAssembly runtime cannot load inside Jest's sandbox). */
export function parseSources(sources: Array<{ language: SourceLanguage; text: string }>): ParsedSource[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, "parse-sources.js")], {
    input: JSON.stringify(sources),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as ParsedSource[];
}
