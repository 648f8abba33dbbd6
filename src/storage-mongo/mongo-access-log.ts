import { randomUUID } from 'node:crypto';
import type { Collection, Filter } from 'mongodb';
import type { AccessLog, AccessLogEntry, AccessLogPosition, StoredAccessLogEntry } from '../domain/ports/access-log';
import { GroupCommit } from '../shared/group-commit';
import { withStorageErrors } from './mongo-errors';

export const ACCESS_LOG_COLLECTION = 'access_log';

/** `resident` is the keyed pseudonym, never the number. */
export type AccessLogDocument = Omit<AccessLogEntry, 'residentPseudonym'> & { _id: string; resident: string };

/**
 * The access log of reads. Concurrent reads' entries are stored together (one `insertMany` per
 * group commit), and a caller's promise resolves only when the write that carried its entries
 * was acknowledged.
 */
export class MongoAccessLog implements AccessLog {
  private readonly commit: GroupCommit<AccessLogDocument>;

  constructor(private readonly collection: Collection<AccessLogDocument>) {
    this.commit = new GroupCommit((docs) => withStorageErrors(async () => void (await collection.insertMany(docs, { ordered: false }))));
  }

  record(entries: readonly AccessLogEntry[]): Promise<void> {
    return this.commit.add(entries.map(({ residentPseudonym, ...rest }) => ({ _id: randomUUID(), resident: residentPseudonym, ...rest })));
  }

  list(filter: { residentPseudonym: string; clinicId?: string }, after: AccessLogPosition | null, limit: number): Promise<StoredAccessLogEntry[]> {
    return withStorageErrors(async () => {
      const query: Filter<AccessLogDocument> = { resident: filter.residentPseudonym };
      if (filter.clinicId) query.clinicId = filter.clinicId;
      if (after) query.$or = [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }];
      const docs = await this.collection.find(query).sort({ at: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(({ _id, resident, ...rest }) => ({ id: _id, residentPseudonym: resident, ...rest }));
    });
  }
}
