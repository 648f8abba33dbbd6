/**
 * Anything shaped like a personal identity or coordination number: optional century, a date-like
 * YYMMDD (day 01-31, or 61-91), an optional - or +, four digits. Broad on purpose, since a false hit
 * costs a log detail and a miss leaks personal data; the date shape keeps HSA-ids readable.
 */
const PERSONAL_NUMBER_SHAPE = /(?<!\d)(?:\d{2})?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])[-+]?\d{4}(?!\d)/g;

export const REDACTED = '[redacted]';

export function scrubString(text: string): string {
  return text.replace(PERSONAL_NUMBER_SHAPE, REDACTED);
}

/** Returns a copy of `value` with every string scrubbed; depth-limited so a cycle cannot hang a log call. */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  if (value instanceof Date) return value;
  if (value instanceof Error) return scrubDeep(describeError(value), depth + 1);
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) copy[key] = scrubDeep(v, depth + 1);
  return copy;
}

/** Errors keep their text on non-enumerable fields; copy what an operator needs before scrubbing. */
function describeError(error: Error): Record<string, unknown> {
  const described: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const [key, v] of Object.entries(error)) described[key] = v;
  if (error.cause !== undefined) described.cause = error.cause;
  return described;
}
