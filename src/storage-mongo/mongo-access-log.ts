import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { AccessLog, AccessLogEntry, AccessLogPosition, StoredAccessLogEntry } from '../domain/ports/access-log';
import { WriteBehind, WriteBehindRefused, type WriteBehindLimits } from '../shared/write-behind';
import { DomainError } from '../domain/errors/domain-error';
import { insertNew } from './insert-new';
import { withStorageErrors } from './mongo-errors';

export const ACCESS_LOG_COLLECTION = 'access_log';

/**
 * `resident` is the keyed pseudonym, never the number. `_id` is an ObjectId: it grows with time, so
 * inserts append to the end of the `_id` index rather than land at random places in it.
 */
export type AccessLogDocument = Omit<AccessLogEntry, 'residentPseudonym'> & { _id: ObjectId; resident: string };

/**
 * The access log of reads, written behind the reads: entries are stored in one `insertMany` per
 * `flushIntervalMs` (or per full batch). While the store fails, or too many entries wait, new
 * entries are refused, so the reads that would make them fail (docs/security.md).
 */
export class MongoAccessLog implements AccessLog {
  private readonly entries: WriteBehind<AccessLogDocument>;

  private constructor(
    private readonly collection: Collection<AccessLogDocument>,
    limits: WriteBehindLimits,
  ) {
    // Unordered and duplicate-tolerant: a batch retried after an unanswered write stores each entry once (its _id is fixed).
    this.entries = new WriteBehind((docs) => withStorageErrors(async () => void (await insertNew(collection, docs))), limits);
  }

  /** The log in `db`, with the index its listing reads by. */
  static async in(db: Db, limits: WriteBehindLimits): Promise<MongoAccessLog> {
    const collection = db.collection<AccessLogDocument>(ACCESS_LOG_COLLECTION);
    await collection.createIndex({ resident: 1, at: -1, _id: -1 }, { name: 'by_resident_time' });
    return new MongoAccessLog(collection, limits);
  }

  record(entries: readonly AccessLogEntry[]): void {
    try {
      this.entries.add(entries.map(({ residentPseudonym, ...rest }) => ({ _id: new ObjectId(), resident: residentPseudonym, ...rest })));
    } catch (error) {
      if (error instanceof WriteBehindRefused) throw new DomainError('STORAGE_UNAVAILABLE', 'the access log cannot be written, so nothing is read; retry later');
      throw error;
    }
  }

  /** Stores what waits (at shutdown, after the last call), trying a failing store for up to `deadlineMs`. */
  close(deadlineMs: number): Promise<void> {
    return this.entries.close(deadlineMs);
  }

  list(filter: { residentPseudonym: string; clinicId?: string }, after: AccessLogPosition | null, limit: number): Promise<StoredAccessLogEntry[]> {
    return withStorageErrors(async () => {
      // This instance's waiting entries first, so a reader sees every read made through it.
      await this.entries.flush();
      const query: Filter<AccessLogDocument> = { resident: filter.residentPseudonym };
      if (filter.clinicId) query.clinicId = filter.clinicId;
      if (after) {
        if (!ObjectId.isValid(after.id)) return [];
        query.$or = [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: new ObjectId(after.id) } }];
      }
      const docs = await this.collection.find(query).sort({ at: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(({ _id, resident, ...rest }) => ({ id: _id.toHexString(), residentPseudonym: resident, ...rest }));
    });
  }
}
