/**
 * A JSON value in canonical form, for comparing or hashing two values by meaning: object keys sorted at every
 * depth, and the entries `keep` refuses left out (at every depth too). Arrays keep their order.
 */
export function canonical(
  value: unknown,
  keep: (key: string, value: unknown) => boolean = () => true,
): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, keep));
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .filter((key) => keep(key, record[key]))
      .sort()
      .map((key) => [key, canonical(record[key], keep)]),
  );
}
