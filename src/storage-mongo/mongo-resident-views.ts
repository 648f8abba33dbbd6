import type { Collection, Db, Filter, FindCursor, UpdateFilter } from 'mongodb';
import { isDeepStrictEqual } from 'node:util';
import type { ResidentAccess } from '../domain/access/resident-access';
import { viewEntryOf, type ResidentView, type ViewEntry } from '../domain/access/resident-view';
import type { ResidentHomeUpdate, ResidentViews } from '../domain/ports/resident-views';
import { homeOf, type ResidentHome } from '../domain/identity/registered-resident';
import { toResidentAccess, type AccessDocument } from './access-document';
import { ACCESS_COLLECTION } from './indexes';
import { RESIDENTS_COLLECTION, type ResidentDocument } from './mongo-resident-register';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';
import { updateAtRevision } from './revision-update';
import { STORAGE_TUNING } from './settings';

/**
 * An entry replaces the stored one when it is newer, or of the same version but different (a
 * rebuild after the entry's shape changed, or a repair): so repeats and older states change nothing.
 */
function replaces(entry: ViewEntry, stored: ViewEntry | undefined): boolean {
  if (!stored || stored.version < entry.version) return true;
  return stored.version === entry.version && !isDeepStrictEqual(stored, entry);
}

export const RESIDENT_VIEWS_COLLECTION = 'resident_views';
export const PROJECTIONS_COLLECTION = 'projections';
const VIEWS_MARKER = 'resident_views';
/** Raised when the view document's shape changes; an older marker makes the start-up rebuild run. */
const VIEWS_SCHEMA = 2;

/** One resident's view: entries keyed by clinic HSA-id (which has no `.` or `$`, so it is a safe field name). */
export interface ResidentViewDocument {
  _id: string;
  /** Absent or null: the register does not know the resident. */
  home?: ResidentHome | null;
  clinics: Record<string, ViewEntry>;
  revision: number;
}

interface ProjectionDocument {
  _id: string;
  schema: number;
  builtAt: Date;
}

export interface ViewWriteLimits {
  /** Writers on other clinics of the same resident may win a compare-and-set; a few re-reads settle it. */
  writeAttempts: number;
  /** Residents written at once: a rebuild hands over whole batches. */
  concurrentResidents: number;
}

/**
 * The per-resident views, read and written by `_id` only. A write is a compare-and-set on the
 * view's revision (several instances, and commands at several clinics, write one resident's view),
 * and keeps every entry that is already as new or newer.
 */
export class MongoResidentViews implements ResidentViews {
  constructor(
    private readonly views: Collection<ResidentViewDocument>,
    private readonly access: Collection<AccessDocument>,
    private readonly projections: Collection<ProjectionDocument>,
    private readonly register: Collection<ResidentDocument>,
    private readonly limits: ViewWriteLimits,
  ) {}

  static in(db: Db, limits: ViewWriteLimits = STORAGE_TUNING.residentViewWrites): MongoResidentViews {
    return new MongoResidentViews(
      db.collection<ResidentViewDocument>(RESIDENT_VIEWS_COLLECTION),
      db.collection<AccessDocument>(ACCESS_COLLECTION),
      db.collection<ProjectionDocument>(PROJECTIONS_COLLECTION),
      db.collection<ResidentDocument>(RESIDENTS_COLLECTION),
      limits,
    );
  }

  find(resident: string): Promise<ResidentView | null> {
    return withStorageErrors(async () => {
      const doc = await this.views.findOne({ _id: resident });
      return doc ? { resident, home: doc.home ?? null, clinics: new Map(Object.entries(doc.clinics ?? {})) } : null;
    });
  }

  apply(accesses: readonly ResidentAccess[]): Promise<void> {
    const byResident = new Map<string, Map<string, ViewEntry>>();
    for (const access of accesses) {
      const entries = byResident.get(access.resident) ?? new Map<string, ViewEntry>();
      const known = entries.get(access.clinicId);
      if (!known || known.version < access.version) entries.set(access.clinicId, viewEntryOf(access));
      byResident.set(access.resident, entries);
    }
    const fieldsFor = (entries: Map<string, ViewEntry>) => (doc: ResidentViewDocument | null) => {
      const newer = [...entries].filter(([clinicId, entry]) => replaces(entry, doc?.clinics?.[clinicId]));
      return newer.length === 0 ? null : Object.fromEntries(newer.map(([clinicId, entry]) => [`clinics.${clinicId}`, entry]));
    };
    return withStorageErrors(async () => {
      const notWritten = await this.setWhereNewer(byResident);
      // A stored entry as new or newer (an equal one may differ after a rebuild), or a lost race: read and decide.
      await this.forEachResident(notWritten, (resident) => this.change(resident, fieldsFor(byResident.get(resident)!)));
    });
  }

  /**
   * Each resident's entries set by one conditional upsert that matches only where every one of them
   * is newer than the stored entry (or none is stored): no read first, and atomic on the server.
   * One `updateOne` each, all in flight together, so one resident's refusal touches no other's.
   * Answers the residents not written that way (their documents hold an entry as new or newer).
   */
  private async setWhereNewer(byResident: ReadonlyMap<string, ReadonlyMap<string, ViewEntry>>): Promise<string[]> {
    const written = await Promise.all(
      [...byResident].map(async ([resident, entries]) => {
        const { filter, update } = newerEntriesUpdate(resident, entries);
        try {
          const result = await this.views.updateOne(filter, update, { upsert: true });
          return result.matchedCount + result.upsertedCount === 1;
        } catch (error) {
          // The condition failed on a stored document, so the upsert collided with its `_id`.
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      }),
    );
    return [...byResident.keys()].filter((_, i) => !written[i]);
  }

  applyHomes(homes: readonly ResidentHomeUpdate[]): Promise<void> {
    return this.forEachResident(homes, ({ resident, home }) =>
      this.change(resident, (doc) => {
        const wanted = homeOf(home);
        if (isDeepStrictEqual(doc?.home ?? null, wanted)) return null;
        // A resident with no view and no home needs no document.
        if (!doc && wanted === null) return null;
        return { home: wanted };
      }),
    );
  }

  private forEachResident<T>(work: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
    return withStorageErrors(async () => {
      // A bounded number at a time: a rebuild hands over whole batches.
      const { concurrentResidents } = this.limits;
      for (let start = 0; start < work.length; start += concurrentResidents) {
        await Promise.all(work.slice(start, start + concurrentResidents).map(task));
      }
    });
  }

  /**
   * One compare-and-set write of a resident's view: `fieldsToSet` says, from the stored document
   * (null: none yet), which fields (dotted paths) to set, or null when nothing is to change.
   */
  private async change(resident: string, fieldsToSet: (doc: ResidentViewDocument | null) => Record<string, unknown> | null): Promise<void> {
    for (let attempt = 0; attempt < this.limits.writeAttempts; attempt++) {
      const doc = await this.views.findOne({ _id: resident });
      const set = fieldsToSet(doc);
      if (set === null) return;
      if (!doc) {
        try {
          await this.views.insertOne(newDocument(resident, set));
          return;
        } catch (error) {
          if (isDuplicateKey(error)) continue;
          throw error;
        }
      }
      if ((await updateAtRevision(this.views, { id: resident, expectedRevision: doc.revision, update: { $set: set } })) === 'saved') return;
    }
    throw new Error('resident view: too many concurrent writers');
  }

  scanAccesses(batchSize: number): AsyncIterable<ResidentAccess[]> {
    const cursor = this.access.find({}, { projection: { clinicId: 1, resident: 1, approval: 1, grants: 1, version: 1 }, batchSize });
    return inBatches(cursor, batchSize, toResidentAccess);
  }

  async *scanHomes(batchSize: number): AsyncIterable<ResidentHomeUpdate[]> {
    const registered = this.register.find({}, { projection: { regionCode: 1, municipalityCode: 1 }, batchSize });
    yield* inBatches(registered, batchSize, (doc) => ({ resident: doc._id, home: homeOf(doc) }));
    // Homes the register no longer has (a deregistration whose view update was lost).
    const homed = this.views.find({ home: { $ne: null } }, { projection: { _id: 1 }, batchSize });
    for await (const batch of inBatches(homed, batchSize, (doc) => doc._id)) {
      const still = await Promise.all(batch.map((resident) => this.register.findOne({ _id: resident }, { projection: { _id: 1 } })));
      const gone = batch.filter((_, i) => still[i] === null);
      if (gone.length > 0) yield gone.map((resident) => ({ resident, home: null }));
    }
  }

  isBuilt(): Promise<boolean> {
    return withStorageErrors(async () => {
      const marker = await this.projections.findOne({ _id: VIEWS_MARKER });
      return marker !== null && marker.schema >= VIEWS_SCHEMA;
    });
  }

  markBuilt(at: Date): Promise<void> {
    return withStorageErrors(async () => {
      await this.projections.replaceOne({ _id: VIEWS_MARKER }, { schema: VIEWS_SCHEMA, builtAt: at }, { upsert: true });
    });
  }
}

/** Sets `entries` on the resident's view where each is newer than the stored one; `$inc` keeps compare-and-set writers exact. */
function newerEntriesUpdate(resident: string, entries: ReadonlyMap<string, ViewEntry>): { filter: Filter<ResidentViewDocument>; update: UpdateFilter<ResidentViewDocument> } {
  const newer = [...entries].map(([clinicId, entry]) => ({ $or: [{ [`clinics.${clinicId}`]: { $exists: false } }, { [`clinics.${clinicId}.version`]: { $lt: entry.version } }] }));
  const set = Object.fromEntries([...entries].map(([clinicId, entry]) => [`clinics.${clinicId}`, entry]));
  return { filter: { _id: resident, $and: newer }, update: { $set: set, $inc: { revision: 1 } } };
}

function newDocument(resident: string, set: Record<string, unknown>): ResidentViewDocument {
  const doc: ResidentViewDocument = { _id: resident, home: null, clinics: {}, revision: 1 };
  for (const [path, value] of Object.entries(set)) {
    if (path === 'home') doc.home = value as ResidentHome | null;
    else doc.clinics[path.slice('clinics.'.length)] = value as ViewEntry;
  }
  return doc;
}

async function* inBatches<D, T>(cursor: FindCursor<D>, batchSize: number, map: (doc: D) => T): AsyncIterable<T[]> {
  let batch: T[] = [];
  try {
    for await (const doc of cursor) {
      batch.push(map(doc));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await cursor.close();
  }
}
