/**
 * Token hygiene: a canary token is handed to the provider (through the environment of Pulumi's provider
 * host, through config in-process, and to the client directly) and must never show up anywhere but the
 * Authorization header of requests to the configured endpoint: not in the serialized __provider, not in any
 * provider host response (errors and partial-state properties included), not in the host's output, not in
 * any thrown error of any class (message, JSON, inspect, causes), not in any request to another host.
 */

import http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { apiProfile } from "../../provider/backends";
import { CredentialTokenProvider } from "../../provider/core/auth";
import type { CloudPartnerError, CloudPartnerErrorCode } from "../../provider/core/errors";
import { ConfigurationError } from "../../provider/core/errors";
import { PooledTransport } from "../../provider/core/http";
import { resolveOperationLocation } from "../../provider/core/location";
import { isLoopback } from "../../provider/core/options";
import { pollOperation } from "../../provider/core/poller";
import { checkOperationInputs } from "../../provider/core/validate";
import { CloudPartnerClient } from "../../provider/cpp/client";
import { OfferGoLiveProvider } from "../../provider/resources";
import type { CppSimulator, Fault } from "../simulator/server";
import { clientFor, fastPoll, goLiveInputs, withSimulator } from "../support/harness";
import { decodeInitError, ProviderHost, serializedProvider } from "../support/provider-host";
import { CANARY, errorText, withEnv } from "./helpers";

const LONG_GO_LIVE = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };
const postGoLive = { method: "POST", kind: "golive" } as const;
/** An API (or a proxy in front of it) that echoes the request's Authorization header in its answers. */
const ECHO = `Invalid header 'Authorization: Bearer ${CANARY}'`;

let sim: CppSimulator;
let foreign: CppSimulator;
let host: ProviderHost;
let providerText: string;
let counter = 0;

function newOffer(seed: Record<string, unknown> = {}, faults: Fault[] = []): string {
  const offerId = `hygiene-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, ...seed });
  sim.setFaults("contoso", offerId, faults);
  return offerId;
}

function inputs(offerId: string, extra: Record<string, unknown> = {}) {
  return goLiveInputs(sim.url, providerText, offerId, extra);
}

async function createThroughHost(offerId: string, extra: Record<string, unknown> = {}) {
  const checked = await host.check({}, inputs(offerId, extra));
  return host.create(checked.inputs).then(
    (created) => ({ created, error: undefined }),
    (error: unknown) => ({ created: undefined, error }),
  );
}

beforeAll(async () => {
  [sim, foreign] = await Promise.all([
    withSimulator({ acceptedTokens: [CANARY] }),
    withSimulator({ host: "127.0.0.2", acceptedTokens: [CANARY] }),
  ]);
  // Even with the token in this process's environment, serializing the provider must not capture it.
  providerText = await withEnv("CLOUDPARTNER_ACCESS_TOKEN", CANARY, () => serializedProvider());
  // The token comes from the environment here (the config path is covered by the other files).
  host = await ProviderHost.start({ CLOUDPARTNER_ACCESS_TOKEN: CANARY });
  await host.configure({ "project:setting": "x" });
});

afterAll(async () => {
  await host?.stop();
  await Promise.all([sim?.close(), foreign?.close()]);
});

test("serialized __provider holds no token", () => {
  expect(providerText).not.toContain(CANARY);
  expect(providerText).not.toMatch(/accessToken|CLOUDPARTNER_ACCESS_TOKEN/);
});

describe("through the provider host (token from CLOUDPARTNER_ACCESS_TOKEN)", () => {
  test("success, then diff, read, update and delete", async () => {
    const offerId = newOffer();
    const { created } = await createThroughHost(offerId);
    expect(created?.properties.status).toBe("succeeded");
    const props = created!.properties;
    await host.diff(created!.id, props, inputs(offerId));
    await host.read(created!.id, props);
    await host.update(created!.id, props, (await host.check(props, inputs(offerId))).inputs);
    await host.delete(created!.id, props);
  });

  test.each([
    ["400 (never published)", { state: "neverPublished" }, [], /HTTP 400/],
    ["404 (unknown offer)", undefined, [], /not found \(HTTP 404/],
    ["403", {}, [{ type: "forbidden", match: postGoLive }], /HTTP 403/],
    [
      "400 whose body echoes the Authorization header",
      {},
      [
        {
          type: "status",
          status: 400,
          body: JSON.stringify({ error: { message: ECHO } }),
          match: postGoLive,
        },
      ],
      /Authorization: Bearer \[redacted\]/,
    ],
  ] as Array<[string, Record<string, unknown> | undefined, Fault[], RegExp]>)(
    "deployment error: %s",
    async (_name, seed, faults, message) => {
      const offerId = seed ? newOffer(seed, faults) : "no-such-offer";
      const { error } = await createThroughHost(offerId);
      expect((error as Error).message).toMatch(message);
      expect(decodeInitError(error)).toBeUndefined();
    },
  );

  test.each([
    [
      "operation failed, step messages echo the token",
      { goLive: { failAt: { stepId: "displaycertify", messages: [ECHO] } } },
      [],
      {},
      "failed",
    ],
    ["operation canceled", { goLive: { cancel: true } }, [], {}, "canceled"],
    ["timeout", { goLive: LONG_GO_LIVE }, [], { timeoutSeconds: 0.2 }, "running"],
    ["401 mid-poll", {}, [{ type: "unauthorized", match: { kind: "operation" } }], {}, "running"],
    ["foreign Location crafted to escape re-basing (//host path)", {}, [], {}, "running"],
  ] as Array<[string, Record<string, unknown>, Fault[], Record<string, unknown>, string]>)(
    "partial state: %s",
    async (name, seed, faults, extra, status) => {
      const offerId = newOffer(seed, faults);
      if (name.startsWith("foreign")) {
        const escapingHost = `${foreign.url}//127.0.0.2:${foreign.port}`;
        sim.setFaults("contoso", offerId, [
          { type: "absoluteLocation", host: escapingHost, match: postGoLive },
        ]);
      }
      const { error } = await createThroughHost(offerId, extra);
      const init = decodeInitError(error);
      expect(init?.properties.status).toBe(status);
      if (name.startsWith("operation failed")) {
        expect(new Set(init?.properties.messages as string[])).toEqual(
          new Set([ECHO.replace(CANARY, "[redacted]")]),
        );
        expect(init?.message).toContain("Bearer [redacted]");
      }
      if (status === "running" && !name.startsWith("foreign")) {
        sim.setFaults("contoso", offerId, []);
        sim.advance(2 * 10 ** 9);
        const news = (await host.check(init!.properties, inputs(offerId))).inputs;
        const { properties } = await host.update(init!.id, init!.properties, news);
        expect(properties.status).toBe("succeeded");
      }
    },
  );

  test("absolute Location on a foreign host: polled on the endpoint instead", async () => {
    const offerId = newOffer({}, [{ type: "absoluteLocation", host: foreign.url, match: postGoLive }]);
    const { created } = await createThroughHost(offerId);
    expect(created?.properties.status).toBe("succeeded");
  });

  test("no response, output, or foreign request carried the token; the endpoint saw it only in headers", () => {
    expect(host.responses.length).toBeGreaterThan(20);
    for (const response of host.responses) expect(response).not.toContain(CANARY);
    expect(host.responses.join("\n")).toContain("[redacted]");
    expect(host.stdout).not.toContain(CANARY);
    expect(host.stderr).not.toContain(CANARY);
    expect(foreign.requests).toEqual([]);
    for (const request of sim.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${CANARY}`);
      expect(
        JSON.stringify({ ...request, headers: { ...request.headers, authorization: "" } }),
      ).not.toContain(CANARY);
    }
  });
});

describe("errors thrown by the client, one of every class", () => {
  const errors = new Map<CloudPartnerErrorCode, unknown[]>();
  let client: CloudPartnerClient;
  let transport: PooledTransport;

  async function collect(promise: Promise<unknown> | (() => unknown)): Promise<CloudPartnerError> {
    let error: unknown;
    try {
      await (typeof promise === "function" ? promise() : promise);
    } catch (caught) {
      error = caught;
    }
    const code = (error as CloudPartnerError | undefined)?.code;
    expect(code).toBeDefined();
    errors.set(code!, [...(errors.get(code!) ?? []), error]);
    return error as CloudPartnerError;
  }

  beforeAll(() => {
    ({ client, transport } = clientFor(sim, {
      accessToken: CANARY,
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    }));
  });
  afterAll(async () => {
    await transport.close();
  });

  test("every error code, with realistic causes", async () => {
    const running = newOffer({ goLive: LONG_GO_LIVE });
    const runningLocation = (await client.goLive("contoso", running)).operationLocation;

    await collect(client.goLive("contoso", newOffer({ state: "neverPublished" })));
    await collect(
      client.goLive(
        "contoso",
        newOffer({}, [
          { type: "status", status: 400, body: JSON.stringify({ message: ECHO }), match: postGoLive },
        ]),
      ),
    );
    await collect(client.goLive("contoso", "no-such-offer"));
    await collect(client.goLive("contoso", newOffer({}, [{ type: "unauthorized", match: postGoLive }])));
    await collect(client.goLive("contoso", newOffer({}, [{ type: "forbidden", match: postGoLive }])));
    await collect(
      client.goLive("contoso", newOffer({}, [{ type: "status", status: 409, match: postGoLive }])),
    );
    await collect(client.publish("contoso", newOffer({ publishValidationError: ECHO }), ["a@example.com"]));
    await collect(
      client.goLive("contoso", newOffer({}, [{ type: "status", status: 503, match: postGoLive }])),
    );
    await collect(client.goLive("contoso", newOffer({}, [{ type: "reset", match: postGoLive }])));
    const impatient = new CloudPartnerClient({
      endpoint: sim.url,
      accessToken: CANARY,
      transport,
      requestTimeoutMs: 150,
      retry: { maxRetries: 0 },
    });
    await collect(impatient.goLive("contoso", newOffer({}, [{ type: "hang", match: postGoLive }])));
    await collect(
      client.getOperation(
        (() => {
          sim.setFaults("contoso", running, [{ type: "malformedJson", match: { kind: "operation" } }]);
          return runningLocation;
        })(),
      ),
    );
    await collect(
      client.goLive(
        "contoso",
        newOffer({}, [
          { type: "missingLocation", match: postGoLive },
          { type: "status", status: 200, body: "[]", match: { kind: "submissions" } },
        ]),
      ),
    );
    await collect(() => resolveOperationLocation("javascript:alert(1)", sim.url, "v"));
    const failing = newOffer({ goLive: { failAt: { stepId: "displaycertify", messages: [ECHO] } } });
    await collect(
      pollOperation(client, (await client.goLive("contoso", failing)).operationLocation, fastPoll),
    );
    const canceled = newOffer({ goLive: { cancel: true } });
    await collect(
      pollOperation(client, (await client.goLive("contoso", canceled)).operationLocation, fastPoll),
    );
    sim.setFaults("contoso", running, []);
    await collect(pollOperation(client, runningLocation, { ...fastPoll, timeoutMs: 50 }));
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error(`aborted while holding ${CANARY.length} chars`)), 30);
    await collect(pollOperation(client, runningLocation, { ...fastPoll, signal: abort.signal }));
    await collect(() => new CloudPartnerClient({ endpoint: "http://example.com", accessToken: CANARY }));
    await collect(client.goLive("..", "offer"));
    // A refreshable source whose refresh fails after a 401.
    let calls = 0;
    const refreshing = new CloudPartnerClient({
      endpoint: sim.url,
      transport,
      retry: { maxRetries: 0 },
      tokenProvider: new CredentialTokenProvider({
        async getToken() {
          if (calls++ === 0) return { token: CANARY, expiresOnTimestamp: Date.now() + 3_600_000 };
          throw new Error("AADSTS7000215: Invalid client secret provided.");
        },
      }),
    });
    await collect(refreshing.goLive("contoso", newOffer({}, [{ type: "unauthorized", match: postGoLive }])));

    const codes: CloudPartnerErrorCode[] = [
      "CPP_REJECTED",
      "CPP_NOT_FOUND",
      "CPP_UNAUTHORIZED",
      "CPP_FORBIDDEN",
      "CPP_OPERATION_IN_PROGRESS",
      "CPP_VALIDATION_FAILED",
      "CPP_TRANSIENT",
      "CPP_PROTOCOL",
      "CPP_OPERATION_FAILED",
      "CPP_OPERATION_CANCELED",
      "CPP_TIMEOUT",
      "CPP_ABORTED",
      "CPP_CONFIGURATION",
    ];
    expect([...errors.keys()].sort()).toEqual([...codes].sort());
    let total = 0;
    for (const [code, list] of errors) {
      for (const error of list) {
        total++;
        const text = errorText(error);
        expect([code, text.includes(CANARY)]).toEqual([code, false]);
      }
    }
    expect(total).toBeGreaterThanOrEqual(20);
    // The echoing answers arrive redacted.
    const echoed = (errors.get("CPP_REJECTED") ?? []).map((e) => (e as CloudPartnerError).apiMessage);
    expect(echoed).toContain(ECHO.replace(CANARY, "[redacted]"));
  });

  test("clients, token providers and configured providers never show the token when inspected", async () => {
    const provider = new OfferGoLiveProvider({ log: () => {} });
    await provider.configure({
      config: new Map([["cloudpartner:accessToken", CANARY]]),
    } as unknown as Parameters<OfferGoLiveProvider["configure"]>[0]);
    for (const value of [client, provider]) {
      expect(JSON.stringify(value)).not.toContain(CANARY);
      expect(inspect(value, { showHidden: true, depth: 10 })).not.toContain(CANARY);
    }
  });
});

test("redirects to another host are not followed", async () => {
  // An endpoint that answers everything with a redirect to the foreign host.
  const redirector = http.createServer((req, res) => {
    res.writeHead(307, { Location: `${foreign.url}${req.url}` }).end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
  let transport: PooledTransport | undefined;
  try {
    transport = new PooledTransport();
    const client = new CloudPartnerClient({
      endpoint,
      accessToken: CANARY,
      transport,
      retry: { maxRetries: 0 },
    });
    const post = await client.goLive("contoso", "offer").catch((e: unknown) => e);
    const get = await client.getOperation("/api/operations/x").catch((e: unknown) => e);
    for (const error of [post, get]) {
      expect((error as CloudPartnerError).message).toMatch(/Unexpected HTTP 307/);
      expect(errorText(error)).not.toContain(CANARY);
    }
    expect(foreign.requests).toEqual([]);
  } finally {
    await transport?.close();
    redirector.closeAllConnections();
    await new Promise((resolve) => redirector.close(resolve));
  }
});

describe("endpoint: https, or plain http only on loopback", () => {
  const rejected = [
    "http://example.com",
    "HTTP://EXAMPLE.COM",
    "http://127.0.0.1.evil.com",
    "http://127.0.0.1.nip.io:8080",
    "http://localhost.evil.com",
    "http://127.0.0.1@evil.com",
    "http://localhost:80@evil.com",
    "http://evil.com#@127.0.0.1",
    "http://evil.com?@127.0.0.1",
    "http://0.0.0.0:8080",
    "http://10.0.0.1",
    "https://user:secret@cloudpartner.azure.com",
    "ftp://127.0.0.1",
    "ws://127.0.0.1:8080",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "cloudpartner.azure.com",
    "",
    // A path prefix would be lost on polls (operation locations are absolute paths): refused.
    "https://proxy.example/cpp",
  ];
  const accepted = [
    "https://cloudpartner.azure.com",
    "https://cloudpartner.azure.com/",
    "http://127.0.0.1:8080",
    "http://127.5.6.7",
    "http://localhost:1234",
    "http://[::1]:8080",
  ];

  test.each(rejected)("rejected: %j", (endpoint) => {
    const { failures } = checkOperationInputs(
      { publisherId: "contoso", offerId: "offer", endpoint },
      apiProfile,
    );
    expect(failures.map((f) => f.property)).toEqual(["endpoint"]);
    expect(failures[0]?.reason).toMatch(/^endpoint /);
    const error = (() => {
      try {
        new CloudPartnerClient({ endpoint, accessToken: CANARY });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(errorText(error)).not.toContain(CANARY);
  });

  test.each(accepted)("accepted: %j", (endpoint) => {
    expect(
      checkOperationInputs({ publisherId: "contoso", offerId: "offer", endpoint }, apiProfile).failures,
    ).toEqual([]);
    const url = new URL(endpoint);
    expect(url.protocol === "https:" || isLoopback(url.hostname)).toBe(true);
  });
});
