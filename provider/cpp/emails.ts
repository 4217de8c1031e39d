/**
 * Notification e-mail lists for publish and cancel. The API takes them as one comma-separated string
 * (`{"metadata": {"notification-emails": "a@x.com,b@y.com"}}`), so an address must not itself contain a
 * comma, and whitespace inside one would be sent as part of it. These checks catch that before a request
 * is sent; they are deliberately plausible-address checks, not RFC 5322.
 */

import { UNKNOWN_VALUE } from "../core/validate";

/** More addresses than this is almost certainly a mistake (a pasted distribution list, a split string). */
export const MAX_NOTIFICATION_EMAILS = 20;
/** The longest address SMTP allows. */
export const MAX_EMAIL_LENGTH = 254;

const LOCAL_PART = /^[^\s@,;:<>()[\]\\"]+$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;

/** Why one address is not plausible, or undefined. */
export function emailProblem(email: string): string | undefined {
  if (email === "") return "is empty";
  if (email.includes(",")) return "contains a comma; give each address as its own list item";
  if (/\s/.test(email))
    return email.split("@").length > 2
      ? "contains whitespace (more than one address?)"
      : "contains whitespace";
  if (email.length > MAX_EMAIL_LENGTH) return `is longer than ${MAX_EMAIL_LENGTH} characters`;
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1) return "is not an e-mail address (expected name@domain.tld)";
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split(".");
  if (!LOCAL_PART.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes(".."))
    return "has an invalid part before the @";
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label)))
    return "has an invalid domain (expected name@domain.tld)";
  return undefined;
}

export interface CheckedEmails {
  /** The list to keep: trimmed, duplicates (ignoring case) dropped. Values still unknown during preview pass through. */
  value: unknown;
  problems: string[];
}

/**
 * Checks a `notificationEmails` input: a non-empty list of at most 20 plausible addresses. Surrounding
 * whitespace is trimmed and repeated addresses are dropped, so the list sent is the list meant.
 */
export function checkNotificationEmails(value: unknown, property = "notificationEmails"): CheckedEmails {
  if (value === UNKNOWN_VALUE) return { value, problems: [] };
  if (value === undefined || value === null) {
    return {
      value,
      problems: [`${property} is required: a list of e-mail addresses, e.g. ["ops@contoso.com"].`],
    };
  }
  if (!Array.isArray(value)) {
    const hint =
      typeof value === "string" ? ` (write ${JSON.stringify(value.split(",").map((e) => e.trim()))})` : "";
    return {
      value,
      problems: [`${property} must be a list of e-mail addresses, got ${typeof value}${hint}.`],
    };
  }
  const problems: string[] = [];
  const kept: unknown[] = [];
  const seen = new Set<string>();
  for (const [index, item] of value.entries()) {
    if (item === UNKNOWN_VALUE) {
      kept.push(item);
      continue;
    }
    if (typeof item !== "string") {
      problems.push(`${property}[${index}] must be a string, got ${item === null ? "null" : typeof item}.`);
      continue;
    }
    const email = item.trim();
    const problem = emailProblem(email);
    if (problem) {
      problems.push(`${property}[${index}] ${JSON.stringify(item)} ${problem}.`);
      continue;
    }
    const key = email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(email);
  }
  if (value.length === 0) problems.push(`${property} must name at least one e-mail address.`);
  if (kept.length > MAX_NOTIFICATION_EMAILS) {
    problems.push(
      `${property} has ${kept.length} addresses; at most ${MAX_NOTIFICATION_EMAILS} are allowed.`,
    );
  }
  return { value: kept, problems };
}

/** Splits a command-line list (`a@x.com,b@y.com`, spaces allowed after commas) and checks it. */
export function parseEmailList(text: string, property = "--notification-emails"): CheckedEmails {
  const items = text.split(",").map((e) => e.trim());
  // A trailing comma is a typo, not an empty address.
  if (items.length > 1 && items.at(-1) === "") items.pop();
  return checkNotificationEmails(text.trim() === "" ? [] : items, property);
}
