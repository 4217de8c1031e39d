/**
 * Publish safety right after OfferConfiguration created the declared parts of a new offer: the fields the provider
 * fills on the program's behalf when it creates a part (`kind`, fixed by the offer type) are the program's, not
 * portal edits. Found by tests/e2e/offer-configuration.e2e.ts: examples/offer-vm's first `pulumi up` created the
 * offer, then its publish refused `listing.kind`, `plans[…].listing.kind`.
 */

import type { DeclaredPart } from "../../provider/ingestion/offer/keys";
import { normalizeFields } from "../../provider/ingestion/offer/normalize";
import { type ComparedTree, draftChanges } from "../../provider/ingestion/publish-safety";

const part = (key: string, type: string, fields: Record<string, unknown>): DeclaredPart => ({
  key,
  type,
  scope: key.startsWith("plans[") ? "plan" : "offer",
  ...(key.startsWith("plans[") ? { planId: "standard" } : {}),
  fields,
});

/** Normalised as readTree normalises a tree resource. */
const compared = (type: string, fields: Record<string, unknown>) => ({
  type,
  fields: normalizeFields(type, fields),
});

const draft: ComparedTree = new Map([
  ["listing", compared("listing", { kind: "azureVM", languageId: "en-us", title: "Contoso Linux" })],
  [
    "plans[standard].listing",
    compared("plan-listing", { kind: "azureVM-plan", languageId: "en-us", name: "Standard" }),
  ],
]);

test("a new offer's draft, as OfferConfiguration created it from the declaration: every change is explained", () => {
  const declared = [
    part("listing", "listing", { title: "Contoso Linux" }),
    part("plans[standard].listing", "plan-listing", { name: "Standard" }),
  ];
  const unexplained = draftChanges(draft, undefined, declared).filter((c) => !c.explained);
  expect(unexplained).toEqual([]);
});

test("kind is explained only for a part the program declares; no other undeclared field is", () => {
  const declared = [part("listing", "listing", {})];
  const unexplained = draftChanges(draft, undefined, declared).filter((c) => !c.explained);
  expect(unexplained.map((c) => `${c.key}.${c.field}`).sort()).toEqual([
    "listing.title",
    "plans[standard].listing.kind",
    "plans[standard].listing.name",
  ]);
});
