import type { JobPosition } from './republish-job-store';

/** An import as operators see it: the batches answered so far under one import id at one clinic. */
export interface ImportJob {
  clinicId: string;
  /** The import id. */
  id: string;
  /** Who sent its first batch. */
  actor: string;
  startedAt: Date;
  /** When its latest batch was answered. */
  lastBatchAt: Date;
  /** Rows applied (a row applied by an earlier run is not counted again). */
  applied: number;
  /** Rows answered unchanged or already applied, per batch answered (a batch sent again counts again). */
  unchanged: number;
  /** Rows refused, per batch answered. */
  failed: number;
}

export interface ImportJobStore {
  /** Adds one answered batch's counts to the import (created by its first batch). */
  recordBatch(job: Pick<ImportJob, 'clinicId' | 'id' | 'actor'>, at: Date, counts: Pick<ImportJob, 'applied' | 'unchanged' | 'failed'>): Promise<void>;
  /** Up to `limit` imports started at or before `before` (all when null), newest first. */
  listNewestFirst(before: JobPosition | null, limit: number): Promise<ImportJob[]>;
}
