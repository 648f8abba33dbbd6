import personalNumberPattern from './personal-number-pattern.json';

/**
 * Anything written like a personal identity or coordination number (the shape is shared with the
 * test logs' scan): with or without the century, with any separators, `+` for the over-100s, the
 * day + 60 of a coordination number. The date shape keeps HSA-ids and timestamps readable.
 */
const PERSONAL_NUMBER = new RegExp(Object.values(personalNumberPattern.parts).join(''), 'g');

/**
 * Ids operators need, kept whole even where their digits happen to look like a number: W3C
 * traceparents, UUIDs (request ids) and tokens of 16, 24 or 32 hex digits (span ids, ObjectIds,
 * trace ids).
 */
const HEX = '[0-9a-fA-F]';
const OPERATOR_ID = new RegExp(`^(?:${HEX}{2}-${HEX}{32}-${HEX}{16}-${HEX}{2}|${HEX}{8}-${HEX}{4}-[1-8]${HEX}{3}-[89abAB]${HEX}{3}-${HEX}{12}|${HEX}{32}|${HEX}{24}|${HEX}{16})$`);
const ID_CHARACTER = /[0-9A-Za-z-]/;

export const REDACTED = '[redacted]';

export function scrubString(text: string): string {
  return text.replace(PERSONAL_NUMBER, (match: string, at: number) => (insideOperatorId(text, at, match.length) ? match : REDACTED));
}

/** Whether the match is part of an operator id: the token of id characters around it is one. */
function insideOperatorId(text: string, at: number, length: number): boolean {
  let from = at;
  let to = at + length;
  for (let i = from; i < to; i++) if (!ID_CHARACTER.test(text[i]!)) return false;
  while (from > 0 && ID_CHARACTER.test(text[from - 1]!)) from--;
  while (to < text.length && ID_CHARACTER.test(text[to]!)) to++;
  return OPERATOR_ID.test(text.slice(from, to));
}

/** Returns a copy of `value` with every string (keys too) scrubbed; depth-limited so a cycle cannot hang a log call. */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  if (value instanceof Date) return value;
  if (value instanceof Error) return scrubDeep(describeError(value), depth + 1);
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) copy[scrubString(key)] = scrubDeep(v, depth + 1);
  return copy;
}

/** Errors keep their text on non-enumerable fields; copy what an operator needs before scrubbing. */
function describeError(error: Error): Record<string, unknown> {
  const described: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const [key, v] of Object.entries(error)) described[key] = v;
  if (error.cause !== undefined) described.cause = error.cause;
  return described;
}
