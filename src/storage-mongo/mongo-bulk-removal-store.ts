import type { Collection } from 'mongodb';
import type { BulkRemovalJob, BulkRemovalStore } from '../domain/ports/bulk-removal-store';
import type { JobPosition } from '../domain/ports/republish-job-store';
import { startedBefore } from './job-listing';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

export const BULK_REMOVALS_COLLECTION = 'bulk_removals';
/** One document per clinic with a bulk removal running: `_id` is the clinic, so the insert is the lock. */
export const RUNNING_BULK_REMOVALS_COLLECTION = 'bulk_removals_running';

export interface RunningBulkRemovalDocument {
  _id: string;
  jobId: string;
  since: Date;
}

/** `_id` is `<clinic>|<job id>`: a job id is scoped to its clinic. A finished job has no `residents`. */
type JobDocument = Omit<BulkRemovalJob, 'id' | 'residents' | 'listedCount'> & { _id: string; residents?: string[] | null; listedCount?: number | null };

const documentId = (clinicId: string, id: string) => `${clinicId}|${id}`;
const toJob = ({ _id, residents, listedCount, ...rest }: JobDocument): BulkRemovalJob => {
  // Jobs stored before `listedCount` existed keep their list: its length is the count.
  const listed = listedCount !== undefined ? listedCount : (residents?.length ?? null);
  return { id: _id.slice(rest.clinicId.length + 1), ...rest, residents: listed === null ? null : (residents ?? []), listedCount: listed };
};

/** Jobs keyed by their request id; only the one runner that holds a job writes its progress. */
export class MongoBulkRemovalStore implements BulkRemovalStore {
  constructor(
    private readonly collection: Collection<JobDocument>,
    private readonly running: Collection<RunningBulkRemovalDocument>,
  ) {}

  createOrGet(job: BulkRemovalJob): Promise<{ job: BulkRemovalJob; created: boolean }> {
    return withStorageErrors(async () => {
      const { id, ...rest } = job;
      const _id = documentId(job.clinicId, id);
      try {
        await this.collection.insertOne({ _id, ...rest });
        return { job, created: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await this.collection.findOne({ _id });
        return { job: toJob(existing!), created: false };
      }
    });
  }

  find(clinicId: string, id: string): Promise<BulkRemovalJob | null> {
    return withStorageErrors(async () => {
      const doc = await this.collection.findOne({ _id: documentId(clinicId, id) });
      return doc ? toJob(doc) : null;
    });
  }

  saveProgress(clinicId: string, id: string, progress: { removed: number; unchanged: number; finishedAt: Date | null }): Promise<void> {
    return withStorageErrors(async () => {
      const dropResidents = progress.finishedAt ? { $unset: { residents: '' as const } } : {};
      await this.collection.updateOne({ _id: documentId(clinicId, id) }, { $set: progress, ...dropResidents });
    });
  }

  findUnfinished(): Promise<BulkRemovalJob[]> {
    return withStorageErrors(async () => (await this.collection.find({ finishedAt: null }).toArray()).map(toJob));
  }

  listNewestFirst(before: JobPosition | null, limit: number): Promise<BulkRemovalJob[]> {
    return withStorageErrors(async () => {
      const docs = await this.collection.find(startedBefore(before)).sort({ startedAt: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(toJob);
    });
  }

  holdClinic(clinicId: string, jobId: string, at: Date): Promise<{ holder: string; since: Date }> {
    return withStorageErrors(async () => {
      try {
        await this.running.insertOne({ _id: clinicId, jobId, since: at });
        return { holder: jobId, since: at };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await this.running.findOne({ _id: clinicId });
        // Released between the insert and the read: the caller tries again.
        return existing ? { holder: existing.jobId, since: existing.since } : { holder: '', since: at };
      }
    });
  }

  releaseClinic(clinicId: string, jobId: string): Promise<void> {
    return withStorageErrors(async () => {
      await this.running.deleteOne({ _id: clinicId, jobId });
    });
  }
}
