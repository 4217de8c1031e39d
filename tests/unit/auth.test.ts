import {
  ACCESS_TOKEN_ENV,
  CredentialTokenProvider,
  resolveTokenProvider,
  StaticTokenProvider,
} from "../../provider/core/auth";
import { AuthenticationError, ConfigurationError } from "../../provider/core/errors";

describe("token sources", () => {
  test("explicit token wins, then the environment", async () => {
    const env = { [ACCESS_TOKEN_ENV]: "from-env" };
    expect(await resolveTokenProvider({ accessToken: "explicit", env }).getToken()).toBe("explicit");
    const fromEnv = resolveTokenProvider({ env });
    expect(fromEnv.source).toBe(ACCESS_TOKEN_ENV);
    expect(await fromEnv.getToken()).toBe("from-env");
  });

  test("Azure AD is chosen (lazily) when nothing else is set", () => {
    expect(resolveTokenProvider({ env: {} }).source).toBe("DefaultAzureCredential");
    expect(
      resolveTokenProvider({ env: { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" } })
        .source,
    ).toMatch(/ClientSecretCredential/);
  });

  test("a static token never shows in JSON", () => {
    const provider = new StaticTokenProvider("canary-secret-123");
    expect(JSON.stringify(provider)).not.toContain("canary");
    expect(() => new StaticTokenProvider("  ")).toThrow(ConfigurationError);
  });

  test("credential tokens are cached, refreshed before expiry and on demand, fetched once when concurrent", async () => {
    let now = 0;
    let calls = 0;
    const credential = {
      async getToken() {
        calls++;
        return { token: `t${calls}`, expiresOnTimestamp: now + 3_600_000 };
      },
    };
    const provider = new CredentialTokenProvider(credential, "test", {
      now: () => now,
      refreshBeforeExpiryMs: 300_000,
    });
    expect(await Promise.all([provider.getToken(), provider.getToken()])).toEqual(["t1", "t1"]);
    now = 3_000_000;
    expect(await provider.getToken()).toBe("t1");
    now = 3_400_000; // within 5 minutes of expiry
    expect(await provider.getToken()).toBe("t2");
    expect(await provider.getToken({ forceRefresh: true })).toBe("t3");
    expect(calls).toBe(3);
  });

  test("credential failure becomes an AuthenticationError with guidance", async () => {
    const provider = new CredentialTokenProvider(
      { getToken: () => Promise.reject(new Error("no identity")) },
      "test",
    );
    const error = await provider.getToken().catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/no identity.*CLOUDPARTNER_ACCESS_TOKEN.*cloudpartner:accessToken/);
  });
});
