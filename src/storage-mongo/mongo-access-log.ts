import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { AccessLog, AccessLogEntry, AccessLogPosition, StoredAccessLogEntry } from '../domain/ports/access-log';
import { GroupCommit, GroupCommitRefused, type GroupCommitLimits } from '../shared/group-commit';
import { DomainError } from '../domain/errors/domain-error';
import { insertNew } from './insert-new';
import { withStorageErrors } from './mongo-errors';

export const ACCESS_LOG_COLLECTION = 'access_log';

/**
 * `resident` is the keyed pseudonym, never the number. `_id` is an ObjectId: it grows with time, so
 * inserts append to the end of the `_id` index rather than land at random places in it.
 */
export type AccessLogDocument = Omit<AccessLogEntry, 'residentPseudonym'> & { _id: ObjectId; resident: string };

/** How long a caller refused for its own backlog of waiting entries is told to wait. */
const CALLER_BACKLOG_RETRY_MS = 1000;

/**
 * The access log of reads. A read's entries are stored before it answers: concurrent reads'
 * entries are written together (group commit, one `insertMany` per batch), and a caller with too
 * many entries waiting is refused without holding up other callers (docs/security.md).
 */
export class MongoAccessLog implements AccessLog {
  private readonly entries: GroupCommit<AccessLogDocument>;

  private constructor(
    private readonly collection: Collection<AccessLogDocument>,
    limits: GroupCommitLimits,
  ) {
    // Unordered and duplicate-tolerant: a batch retried after an unanswered write stores each entry once (its _id is fixed).
    this.entries = new GroupCommit((docs) => withStorageErrors(async () => void (await insertNew(collection, docs))), limits);
  }

  /** The log in `db`, with the index its listing reads by. */
  static async in(db: Db, limits: GroupCommitLimits): Promise<MongoAccessLog> {
    const collection = db.collection<AccessLogDocument>(ACCESS_LOG_COLLECTION);
    await collection.createIndex({ resident: 1, at: -1, _id: -1 }, { name: 'by_resident_time' });
    return new MongoAccessLog(collection, limits);
  }

  async record(entries: readonly AccessLogEntry[]): Promise<void> {
    const docs = entries.map(({ residentPseudonym, ...rest }) => ({ _id: new ObjectId(), resident: residentPseudonym, ...rest }));
    try {
      await this.entries.add(entries[0]?.subject ?? '', docs);
    } catch (error) {
      throw refusal(error);
    }
  }

  /** Takes no more entries and resolves once every entry taken is stored or failed (their reads then failed). */
  close(): Promise<void> {
    return this.entries.close();
  }

  list(filter: { residentPseudonyms: readonly string[]; clinicId?: string }, after: AccessLogPosition | null, limit: number): Promise<StoredAccessLogEntry[]> {
    return withStorageErrors(async () => {
      const query: Filter<AccessLogDocument> = { resident: { $in: [...filter.residentPseudonyms] } };
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

/** Why a read cannot be answered: its entry would not be stored. */
function refusal(error: unknown): unknown {
  if (error instanceof GroupCommitRefused && error.reason === 'caller-backlog') {
    return new DomainError('RATE_LIMITED', 'too many of this caller’s reads wait for the access log; retry later', [], { retryAfterMs: CALLER_BACKLOG_RETRY_MS });
  }
  if (error instanceof GroupCommitRefused || (error instanceof DomainError && error.code === 'STORAGE_UNAVAILABLE')) {
    return Object.assign(new DomainError('STORAGE_UNAVAILABLE', 'the access log cannot be written, so nothing is read; retry later'), { cause: error });
  }
  return error;
}
