/**
 * Where bearer tokens come from, in order: an explicit token (e.g. Pulumi secret config), the
 * `CLOUDPARTNER_ACCESS_TOKEN` environment variable, otherwise Azure AD through `@azure/identity`
 * (`ClientSecretCredential` when AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET are set, else
 * `DefaultAzureCredential`). Azure AD tokens are cached and refreshed ahead of expiry; a 401 forces a refresh.
 */

import { AuthenticationError, ConfigurationError } from "./errors";

export const CLOUDPARTNER_SCOPE = "https://cloudpartner.azure.com/.default";
/** The Azure AD scope of the Product Ingestion API (Microsoft Graph). */
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
export const ACCESS_TOKEN_ENV = "CLOUDPARTNER_ACCESS_TOKEN";

export interface GetTokenOptions {
  /** Ignore any cached token (after a 401). */
  forceRefresh?: boolean;
  abortSignal?: AbortSignal;
}

export interface TokenProvider {
  /** Where tokens come from, for messages ("explicit token", "CLOUDPARTNER_ACCESS_TOKEN", ...). Never a token. */
  readonly source: string;
  /** False when a refresh can only return the same token (static tokens). */
  readonly canRefresh: boolean;
  /** When a token that cannot be refreshed expires (ms since the epoch), if it says (a JWT's `exp`). */
  readonly expiresOnTimestamp?: number;
  getToken(options?: GetTokenOptions): Promise<string>;
}

/** The slice of `@azure/core-auth`'s TokenCredential this module needs. */
export interface TokenCredentialLike {
  getToken(
    scopes: string | string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** A token handed over as is (config or environment): cannot be refreshed. */
export class StaticTokenProvider implements TokenProvider {
  readonly canRefresh = false;
  readonly expiresOnTimestamp?: number;
  readonly #token: string;

  constructor(
    token: string,
    readonly source = "explicit token",
  ) {
    if (token.trim() === "") throw new ConfigurationError(`The access token from ${source} is empty.`);
    this.#token = token.trim();
    this.expiresOnTimestamp = jwtExpiryMs(this.#token);
  }

  async getToken(): Promise<string> {
    return this.#token;
  }

  toJSON(): Record<string, string> {
    return { source: this.source };
  }
}

/**
 * The `exp` claim of a JWT, in ms since the epoch; undefined for a token that is not a JWT or has no `exp`.
 * Only the payload is decoded (no signature check: the API decides whether it accepts the token); nothing of
 * the token is kept or logged.
 */
export function jwtExpiryMs(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload?.exp === "number" && Number.isFinite(payload.exp) ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The Azure AD credentials that are refreshed, recommended for waits longer than a token lives. */
const REFRESHABLE_CREDENTIALS =
  "Azure AD credentials (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET for an app registered on the publisher account), which are refreshed while waiting";

/**
 * A warning for the start of a wait that may end at `waitEndsAtMs`, when the token cannot be refreshed and
 * expires before that; undefined otherwise. Says when, never what the token is.
 */
export function staticTokenWarning(
  tokens: TokenProvider,
  nowMs: number,
  waitEndsAtMs: number,
): string | undefined {
  const expires = tokens.expiresOnTimestamp;
  if (tokens.canRefresh || expires === undefined || expires >= waitEndsAtMs) return undefined;
  const when = expires <= nowMs ? "has already expired" : `expires at ${new Date(expires).toISOString()}`;
  return (
    `The access token from ${tokens.source} ${when}, before this wait could end, and a token given as is cannot be refreshed. ` +
    `When it expires the wait stops (the operation keeps running) and \`pulumi up\` with a fresh token resumes it. ` +
    `For long waits use ${REFRESHABLE_CREDENTIALS}.`
  );
}

/** What to say when a token that cannot be refreshed is refused in the middle of a wait. */
export function staticTokenRefused(tokens: TokenProvider, what: string, apiMessage?: string): string {
  return (
    `The access token from ${tokens.source} was refused (HTTP 401${apiMessage ? `: ${apiMessage}` : ""}) while waiting for ${what}: it has expired or been revoked (a token given as is cannot be refreshed, and retrying a revoked one does not help). ` +
    `The operation keeps running; get a new token and run \`pulumi up\` again with it to resume waiting (nothing is sent again). ` +
    `For long waits use ${REFRESHABLE_CREDENTIALS}.`
  );
}

/** Tokens from an Azure credential, cached until `refreshBeforeExpiryMs` before they expire. */
export class CredentialTokenProvider implements TokenProvider {
  readonly canRefresh = true;
  #cached?: { token: string; expiresOnTimestamp: number };
  #pending?: Promise<string>;

  constructor(
    private readonly credential: TokenCredentialLike,
    readonly source = "Azure AD credential",
    private readonly options: { scope?: string; refreshBeforeExpiryMs?: number; now?: () => number } = {},
  ) {}

  async getToken(options: GetTokenOptions = {}): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    const margin = this.options.refreshBeforeExpiryMs ?? 5 * 60_000;
    if (!options.forceRefresh && this.#cached && this.#cached.expiresOnTimestamp - margin > now) {
      return this.#cached.token;
    }
    // Concurrent pollers share one refresh instead of stampeding the identity endpoint.
    this.#pending ??= this.#fetch(options.abortSignal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(abortSignal?: AbortSignal): Promise<string> {
    let result: Awaited<ReturnType<TokenCredentialLike["getToken"]>>;
    try {
      result = await this.credential.getToken(this.options.scope ?? CLOUDPARTNER_SCOPE, { abortSignal });
    } catch (cause) {
      throw new AuthenticationError(
        `Could not get an Azure AD token for ${this.options.scope ?? CLOUDPARTNER_SCOPE} from ${this.source}: ${(cause as Error)?.message ?? cause}. ` +
          `Set ${ACCESS_TOKEN_ENV}, the Pulumi config 'cloudpartner:accessToken' (as a secret), or AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET for an app registered on the publisher account.`,
        { cause },
      );
    }
    if (!result?.token) {
      throw new AuthenticationError(
        `${this.source} returned no token for scope ${this.options.scope ?? CLOUDPARTNER_SCOPE}.`,
        {},
      );
    }
    this.#cached = result;
    return result.token;
  }

  toJSON(): Record<string, string> {
    return { source: this.source };
  }
}

export interface ResolveTokenProviderOptions {
  /** An explicit token, e.g. from `cloudpartner:accessToken`. Wins over everything else. */
  accessToken?: string;
  /** A ready credential (any `@azure/identity` TokenCredential). */
  credential?: TokenCredentialLike;
  /** The Azure AD scope tokens are asked for (the API's audience). Default `CLOUDPARTNER_SCOPE`. */
  scope?: string;
  env?: NodeJS.ProcessEnv;
}

/** Picks the token source in the documented order. `@azure/identity` is loaded only when it is needed. */
export function resolveTokenProvider(options: ResolveTokenProviderOptions = {}): TokenProvider {
  const env = options.env ?? process.env;
  if (options.accessToken !== undefined && options.accessToken !== "") {
    return new StaticTokenProvider(options.accessToken, "explicit token");
  }
  if (options.credential)
    return new CredentialTokenProvider(options.credential, "the given credential", { scope: options.scope });
  const fromEnv = env[ACCESS_TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "")
    return new StaticTokenProvider(fromEnv, ACCESS_TOKEN_ENV);
  return new LazyAzureIdentityProvider(env, options.scope);
}

/** Defers loading `@azure/identity` (heavy) until a token is really needed. */
class LazyAzureIdentityProvider implements TokenProvider {
  readonly canRefresh = true;
  readonly source: string;
  #inner?: CredentialTokenProvider;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly scope: string | undefined,
  ) {
    this.source =
      env.AZURE_TENANT_ID && env.AZURE_CLIENT_ID && env.AZURE_CLIENT_SECRET
        ? "ClientSecretCredential (AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET)"
        : "DefaultAzureCredential";
  }

  getToken(options?: GetTokenOptions): Promise<string> {
    if (!this.#inner) {
      const identity: typeof import("@azure/identity") = require("@azure/identity");
      const { AZURE_TENANT_ID: tenant, AZURE_CLIENT_ID: client, AZURE_CLIENT_SECRET: secret } = this.env;
      const credential =
        tenant && client && secret
          ? new identity.ClientSecretCredential(tenant, client, secret)
          : new identity.DefaultAzureCredential();
      this.#inner = new CredentialTokenProvider(credential, this.source, { scope: this.scope });
    }
    return this.#inner.getToken(options);
  }

  toJSON(): Record<string, string> {
    return { source: this.source };
  }
}
