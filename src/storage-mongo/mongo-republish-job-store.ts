import type { Collection } from 'mongodb';
import type { JobPosition, RepublishJob, RepublishJobStore } from '../domain/ports/republish-job-store';
import { startedBefore } from './job-listing';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

export const REPUBLISH_JOBS_COLLECTION = 'republish_jobs';

/** `_id` is the request id that started the job. */
export type RepublishJobDocument = Omit<RepublishJob, 'id'> & { _id: string };

const toJob = ({ _id, ...rest }: RepublishJobDocument): RepublishJob => ({ id: _id, ...rest });

/** Republish jobs; only the runner that holds a job writes its progress. */
export class MongoRepublishJobStore implements RepublishJobStore {
  constructor(private readonly collection: Collection<RepublishJobDocument>) {}

  createOrGet(job: RepublishJob): Promise<{ job: RepublishJob; created: boolean }> {
    return withStorageErrors(async () => {
      const { id, ...rest } = job;
      try {
        await this.collection.insertOne({ _id: id, ...rest });
        return { job, created: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return { job: toJob((await this.collection.findOne({ _id: id }))!), created: false };
      }
    });
  }

  find(id: string): Promise<RepublishJob | null> {
    return withStorageErrors(async () => {
      const doc = await this.collection.findOne({ _id: id });
      return doc ? toJob(doc) : null;
    });
  }

  saveProgress(id: string, progress: { republished: number; unchanged: number; finishedAt: Date | null }): Promise<void> {
    return withStorageErrors(async () => {
      await this.collection.updateOne({ _id: id }, { $set: progress });
    });
  }

  findUnfinished(): Promise<RepublishJob[]> {
    return withStorageErrors(async () => (await this.collection.find({ finishedAt: null }).toArray()).map(toJob));
  }

  listNewestFirst(before: JobPosition | null, limit: number): Promise<RepublishJob[]> {
    return withStorageErrors(async () => (await this.collection.find(startedBefore(before)).sort({ startedAt: -1, _id: -1 }).limit(limit).toArray()).map(toJob));
  }
}
