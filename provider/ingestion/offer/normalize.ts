/** Normalisation of both sides before a diff. */

export function normalizeFields(_type: string, _fields: Record<string, unknown>): Record<string, unknown> {
  throw new Error("not implemented");
}
