/** The shipped seed and the seed examples match emulator/seed.schema.json; what the schema refuses, the emulator refuses. */
import Ajv from "ajv";
import seed from "../../emulator/seed.json";
import schema from "../../emulator/seed.schema.json";
import { parseSeed } from "../../emulator/server";

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);
const errors = () => ajv.errorsText(validate.errors);

test("the shipped seed (emulator/seed.json) is valid", () => {
  expect(validate(seed) ? "valid" : errors()).toBe("valid");
  // Every offer and product of it, so the schema's definitions are all exercised.
  expect(seed.offers.length).toBeGreaterThan(0);
  expect(seed.ingestionProducts.length).toBeGreaterThan(0);
});

test("an array of offers is a seed too", () => {
  expect(validate([{ publisherId: "contoso", offerId: "o1", state: "live" }])).toBe(true);
});

test.each([
  ["an offer without offerId", { offers: [{ publisherId: "contoso" }] }, /offerId/],
  [
    "an unknown offer field (a typo)",
    { offers: [{ publisherId: "p", offerId: "o", refuseGolive: true }] },
    /additional/,
  ],
  ["an unknown state", { offers: [{ publisherId: "p", offerId: "o", state: "approved" }] }, /allowed values/],
  [
    "a step without a duration",
    { offers: [{ publisherId: "p", offerId: "o", goLive: { steps: [{ id: "x", stepName: "X" }] } }] },
    /durationSeconds/,
  ],
  ["a product without externalId", { offers: [], ingestionProducts: [{ state: "live" }] }, /externalId/],
  [
    "a product plan GUID that is not one",
    { offers: [], ingestionProducts: [{ externalId: "e", plans: [{ externalId: "p", guid: "x" }] }] },
    /pattern/,
  ],
  ["a top-level typo", { offers: [], ingestionProduct: [] }, /additional/],
])("refuses %s", (_, value, message) => {
  expect(validate(value)).toBe(false);
  expect(errors()).toMatch(message);
});

test("what the emulator itself refuses at start, the schema refuses too", () => {
  const bad = { offers: [{ publisherId: "contoso" }] };
  expect(() => parseSeed(bad)).toThrow(/publisherId and an offerId/);
  expect(validate(bad)).toBe(false);
});
