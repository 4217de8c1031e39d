/**
 * What every dynamic provider of this package needs to reach its API: the token sources (the stack config's
 * `cloudpartner:accessToken` handed over in `configure`, else the environment, one source per Azure AD scope
 * because each API has its own audience) and the backend options built from a resource's inputs.
 */

import { type BackendOptions, scopeOf } from "../backends";
import { resolveTokenProvider, type TokenProvider } from "../core/auth";
import type { ApiName } from "../core/backend";
import type { HttpTransport } from "../core/http";
import type { Clock } from "../core/options";
import type { ProgressEvent } from "../core/poller";
import { stepState } from "../core/status";
import type { ConfigureRequest } from "./types";

/** The Pulumi config key holding the bearer token (set it with `pulumi config set --secret`). */
export const ACCESS_TOKEN_CONFIG_KEY = "cloudpartner:accessToken";

/** Test and advanced-use hooks; every one is optional. */
export interface ProviderHooks {
  tokenProvider?: TokenProvider;
  transport?: HttpTransport;
  clock?: Clock;
  /**
   * Where progress lines go, each with its severity (a front door that can, shows it: the native plugin sends
   * it to the engine's Log service). Default `console.log` (the Pulumi CLI shows them).
   */
  log?: (line: string, severity?: LogSeverity) => void;
  /** Overrides the heartbeat interval (default 5 minutes). */
  heartbeatIntervalMs?: number;
  /** First wait between polls of a short configure job (an ingestion technical configuration). Default 2 s. */
  jobPollIntervalMs?: number;
}

/** How a log line is to be shown, as the Pulumi engine's log severities. */
export type LogSeverity = "info" | "warning" | "error";

/**
 * The severity of a progress line: an operation that failed is an error; one canceled, a step that stopped
 * (blocked, rejected) while it runs, or a poll that failed and is retried is a warning; the rest is news.
 */
export function progressSeverity(event: ProgressEvent): LogSeverity {
  if (event.transientError) return "warning";
  if (event.status === "failed") return "error";
  if (event.status === "canceled") return "warning";
  return event.stepStatus !== undefined && stepState(event.stepStatus) === "stopped" ? "warning" : "info";
}

/** The token sources of one provider process. Never serialized with a token (see `toJSON`). */
export class ProviderTokens {
  #accessToken?: string;
  readonly #byScope = new Map<string, TokenProvider>();

  constructor(private readonly override?: TokenProvider) {}

  /** Takes the stack config's token (a secret, decrypted by the engine) and forgets sources made before. */
  configure(req: ConfigureRequest): void {
    const token = req.config.get(ACCESS_TOKEN_CONFIG_KEY);
    this.#accessToken = typeof token === "string" && token !== "" ? token : undefined;
    this.#byScope.clear();
  }

  /** The token source for an API, made on first use. */
  for(api: ApiName): TokenProvider {
    if (this.override) return this.override;
    const scope = scopeOf(api);
    let tokens = this.#byScope.get(scope);
    if (!tokens) {
      tokens = resolveTokenProvider({ accessToken: this.#accessToken, scope });
      this.#byScope.set(scope, tokens);
    }
    return tokens;
  }

  toJSON(): Record<string, string> {
    return {};
  }
}

/** The inputs that say where and how to call: shared by every resource. */
export interface ConnectionInputs {
  api?: ApiName;
  publisherId?: string;
  offerId: string;
  endpoint: string;
  apiVersion: string;
  requestTimeoutSeconds: number;
}

/** The offer as messages name it: `publisher/offer` (CPP) or the offer id (ingestion). */
export function offerLabel(inputs: Pick<ConnectionInputs, "api" | "publisherId" | "offerId">): string {
  return inputs.api === "ingestion" ? inputs.offerId : `${inputs.publisherId}/${inputs.offerId}`;
}

/** Backend options for a resource's inputs; log lines are prefixed with the offer. */
export function backendOptions(
  inputs: ConnectionInputs,
  tokens: TokenProvider,
  hooks: ProviderHooks,
  log: (line: string) => void,
): BackendOptions {
  return {
    api: inputs.api ?? "cpp",
    publisherId: inputs.publisherId,
    offerId: inputs.offerId,
    endpoint: inputs.endpoint,
    apiVersion: inputs.apiVersion,
    tokenProvider: tokens,
    requestTimeoutMs: inputs.requestTimeoutSeconds * 1000,
    transport: hooks.transport,
    clock: hooks.clock,
    ...(hooks.jobPollIntervalMs !== undefined ? { jobPollIntervalMs: hooks.jobPollIntervalMs } : {}),
    log: (line) => log(`[${offerLabel(inputs)}] ${line}`),
  };
}
