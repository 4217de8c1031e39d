#!/usr/bin/env node
/**
 * `pulumi-cloudpartner`: look at an offer and cancel its running operation from a shell or a CI job, without
 * a Pulumi program. Deleting an `OfferPublish` or `OfferGoLive` never cancels anything (the API cannot undo
 * a publish or a go-live), so this is the way to stop one. The token comes from `CLOUDPARTNER_ACCESS_TOKEN`
 * or Azure AD, never from a flag, and is never printed.
 *
 * Exit codes: 0 success, 1 the API (or the token source) refused or failed, 2 usage error, 130 interrupted.
 */

// First: fail clearly on a Node.js too old for the HTTP client, before anything loads it.
import "./core/node-version";
import { parseArgs } from "node:util";
import { createBackend, scopeOf } from "./backends";
import { resolveTokenProvider } from "./core/auth";
import { API_NAMES, type ApiName, type OfferBackend, type OperationSummary } from "./core/backend";
import { AbortedError, PollTimeoutError } from "./core/errors";
import { closeDefaultTransport, type HttpTransport } from "./core/http";
import { describeStep, type StepSnapshot } from "./core/operation";
import { endpointProblem } from "./core/options";
import { pollOperation, progressLine } from "./core/poller";
import { apiVersionProblem, idProblem } from "./core/validate";
import { VERSION } from "./core/version";
import { CloudPartnerClient } from "./cpp/client";
import { parseEmailList } from "./cpp/emails";
import { ingestionVersionProblem } from "./ingestion/constants";
import { describeOfferStatus, type OfferStatusReport } from "./status-api";

export const USAGE = `Usage: pulumi-cloudpartner <command> [options]

Commands:
  emulator [--port N] [--host H] [--state FILE] [--time-scale K] [--seed FILE] [--token T]
      Run the local emulator of both APIs (see 'pulumi-cloudpartner emulator --help').
  status <publisherId> <offerId>
      The offer's publishing status and the steps of its latest operation.
  operations <publisherId> <offerId> [--status <state>]
      The offer's operations (submissions), newest first; e.g. --status running.
  cancel <publisherId> <offerId> [--notification-emails <a@x.com,b@y.com>] [--wait]
      Cancel the offer's running operation (publish or go-live). With --wait, follow the
      cancellation until it ends (--timeout <seconds>, default 3600; --poll-interval <seconds>, default 10).

  export <offerId> [--target draft|preview|live]
      Print the offer's resources (Product Ingestion API; default target draft) as the JSON inputs an
      OfferConfiguration resource accepts: a starting point for a program, or a diff against one.

  With --api ingestion (Partner Center Product Ingestion API) the publisher id may be left out:
  status <offerId>, operations <offerId> (the preview/live submissions),
  cancel <offerId> --job <jobId> (POST configure/<jobId>/cancel; the job id is the resource's operationId,
      or pass its operationLocation; without --job the error says where to find it).

Options:
  --api <cpp|ingestion>   Which API (default cpp); ingestion uses Microsoft Graph tokens
  --endpoint <url>        API host (default https://cloudpartner.azure.com; http only for loopback)
  --api-version <date>    api-version sent with every call (default 2017-10-31)
  --json                  Machine-readable output on stdout
  -h, --help              Show this help
  --version               Show the version

The bearer token comes from CLOUDPARTNER_ACCESS_TOKEN, else Azure AD (AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_CLIENT_SECRET, or any DefaultAzureCredential source). It is never taken as a flag nor printed.

Exit codes: 0 ok, 1 API error, 2 usage error, 130 interrupted.
`;

export interface GlobalOptions {
  /** Present only when --api was given (default cpp). */
  api?: ApiName;
  endpoint?: string;
  apiVersion?: string;
  json: boolean;
}

interface OfferCommand {
  publisherId: string;
  offerId: string;
  options: GlobalOptions;
}

export type Command =
  | { command: "help" }
  | { command: "version" }
  | { command: "export"; offerId: string; target: "draft" | "preview" | "live"; options: GlobalOptions }
  | ({ command: "status" } & OfferCommand)
  | ({ command: "operations"; filteredStatus?: string } & OfferCommand)
  | ({
      command: "cancel";
      /** Absent: the cancel request has no body. */
      notificationEmails?: string[];
      /** Ingestion: the configure job to cancel. */
      job?: string;
      wait: boolean;
      timeoutSeconds: number;
      pollIntervalSeconds: number;
    } & OfferCommand);

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const COMMANDS = ["status", "operations", "cancel", "export"] as const;
/** Options that belong to one command only. */
const COMMAND_OPTIONS: Record<string, (typeof COMMANDS)[number]> = {
  target: "export",
  status: "operations",
  "notification-emails": "cancel",
  wait: "cancel",
  timeout: "cancel",
  "poll-interval": "cancel",
  job: "cancel",
};

/** Parses the arguments after the program name. Throws `UsageError`. */
export function parseCommand(argv: string[]): Command {
  let parsed: ReturnType<typeof parseWithNode>;
  try {
    parsed = parseWithNode(argv);
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === "help") return { command: "help" };
  if (values.version) return { command: "version" };
  const api = values.api;
  if (api !== undefined && !(API_NAMES as readonly string[]).includes(api))
    throw new UsageError(`--api must be one of ${API_NAMES.join(", ")}, got ${JSON.stringify(api)}.`);
  if (positionals[0] === "export") return parseExport(values, positionals.slice(1));
  const ingestion = api === "ingestion";
  // With --api ingestion the publisher id is optional: `status <offerId>`.
  if (ingestion && positionals.length === 2) positionals.splice(1, 0, "");
  const [command, publisherId, offerId, ...extra] = positionals;
  if (command === undefined)
    throw new UsageError("a command is required (status, operations, cancel or export).");
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command '${command}' (expected status, operations, cancel or export).`);
  }
  for (const [option, owner] of Object.entries(COMMAND_OPTIONS)) {
    if (values[option as keyof typeof values] !== undefined && owner !== command)
      throw new UsageError(`--${option} applies only to '${owner}'.`);
  }
  if (publisherId === undefined || offerId === undefined)
    throw new UsageError(`'${command}' needs <publisherId> <offerId>.`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'.`);
  for (const [name, value] of [
    ["publisherId", publisherId],
    ["offerId", offerId],
  ] as const) {
    if (ingestion && name === "publisherId" && value === "") continue;
    const problem = idProblem(value);
    if (problem) throw new UsageError(`${name} ${problem}.`);
  }
  if (values.endpoint !== undefined) {
    const problem = endpointProblem(values.endpoint, { allowPath: ingestion });
    if (problem) throw new UsageError(`--endpoint ${problem}.`);
  }
  if (values["api-version"] !== undefined) {
    const problem = (ingestion ? ingestionVersionProblem : apiVersionProblem)(values["api-version"]);
    if (problem) throw new UsageError(`--api-version ${problem}.`);
  }
  const base: OfferCommand = {
    publisherId,
    offerId,
    options: {
      ...(api !== undefined ? { api: api as ApiName } : {}),
      ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
      ...(values["api-version"] !== undefined ? { apiVersion: values["api-version"] } : {}),
      json: values.json === true,
    },
  };
  switch (command) {
    case "status":
      return { command, ...base };
    case "operations": {
      const state = values.status;
      if (state !== undefined && !/^[A-Za-z][A-Za-z ]{0,40}$/.test(state))
        throw new UsageError(`--status must be a state such as 'running', got ${JSON.stringify(state)}.`);
      return { command, ...base, ...(state !== undefined ? { filteredStatus: state } : {}) };
    }
    case "cancel": {
      if (ingestion) {
        if (values.wait)
          throw new UsageError(
            "--wait applies only to the Cloud Partner Portal: the Product Ingestion API cancels a job in its answer.",
          );
        const job = values.job;
        if (job !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(job) && !isHttpUrl(job))
          throw new UsageError(
            `--job must be a configure job id or the resource's operationLocation (…/configure/<jobId>/status), got ${JSON.stringify(job.slice(0, 60))}.`,
          );
        return {
          command,
          ...base,
          notificationEmails: [],
          ...(job !== undefined ? { job } : {}),
          wait: false,
          timeoutSeconds: seconds("--timeout", values.timeout, 3600),
          pollIntervalSeconds: seconds("--poll-interval", values["poll-interval"], 10),
        };
      }
      if (values.job !== undefined) throw new UsageError("--job applies only with --api ingestion.");
      const list = values["notification-emails"];
      const emails = list === undefined ? undefined : parseEmailList(list);
      if (emails?.problems.length) throw new UsageError(emails.problems.join(" "));
      return {
        command,
        ...base,
        ...(emails ? { notificationEmails: emails.value as string[] } : {}),
        wait: values.wait === true,
        timeoutSeconds: seconds("--timeout", values.timeout, 3600),
        pollIntervalSeconds: seconds("--poll-interval", values["poll-interval"], 10),
      };
    }
  }
  throw new UsageError(`unknown command '${command}'.`);
}

/** `export <offerId> [--target draft|preview|live]`: the Product Ingestion API only. */
function parseExport(values: ReturnType<typeof parseWithNode>["values"], args: string[]): Command {
  for (const [option, owner] of Object.entries(COMMAND_OPTIONS)) {
    if (values[option as keyof typeof values] !== undefined && owner !== "export")
      throw new UsageError(`--${option} applies only to '${owner}'.`);
  }
  if (values.api === "cpp")
    throw new UsageError(
      "'export' reads the Product Ingestion API's resource tree; the Cloud Partner Portal API has none (leave out --api or pass --api ingestion).",
    );
  const [offerId, ...extra] = args;
  if (offerId === undefined) throw new UsageError("'export' needs <offerId>.");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'.`);
  const problem = idProblem(offerId);
  if (problem) throw new UsageError(`offerId ${problem}.`);
  const target = values.target ?? "draft";
  if (target !== "draft" && target !== "preview" && target !== "live")
    throw new UsageError(`--target must be draft, preview or live, got ${JSON.stringify(target)}.`);
  if (values.endpoint !== undefined) {
    const endpointIssue = endpointProblem(values.endpoint, { allowPath: true });
    if (endpointIssue) throw new UsageError(`--endpoint ${endpointIssue}.`);
  }
  if (values["api-version"] !== undefined) {
    const versionIssue = ingestionVersionProblem(values["api-version"]);
    if (versionIssue) throw new UsageError(`--api-version ${versionIssue}.`);
  }
  return {
    command: "export",
    offerId,
    target,
    options: {
      api: "ingestion",
      ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
      ...(values["api-version"] !== undefined ? { apiVersion: values["api-version"] } : {}),
      json: true,
    },
  };
}

function parseWithNode(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      api: { type: "string" },
      job: { type: "string" },
      endpoint: { type: "string" },
      "api-version": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
      status: { type: "string" },
      "notification-emails": { type: "string" },
      wait: { type: "boolean" },
      timeout: { type: "string" },
      "poll-interval": { type: "string" },
      target: { type: "string" },
    },
  });
}

/** node's parse errors, reworded; never echoes an option's value (someone may try `--token=...`). */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-{1,2}[^'=\s]*)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    if (/token|secret|password|key/i.test(option)) {
      return `unknown option '${option}': the token is never taken as a flag; set CLOUDPARTNER_ACCESS_TOKEN or use Azure AD.`;
    }
    return `unknown option '${option}'.`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return /argument missing/.test(message)
      ? `option '${option}' needs a value.`
      : `option '${option}' does not take a value.`;
  }
  return message;
}

function seconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0)
    throw new UsageError(`${flag} must be a positive number of seconds, got ${JSON.stringify(value)}.`);
  return number;
}

/** Where output goes, and what the process would otherwise take from its globals (tests pass their own). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env?: NodeJS.ProcessEnv;
  transport?: HttpTransport;
  signal?: AbortSignal;
}

/** Runs one command line; resolves to the exit code. Never throws. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  // The emulator is loaded only for its command, so the other commands stay light.
  if (argv[0] === "emulator") return (await import("../emulator/cli")).runEmulator(argv.slice(1), io);
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`error: ${error.message}\nRun 'pulumi-cloudpartner --help' for usage.\n`);
    return 2;
  }
  if (command.command === "help") {
    io.stdout(USAGE);
    return 0;
  }
  if (command.command === "version") {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  try {
    if (command.command === "export") {
      io.stdout(await exportOffer(command, io));
      return 0;
    }
    // --api ingestion goes through the backend seam; the CPP commands keep their own output.
    io.stdout(
      command.options.api === "ingestion"
        ? await executeWithBackend(backendFor(command, io), command, io)
        : await execute(
            new CloudPartnerClient({
              endpoint: command.options.endpoint,
              apiVersion: command.options.apiVersion,
              tokenProvider: resolveTokenProvider({ env: io.env ?? process.env }),
              transport: io.transport,
              log: (line) => io.stderr(`${line}\n`),
            }),
            command,
            io,
          ),
    );
    return 0;
  } catch (error) {
    // Ctrl-C: whatever was in progress (a request, a retry's backoff, a wait) ends with the signal's own error.
    if (io.signal?.aborted || error instanceof AbortedError) {
      io.stderr(`interrupted${error instanceof AbortedError ? `: ${error.message}` : ""}\n`);
      return 130;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: ${message}\n`);
    return 1;
  } finally {
    // The pooled keep-alive connections would otherwise hold the process open for their idle timeout.
    if (!io.transport) await closeDefaultTransport();
  }
}

type OfferCommandOf<C extends Command["command"]> = Extract<Command, { command: C }>;

async function execute(
  client: CloudPartnerClient,
  command: OfferCommandOf<"status" | "operations" | "cancel">,
  io: CliIo,
): Promise<string> {
  const { publisherId, offerId, options } = command;
  const signal = io.signal;
  switch (command.command) {
    case "status": {
      const report = describeOfferStatus(
        publisherId,
        offerId,
        await client.getOfferStatus(publisherId, offerId, signal),
      );
      return options.json ? toJson(report) : formatStatus(report);
    }
    case "operations": {
      const operations = await client.listSummaries(publisherId, offerId, {
        filteredStatus: command.filteredStatus,
        signal,
      });
      return options.json
        ? toJson(operations)
        : formatOperations(publisherId, offerId, operations, command.filteredStatus);
    }
    case "cancel": {
      const result = await client.cancel(publisherId, offerId, command.notificationEmails, signal);
      const report: CancelReport = { publisherId, offerId, ...result };
      if (command.wait && !result.completed && !result.operationLocation)
        io.stderr(
          `[${publisherId}/${offerId}] cancel accepted, but the API named no cancel operation to follow; not waiting.\n`,
        );
      if (command.wait && !result.completed && result.operationLocation) {
        const what = `${publisherId}/${offerId}`;
        io.stderr(`[${what}] cancel accepted; following ${result.operationLocation}\n`);
        const final = await pollOperation(client, result.operationLocation, {
          pollIntervalMs: command.pollIntervalSeconds * 1000,
          maxPollIntervalMs: Math.max(command.pollIntervalSeconds * 1000, 60_000),
          timeoutMs: command.timeoutSeconds * 1000,
          publisherId,
          offerId,
          signal,
          onProgress: (event) => io.stderr(`${progressLine(what, "cancel", event)}\n`),
        }).catch((error: unknown) => {
          if (!(error instanceof PollTimeoutError)) throw error;
          throw new PollTimeoutError(
            `Stopped waiting for the cancel of ${what} after ${command.timeoutSeconds} s; it continues on the Cloud Partner Portal. ` +
              `Check it with 'pulumi-cloudpartner status ${publisherId} ${offerId}'.`,
            { publisherId, offerId, operationLocation: result.operationLocation },
          );
        });
        report.status = final.status;
      }
      return options.json ? toJson(report) : formatCancel(report);
    }
  }
}

/**
 * `export`: the offer's resource tree (one target) as OfferConfiguration inputs, as `pulumi import` writes them.
 * Reads only: the product lookup and one tree.
 */
async function exportOffer(command: OfferCommandOf<"export">, io: CliIo): Promise<string> {
  const { exportOfferInputs } = await import("./ingestion/offer/apply");
  const { IngestionClient } = await import("./ingestion/client");
  const client = new IngestionClient({
    endpoint: command.options.endpoint,
    apiVersion: command.options.apiVersion,
    tokenProvider: resolveTokenProvider({ env: io.env ?? process.env, scope: scopeOf("ingestion") }),
    transport: io.transport,
    log: (line) => io.stderr(`${line}\n`),
  });
  const inputs = await exportOfferInputs(client, command.offerId, command.target, io.signal);
  return toJson(inputs);
}

/** The backend of an `--api` command (`createBackend`), with a token for that API's audience. */
function backendFor(command: OfferCommandOf<"status" | "operations" | "cancel">, io: CliIo): OfferBackend {
  const api = command.options.api ?? "cpp";
  return createBackend({
    api,
    ...(command.publisherId ? { publisherId: command.publisherId } : {}),
    offerId: command.offerId,
    endpoint: command.options.endpoint,
    apiVersion: command.options.apiVersion,
    tokenProvider: resolveTokenProvider({ env: io.env ?? process.env, scope: scopeOf(api) }),
    transport: io.transport,
    log: (line) => io.stderr(`${line}\n`),
  });
}

async function executeWithBackend(
  backend: OfferBackend,
  command: OfferCommandOf<"status" | "operations" | "cancel">,
  io: CliIo,
): Promise<string> {
  const { options } = command;
  const signal = io.signal;
  switch (command.command) {
    case "status": {
      const report = await backend.offerStatus(signal);
      return options.json ? toJson(report) : formatStatus(report);
    }
    case "operations": {
      const wanted = command.filteredStatus?.toLowerCase().replace(/\s+/g, "");
      const operations = (await backend.listOperations(signal)).filter(
        (op) => !wanted || op.state === wanted || op.rawState.toLowerCase().startsWith(wanted),
      );
      return options.json
        ? toJson(operations)
        : formatOperations(
            command.publisherId || undefined,
            command.offerId,
            operations,
            command.filteredStatus,
          );
    }
    case "cancel": {
      // A job id, or the resource's operationLocation: the backend takes the job id from its path (and says
      // what to do when it is a submission's location, as after an attach).
      const handle = command.job
        ? isHttpUrl(command.job)
          ? { operationLocation: command.job }
          : { operationLocation: "", operationId: command.job }
        : undefined;
      const result = await backend.cancel({ signal, ...(handle ? { handle } : {}) });
      const report: CancelReport = {
        ...(command.publisherId ? { publisherId: command.publisherId } : {}),
        offerId: command.offerId,
        ...result,
      };
      return options.json ? toJson(report) : formatCancel(report, backend.service);
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export interface CancelReport {
  /** Absent for --api ingestion without a publisher id. */
  publisherId?: string;
  offerId: string;
  /** The API canceled synchronously (HTTP 200). */
  completed: boolean;
  /** The cancel operation, when the API answered 202. */
  operationLocation?: string;
  /** With --wait: how the cancel operation ended. */
  status?: string;
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Aligned columns; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

function percent(step: StepSnapshot): string {
  return step.progressPercentage === undefined ? "" : `${Math.round(step.progressPercentage)}%`;
}

/** The human view of `status`: the offer's status, then a table of steps. */
export function formatStatus(report: OfferStatusReport): string {
  const offer = report.publisherId ? `${report.publisherId}/${report.offerId}` : report.offerId;
  const lines = [`Offer ${offer}: ${report.status || "unknown"}`];
  if (report.awaitingSignoff)
    lines.push("The preview is ready: review the preview links, then go live (the go-live is the sign-off).");
  if (report.currentStep) lines.push(`Current step: ${describeStep(report.currentStep)}`);
  if (report.steps.length > 0) {
    lines.push(
      "",
      table(
        ["STEP", "STATUS", "PROGRESS", "ESTIMATE", "MESSAGES"],
        report.steps.map((step) => [
          step.name,
          step.status || "-",
          percent(step),
          step.estimatedTimeFrame ?? "",
          step.messages.join(" | "),
        ]),
      ),
    );
  } else {
    lines.push("No steps reported.");
  }
  if (report.previewLinks.length > 0 || report.liveLinks.length > 0) lines.push("");
  for (const link of report.previewLinks) lines.push(`Preview: ${link}`);
  for (const link of report.liveLinks) lines.push(`Live: ${link}`);
  return `${lines.join("\n")}\n`;
}

/**
 * The human view of `operations`: one row per operation, classified once (CPP: a submission by
 * `classifySubmission`; ingestion: a submission, whose target shows as its slot). No publisher id: ingestion.
 */
export function formatOperations(
  publisherId: string | undefined,
  offerId: string,
  operations: OperationSummary[],
  filteredStatus?: string,
): string {
  if (operations.length === 0) {
    const offer = publisherId ? `${publisherId}/${offerId}` : offerId;
    return `No ${filteredStatus ? `${filteredStatus} ` : ""}operations for ${offer}.\n`;
  }
  const rows = operations.map((op) => [
    op.id,
    op.kind,
    // The API's spelling, and what it means when that differs (`InProgress (running)`).
    op.rawState === op.state
      ? op.state
      : `${op.rawState || "-"} (${op.outcome === "unrecognized" ? "unknown" : op.state})`,
    op.type || "-",
    op.slot ?? "",
    op.version === undefined ? "" : String(op.version),
    op.changedAt === undefined ? "" : new Date(op.changedAt).toISOString(),
  ]);
  return `${table(["ID", "KIND", "STATE", "TYPE", "SLOT", "VERSION", "CHANGED"], rows)}\n`;
}

/** The human view of `cancel`. */
export function formatCancel(report: CancelReport, service = "the Cloud Partner Portal"): string {
  const what = report.publisherId ? `${report.publisherId}/${report.offerId}` : report.offerId;
  if (report.completed) return `Canceled the running operation of ${what}.\n`;
  if (!report.operationLocation) {
    const status = `pulumi-cloudpartner status ${report.publisherId ? `${report.publisherId} ` : "--api ingestion "}${report.offerId}`;
    return `Cancel of ${what} accepted; the API named no operation to follow. Check the offer with '${status}'.\n`;
  }
  const lines = [`Cancel of ${what} accepted: ${report.operationLocation}`];
  if (report.status !== undefined) lines.push(`The cancel operation ${report.status}.`);
  else lines.push(`It continues on ${service}; follow it with 'pulumi-cloudpartner status' or --wait.`);
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const controller = new AbortController();
  // First Ctrl-C stops waiting (the cancel itself continues on the portal); a second one exits at once.
  process.once("SIGINT", () => {
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  const argv = process.argv.slice(2);
  // The emulator stops (writing its state) on SIGTERM too, as CI jobs and containers stop processes.
  if (argv[0] === "emulator") process.once("SIGTERM", () => controller.abort());
  process.exitCode = await run(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signal: controller.signal,
  });
}

if (require.main === module) void main();
