/**
 * A new listing, property or plan listing of every offer type gets the `kind` its schema requires (the listing
 * schema 2022-03-01-preview5 refuses one without it). Found by tests/e2e/offer-configuration.e2e.ts: the core VM
 * and container examples' first `pulumi up` was refused with `Required properties ["kind"] were not present`.
 */

import { declaredParts, indexTree } from "../../provider/ingestion/offer/keys";
import type { OfferConfigurationInputs } from "../../provider/ingestion/offer/types";
import { configureResources } from "../../provider/ingestion/offer/write";

test.each([
  ["azureVirtualMachine", "azureVM", "azureVM-plan"],
  ["coreVirtualMachine", "azureVM", "azureVM-plan"],
  ["softwareAsAService", "azureSaaS", "azureSaaS-plan"],
  ["azureContainer", "azureContainer", "azureContainer-plan"],
] as const)("a new %s offer: listing and property kind %s, plan listing %s", (type, kind, planKind) => {
  const inputs: OfferConfigurationInputs = {
    offerId: "new-offer",
    product: { type, alias: "New" },
    property: { categories: { compute: ["operating-systems"] }, termsConditions: "standardMicrosoft" },
    listing: { title: "New" },
    plans: { main: { alias: "Main", listing: { name: "Main" } } },
  };
  const body = configureResources(declaredParts(inputs, type), indexTree([]), "new-offer");
  const kindOf = (schemaType: string) =>
    body.find((r) => String(r.$schema).includes(`/schema/${schemaType}/`))?.kind;
  expect([kindOf("listing"), kindOf("property"), kindOf("plan-listing")]).toEqual([kind, kind, planKind]);
});
