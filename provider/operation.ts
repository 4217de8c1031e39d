/**
 * Parsing of what the API says about an operation, into one compact, typed snapshot. Accepts every
 * documented variant: the object alone or wrapped in an array, step messages as strings or as
 * `{messageHtml, level, timestamp}` objects, and any spelling of the status.
 */

import type { FailedStep } from "./errors";
import { normalizeStatus, type OperationStatus, stepState } from "./status";

export interface StepSnapshot {
  id?: string;
  name: string;
  /** The step status exactly as the API sent it. */
  status: string;
  progressPercentage?: number;
  estimatedTimeFrame?: string;
  messages: string[];
}

export interface OperationSnapshot {
  id?: string;
  submissionType?: string;
  status: OperationStatus;
  /** The status exactly as the API sent it. */
  rawStatus: string;
  /** False when `rawStatus` is a spelling this client does not know (treated as running). */
  statusRecognized: boolean;
  steps: StepSnapshot[];
  /** The step the operation is at: the first one not complete, else the last one. */
  currentStep?: StepSnapshot;
  /** Operation-level messages and the `error` field of a failed operation. */
  messages: string[];
  error?: string;
  createdDateTime?: string;
  lastActionDateTime?: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Strips HTML tags and collapses whitespace: step messages arrive as `messageHtml`. */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

export function parseMessages(value: unknown): string[] {
  if (!Array.isArray(value)) return typeof value === "string" && value.trim() ? [plainText(value)] : [];
  const out: string[] = [];
  for (const item of value) {
    const text =
      typeof item === "string"
        ? item
        : isObject(item)
          ? (str(item.messageHtml) ?? str(item.message))
          : undefined;
    if (text) out.push(plainText(text));
  }
  return out;
}

function parseStep(value: unknown): StepSnapshot | undefined {
  if (!isObject(value)) return undefined;
  const progress = value.progressPercentage;
  return {
    id: str(value.id),
    name: str(value.stepName) ?? str(value.name) ?? str(value.id) ?? "unnamed step",
    status: str(value.status) ?? "",
    progressPercentage: typeof progress === "number" && Number.isFinite(progress) ? progress : undefined,
    estimatedTimeFrame: str(value.estimatedTimeFrame),
    messages: parseMessages(value.messages),
  };
}

/** Returns undefined when the body is not an operation at all (the caller reports a protocol error). */
export function parseOperation(body: unknown): OperationSnapshot | undefined {
  const value = Array.isArray(body) ? body[0] : body;
  if (!isObject(value) || !("status" in value || "steps" in value)) return undefined;
  const normalized = normalizeStatus(value.status);
  const steps = Array.isArray(value.steps) ? value.steps.map(parseStep).filter((s) => s !== undefined) : [];
  const error = isObject(value.error)
    ? (str(value.error.message) ?? str(value.error.code))
    : str(value.error);
  return {
    id: str(value.id),
    submissionType: str(value.submissionType),
    status: normalized.status,
    rawStatus: normalized.raw,
    statusRecognized: normalized.recognized,
    steps,
    currentStep: currentStep(steps),
    messages: parseMessages(value.messages),
    error,
    createdDateTime: str(value.createdDateTime),
    lastActionDateTime: str(value.lastActionDateTime),
  };
}

export function currentStep(steps: StepSnapshot[]): StepSnapshot | undefined {
  const stopped = steps.find((s) => stepState(s.status) === "stopped");
  if (stopped) return stopped;
  return steps.find((s) => stepState(s.status) !== "done") ?? steps[steps.length - 1];
}

/** The step to blame for a failed or canceled operation, with its messages. */
export function failedStepOf(snapshot: OperationSnapshot): FailedStep | undefined {
  const step =
    snapshot.steps.find((s) => stepState(s.status) === "stopped") ??
    snapshot.steps.find((s) => s.messages.length > 0 && stepState(s.status) !== "done") ??
    snapshot.currentStep;
  return step ? { id: step.id, name: step.name, status: step.status, messages: step.messages } : undefined;
}

/** A one-line summary of a step for progress output and outputs: `Certification (inProgress, 40%)`. */
export function describeStep(step: StepSnapshot): string {
  const parts = [step.status || "unknown"];
  if (step.progressPercentage !== undefined) parts.push(`${Math.round(step.progressPercentage)}%`);
  return `${step.name} (${parts.join(", ")})`;
}
