import type { Collection, Filter } from 'mongodb';
import type { AccessChanged, ResidentAccess } from '../domain/access/resident-access';
import type { AuditPosition, AuditQueries, AuditTrail } from '../domain/ports/audit';
import { insertNew } from './insert-new';
import { withStorageErrors } from './mongo-errors';

export const AUDIT_COLLECTION = 'audit';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * One entry per event, `_id` = event id, so writing an event again (a relay retry) is a no-op.
 * `expiresAt`: the retention purge deletes the entry from then on (absent on entries written before it existed).
 */
export type AuditDocument = Omit<AccessChanged, 'eventId'> & { _id: string; clinicId: string; resident: string; expiresAt?: Date };

export class MongoAuditTrail implements AuditTrail, AuditQueries {
  constructor(
    private readonly collection: Collection<AuditDocument>,
    /** How long an entry is kept after its change. */
    private readonly retentionDays: number,
  ) {}

  record(events: readonly AccessChanged[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return withStorageErrors(async () => {
      const docs = events.map(({ eventId, ...rest }) => ({
        _id: eventId,
        clinicId: rest.access.clinicId,
        resident: rest.access.resident,
        ...rest,
        expiresAt: new Date(rest.occurredAt.getTime() + this.retentionDays * DAY_MS),
      }));
      // Entries already there from an earlier attempt are what we want.
      await insertNew(this.collection, docs);
    });
  }

  /** The access the event of `version` recorded (null: no such event recorded). */
  accessAt(clinicId: string, resident: string, version: number): Promise<ResidentAccess | null> {
    return withStorageErrors(async () => (await this.collection.findOne({ resident, clinicId, version }, { projection: { access: 1 } }))?.access ?? null);
  }

  list(filter: { clinicId?: string; resident?: string }, after: AuditPosition | null, limit: number): Promise<AccessChanged[]> {
    return withStorageErrors(async () => {
      const query: Filter<AuditDocument> = {};
      if (filter.clinicId) query.clinicId = filter.clinicId;
      if (filter.resident) query.resident = filter.resident;
      if (after) query.$or = [{ occurredAt: { $gt: after.at } }, { occurredAt: after.at, _id: { $gt: after.eventId } }];
      const docs = await this.collection.find(query).sort({ occurredAt: 1, _id: 1 }).limit(limit).toArray();
      return docs.map(toEvent);
    });
  }

  latestOf(resident: string, limit: number): Promise<AccessChanged[]> {
    return withStorageErrors(async () => {
      const docs = await this.collection.find({ resident }).sort({ occurredAt: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(toEvent);
    });
  }
}

function toEvent({ _id, clinicId: _c, resident: _r, expiresAt: _e, ...rest }: AuditDocument): AccessChanged {
  return { eventId: _id, ...rest };
}
