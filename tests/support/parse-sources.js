// Syntax check of C# and Java sources with real grammars (tree-sitter's C# and Java grammars as built for
// VS Code: @vscode/tree-sitter-wasm). Run as a plain Node process, because the WebAssembly runtime loads
// itself with a dynamic import(), which Jest's module sandbox refuses: tests/support/source-parse.ts runs it.
//
// stdin: JSON [{ "language": "c-sharp" | "java", "text": "..." }, ...]
// stdout: JSON [{ "errors": ["line:col: ..."], "namespaces": [...], "package": "...", "types": [...] }, ...]
//   namespaces: C# namespace declarations; package: the Java package declaration; types: top-level type names.

const path = require("node:path");
const { Language, Parser } = require("@vscode/tree-sitter-wasm");

const wasmDir = path.dirname(require.resolve("@vscode/tree-sitter-wasm"));
const TYPE_DECLARATION = /^(class|interface|enum|record|struct)_declaration$/;

function syntaxErrors(node, errors) {
  if (node.isError || node.isMissing) {
    const at = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
    errors.push(
      node.isMissing
        ? `${at}: missing ${node.type}`
        : `${at}: unexpected ${JSON.stringify(node.text.slice(0, 40))}`,
    );
    return errors;
  }
  if (node.hasError) for (const child of node.children) if (child) syntaxErrors(child, errors);
  return errors;
}

function describe(root) {
  const namespaces = root
    .descendantsOfType(["namespace_declaration", "file_scoped_namespace_declaration"])
    .map((n) => n?.childForFieldName("name")?.text);
  const types = [];
  const collect = (node) => {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (TYPE_DECLARATION.test(child.type)) types.push(child.childForFieldName("name")?.text);
      else if (/namespace_declaration$|^declaration_list$/.test(child.type)) collect(child);
    }
  };
  collect(root);
  const pkg = root.descendantsOfType("package_declaration")[0]?.namedChildren[0]?.text;
  return { errors: syntaxErrors(root, []), namespaces, package: pkg ?? null, types };
}

async function main() {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const requests = JSON.parse(input);
  await Parser.init();
  const languages = {};
  const results = [];
  for (const { language, text } of requests) {
    languages[language] ??= await Language.load(path.join(wasmDir, `tree-sitter-${language}.wasm`));
    const parser = new Parser();
    parser.setLanguage(languages[language]);
    const tree = parser.parse(text);
    results.push(describe(tree.rootNode));
    tree.delete();
    parser.delete();
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`parse-sources: ${error.stack ?? error}\n`);
  process.exit(1);
});
