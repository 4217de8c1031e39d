/**
 * The provider configuration (`cloudpartner:*` stack config, or an explicit provider resource's inputs):
 * CheckConfig, DiffConfig and what Configure keeps. The token goes only into the providers' memory.
 */

import type * as provpb from "@pulumi/pulumi/proto/provider_pb";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { apiProfile } from "../backends";
import { API_NAMES, type ApiName } from "../core/backend";
import { endpointProblem } from "../core/options";
import { ACCESS_TOKEN_CONFIG_KEY, type ConfigureRequest } from "../resources";
import { CONFIG_KEYS, PACKAGE_NAME, SECRET_CONFIG_KEYS } from "./contract";
import { asSecret, type Properties, unwrap } from "./properties";
import { diffResponse, propertyDiff, provproto, Struct, sameValue } from "./protocol";

/** The provider configuration (`cloudpartner:*` stack config, or an explicit provider resource's inputs). */
export interface ProviderConfig {
  accessToken?: string;
  endpoint?: string;
  api?: string;
}

export async function checkConfig(req: provpb.CheckRequest): Promise<provpb.CheckResponse> {
  const { values } = unwrap(req.getNews()?.toJavaScript());
  const failures: provpb.CheckFailure[] = [];
  const fail = (property: string, reason: string) =>
    failures.push(new provproto.CheckFailure().setProperty(property).setReason(reason));
  const { endpoint, api } = values;
  if (endpoint !== undefined && endpoint !== unknownValue) {
    // An ingestion endpoint has a path (…/rp/product-ingestion); a CPP one is a host only.
    const allowPath = API_NAMES.includes(api as ApiName) && apiProfile(api as ApiName).endpointPath;
    const problem =
      typeof endpoint === "string" ? endpointProblem(endpoint, { allowPath }) : "must be a string";
    if (problem) fail("endpoint", `cloudpartner:endpoint ${problem}.`);
  }
  if (api !== undefined && api !== unknownValue && !API_NAMES.includes(api as ApiName)) {
    fail("api", `cloudpartner:api must be one of ${API_NAMES.join(", ")}, got ${JSON.stringify(api)}.`);
  }
  const token = values.accessToken;
  if (token !== undefined && token !== unknownValue && typeof token !== "string") {
    fail(
      "accessToken",
      "cloudpartner:accessToken must be a string (set it with `pulumi config set --secret`).",
    );
  }
  const response = new provproto.CheckResponse().setFailuresList(failures);
  const news = req.getNews()?.toJavaScript();
  if (news) response.setInputs(Struct.fromJavaScript(withSecretConfig(news)));
  return response;
}

/**
 * The provider's inputs as the engine stores them (the default provider's state takes CheckConfig's answer):
 * as received, except that the keys the schema marks secret are secrets even when they arrived plain (a stack
 * config set without `--secret`, an explicit provider given a plain string).
 */
export function withSecretConfig(inputs: Properties): Properties {
  const out = { ...inputs };
  for (const key of SECRET_CONFIG_KEYS) if (out[key] !== undefined) out[key] = asSecret(out[key]);
  return out;
}

/** Provider settings only change defaults and credentials: never a reason to replace the provider. */
export async function diffConfig(req: provpb.DiffRequest): Promise<provpb.DiffResponse> {
  const olds = unwrap(req.getOldInputs()?.toJavaScript() ?? req.getOlds()?.toJavaScript()).values;
  const news = unwrap(req.getNews()?.toJavaScript()).values;
  const changed = CONFIG_KEYS.filter((key) => !sameValue(olds[key], news[key]));
  return diffResponse(
    changed.length > 0,
    new Map(changed.map((key) => [key, propertyDiff(olds[key], news[key], false)])),
  );
}

/** The configuration a Configure request carries: its args (an explicit provider) or its variables. */
export function configOf(req: provpb.ConfigureRequest): ProviderConfig {
  const args = req.getArgs()?.toJavaScript();
  if (args) {
    const { values } = unwrap(args);
    return Object.fromEntries(
      CONFIG_KEYS.filter((key) => typeof values[key] === "string" && values[key] !== unknownValue).map(
        (key) => [key, values[key]],
      ),
    );
  }
  const variables = req.getVariablesMap();
  return Object.fromEntries(
    CONFIG_KEYS.map((key) => [key, variables.get(`${PACKAGE_NAME}:${key}`)]).filter(
      ([, value]) => typeof value === "string",
    ),
  );
}

/** The configure request the lifecycle takes: the token where the dynamic host's configure puts it. */
export function lifecycleConfigure(config: ProviderConfig): ConfigureRequest {
  return {
    config: { get: (key: string) => (key === ACCESS_TOKEN_CONFIG_KEY ? config.accessToken : undefined) },
  };
}

/** Inputs with the provider's `endpoint` and `api` filled in where the resource leaves them out. */
export function withConfigDefaults(values: Properties, config: ProviderConfig): Properties {
  const out = { ...values };
  for (const key of ["endpoint", "api"] as const) {
    if (out[key] === undefined && config[key] !== undefined) out[key] = config[key];
  }
  return out;
}

/**
 * OfferConfiguration's defaults from the provider configuration: it is on the Product Ingestion API whatever
 * `cloudpartner:api` says (so `api` is never filled in), and takes `cloudpartner:endpoint` only from a provider
 * configured for that API (`cloudpartner:api ingestion`): a Cloud Partner Portal endpoint is no ingestion one.
 */
export function withOfferConfigDefaults(values: Properties, config: ProviderConfig): Properties {
  const out = { ...values };
  if (out.endpoint === undefined && config.api === "ingestion" && config.endpoint !== undefined)
    out.endpoint = config.endpoint;
  return out;
}
