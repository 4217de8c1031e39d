/**
 * Wiring of the `OfferGoLive` resource through `pulumi.runtime.setMocks` (no provider code runs here: the
 * provider itself is exercised through the real provider host in provider-host.test.ts).
 */

import * as pulumi from "@pulumi/pulumi";

const registered: pulumi.runtime.MockResourceArgs[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push(args);
        return {
          id: `${args.inputs.publisherId}/${args.inputs.offerId}/golive/op`,
          state: {
            ...args.inputs,
            status: "succeeded",
            operationLocation: "https://cloudpartner.azure.com/api/x",
          },
        };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    false,
  );
});

function output<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

test("OfferGoLive registers a dynamic resource with its inputs and a thin provider", async () => {
  const { OfferGoLive } = await import("../../provider/pulumi/resource");
  const live = new OfferGoLive("contoso-offer-live", {
    publisherId: "contoso",
    offerId: "contoso-offer",
    wait: false,
  });
  expect(await output(live.status)).toBe("succeeded");
  expect(await output(live.offerId)).toBe("contoso-offer");
  expect(await output(live.operationLocation)).toMatch(/^https:/);
  const args = registered.find((r) => r.name === "contoso-offer-live");
  expect(args?.type).toBe("pulumi-nodejs:dynamic/cloudpartner:OfferGoLive");
  expect(args?.inputs).toMatchObject({ publisherId: "contoso", offerId: "contoso-offer", wait: false });
  expect(typeof args?.inputs.__provider).toBe("string");
  expect(args?.inputs.__provider.length).toBeLessThan(8 * 1024);
});

test("two resources share one serialized provider text", async () => {
  const { OfferGoLive } = await import("../../provider/pulumi/resource");
  new OfferGoLive("a", { publisherId: "contoso", offerId: "a" });
  new OfferGoLive("b", { publisherId: "contoso", offerId: "b" });
  await new Promise((r) => setTimeout(r, 50));
  const texts = registered.filter((r) => r.name === "a" || r.name === "b").map((r) => r.inputs.__provider);
  expect(texts).toHaveLength(2);
  expect(texts[0]).toBe(texts[1]);
});

test("OfferPublish registers cloudpartner:OfferPublish with its e-mails and its own thin provider", async () => {
  const { OfferGoLive, OfferPublish } = await import("../../provider/pulumi/resource");
  const published = new OfferPublish("contoso-offer-publish", {
    publisherId: "contoso",
    offerId: "contoso-offer",
    notificationEmails: ["ops@contoso.com"],
  });
  new OfferGoLive(
    "contoso-offer-after-publish",
    { publisherId: "contoso", offerId: "contoso-offer" },
    {
      dependsOn: published,
    },
  );
  expect(await output(published.notificationEmails)).toEqual(["ops@contoso.com"]);
  expect(await output(published.status)).toBe("succeeded");
  const publish = registered.find((r) => r.name === "contoso-offer-publish");
  expect(publish?.type).toBe("pulumi-nodejs:dynamic/cloudpartner:OfferPublish");
  expect(publish?.inputs).toMatchObject({ notificationEmails: ["ops@contoso.com"] });
  expect(publish?.inputs.__provider).toContain("OfferPublishProvider");
  await new Promise((r) => setTimeout(r, 50));
  const goLive = registered.find((r) => r.name === "contoso-offer-after-publish");
  expect(goLive?.inputs.__provider).toContain("OfferGoLiveProvider");
  expect(goLive?.inputs.__provider).not.toBe(publish?.inputs.__provider);
});

test("OfferConfiguration registers cloudpartner:OfferConfiguration with its typed parts and its own thin provider", async () => {
  const { OfferConfiguration } = await import("../../provider/pulumi/offer-configuration");
  const offer = new OfferConfiguration("contoso-offer-config", {
    offerId: "contoso-offer",
    listing: { title: "Contoso" },
    plans: { gen2: { alias: "Gen 2", availability: { visibility: "visible", markets: ["us"] } } },
    removedPlans: "hide",
  });
  expect(await output(offer.offerId)).toBe("contoso-offer");
  const args = registered.find((r) => r.name === "contoso-offer-config");
  expect(args?.type).toBe("pulumi-nodejs:dynamic/cloudpartner:OfferConfiguration");
  expect(args?.inputs).toMatchObject({
    offerId: "contoso-offer",
    listing: { title: "Contoso" },
    plans: { gen2: { alias: "Gen 2" } },
    removedPlans: "hide",
  });
  expect(args?.inputs.__provider).toContain("OfferConfigurationProvider");
  expect(args?.inputs.__provider.length).toBeLessThan(8 * 1024);
});
