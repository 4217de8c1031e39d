/**
 * The naive way to write this dynamic provider, for comparison only: undici imported at module scope and
 * the whole go-live done inline in `create`. Pulumi serializes everything `create` captures, so the module
 * object comes along into `__provider` (and into every resource's state).
 */

import type * as pulumi from "@pulumi/pulumi";
import { request } from "undici";

export const naiveProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news };
  },

  async create(inputs) {
    const endpoint = String(inputs.endpoint);
    const headers = {
      authorization: `Bearer ${process.env.CLOUDPARTNER_ACCESS_TOKEN}`,
      accept: "application/json",
    };
    const goLive = await request(
      `${endpoint}/api/publishers/${inputs.publisherId}/offers/${inputs.offerId}/golive?api-version=2017-10-31`,
      { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "" },
    );
    await goLive.body.text();
    if (goLive.statusCode !== 202) throw new Error(`go-live answered HTTP ${goLive.statusCode}`);
    const location = new URL(String(goLive.headers.location), endpoint).toString();
    for (;;) {
      const poll = await request(location, { headers });
      const operation = (await poll.body.json()) as { id: string; status: string };
      if (operation.status !== "running") return { id: operation.id, outs: { status: operation.status } };
      await new Promise((resolve) => setTimeout(resolve, Number(inputs.pollIntervalSeconds ?? 60) * 1000));
    }
  },
};
