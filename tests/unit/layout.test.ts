/**
 * The layers as the README's "Layout" describes them: core → the APIs behind backends.ts → resources → front
 * doors. Read from the sources with the TypeScript compiler (no module is loaded), so a new import that crosses
 * the seam fails here; and the stable module existing stacks load keeps its exports.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import * as stable from "../../provider/provider";

const root = path.join(__dirname, "..", "..");
const API_FOLDERS = ["cpp", "ingestion"];

/** Each import of a folder's files: the file, the folder it reaches (relative to provider/), and type-only or not. */
function importsOf(folder: string): Array<{ file: string; target: string; typeOnly: boolean }> {
  const dir = path.join(root, "provider", folder);
  const found: Array<{ file: string; target: string; typeOnly: boolean }> = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const file = path.join(dir, name);
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
      const specifier = statement.moduleSpecifier;
      if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) continue;
      const resolved = path.relative(path.join(root, "provider"), path.resolve(dir, specifier.text));
      const typeOnly = ts.isImportDeclaration(statement)
        ? statement.importClause?.isTypeOnly === true
        : statement.isTypeOnly;
      found.push({ file: `${folder}/${name}`, target: resolved.split(path.sep)[0] ?? "", typeOnly });
    }
  }
  return found;
}

test("the core imports nothing above it (no API, no backend choice, no lifecycle, no front door)", () => {
  const upward = importsOf("core").filter(({ target }) => target !== "core");
  expect(upward.map(({ file, target }) => `${file} → ${target}`)).toEqual([]);
});

test("the lifecycle and the front doors reach an API's code only through backends.ts (types aside)", () => {
  const crossing = ["resources", "pulumi", "native"]
    .flatMap(importsOf)
    .filter(({ target, typeOnly }) => API_FOLDERS.includes(target) && !typeOnly);
  expect(crossing.map(({ file, target }) => `${file} → ${target}`)).toEqual([]);
});

test("the lifecycle does not import a front door", () => {
  const upward = importsOf("resources").filter(({ target }) => ["pulumi", "native"].includes(target));
  expect(upward.map(({ file, target }) => `${file} → ${target}`)).toEqual([]);
});

test("provider/provider.ts, loaded by existing stacks' serialized providers, keeps its exports", () => {
  expect(Object.keys(stable).sort()).toEqual([
    "ACCESS_TOKEN_CONFIG_KEY",
    "OfferConfigurationProvider",
    "OfferGoLiveProvider",
    "OfferPublishProvider",
    "OperationResourceProvider",
    "ResourceInitError",
    "VmImageVersionProvider",
    "applySnapshot",
    "checkImageInputs",
    "checkOfferInputs",
    "forState",
    "statusFromOffer",
  ]);
});
