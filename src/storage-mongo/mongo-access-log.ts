import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type { AccessLog, AccessLogEntry, AccessLogPosition, StoredAccessLogEntry } from '../domain/ports/access-log';
import { GroupCommit } from '../shared/group-commit';
import { withStorageErrors } from './mongo-errors';
import { isFerretDb } from './open-document-writer';

export const ACCESS_LOG_COLLECTION = 'access_log';

/**
 * `resident` is the keyed pseudonym, never the number. `_id` is an ObjectId: it grows with time, so
 * inserts append to the end of the `_id` index rather than land at random places in it.
 */
export type AccessLogDocument = Omit<AccessLogEntry, 'residentPseudonym'> & { _id: ObjectId; resident: string };

/**
 * The access log of reads. Concurrent reads' entries are stored together (one `insertMany` per
 * group commit), and a caller's promise resolves only when the write that carried its entries
 * was acknowledged.
 */
export class MongoAccessLog implements AccessLog {
  private readonly commit: GroupCommit<AccessLogDocument>;

  private constructor(private readonly collection: Collection<AccessLogDocument>) {
    this.commit = new GroupCommit((docs) => withStorageErrors(async () => void (await collection.insertMany(docs, { ordered: false }))));
  }

  /**
   * The log in `db`. The listing's index only on MongoDB: FerretDB 1.x serves nothing but `_id` from
   * an index (docs/ferretdb.md), so there it would only make every read's insert dearer.
   */
  static async in(db: Db): Promise<MongoAccessLog> {
    const collection = db.collection<AccessLogDocument>(ACCESS_LOG_COLLECTION);
    if (!(await isFerretDb(db))) await collection.createIndex({ resident: 1, at: -1, _id: -1 }, { name: 'by_resident_time' });
    return new MongoAccessLog(collection);
  }

  record(entries: readonly AccessLogEntry[]): Promise<void> {
    return this.commit.add(entries.map(({ residentPseudonym, ...rest }) => ({ _id: new ObjectId(), resident: residentPseudonym, ...rest })));
  }

  list(filter: { residentPseudonym: string; clinicId?: string }, after: AccessLogPosition | null, limit: number): Promise<StoredAccessLogEntry[]> {
    return withStorageErrors(async () => {
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
