/**
 * The `$schema` versions written (pinned per type in one place), how the API's schema errors are read and
 * explained, and finding a plan's technical configuration in a resource tree by every form real answers use.
 */

import { snapshotOf } from "../../provider/ingestion/backend";
import { configType, findConfig } from "../../provider/ingestion/images";
import type { ConfigureStatus } from "../../provider/ingestion/parse";
import {
  parseSchemaUri,
  schemaAdvice,
  schemaAdviceFor,
  schemaProblemOf,
  schemaUri,
  WRITE_SCHEMA_VERSIONS,
} from "../../provider/ingestion/schemas";

const BASE = "https://schema.mp.microsoft.com/schema";
/** cloudpub 956d629: the API's words, as the response body carried them (JSON-decoded). */
const PREVIEW7 = `Schema validation failed for schema ${BASE}/submission/2022-03-01-preview7: Required properties ["sources"] were not present #`;

describe("pinned schema versions", () => {
  test("one place, per type: what cloudpub writes and the API accepts", () => {
    expect(WRITE_SCHEMA_VERSIONS).toEqual({
      configure: "2022-07-01",
      submission: "2022-03-01-preview2",
      "virtual-machine-plan-technical-configuration": "2022-03-01-preview5",
      "core-virtual-machine-plan-technical-configuration": "2022-03-01-preview5",
      product: "2022-03-01-preview3",
      property: "2022-03-01-preview5",
      listing: "2022-03-01-preview5",
      "listing-asset": "2022-03-01-preview5",
      "price-and-availability-offer": "2022-03-01-preview3",
      reseller: "2022-03-01-preview2",
      "software-as-a-service-technical-configuration": "2022-03-01-preview3",
      plan: "2022-03-01-preview2",
      "plan-listing": "2022-03-01-preview5",
      "price-and-availability-plan": "2022-03-01-preview4",
      "container-plan-technical-configuration": "2022-03-01-preview3",
    });
    expect(schemaUri("virtual-machine-plan-technical-configuration")).toBe(
      `${BASE}/virtual-machine-plan-technical-configuration/2022-03-01-preview5`,
    );
    expect(parseSchemaUri(`${BASE}/submission/2022-03-01-preview7`)).toEqual({
      type: "submission",
      version: "2022-03-01-preview7",
    });
    expect(parseSchemaUri("https://product-ingestion.azureedge.net/schema/plan/2022-03-01-preview2")).toEqual(
      {
        type: "plan",
        version: "2022-03-01-preview2",
      },
    );
    expect(parseSchemaUri("https://example.com/schema/plan/2022-03-01-preview2")).toBeUndefined();
  });
});

describe("schema errors", () => {
  test("the API's Required properties text: schema, type, version and what it wants", () => {
    expect(schemaProblemOf(PREVIEW7)).toEqual({
      schema: `${BASE}/submission/2022-03-01-preview7`,
      type: "submission",
      version: "2022-03-01-preview7",
      required: ["sources"],
    });
    // As the request-level error's flattened message carries it, with the raw \u0022 escapes and two properties.
    const raw =
      "Invalid configuration: schema validation failed schemaValidationError: Schema validation failed for schema https://schema.mp.microsoft.com/schema/core-virtual-machine-plan-technical-configuration/2022-03-01-preview6: Required properties [\\u0022softwareType\\u0022, \\u0022x\\u0022] were not present #/";
    expect(schemaProblemOf(raw)).toMatchObject({
      type: "core-virtual-machine-plan-technical-configuration",
      version: "2022-03-01-preview6",
      required: ["softwareType", "x"],
    });
    expect(schemaProblemOf("Resource 0: 'vmImageVersions' must be an array.")).toBeUndefined();
    expect(schemaProblemOf(undefined)).toBeUndefined();
  });

  test("advice: a newer schema than the pin, the pin itself, a type not written; none without a requirement", () => {
    const newer = schemaAdvice(schemaProblemOf(PREVIEW7) as NonNullable<ReturnType<typeof schemaProblemOf>>);
    expect(newer).toMatch(
      /checked against schema 2022-03-01-preview7 \(https:\/\/schema\.mp\.microsoft\.com\/schema\/submission\/2022-03-01-preview7\), which requires "sources"; pulumi-cloudpartner writes submission with schema 2022-03-01-preview2.*update pulumi-cloudpartner/,
    );
    const pinned = schemaAdviceFor([PREVIEW7.replace("preview7", "preview2")]);
    expect(pinned).toEqual([
      expect.stringMatching(
        /submission schema 2022-03-01-preview2 .*the version pulumi-cloudpartner writes, now requires "sources", which this release does not send; nothing was changed\. Update pulumi-cloudpartner/,
      ),
    ]);
    // customer-leads is not a type this package writes (OfferConfiguration sends it only as a raw resource).
    expect(schemaAdviceFor([PREVIEW7.replace("submission", "customer-leads")])[0]).toMatch(
      /does not write customer-leads resources/,
    );
    expect(
      schemaAdviceFor([`Schema validation failed for schema ${BASE}/plan/2022-03-01-preview2: bad`]),
    ).toEqual([]);
    // One per schema named.
    expect(schemaAdviceFor([PREVIEW7, PREVIEW7, "other"])).toHaveLength(1);
  });

  test("a failed submission job whose errors name a schema requirement: the snapshot says what to do", () => {
    const job: ConfigureStatus = {
      jobId: "j1",
      jobStatus: "completed",
      jobResult: "failed",
      errors: [{ code: "badRequest", message: PREVIEW7, details: [] }],
    } as unknown as ConfigureStatus;
    const snapshot = snapshotOf("publish", job, undefined, undefined);
    expect(snapshot.status).toBe("failed");
    expect(snapshot.messages.join(" | ")).toMatch(
      /Required properties \["sources"\] were not present.*\| The submission resource was checked against schema 2022-03-01-preview7.*update pulumi-cloudpartner/,
    );
  });
});

describe("findConfig: the plan's technical configuration in every form real answers use", () => {
  const PRODUCT = "0b4e6c8f-1111-4222-8333-444455556666";
  const PLAN = "a1b2c3d4-aaaa-4bbb-8ccc-ddddeeeeffff";
  const OTHER = "a1b2c3d4-0000-4000-8000-000000000000";
  const planId = `plan/${PRODUCT}/${PLAN}`;
  const vm = "virtual-machine-plan-technical-configuration";
  const tree = (...resources: Record<string, unknown>[]) => [
    { id: `product/${PRODUCT}` },
    { id: planId },
    { id: `${vm}/${PRODUCT}/${OTHER}`, plan: `plan/${PRODUCT}/${OTHER}`, tag: "other" },
    ...resources,
  ];

  test("plan/<productGuid>/<planGuid> (docs, SUSE)", () => {
    expect(findConfig(tree({ id: `${vm}/${PRODUCT}/${PLAN}`, plan: planId, tag: "mine" }), planId)?.tag).toBe(
      "mine",
    );
  });

  test("plan/<planGuid> (cloudpub's fixtures), any case", () => {
    expect(
      findConfig(tree({ id: `${vm}/${PRODUCT}/${PLAN}`, plan: `plan/${PLAN}`, tag: "mine" }), planId)?.tag,
    ).toBe("mine");
    expect(
      findConfig(
        tree({ id: `${vm}/${PRODUCT}/${PLAN}`, plan: `plan/${PLAN.toUpperCase()}`, tag: "mine" }),
        planId,
      )?.tag,
    ).toBe("mine");
    // The other plan's configuration is never taken for this one.
    expect(findConfig(tree(), planId)).toBeUndefined();
  });

  test("no usable plan: the configuration's own durable id <type>/<productGuid>/<planGuid>", () => {
    expect(findConfig(tree({ id: `${vm}/${PRODUCT}/${PLAN}`, tag: "mine" }), planId)?.tag).toBe("mine");
    expect(
      findConfig(
        tree({ id: `core-${vm}/${PRODUCT}/${PLAN}`, plan: { externalId: "main" }, tag: "core" }),
        planId,
      )?.tag,
    ).toBe("core");
    // Another product's configuration with the same plan GUID is not this plan's.
    expect(findConfig(tree({ id: `${vm}/${OTHER}/${PLAN}` }), planId)).toBeUndefined();
  });

  test("the type from $schema when the id does not carry it", () => {
    const config = { $schema: `${BASE}/core-${vm}/2022-03-01-preview6`, plan: `plan/${PLAN}`, tag: "schema" };
    expect(configType(config)).toBe(`core-${vm}`);
    expect(findConfig(tree(config), planId)?.tag).toBe("schema");
    expect(
      findConfig(tree({ $schema: `${BASE}/plan-listing/2022-03-01-preview2`, plan: planId }), planId),
    ).toBeUndefined();
  });
});
