/**
 * Parsing of what the CPP API says about an operation, into the shared snapshot. Accepts every documented
 * variant: the object alone or wrapped in an array, step messages as strings or as
 * `{messageHtml, level, timestamp}` objects, and any spelling of the status.
 */

import { currentStep, type OperationSnapshot, redactSnapshot, type StepSnapshot } from "../core/operation";
import { normalizeStatus } from "../core/status";

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
  return redactSnapshot({
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
  });
}
