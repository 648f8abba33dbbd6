import { isDeepStrictEqual } from 'node:util';
import type { Collection, Document } from 'mongodb';

/**
 * Seeding in the service's own document format without importing its storage code (which is being
 * rewritten): the bench makes one clinic and one resident's access through the API, reads the
 * documents the service wrote, and clones them with the driver. Every clone is a document as the
 * service leaves it once the relay has published its events: empty outbox, no lease, no recent
 * requests. Each seeded resident also gets the view document the service keeps for it (one per
 * resident, an entry per clinic with access there), cloned from the template resident's view. If the format changes so that a clone would be wrong, seeding fails with a clear
 * message instead of measuring something else.
 */

const ACCESS_FIELDS = [
  'clinicId',
  'resident',
  'approval',
  'grants',
  'nextEndsAt',
  'nextStartsAt',
  'endingSoonPending',
  'version',
  'revision',
  'outbox',
  'outboxPending',
  'recentRequests',
  'relayLease',
];
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
    // The seeds' grants have begun and have had no reminder: every dated one awaits its reminder.
    ...(change.grants !== undefined ? { nextEndsAt: nextEnd(grants), nextStartsAt: null, endingSoonPending: datedEnds(grants) } : {}),
  };
}

function datedEnds(grants: unknown[]): string[] {
  return grants.flatMap((g) => {
    const until = (g as { until?: string | null }).until;
    return typeof until === 'string' ? [until] : [];
  });
}

function nextEnd(grants: unknown[]): Date | null {
  const ends = grants.map((g) => (g as { endsAt?: Date | null }).endsAt).filter((d): d is Date => d instanceof Date);
  return ends.length > 0 ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null;
}

const VIEW_FIELDS = ['clinics', 'revision'];
const VIEW_ENTRY_FIELDS = ['approved', 'grants', 'version'];
const VIEW_GRANT_FIELDS = ['caseTypeId', 'until', 'endsAt'];
/** Where the service keeps the per-resident views (src/storage-mongo/mongo-resident-views.ts). */
export const RESIDENT_VIEWS = 'resident_views';

/** The view entry the service keeps for an access document (approved, grants' terms, version). */
function viewEntryOf(access: Document): Document {
  const grants = access.grants as Array<{ caseTypeId: unknown; until: unknown; endsAt: unknown; startsAt?: unknown }>;
  return {
    approved: access.approval !== null && access.approval !== undefined,
    // `startsAt` only while a grant is pending, as the service writes it (src/domain/access/resident-view.ts).
    grants: grants.map((g) => ({ caseTypeId: g.caseTypeId, until: g.until, endsAt: g.endsAt, ...(g.startsAt ? { startsAt: g.startsAt } : {}) })),
    version: access.version,
  };
}

const sameKeys = (doc: object, fields: string[]): boolean => isDeepStrictEqual(Object.keys(doc).sort(), [...fields].sort());
const checkedViews = new WeakMap<Document, Document>();

/**
 * Fails unless `template` (a resident's view document as the service wrote it) holds, for the
 * clinic of `templateAccess`, exactly the entry the bench derives from that access document: the
 * clones' entries are derived the same way, so a new, renamed or recomputed field fails here.
 */
function requireViewFormat(template: Document, templateAccess: Document): void {
  if (checkedViews.get(template) === templateAccess) return;
  const format = (what: string) => new Error(`the resident view document format changed (${what}): update bench/seed.ts`);
  requireFields('resident view', template, VIEW_FIELDS);
  if (template._id !== templateAccess.resident) throw format('the _id is no longer the resident number');
  const entry = (template.clinics as Record<string, Document> | null)?.[String(templateAccess.clinicId)];
  if (!entry || typeof entry !== 'object') throw format('no entry keyed by the clinic id under clinics');
  if (!sameKeys(entry, VIEW_ENTRY_FIELDS)) throw format(`an entry has ${Object.keys(entry).join(', ')}, not ${VIEW_ENTRY_FIELDS.join(', ')}`);
  const grants = entry.grants as Document[];
  // The template must hold a grant, or the grants' shape goes unchecked.
  if (!Array.isArray(grants) || grants.length === 0) throw new Error('bench: the template resident view holds no grant; seed one through the API');
  for (const g of grants)
    if (!sameKeys(g, g.startsAt ? [...VIEW_GRANT_FIELDS, 'startsAt'] : VIEW_GRANT_FIELDS)) throw format(`a grant has ${Object.keys(g).join(', ')}, not ${VIEW_GRANT_FIELDS.join(', ')}`);
  if (!isDeepStrictEqual(entry, viewEntryOf(templateAccess))) throw format("the entry is not the access document's approval, grants and version");
  checkedViews.set(template, templateAccess);
}

/**
 * A resident view document like `template` (the view the service wrote for the resident of
 * `templateAccess`) for another resident, with one entry per access document in `accesses` (all of
 * that resident's accesses, clones made by accessLike or the template itself): approved, the
 * grants' terms and the version, as the service derives them.
 */
export function viewLike(template: Document, templateAccess: Document, resident: string, accesses: Document[]): Document {
  requireViewFormat(template, templateAccess);
  for (const a of accesses) if (a.resident !== resident) throw new Error("bench: viewLike was given another resident's access document");
  return { ...template, _id: resident, clinics: Object.fromEntries(accesses.map((a) => [String(a.clinicId), viewEntryOf(a)])) };
}

/** insertMany in batches (unordered); returns the seconds it took. */
export async function insertInBatches(collection: Collection<Document>, docs: Document[], batch = 1000): Promise<number> {
  const started = Date.now();
  for (let i = 0; i < docs.length; i += batch) await collection.insertMany(docs.slice(i, i + batch), { ordered: false });
  return (Date.now() - started) / 1000;
}
