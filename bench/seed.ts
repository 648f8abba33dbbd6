import type { Collection, Document } from 'mongodb';

/**
 * Seeding in the service's own document format without importing its storage code (which is being
 * rewritten): the bench makes one clinic and one resident's access through the API, reads the
 * documents the service wrote, and clones them with the driver. Every clone is a document as the
 * service leaves it once the relay has published its events: empty outbox, no lease, no recent
 * requests. If the format changes so that a clone would be wrong, seeding fails with a clear
 * message instead of measuring something else.
 */

const ACCESS_FIELDS = ['clinicId', 'resident', 'approval', 'grants', 'nextEndsAt', 'version', 'revision', 'outbox', 'outboxPending', 'recentRequests', 'relayLease'];
const CLINIC_FIELDS = ['caseTypes', 'serviceArea', 'hasServiceArea', 'version', 'revision', 'outbox', 'outboxPending', 'recentRequests'];

function requireFields(kind: string, doc: Document, fields: string[]): void {
  const missing = fields.filter((f) => !(f in doc));
  if (missing.length > 0) throw new Error(`the ${kind} document format changed (no ${missing.join(', ')}): update bench/seed.ts`);
}

function published(doc: Document): Document {
  const copy: Document = { ...doc, outbox: [], outboxPending: false, relayLease: null, recentRequests: [] };
  delete copy.outboxSince;
  return copy;
}

/** A clinic document like `template` (its case types and settings) under another id. */
export function clinicLike(template: Document, clinicId: string): Document {
  requireFields('clinic', template, CLINIC_FIELDS);
  const copy = published(template);
  delete copy.pendingWithdrawals;
  return { ...copy, _id: clinicId, pendingWithdrawals: [] };
}

/**
 * An access document like `template` (approval, grants, versions as the service wrote them) for
 * another resident and clinic. The id must be derived as the template's is (clinic|resident).
 */
export function accessLike(template: Document, clinicId: string, resident: string, change: { grants?: unknown[]; approval?: unknown } = {}): Document {
  requireFields('access', template, ACCESS_FIELDS);
  if (template._id !== `${template.clinicId}|${template.resident}`) throw new Error('the access document id is no longer clinic|resident: update bench/seed.ts');
  const grants = change.grants ?? (template.grants as unknown[]);
  return {
    ...published(template),
    _id: `${clinicId}|${resident}`,
    clinicId,
    resident,
    ...(change.approval !== undefined ? { approval: change.approval } : {}),
    grants,
    ...(change.grants !== undefined ? { nextEndsAt: nextEnd(grants) } : {}),
  };
}

function nextEnd(grants: unknown[]): Date | null {
  const ends = grants.map((g) => (g as { endsAt?: Date | null }).endsAt).filter((d): d is Date => d instanceof Date);
  return ends.length > 0 ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null;
}

/** insertMany in batches (unordered); returns the seconds it took. */
export async function insertInBatches(collection: Collection<Document>, docs: Document[], batch = 1000): Promise<number> {
  const started = Date.now();
  for (let i = 0; i < docs.length; i += batch) await collection.insertMany(docs.slice(i, i + batch), { ordered: false });
  return (Date.now() - started) / 1000;
}
