/** What a republish job covers: one resident at a clinic, a clinic, or every clinic (both null). */
export interface RepublishScope {
  clinicId: string | null;
  /** 12 digits, only with clinicId. */
  resident: string | null;
}

export interface RepublishJob {
  /** The request id that started it. */
  id: string;
  scope: RepublishScope;
  fingerprint: string;
  actor: string;
  startedAt: Date;
  finishedAt: Date | null;
  republished: number;
  unchanged: number;
}

/** A place in a newest-first listing of jobs: by start, then id. */
export interface JobPosition {
  startedAt: Date;
  id: string;
}

export interface RepublishJobStore {
  /** Creates the job, or returns the one already stored under its id. */
  createOrGet(job: RepublishJob): Promise<{ job: RepublishJob; created: boolean }>;
  find(id: string): Promise<RepublishJob | null>;
  saveProgress(id: string, progress: { republished: number; unchanged: number; finishedAt: Date | null }): Promise<void>;
  findUnfinished(): Promise<RepublishJob[]>;
  /** Up to `limit` jobs started at or before `before` (all when null), newest first; the caller drops those at or after the position itself. */
  listNewestFirst(before: JobPosition | null, limit: number): Promise<RepublishJob[]>;
}
