/**
 * Bad input, property-based (fast-check, fixed seed): input checks never crash and name the field they
 * reject; invalid input never reaches the network; Location parsing never leaves the endpoint and only
 * throws ProtocolError; ids meant to escape their path segment either are refused before any request or
 * arrive as exactly the intended segments.
 */

import * as fc from "fast-check";
import { apiProfile } from "../../provider/backends";
import { StaticTokenProvider } from "../../provider/core/auth";
import { CloudPartnerError, ConfigurationError, ProtocolError } from "../../provider/core/errors";
import { PooledTransport } from "../../provider/core/http";
import { operationIdFromLocation, resolveOperationLocation } from "../../provider/core/location";
import { isLoopback } from "../../provider/core/options";
import { checkOperationInputs, UNKNOWN_VALUE } from "../../provider/core/validate";
import { IngestionBackend } from "../../provider/ingestion/backend";
import { OfferGoLiveProvider, OfferPublishProvider } from "../../provider/resources";
import type { CppSimulator } from "../simulator/server";
import { clientFor, withSimulator } from "../support/harness";
import { CANARY, RecordingTransport } from "./helpers";

const SEED = 7_031_975;
const runs = (numRuns: number) => ({ seed: SEED, numRuns });

const FIELDS = [
  "publisherId",
  "offerId",
  "endpoint",
  "apiVersion",
  "wait",
  "timeoutSeconds",
  "pollIntervalSeconds",
  "maxPollIntervalSeconds",
  "requestTimeoutSeconds",
];

/** Ids that try to leave their path segment, smuggle a query, look alike, or are just too long. */
const NASTY_IDS = [
  "..",
  ".",
  "",
  "../",
  "../../etc/passwd",
  "contoso/../other",
  "%2e%2e",
  "%2E%2E%2F",
  "..%2f",
  "a?x=1",
  "?x=",
  "a#frag",
  "#",
  "ｃontoso",
  "..／",
  "contoso\u200b",
  "con\ttoso",
  "contoso\r\nX-Injected: 1",
  "contoso\u0000",
  "\ud800",
  "a\udfffb",
  "a b",
  "a\\b",
  "a$b",
  "__proto__",
  "x".repeat(10 * 1024),
  "é".repeat(10 * 1024),
];

const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true });
const idArbitrary = fc.oneof(
  fc.constantFrom(...NASTY_IDS),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,60}$/),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.constant(UNKNOWN_VALUE),
  anything,
);
const endpointArbitrary = fc.oneof(
  fc.constantFrom(
    "https://cloudpartner.azure.com",
    "http://127.0.0.1:8080",
    "http://example.com",
    "http://127.0.0.1.evil.com",
    "http://localhost.evil.com",
    "http://127.0.0.1@evil.com",
    "https://user:pw@cloudpartner.azure.com",
    "ftp://127.0.0.1",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://cloudpartner.azure.com?x=1",
    "https://cloudpartner.azure.com#f",
    "not a url",
  ),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string({ maxLength: 40 }),
  anything,
);
const numberArbitrary = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e12, "60", UNKNOWN_VALUE),
  anything,
);
const inputsArbitrary = fc.record(
  {
    publisherId: idArbitrary,
    offerId: idArbitrary,
    endpoint: endpointArbitrary,
    apiVersion: fc.oneof(fc.constant("2017-10-31"), fc.string({ maxLength: 20 }), anything),
    wait: fc.oneof(fc.boolean(), anything),
    timeoutSeconds: numberArbitrary,
    pollIntervalSeconds: numberArbitrary,
    maxPollIntervalSeconds: numberArbitrary,
    requestTimeoutSeconds: numberArbitrary,
    extra: anything,
  },
  { requiredKeys: [] },
);

/** What makes a failure usable: a known field, named first, in one sentence, short enough to read. */
function expectClearFailures(failures: Array<{ property: string; reason: string }>) {
  const seen = new Set<string>();
  for (const failure of failures) {
    expect(FIELDS).toContain(failure.property);
    expect(failure.reason.startsWith(`${failure.property} `)).toBe(true);
    expect(failure.reason.endsWith(".")).toBe(true);
    expect(failure.reason.length).toBeLessThan(400);
    expect(seen.has(failure.property)).toBe(false);
    seen.add(failure.property);
  }
}

/** An id that passed the check is one plain path segment. */
function expectSafeId(value: unknown) {
  if (value === UNKNOWN_VALUE) return;
  expect(value).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/);
  expect(value).not.toContain("..");
}

let sim: CppSimulator;
/** Receives requests only from the direct-client tests below; the provider tests use `untouched`. */
let untouched: CppSimulator;

beforeAll(async () => {
  [sim, untouched] = await Promise.all([
    withSimulator({ acceptedTokens: [CANARY] }),
    withSimulator({ acceptedTokens: [CANARY] }),
  ]);
});

afterAll(async () => {
  await Promise.all([sim?.close(), untouched?.close()]);
});

describe("input checks", () => {
  test("checkOperationInputs never throws; each failure names its field first; what passes is safe", () => {
    fc.assert(
      fc.property(inputsArbitrary, (news) => {
        const { inputs, failures } = checkOperationInputs(news, apiProfile);
        expectClearFailures(failures);
        const failed = new Set(failures.map((f) => f.property));
        if (!failed.has("publisherId")) expectSafeId(inputs.publisherId);
        if (!failed.has("offerId")) expectSafeId(inputs.offerId);
        if (!failed.has("endpoint") && inputs.endpoint !== UNKNOWN_VALUE) {
          const url = new URL(String(inputs.endpoint));
          expect(
            url.protocol === "https:" || ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname),
          ).toBe(true);
        }
      }),
      runs(1_000),
    );
  });

  test("every nasty id is refused with a message naming the field", () => {
    for (const id of NASTY_IDS) {
      const { failures } = checkOperationInputs({ publisherId: id, offerId: id }, apiProfile);
      const properties = failures.map((f) => f.property).sort();
      expect([id, properties]).toEqual([id, ["offerId", "publisherId"]]);
      expectClearFailures(failures);
    }
  });

  test("OfferGoLiveProvider.check agrees, and create on invalid input throws before any HTTP request", async () => {
    const inner = new PooledTransport();
    const transport = new RecordingTransport(inner);
    const provider = new OfferGoLiveProvider({
      tokenProvider: new StaticTokenProvider(CANARY),
      transport,
      log: () => {},
    });
    let invalid = 0;
    try {
      await fc.assert(
        fc.asyncProperty(inputsArbitrary, async (generated) => {
          // Point every otherwise-valid endpoint at a simulator that must never hear from us.
          const news = { ...generated, __provider: "exports.handler = {}" } as Record<string, unknown>;
          if (typeof news.endpoint === "string" && news.endpoint.startsWith("https://"))
            news.endpoint = untouched.url;
          const checked = await provider.check({}, news);
          expectClearFailures(checked.failures ?? []);
          expect(checked.failures).toEqual(checkOperationInputs(news, apiProfile).failures);
          if (!checked.failures?.length) return;
          invalid++;
          const error = await provider.create(news).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(Error);
          for (const failure of checked.failures) expect((error as Error).message).toContain(failure.reason);
          expect(transport.sent).toEqual([]);
          expect(untouched.requests).toEqual([]);
        }),
        runs(300),
      );
    } finally {
      await inner.close();
    }
    expect(invalid).toBeGreaterThan(200);
  });
});

describe("Location parsing", () => {
  const endpoints = ["https://cloudpartner.azure.com", "http://127.0.0.1:8080/cpp"];
  const prefixes = [
    "",
    "/",
    "//",
    "\\\\",
    "/\\",
    "\t//",
    " //",
    "http://",
    "https://",
    "http:",
    "HTTPS://",
    "//@",
    "javascript:",
    "file://",
    "data:text/plain,",
  ];
  const hosts = [
    "evil.example",
    "127.0.0.2:9",
    "[::1]",
    "cloudpartner.azure.com",
    "user:pw@evil.example",
    "127.0.0.1:8080",
    "",
  ];
  const middles = ["", "/", "//", "\\", "/..", "/%2e%2e/", "/./", "?x=1", "#f", "@evil.example", "%0d%0a"];
  const locationArbitrary = fc.oneof(
    fc.string({ unit: "binary", maxLength: 60 }),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc
      .tuple(
        fc.constantFrom(...prefixes),
        fc.constantFrom(...hosts),
        fc.constantFrom(...middles),
        fc.string({ maxLength: 30 }),
      )
      .map((parts) => parts.join("")),
  );

  test("resolveOperationLocation stays on the endpoint's origin or throws ProtocolError", () => {
    fc.assert(
      fc.property(locationArbitrary, fc.constantFrom(...endpoints), (location, endpoint) => {
        let url: string;
        try {
          url = resolveOperationLocation(location, endpoint, "2017-10-31").url;
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          return;
        }
        const parsed = new URL(url);
        expect(parsed.origin).toBe(new URL(endpoint).origin);
        expect(parsed.searchParams.has("api-version")).toBe(true);
      }),
      runs(5_000),
    );
  });

  test("known escape attempts are re-based onto the endpoint", () => {
    const endpoint = "https://cloudpartner.azure.com";
    for (const location of [
      "https://evil.example//attacker.example/api/operations/x",
      "\\\\attacker.example/api/operations/x",
      "/\\attacker.example/api/operations/x",
      "\t//attacker.example/api/operations/x",
      "//attacker.example/api/operations/x",
      "https://attacker.example:443\\@cloudpartner.azure.com/x",
    ]) {
      expect([location, new URL(resolveOperationLocation(location, endpoint, "v").url).origin]).toEqual([
        location,
        endpoint,
      ]);
    }
  });

  test("operationIdFromLocation never throws", () => {
    fc.assert(
      fc.property(locationArbitrary, (location) => {
        const id = operationIdFromLocation(location);
        expect(id === undefined || typeof id === "string").toBe(true);
      }),
      runs(3_000),
    );
  });
});

describe("ids sent through CloudPartnerClient directly (no validation there)", () => {
  const encode = (value: string) => encodeURIComponent(value).replace(/%24/g, "$");

  /** Either refused before any request, or exactly one POST with exactly the intended segments. */
  async function expectExactPath(publisherId: string, offerId: string) {
    const { client, transport } = clientFor(sim, { accessToken: CANARY, retry: { maxRetries: 0 } });
    const before = sim.requests.length;
    try {
      const error = await client.goLive(publisherId, offerId).then(
        () => undefined,
        (e: unknown) => e,
      );
      const received = sim.requests.slice(before);
      if (error instanceof ConfigurationError) {
        expect(received).toEqual([]);
        return "refused";
      }
      expect(error).toBeInstanceOf(CloudPartnerError);
      if (received.length === 0) {
        // Too long for the server's request line: refused at the HTTP level, nothing processed.
        expect((error as CloudPartnerError).status).toBe(431);
        return "too long";
      }
      expect(received).toHaveLength(1);
      const [pathname, query] = (received[0]?.path ?? "").split("?");
      expect(pathname?.split("/")).toEqual([
        "",
        "api",
        "publishers",
        encode(publisherId),
        "offers",
        encode(offerId),
        "golive",
      ]);
      expect(query).toBe("api-version=2017-10-31");
      expect(received[0]).toMatchObject({ method: "POST", publisherId, offerId });
      return "exact";
    } finally {
      await transport.close();
    }
  }

  test("nasty ids: refused ('', '.', '..') or sent as exactly the intended segments", async () => {
    const outcomes: Record<string, string> = {};
    for (const id of NASTY_IDS) outcomes[id.slice(0, 20)] = await expectExactPath(id, "offer");
    for (const id of NASTY_IDS) await expectExactPath("contoso", id);
    expect(outcomes[""]).toBe("refused");
    expect(outcomes["."]).toBe("refused");
    expect(outcomes[".."]).toBe("refused");
    expect(outcomes["../"]).toBe("exact");
    expect(outcomes["%2e%2e"]).toBe("exact");
    expect(outcomes["..／"]).toBe("exact");
  });

  test("arbitrary strings never change the path beyond the intended segments", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom(...NASTY_IDS)),
        fc.oneof(fc.string({ unit: "grapheme", maxLength: 40 }), fc.constantFrom(...NASTY_IDS)),
        async (publisherId, offerId) => {
          await expectExactPath(publisherId, offerId);
        },
      ),
      runs(150),
    );
  });
});

describe('api: "ingestion" inputs', () => {
  const INGESTION_FIELDS = [...FIELDS, "api"];
  const apiArbitrary = fc.oneof(
    fc.constantFrom(
      "ingestion",
      "cpp",
      "Ingestion",
      "INGESTION",
      " ingestion",
      "ingestion\u0000",
      UNKNOWN_VALUE,
    ),
    fc.string({ maxLength: 12 }),
    anything,
  );
  /** Endpoints with a path (allowed for ingestion only), including ones that try to leave it or the host. */
  const pathEndpointArbitrary = fc.oneof(
    fc.constantFrom(
      "https://graph.microsoft.com/rp/product-ingestion",
      "https://graph.microsoft.com/rp/product-ingestion/",
      "http://127.0.0.1:8080/rp/product-ingestion",
      "http://127.0.0.1:8080/rp/../../etc",
      "http://127.0.0.1:8080/rp/%2e%2e/x",
      "https://graph.microsoft.com/rp/product-ingestion?$version=1",
      "https://graph.microsoft.com/rp/product-ingestion#x",
      "https://user:pw@graph.microsoft.com/rp/product-ingestion",
      "http://graph.microsoft.com/rp/product-ingestion",
      "http://127.0.0.1.evil.com/rp/product-ingestion",
      "https://graph.microsoft.com//evil.com/rp",
      "/rp/product-ingestion",
    ),
    endpointArbitrary,
    fc.webPath().map((p) => `https://graph.microsoft.com${p}`),
  );
  const versionArbitrary = fc.oneof(
    fc.constantFrom(
      "2022-07-01",
      "2023-07-15",
      "2022-03-01-preview3",
      "2022-03-01-preview7",
      "2017-10-31",
      "v1",
      "2022-07-01&x=1",
      "2022-07-01#",
      "2022-07-01/../x",
      " 2022-07-01",
      "2022-7-1",
      "",
      UNKNOWN_VALUE,
    ),
    fc.stringMatching(/^\d{4}-\d{2}-\d{2}(-preview\d{0,3})?$/),
    fc.string({ maxLength: 24 }),
    anything,
  );
  const ingestionInputs = fc.record(
    {
      api: apiArbitrary,
      publisherId: fc.oneof(fc.constant(undefined), idArbitrary),
      offerId: idArbitrary,
      endpoint: fc.oneof(fc.constant(undefined), pathEndpointArbitrary),
      apiVersion: fc.oneof(fc.constant(undefined), versionArbitrary),
      timeoutSeconds: numberArbitrary,
      extra: anything,
    },
    { requiredKeys: ["api"] },
  );

  test("checkOperationInputs never throws; failures name their field; what passes is safe", () => {
    let passedWithPath = 0;
    fc.assert(
      fc.property(ingestionInputs, (news) => {
        const { inputs, failures } = checkOperationInputs(news, apiProfile);
        for (const failure of failures) {
          expect(INGESTION_FIELDS).toContain(failure.property);
          expect(failure.reason.startsWith(`${failure.property} `)).toBe(true);
          expect(failure.reason.length).toBeLessThan(800);
        }
        const failed = new Set(failures.map((f) => f.property));
        if (failed.has("api") || news.api !== "ingestion") return;
        if (!failed.has("offerId")) expectSafeId(inputs.offerId);
        if (news.publisherId === undefined) expect(failed.has("publisherId")).toBe(false);
        if (!failed.has("apiVersion") && inputs.apiVersion !== UNKNOWN_VALUE)
          expect(inputs.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}(-preview\d*)?$/);
        if (!failed.has("endpoint") && inputs.endpoint !== UNKNOWN_VALUE) {
          const url = new URL(String(inputs.endpoint));
          expect(url.protocol === "https:" || isLoopback(url.hostname)).toBe(true);
          expect([url.username, url.password, url.search, url.hash]).toEqual(["", "", "", ""]);
          if (url.pathname.length > 1) passedWithPath++;
        }
      }),
      runs(2_000),
    );
    expect(passedWithPath).toBeGreaterThan(50);
  });

  test("OfferPublish and OfferGoLive check agree, and create on invalid input sends nothing", async () => {
    const inner = new PooledTransport();
    const transport = new RecordingTransport(inner);
    const options = { tokenProvider: new StaticTokenProvider(CANARY), transport, log: () => {} };
    const providers = [new OfferPublishProvider(options), new OfferGoLiveProvider(options)];
    let invalid = 0;
    try {
      await fc.assert(
        fc.asyncProperty(ingestionInputs, fc.constantFrom(0, 1), async (generated, which) => {
          const news = { ...generated, __provider: "exports.handler = {}" } as Record<string, unknown>;
          // Point every otherwise-valid endpoint at a simulator that must never hear from us.
          if (typeof news.endpoint === "string" && news.endpoint.startsWith("https://"))
            news.endpoint = `${untouched.url}${new URL(news.endpoint).pathname}`;
          const provider = providers[which] as OfferGoLiveProvider;
          const checked = await provider.check({}, news);
          expect(checked.failures).toEqual(checkOperationInputs(news, apiProfile).failures);
          if (!checked.failures?.length) return;
          invalid++;
          const error = await provider.create(news).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(Error);
          for (const failure of checked.failures) expect((error as Error).message).toContain(failure.reason);
          expect(transport.sent).toEqual([]);
          expect(untouched.requests).toEqual([]);
        }),
        runs(300),
      );
    } finally {
      await inner.close();
    }
    expect(invalid).toBeGreaterThan(150);
  });

  test("valid offer ids, versions and endpoint paths arrive exactly: externalId, $version, under the path", async () => {
    const inner = new PooledTransport();
    const transport = new RecordingTransport(inner);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/).filter((id) => !id.includes("..")),
            fc.constantFrom("x.-_", "A.b-c_9"),
          ),
          fc.stringMatching(/^\d{4}-\d{2}-\d{2}(-preview\d{1,2})?$/),
          fc.oneof(
            fc.constant("/rp/product-ingestion"),
            fc.webPath().filter((p) => p.length > 1),
          ),
          async (offerId, apiVersion, prefix) => {
            const news = { api: "ingestion", offerId, apiVersion, endpoint: `${sim.url}${prefix}` };
            const { inputs, failures } = checkOperationInputs(news, apiProfile);
            if (failures.length) {
              // Only an endpoint path that URL parsing rejects or rewrites may fail here.
              expect(failures.map((f) => f.property)).toEqual(["endpoint"]);
              return;
            }
            const endpoint = String(inputs.endpoint).replace(/\/+$/, "");
            const base = new URL(endpoint);
            const sent = transport.sent.length;
            const backend = new IngestionBackend({
              offerId,
              endpoint,
              apiVersion,
              accessToken: CANARY,
              transport,
              retry: { maxRetries: 0 },
            });
            await backend.findExisting("publish").catch(() => undefined);
            const requests = transport.sent.slice(sent);
            expect(requests.length).toBeGreaterThanOrEqual(1);
            for (const request of requests) {
              const url = new URL(request.url);
              expect(url.origin).toBe(base.origin);
              expect(url.pathname.startsWith(`${base.pathname.replace(/\/$/, "")}/`)).toBe(true);
              expect(url.searchParams.getAll("$version")).toEqual([apiVersion]);
            }
            const lookup = new URL((requests[0] as { url: string }).url);
            expect(lookup.pathname.endsWith("/product")).toBe(true);
            expect(lookup.searchParams.getAll("externalId")).toEqual([offerId]);
          },
        ),
        runs(150),
      );
    } finally {
      await inner.close();
    }
  });
});
