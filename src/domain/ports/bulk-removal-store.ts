import type { JobPosition } from './republish-job-store';

export interface BulkRemovalJob {
  /** The request id that started it; a job's id is its clinic's (other clinics' ids never meet it). */
  id: string;
  clinicId: string;
  /**
   * Listed residents (12 digits) while the job runs, emptied once it ends (personal data kept no
   * longer than its purpose); null for every resident approved when the job started.
   */
  residents: string[] | null;
  /** How many residents were listed; null for every approved resident. */
  listedCount: number | null;
  fingerprint: string;
  actor: string;
  startedAt: Date;
  finishedAt: Date | null;
  removed: number;
  unchanged: number;
}

export interface BulkRemovalStore {
  /** Creates the job, or returns the one already stored under this id at its clinic. */
  createOrGet(job: BulkRemovalJob): Promise<{ job: BulkRemovalJob; created: boolean }>;
  find(clinicId: string, id: string): Promise<BulkRemovalJob | null>;
  /** Saves progress; with `finishedAt`, the job ends and its resident list is dropped. */
  saveProgress(clinicId: string, id: string, progress: { removed: number; unchanged: number; finishedAt: Date | null }): Promise<void>;
  findUnfinished(): Promise<BulkRemovalJob[]>;
  /** Up to `limit` jobs of every clinic started at or before `before` (all when null), newest first (operators). */
  listNewestFirst(before: JobPosition | null, limit: number): Promise<BulkRemovalJob[]>;
  /**
   * Marks `jobId` as the clinic's one running bulk removal, unless another job holds the mark:
   * answers the holder (`jobId` itself when held now or before) and since when it holds it.
   * One conditional insert, so it holds across instances.
   */
  holdClinic(clinicId: string, jobId: string, at: Date): Promise<{ holder: string; since: Date }>;
  /** Frees the clinic's mark if `jobId` holds it. */
  releaseClinic(clinicId: string, jobId: string): Promise<void>;
}
