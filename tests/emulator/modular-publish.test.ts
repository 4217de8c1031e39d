/**
 * The simulator's modular publish (ingestion-api.md §5; cloudpub's `submit_to_status` sends it so): draft resources,
 * by durable id, beside one submission to preview publish only those; to live it is refused.
 */

import type { CppSimulator } from "../../emulator/server";
import { withSimulator } from "../support/harness";

const SCHEMA = "https://schema.mp.microsoft.com/schema";
// biome-ignore lint/suspicious/noExplicitAny: tests index into resources freely
type Json = Record<string, any>;

let sim: CppSimulator;
beforeAll(async () => {
  sim = await withSimulator();
});
afterAll(async () => {
  await sim.close();
});

async function call(path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(
    `${sim.url}/rp/product-ingestion/${path}${path.includes("?") ? "&" : "?"}$version=2022-07-01`,
    {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: "Bearer test-token", "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
  );
  return { status: res.status, json: (await res.json()) as Json };
}

const configure = (resources: Json[]) =>
  call("configure", { $schema: `${SCHEMA}/configure/2022-07-01`, resources });
const submission = (product: string, target: "preview" | "live", id?: string) => ({
  $schema: `${SCHEMA}/submission/2022-03-01-preview2`,
  ...(id ? { id } : {}),
  product,
  target: { targetType: target },
});

test("preview: only the listed draft resources are published; the rest of the preview stays as it was", async () => {
  sim.ingestion.addProduct({
    externalId: "modular-1",
    state: "live",
    plans: [{ externalId: "a" }, { externalId: "b" }],
  });
  const product = sim.ingestion.product("modular-1")?.id as string;
  const tree = async (target: string) =>
    (await call(`resource-tree/${product}?targetType=${target}`)).json.resources as Json[];
  const plan = (resources: Json[], externalId: string) =>
    resources.find((r) => r.identity?.externalId === externalId && String(r.id).startsWith("plan/"));
  // Two portal edits in the draft: plan a's alias and plan b's alias.
  for (const id of ["a", "b"]) {
    const draftPlan = plan(await tree("draft"), id) as Json;
    const edited = { ...draftPlan, alias: `${id} renamed` };
    expect((await configure([edited])).status).toBe(202);
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
  sim.advance(60);
  const draft = await tree("draft");
  const listed = plan(draft, "a") as Json;
  const accepted = await configure([listed, submission(product, "preview")]);
  expect(accepted.status).toBe(202);
  sim.advance(10 ** 6);
  const preview = await tree("preview");
  expect(plan(preview, "a")?.alias).toBe("a renamed");
  // Not listed: not published.
  expect(plan(preview, "b")?.alias).toBe("b");
  expect(plan(await tree("draft"), "b")?.alias).toBe("b renamed");
});

test("to live, or naming a resource that is not in the draft: refused, nothing started", async () => {
  sim.ingestion.addProduct({ externalId: "modular-2", state: "previewReady" });
  const view = sim.ingestion.product("modular-2");
  const product = view?.id as string;
  const preview = view?.submissions.find((s) => s.target === "preview")?.id as string;
  const productResource = { $schema: `${SCHEMA}/product/2022-03-01-preview3`, id: product };
  const live = await configure([productResource, submission(product, "live", preview)]);
  expect(live.status).toBe(400);
  expect(JSON.stringify(live.json)).toMatch(/only available for the preview target/);
  const unknown = await configure([
    { ...productResource, id: "plan/00000000-0000-4000-8000-00000000ffff/x" },
    submission(product, "preview"),
  ]);
  expect(unknown.status).toBe(400);
  expect(JSON.stringify(unknown.json)).toMatch(
    /lists draft resources by their durable id; 'plan\/.*' is not in the draft/,
  );
  expect(sim.ingestion.product("modular-2")?.jobs).toHaveLength(1);
});
