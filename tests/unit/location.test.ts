import {
  apiUrl,
  locationHeader,
  operationIdFromLocation,
  operationUrl,
  resolveOperationLocation,
} from "../../provider/core/location";

const endpoint = "https://cloudpartner.azure.com";
const v = "2017-10-31";

describe("operation locations", () => {
  test("Location first, then Operation-Location", () => {
    expect(locationHeader({ location: "/a", "operation-location": "/b" })).toBe("/a");
    expect(locationHeader({ "operation-location": "/b" })).toBe("/b");
    expect(locationHeader({ location: ["/c"] })).toBe("/c");
    expect(locationHeader({ location: " " })).toBeUndefined();
  });

  test("migrated shape, relative", () => {
    const loc =
      "/api/publishers/contoso/offers/contoso-offer/operations/56615b67-2185-49fe-80d2-c4ddf77bb2e8?api-version=2017-10-31";
    const resolved = resolveOperationLocation(loc, endpoint, v);
    expect(resolved.url).toBe(`${endpoint}${loc}`);
    expect(resolved.rebasedFromForeignHost).toBeUndefined();
    expect(operationIdFromLocation(resolved.url)).toBe("56615b67-2185-49fe-80d2-c4ddf77bb2e8");
  });

  test("non-migrated $ shape keeps literal $", () => {
    const loc = "/api/operations/contoso$contoso-offer$2$preview?api-version=2017-10-31";
    const resolved = resolveOperationLocation(loc, endpoint, v);
    expect(resolved.url).toBe(`${endpoint}${loc}`);
    expect(operationIdFromLocation(resolved.url)).toBe("contoso$contoso-offer$2$preview");
    expect(operationIdFromLocation("/api/operations/contoso%24o%242%24preview")).toBe("contoso$o$2$preview");
  });

  test("absolute on the endpoint without api-version gets one", () => {
    const resolved = resolveOperationLocation(
      `${endpoint}/api/publishers/c/offers/o/operations/g`,
      endpoint,
      v,
    );
    expect(resolved.url).toBe(`${endpoint}/api/publishers/c/offers/o/operations/g?api-version=2017-10-31`);
  });

  test("absolute on a foreign host is re-based onto the endpoint, never followed", () => {
    const resolved = resolveOperationLocation(
      "https://evil.example/api/operations/x?api-version=2017-10-31",
      endpoint,
      v,
    );
    expect(resolved.url).toBe(`${endpoint}/api/operations/x?api-version=2017-10-31`);
    expect(resolved.rebasedFromForeignHost).toBe("https://evil.example");
  });

  test("same host, other port is foreign", () => {
    const resolved = resolveOperationLocation(
      "http://127.0.0.1:9/api/operations/x",
      "http://127.0.0.1:8080",
      v,
    );
    expect(resolved.url).toBe("http://127.0.0.1:8080/api/operations/x?api-version=2017-10-31");
    expect(resolved.rebasedFromForeignHost).toBe("http://127.0.0.1:9");
  });

  test("unsupported scheme", () => {
    expect(() => resolveOperationLocation("file:///etc/passwd", endpoint, v)).toThrow(/unsupported scheme/);
  });

  test("operation URL from a submission id", () => {
    expect(operationUrl(endpoint, v, "contoso", "offer", "abc")).toBe(
      `${endpoint}/api/publishers/contoso/offers/offer/operations/abc?api-version=2017-10-31`,
    );
    expect(operationUrl(endpoint, v, "contoso", "offer", "contoso$offer$1$production")).toBe(
      `${endpoint}/api/operations/contoso$offer$1$production?api-version=2017-10-31`,
    );
  });

  test("apiUrl keeps an endpoint path prefix and encodes query", () => {
    expect(apiUrl("http://127.0.0.1:1/cpp", "api/x", { a: "b c", skip: undefined })).toBe(
      "http://127.0.0.1:1/cpp/api/x?a=b+c",
    );
  });
});
