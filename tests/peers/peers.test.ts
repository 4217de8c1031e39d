/**
 * The recorded-peer tier: every fixture in ./fixtures (see README.md) through our client and parsers (the
 * recorded responses) and through the simulator (the recorded requests, replayed as the peer sends them).
 * A client check that waits for a fix owned by another branch names it in `dependsOn` and runs as
 * `test.failing`: it asserts the right behaviour, fails today, and turns red once the fix lands (then drop it).
 */

import { describeSubmissions, existingSubmission, IngestionBackend } from "../../provider/ingestion/backend";
import { IngestionClient } from "../../provider/ingestion/client";
import { findConfig } from "../../provider/ingestion/images";
import { flattenJobErrors, jobState } from "../../provider/ingestion/parse";
import { INGESTION_PREFIX } from "../simulator/ingestion/types";
import { type CppSimulator, startSimulator } from "../simulator/server";
import {
  asSet,
  type ClientCheck,
  fill,
  loadFixtures,
  type PeerExchange,
  type PeerRequest,
  RecordedTransport,
  routeOf,
  sameRoute,
  select,
} from "./peer-fixture";

const ENDPOINT = "https://graph.microsoft.com/rp/product-ingestion";
const OFFER = "peer-offer";

function recordedClient(exchange: PeerExchange) {
  const transport = new RecordedTransport(ENDPOINT, [exchange]);
  const options = {
    endpoint: ENDPOINT,
    accessToken: "peer-test-token",
    transport,
    retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 },
  };
  return {
    transport,
    client: new IngestionClient(options),
    backend: new IngestionBackend({ ...options, offerId: OFFER }),
  };
}

async function runClientCheck(exchange: PeerExchange, check: ClientCheck): Promise<void> {
  const { transport, client, backend } = recordedClient(exchange);
  const outcome = async (): Promise<void> => {
    switch (check.call) {
      case "productId":
        expect(await client.productId(check.offerId)).toBe(check.productId);
        return;
      case "planId":
        expect(await client.planId(check.productId, check.offerId, check.planId)).toBe(check.planDurableId);
        return;
      case "submissions": {
        const submissions = await client.submissions(check.productId, OFFER);
        if (check.offerStatus !== undefined)
          expect(describeSubmissions(OFFER, submissions).status).toBe(check.offerStatus);
        if (check.goLive !== undefined)
          expect(existingSubmission("golive", submissions, OFFER)?.origin ?? null).toBe(check.goLive);
        return;
      }
      case "jobStatus": {
        const { job } = await client.jobStatus(check.jobId, OFFER);
        if (check.state !== undefined) expect(jobState(job).status).toBe(check.state);
        if (check.messages !== undefined) expect(flattenJobErrors(job.errors)).toEqual(check.messages);
        return;
      }
      case "readOperation": {
        const read = await backend.readOperation("publish", {
          operationLocation: client.jobStatusUrl(check.jobId),
          operationId: check.jobId,
          productId: check.productId,
        });
        expect(read.snapshot.status).toBe(check.status);
        return;
      }
      case "configure": {
        const body = exchange.request.body as { resources: Array<Record<string, unknown>> };
        const { job } = await client.configureResources(body.resources, OFFER);
        if (check.jobId !== undefined) expect(job.jobId).toBe(check.jobId);
        if (check.state !== undefined) expect(jobState(job).status).toBe(check.state);
        return;
      }
      case "resourceTree": {
        const tree = await client.resourceTree(check.productId, OFFER, check.target);
        expect(tree).toHaveLength(check.resources);
        return;
      }
      case "findConfig": {
        const tree = (await client.resourceTree(check.productId, OFFER, "draft")) ?? [];
        expect(findConfig(tree, check.planDurableId)).toMatchObject(check.found);
        return;
      }
    }
  };
  if ("error" in check && check.error !== undefined)
    await expect(outcome()).rejects.toThrow(new RegExp(check.error));
  else await outcome();
  // Our client asked the route the peer asked (query and doubled slashes aside).
  const asked = transport.sent.map((r) => routeOf(r.url.slice(ENDPOINT.length)));
  expect({
    peer: exchange.request.path,
    asked: asked.filter((route) => sameRoute(exchange.request.path, route)),
  }).not.toEqual({
    peer: exchange.request.path,
    asked: [],
  });
}

/** The request as the peer sends it: its path (query, case, doubled slashes), headers and body, plus a token. */
async function replay(sim: CppSimulator, request: PeerRequest, captured: Record<string, string>) {
  const path = fill(request.path, captured);
  const url = `${sim.url}${INGESTION_PREFIX}${path.startsWith("/") ? "" : "/"}${path}`;
  const response = await fetch(url, {
    method: request.method,
    headers: { ...request.headers, Authorization: "Bearer test-token" },
    ...(request.body === undefined ? {} : { body: fill(JSON.stringify(request.body), captured) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A simulator and the values captured from its answers, for the exchanges that share it. */
interface Run {
  sim: CppSimulator;
  captured: Record<string, string>;
}

async function runSimulatorCheck(run: Run, exchange: PeerExchange): Promise<void> {
  const check = exchange.simulator;
  if (!check) return;
  for (const before of check.before ?? []) {
    const answer = await replay(run.sim, before, run.captured);
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(300);
    capture(run, answer.body, {});
  }
  if (check.advanceSeconds) run.sim.advance(check.advanceSeconds);
  const answer = await replay(run.sim, exchange.request, run.captured);
  const recorded = exchange.response.body;
  expect(check.status ?? [exchange.response.status]).toContain(answer.status);
  for (const path of check.same ?? []) {
    const want = select(recorded, path);
    expect(want.length).toBeGreaterThan(0);
    expect({ path, values: asSet(select(answer.body, path)) }).toEqual({ path, values: asSet(want) });
  }
  for (const [path, values] of Object.entries(check.shared ?? {})) {
    for (const value of values) {
      expect({ path, recorded: asSet(select(recorded, path)) }).toEqual({
        path,
        recorded: expect.arrayContaining([JSON.stringify(value)]),
      });
      expect({ path, simulated: asSet(select(answer.body, path)) }).toEqual({
        path,
        simulated: expect.arrayContaining([JSON.stringify(value)]),
      });
    }
  }
  for (const [path, values] of Object.entries(check.expect ?? {}))
    expect({ path, values: asSet(select(answer.body, path)) }).toEqual({ path, values: asSet(values) });
  if (check.keys) expect(Object.keys(answer.body as object)).toEqual(expect.arrayContaining(check.keys));
  capture(run, answer.body, check.capture ?? {});
}

function capture(run: Run, body: unknown, paths: Record<string, string>): void {
  const jobId = (body as { jobId?: unknown } | undefined)?.jobId;
  if (typeof jobId === "string") run.captured.jobId = jobId;
  for (const [name, path] of Object.entries(paths)) {
    const value = select(body, path)[0];
    if (typeof value === "string") run.captured[name] = value;
  }
}

const start = (products: NonNullable<PeerExchange["simulator"]>["seed"]) =>
  startSimulator({ quiet: true, ingestion: { products: products ?? [] } });

for (const { file, fixture } of loadFixtures()) {
  describe(`${fixture.client}: ${fixture.title} (${file})`, () => {
    let shared: Run | undefined;
    afterAll(async () => {
      await shared?.sim.close();
    });

    for (const exchange of fixture.exchanges) {
      for (const check of exchange.client ?? []) {
        const title = `client: ${exchange.name}: ${check.name}${check.dependsOn ? ` (waits for ${check.dependsOn})` : ""}`;
        (check.dependsOn ? test.failing : test)(title, () => runClientCheck(exchange, check));
      }
      if (exchange.simulator) {
        test(`simulator: ${exchange.name}`, async () => {
          if (exchange.simulator?.seed) {
            const own: Run = { sim: await start(exchange.simulator.seed), captured: {} };
            try {
              await runSimulatorCheck(own, exchange);
            } finally {
              await own.sim.close();
            }
            return;
          }
          shared ??= { sim: await start(fixture.seed), captured: {} };
          await runSimulatorCheck(shared, exchange);
        });
      } else {
        test(`fixture: ${exchange.name} says why it is not replayed`, () => {
          expect(exchange.notReplayed).toMatch(/\w/);
        });
      }
    }
  });
}
