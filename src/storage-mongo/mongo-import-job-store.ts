import type { Collection } from 'mongodb';
import type { ImportJob, ImportJobStore } from '../domain/ports/import-job-store';
import type { JobPosition } from '../domain/ports/republish-job-store';
import { startedBefore } from './job-listing';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

export const IMPORT_JOBS_COLLECTION = 'import_jobs';

/** `_id` is `<clinic>|<import id>`: an import id is scoped to its clinic. */
export type ImportJobDocument = Omit<ImportJob, 'id'> & { _id: string };

const toJob = ({ _id, ...rest }: ImportJobDocument): ImportJob => ({ id: _id.slice(rest.clinicId.length + 1), ...rest });

/** Counts by `$inc`, so batches answered on several instances at once all count. */
export class MongoImportJobStore implements ImportJobStore {
  constructor(private readonly collection: Collection<ImportJobDocument>) {}

  recordBatch(job: Pick<ImportJob, 'clinicId' | 'id' | 'actor'>, at: Date, counts: Pick<ImportJob, 'applied' | 'unchanged' | 'failed'>): Promise<void> {
    return withStorageErrors(async () => {
      const _id = `${job.clinicId}|${job.id}`;
      try {
        await this.collection.insertOne({ _id, clinicId: job.clinicId, actor: job.actor, startedAt: at, lastBatchAt: at, ...counts });
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      await this.collection.updateOne({ _id }, { $inc: counts, $set: { lastBatchAt: at } });
    });
  }

  listNewestFirst(before: JobPosition | null, limit: number): Promise<ImportJob[]> {
    return withStorageErrors(async () => {
      const docs = await this.collection.find(startedBefore(before)).sort({ startedAt: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(toJob);
    });
  }
}
