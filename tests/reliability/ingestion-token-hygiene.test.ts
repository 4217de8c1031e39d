/**
 * Token hygiene for `api: "ingestion"` (token-hygiene.test.ts covers CPP): a canary token given to Pulumi's
 * provider host through CLOUDPARTNER_ACCESS_TOKEN must never show up anywhere but the Authorization header of
 * requests to the configured endpoint: not in the serialized __provider, not in any gRPC response (errors
 * and partial-state properties included), not in saved state, not in the host's output, not in any error the
 * ingestion backend throws, not in any logged request field other than that header.
 */

import { type CppSimulator, type Fault, INGESTION_SCOPE } from "../../emulator/server";
import type { CloudPartnerError } from "../../provider/core/errors";
import { PooledTransport } from "../../provider/core/http";
import { pollOperation } from "../../provider/core/poller";
import { IngestionBackend } from "../../provider/ingestion/backend";
import { fastPoll, ingestionInputs, withSimulator } from "../support/harness";
import { decodeInitError, ProviderHost, serializedProviders } from "../support/provider-host";
import { CANARY, errorText, withEnv } from "./helpers";

/** An API (or a proxy in front of it) that echoes the request's Authorization header in its answers. */
const ECHO = `Invalid header 'Authorization: Bearer ${CANARY}'`;
const REDACTED = ECHO.replace(CANARY, "[redacted]");
const LONG = 10 ** 9;
const postConfigure = { method: "POST", kind: "configure" } as const;

let sim: CppSimulator;
let host: ProviderHost;
const text: Record<"publish" | "golive", string> = { publish: "", golive: "" };
/** Every property bag the engine would save (created outputs, partial states, read and update results). */
const states: unknown[] = [];
let counter = 0;

function newProduct(seed: Record<string, unknown> = {}, faults: Fault[] = []): string {
  const externalId = `hygiene-ing-${++counter}`;
  sim.ingestion.addProduct({ externalId, ...seed });
  sim.setFaults(INGESTION_SCOPE, externalId, faults);
  return externalId;
}

function inputs(kind: "publish" | "golive", offerId: string, extra: Record<string, unknown> = {}) {
  return ingestionInputs(sim.url, text[kind], offerId, extra);
}

async function deploy(kind: "publish" | "golive", offerId: string, extra: Record<string, unknown> = {}) {
  const checked = await host.check({}, inputs(kind, offerId, extra));
  return host.create(checked.inputs).then(
    (created) => {
      states.push(created.properties);
      return { created, error: undefined };
    },
    (error: unknown) => {
      states.push(decodeInitError(error)?.properties);
      return { created: undefined, error };
    },
  );
}

beforeAll(async () => {
  sim = await withSimulator({ acceptedTokens: [CANARY] });
  // Even with the token in this process's environment, serializing the providers must not capture it.
  Object.assign(text, await withEnv("CLOUDPARTNER_ACCESS_TOKEN", CANARY, serializedProviders));
  host = await ProviderHost.start({ CLOUDPARTNER_ACCESS_TOKEN: CANARY });
  await host.configure({ "project:setting": "x" });
});

afterAll(async () => {
  await host?.stop();
  await sim?.close();
});

test("the serialized __provider of both resources holds no token", () => {
  for (const provider of Object.values(text)) {
    expect(provider).not.toContain(CANARY);
    expect(provider).not.toMatch(/accessToken|CLOUDPARTNER_ACCESS_TOKEN/);
  }
});

test("publish, go-live, then diff, read, update and delete", async () => {
  const offerId = newProduct();
  const { created: published } = await deploy("publish", offerId);
  expect(published?.properties).toMatchObject({ status: "succeeded", awaitingSignoff: true });
  const { created } = await deploy("golive", offerId);
  expect(created?.properties.status).toBe("succeeded");
  const props = created!.properties;
  await host.diff(created!.id, props, inputs("golive", offerId));
  states.push((await host.read(created!.id, props)).properties);
  const news = (await host.check(props, inputs("golive", offerId))).inputs;
  states.push((await host.update(created!.id, props, news)).properties);
  await host.delete(created!.id, props);
});

test.each([
  [
    "400 whose message echoes the Authorization header",
    () => {
      const offerId = newProduct();
      sim.ingestion.refuseNext(offerId, { message: ECHO });
      return offerId;
    },
    /HTTP 400 \[badRequest\]\): Invalid header 'Authorization: Bearer \[redacted\]'/,
  ],
  ["unknown offer", () => "hygiene-ing-unknown", /no product with the offer id/],
  ["403", () => newProduct({}, [{ type: "forbidden", match: postConfigure }]), /HTTP 403/],
])("deployment error: %s", async (_name, product, message) => {
  const { error } = await deploy("publish", product());
  expect((error as Error).message).toMatch(message);
  expect(decodeInitError(error)).toBeUndefined();
});

test("partial state: a failed job whose errors echo the token, redacted in messages and state", async () => {
  const offerId = newProduct({
    failNext: [
      { errors: [{ code: "invalidState", message: ECHO, details: [{ code: "x", message: ECHO }] }] },
    ],
  });
  const { error } = await deploy("publish", offerId);
  const init = decodeInitError(error);
  expect(init?.properties.status).toBe("failed");
  expect(init?.properties.messages).toEqual([`invalidState: ${REDACTED}`, `x: ${REDACTED}`]);
  expect(init?.message).toContain("Bearer [redacted]");
});

test("partial state: timeout, then resumed by update", async () => {
  const offerId = newProduct({ previewSeconds: LONG });
  const { error } = await deploy("publish", offerId, { timeoutSeconds: 0.2 });
  const init = decodeInitError(error);
  expect(init?.properties.status).toBe("running");
  sim.advance(2 * LONG);
  const news = (await host.check(init!.properties, inputs("publish", offerId))).inputs;
  const { properties } = await host.update(init!.id, init!.properties, news);
  states.push(properties);
  expect(properties.status).toBe("succeeded");
});

test("no response, saved state or output carried the token; the endpoint saw it only in headers", () => {
  expect(host.responses.length).toBeGreaterThan(15);
  for (const response of host.responses) expect(response).not.toContain(CANARY);
  expect(host.responses.join("\n")).toContain("[redacted]");
  expect(states.filter(Boolean).length).toBeGreaterThanOrEqual(6);
  for (const state of states) expect(JSON.stringify(state ?? {})).not.toContain(CANARY);
  expect(host.stdout).not.toContain(CANARY);
  expect(host.stderr).not.toContain(CANARY);
  const logged = sim.requests.filter((r) => r.publisherId === INGESTION_SCOPE);
  expect(logged.length).toBeGreaterThan(20);
  for (const request of logged) {
    expect(request.headers.authorization).toBe(`Bearer ${CANARY}`);
    expect(JSON.stringify({ ...request, headers: { ...request.headers, authorization: "" } })).not.toContain(
      CANARY,
    );
  }
});

test("errors thrown by the ingestion backend never carry the token", async () => {
  const transport = new PooledTransport();
  const errors: unknown[] = [];
  const backend = (offerId: string, extra: Record<string, unknown> = {}) =>
    new IngestionBackend({
      offerId,
      endpoint: `${sim.url}/rp/product-ingestion`,
      accessToken: CANARY,
      transport,
      retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      ...extra,
    });
  const collect = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as CloudPartnerError | undefined)?.code).toBeDefined();
    errors.push(error);
  };
  try {
    const refused = newProduct();
    sim.ingestion.refuseNext(refused, { message: ECHO });
    await collect(backend(refused).start("publish"));
    await collect(backend("hygiene-ing-unknown").start("publish"));
    await collect(backend(newProduct()).start("golive"));
    await collect(backend(newProduct(), { apiVersion: "2022-03-01-preview3" }).start("publish"));
    await collect(backend(newProduct(), { accessToken: "wrong-audience-token" }).start("publish"));
    await collect(backend(newProduct({ forbidden: true })).start("publish"));
    await collect(
      backend(newProduct({}, [{ type: "status", status: 503, match: postConfigure }])).start("publish"),
    );
    await collect(backend(newProduct({}, [{ type: "reset", match: postConfigure }])).start("publish"));
    await collect(
      backend(newProduct({}, [{ type: "malformedJson", match: { kind: "product" } }])).start("publish"),
    );
    await collect(
      backend(newProduct({}, [{ type: "hang", match: postConfigure }]), { requestTimeoutMs: 150 }).start(
        "publish",
      ),
    );
    const failing = newProduct({ failNext: [{ errors: [{ code: "invalidState", message: ECHO }] }] });
    const failingBackend = backend(failing);
    const started = await failingBackend.start("publish");
    await collect(
      pollOperation(
        (signal) => failingBackend.readOperation("publish", started, signal),
        started.operationLocation,
        {
          ...fastPoll,
          offerId: failing,
          service: failingBackend.service,
        },
      ),
    );
    const running = newProduct({ previewSeconds: LONG });
    const runningBackend = backend(running);
    const job = await runningBackend.start("publish");
    await collect(
      pollOperation((signal) => runningBackend.readOperation("publish", job, signal), job.operationLocation, {
        ...fastPoll,
        offerId: running,
        service: runningBackend.service,
        timeoutMs: 50,
      }),
    );
    await collect(runningBackend.cancel({ handle: job }).then(() => runningBackend.cancel({ handle: job })));
  } finally {
    await transport.close();
  }
  const codes = new Set(errors.map((e) => (e as CloudPartnerError).code));
  expect([...codes].sort()).toEqual([
    "CPP_FORBIDDEN",
    "CPP_NOT_FOUND",
    "CPP_OPERATION_FAILED",
    "CPP_REJECTED",
    "CPP_TIMEOUT",
    "CPP_TRANSIENT",
    "CPP_UNAUTHORIZED",
  ]);
  for (const error of errors) expect(errorText(error)).not.toContain(CANARY);
  expect(errors.map((e) => (e as Error).message).join("\n")).toContain(REDACTED);
});
