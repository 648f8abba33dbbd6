import { scrubString } from './personal-data-scrub';

const ARRAY_ITEMS_SHOWN = 3;
const MAX_DEPTH = 8;

/**
 * A MongoDB command as the `db.query.text` of its span (the instrumentation's
 * `dbStatementSerializer`): its shape only. Every value becomes `?` (ids and filters hold personal
 * identity numbers), keys are scrubbed too, and long arrays (a batch insert) show their first items.
 */
export function queryTextShape(command: Record<string, unknown>): string {
  return JSON.stringify(shapeOf(command, 0));
}

function shapeOf(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return '?';
  if (Array.isArray(value)) {
    const shown = value.slice(0, ARRAY_ITEMS_SHOWN).map((v) => shapeOf(v, depth + 1));
    return value.length > ARRAY_ITEMS_SHOWN ? [...shown, `…${value.length - ARRAY_ITEMS_SHOWN} more`] : shown;
  }
  if (isPlainDocument(value)) {
    const shape: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) shape[scrubString(key)] = shapeOf(v, depth + 1);
    return shape;
  }
  return '?';
}

/** A document to descend into; dates, BSON values (ObjectId, Long…) and buffers are values. */
function isPlainDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof Date || Buffer.isBuffer(value) || '_bsontype' in value) return false;
  return true;
}
