/**
 * Properties of the offer model over generated resource trees of every offer type (fast-check): a tree never
 * differs from itself nor from any reordering of the lists the API does not order; exporting a tree and declaring
 * the result is no change; changing one field of a declared part is exactly one change, named by its path; the
 * configure body of a change, applied, reads back as no change and touches nothing else.
 */

import fc from "fast-check";
import { diffDeclared, diffPart, diffTrees, propertyPath } from "../../provider/ingestion/offer/diff";
import { inputsFromTree } from "../../provider/ingestion/offer/export";
import {
  type DeclaredPart,
  declaredParts,
  indexTree,
  resourceTypeOf,
} from "../../provider/ingestion/offer/keys";
import { validateOffer } from "../../provider/ingestion/offer/validate";
import { configureResources } from "../../provider/ingestion/offer/write";
import { offerTree, random, reorderUnordered } from "../support/offer-arbitraries";

type Json = Record<string, unknown>;
const RUNS = { numRuns: 150 };

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every resource of the tree declared with all its fields (what it is), keyed as the index keys it. */
function selfParts(resources: Json[]): DeclaredPart[] {
  const index = indexTree(resources);
  return [...index.byKey].map(([key, resource]) => ({
    key,
    type: resourceTypeOf(resource) ?? "",
    scope: key.startsWith("plans[") ? "plan" : "offer",
    fields: resource,
  }));
}

describe("a tree against itself", () => {
  test("diff(tree, tree) is empty: every resource declared with all its fields, and tree vs tree", () => {
    fc.assert(
      fc.property(offerTree, ({ resources }) => {
        const index = indexTree(resources);
        expect(diffDeclared(selfParts(resources), index)).toEqual([]);
        expect(diffTrees(index, indexTree(resources))).toEqual([]);
      }),
      RUNS,
    );
  });

  test("reordering the lists the API does not order (and the tree, and object keys) is no change", () => {
    fc.assert(
      fc.property(offerTree, fc.integer(), ({ resources }, seed) => {
        const rnd = random(seed);
        const reordered = [...resources].reverse().map((r) => reorderUnordered(structuredClone(r), rnd));
        expect(diffDeclared(selfParts(resources), indexTree(reordered))).toEqual([]);
        expect(diffTrees(indexTree(resources), indexTree(reordered))).toEqual([]);
      }),
      RUNS,
    );
  });

  test("reordering a list whose order is shown to buyers is a change (the property above can fail)", () => {
    fc.assert(
      fc.property(offerTree, ({ resources }) => {
        const listing = resources.find((r) => resourceTypeOf(r) === "listing");
        const links = listing?.generalLinks as Json[] | undefined;
        fc.pre(
          !!listing &&
            !!links &&
            links.length >= 2 &&
            JSON.stringify(links[0]) !== JSON.stringify(links.at(-1)),
        );
        const reordered = resources.map((r) =>
          r === listing ? { ...r, generalLinks: [...(links ?? [])].reverse() } : r,
        );
        const changes = diffDeclared(selfParts(resources), indexTree(reordered));
        expect(changes).toEqual([
          expect.objectContaining({ key: "listing", field: "generalLinks", kind: "update" }),
        ]);
      }),
      { numRuns: 40 },
    );
  });
});

describe("export round trip", () => {
  test("diffDeclared(declaredParts(inputsFromTree(t)), indexTree(t)) is empty, and the export passes validation", () => {
    fc.assert(
      fc.property(offerTree, ({ resources, offerId }) => {
        const inputs = inputsFromTree(resources, offerId);
        expect(diffDeclared(declaredParts(inputs), indexTree(resources))).toEqual([]);
        expect(validateOffer(inputs)).toEqual([]);
        // Through JSON (as state and the engine carry inputs) too.
        const viaJson = JSON.parse(JSON.stringify(inputs));
        expect(diffDeclared(declaredParts(viaJson), indexTree(resources))).toEqual([]);
      }),
      RUNS,
    );
  });
});

/** Leaf paths of scalars inside objects (not inside lists) of a value, with the path as diff names it. */
function leaves(value: unknown, path: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (isObject(value))
    return Object.entries(value).flatMap(([k, v]) =>
      v === undefined || v === null ? [] : leaves(v, [...path, k]),
    );
  if (Array.isArray(value)) return [];
  return [{ path, value }];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const fieldName = (path: string[]) =>
  path.reduce(
    (acc, s) => (IDENTIFIER.test(s) ? (acc === "" ? s : `${acc}.${s}`) : `${acc}[${JSON.stringify(s)}]`),
    "",
  );

function mutate(value: unknown): unknown {
  if (typeof value === "string") return `${value}x`;
  if (typeof value === "number") return value + 1;
  if (typeof value === "boolean") return !value;
  return value;
}

function setAt(target: Json, path: string[], value: unknown): void {
  let at: Json = target;
  for (const s of path.slice(0, -1)) at = at[s] as Json;
  at[path.at(-1) as string] = value;
}

describe("one field", () => {
  test("changing one declared field is exactly one change, with that key and field path", () => {
    fc.assert(
      fc.property(offerTree, fc.nat(), fc.nat(), ({ resources, offerId }, partPick, leafPick) => {
        const index = indexTree(resources);
        const parts = declaredParts(inputsFromTree(resources, offerId));
        const candidates = parts.flatMap((part) =>
          leaves(part.fields)
            // The key's own fields: a listing asset's fileName, a raw resource's $schema (its type) name another part.
            .filter(
              (l) => !(part.type === "listing-asset" && l.path[0] === "fileName") && l.path[0] !== "$schema",
            )
            .map((leaf) => ({ part, leaf })),
        );
        fc.pre(candidates.length > 0);
        const { part, leaf } = candidates[
          (partPick + leafPick) % candidates.length
        ] as (typeof candidates)[number];
        const changed = structuredClone(part.fields);
        setAt(changed, leaf.path, mutate(leaf.value));
        const changes = diffDeclared(
          parts.map((p) => (p === part ? { ...p, fields: changed } : p)),
          index,
        );
        expect(changes).toEqual([
          {
            key: part.key,
            field: fieldName(leaf.path),
            kind: "update",
            old: leaf.value,
            new: mutate(leaf.value),
          },
        ]);
        expect(diffPart({ ...part, fields: changed }, index.byKey.get(part.key))).toHaveLength(1);
        expect(propertyPath(part.key, fieldName(leaf.path))).toMatch(/^[A-Za-z]/);
      }),
      RUNS,
    );
  });
});

describe("write then read", () => {
  test("the configure body for changed parts, applied as the API applies it, reads back as no change", () => {
    fc.assert(
      fc.property(offerTree, fc.nat(), ({ resources, offerId }, pick) => {
        const index = indexTree(resources);
        const parts = declaredParts(inputsFromTree(resources, offerId));
        const candidates = parts.flatMap((part) =>
          leaves(part.fields)
            .filter(
              (l) => !(part.type === "listing-asset" && l.path[0] === "fileName") && l.path[0] !== "$schema",
            )
            .map((leaf) => ({ part, leaf })),
        );
        fc.pre(candidates.length > 0);
        const { part, leaf } = candidates[pick % candidates.length] as (typeof candidates)[number];
        // languageId names which listing it is (validation keeps it en-us).
        fc.pre(leaf.path[0] !== "languageId");
        const fields = structuredClone(part.fields);
        setAt(fields, leaf.path, mutate(leaf.value));
        const declared = parts.map((p) => (p === part ? { ...p, fields } : p));
        const changedKeys = new Set(diffDeclared(declared, index).map((c) => c.key));
        const changed = declared.filter((p) => changedKeys.has(p.key));
        const body = configureResources(changed, index, offerId);
        expect(body).toHaveLength(1);
        // The API replaces the resource with the one sent (same durable id).
        const applied = resources.map((r) => body.find((b) => b.id === r.id) ?? r);
        expect(diffDeclared(declared, indexTree(applied))).toEqual([]);
        // Nothing else was touched: every other resource is the same object as before.
        expect(applied.filter((r, i) => r !== resources[i])).toHaveLength(1);
      }),
      RUNS,
    );
  });
});
