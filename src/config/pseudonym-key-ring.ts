import { MIN_SECRET_LENGTH } from './settings';

/** One key of the pseudonym key ring: its id (carried in page tokens) and its secret. */
export interface PseudonymKey {
  id: string;
  secret: string;
}

/**
 * The keys resident pseudonyms are made with (HMAC keys of the Kafka keys and subjects, the access
 * log's pseudonyms, consistency tokens; the page-token keys are derived from them). The current key
 * makes everything new; the older ones stay so that what they made can still be read back (access-log
 * entries, page tokens) and their Kafka keys retired by a rotation (docs/security.md).
 */
export class PseudonymKeyRing {
  /** Every key, the current one first. */
  readonly keys: readonly PseudonymKey[];

  constructor(
    readonly current: PseudonymKey,
    older: readonly PseudonymKey[] = [],
  ) {
    this.keys = [current, ...older];
  }

  /** Every key but the current one. */
  get older(): readonly PseudonymKey[] {
    return this.keys.slice(1);
  }

  /** The key with this id, or undefined once it has left the ring. */
  find(id: string): PseudonymKey | undefined {
    return this.keys.find((k) => k.id === id);
  }
}

/** RESIDENT_PSEUDONYM_SECRET is a ring of this one key. */
export const SINGLE_SECRET_KEY_ID = 'env';
const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/**
 * Reads a key ring file: `{"current": "<id>", "keys": [{"id": "<id>", "secret": "<32+ characters>"}, ...]}`.
 * Returns the ring, or the first problem found, which names where it is (an index, a field) and
 * never a value: the file holds secrets.
 */
export function parseKeyRing(text: string): PseudonymKeyRing | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the fault, so it is not passed on.
    return { problem: 'is not valid JSON' };
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.keys)) return { problem: 'must be an object with "current" and a "keys" array' };
  if (Object.keys(parsed).some((field) => field !== 'current' && field !== 'keys')) return { problem: 'may hold only "current" and "keys"' };
  if (parsed.keys.length === 0) return { problem: 'keys must hold at least one key' };
  const keys: PseudonymKey[] = [];
  for (const [i, key] of parsed.keys.entries()) {
    if (!isRecord(key) || Object.keys(key).some((field) => field !== 'id' && field !== 'secret')) return { problem: `keys[${i}] must be {"id": ..., "secret": ...}` };
    const { id, secret } = key;
    if (typeof id !== 'string' || !KEY_ID.test(id)) return { problem: `keys[${i}].id must be 1-32 of A-Z a-z 0-9 . _ -` };
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return { problem: `keys[${i}].secret must be a string of at least ${MIN_SECRET_LENGTH} characters` };
    const same = keys.findIndex((k) => k.id === id);
    if (same >= 0) return { problem: `keys[${i}].id repeats keys[${same}].id` };
    // Two ids of one secret make one pseudonym: a rotation would tombstone the current Kafka keys.
    const twin = keys.findIndex((k) => k.secret === secret);
    if (twin >= 0) return { problem: `keys[${i}].secret repeats keys[${twin}].secret` };
    keys.push({ id, secret });
  }
  const current = keys.find((k) => k.id === parsed.current);
  if (!current) return { problem: 'current must be the id of one of keys' };
  return new PseudonymKeyRing(
    current,
    keys.filter((k) => k !== current),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
