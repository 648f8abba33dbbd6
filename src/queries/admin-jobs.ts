import { requireOperatorScope } from '../domain/authorization/policy';
import type { Principal } from '../domain/authorization/principal';
import { DomainError, Violations } from '../domain/errors/domain-error';
import type { BulkRemovalJob, BulkRemovalStore } from '../domain/ports/bulk-removal-store';
import type { ClinicSettingsRepository, PendingWithdrawal } from '../domain/ports/clinic-settings-repository';
import type { ImportJob, ImportJobStore } from '../domain/ports/import-job-store';
import type { JobPosition, RepublishJob, RepublishJobStore } from '../domain/ports/republish-job-store';
import { readPageSize } from '../application/page-size';
import type { PageTokens } from '../application/page-token';

export type JobKind = 'BULK_REMOVAL' | 'WITHDRAWAL' | 'REPUBLISH' | 'IMPORT';

/** Any background job, as operators see it. */
export interface JobSummary {
  id: string;
  kind: JobKind;
  clinicId: string | null;
  changed: number;
  unchanged: number;
  actor: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** What it covers, without personal data. */
  scope: string;
  /** Rows refused (imports; 0 for other jobs). */
  failed: number;
}

export function fromRepublishJob(job: RepublishJob): JobSummary {
  const { clinicId, resident } = job.scope;
  const scope = clinicId === null ? 'all clinics' : resident !== null ? 'one resident' : 'clinic';
  return {
    id: job.id,
    kind: 'REPUBLISH',
    clinicId,
    changed: job.republished,
    unchanged: job.unchanged,
    actor: job.actor,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    scope,
    failed: 0,
  };
}

function fromBulkRemoval(job: BulkRemovalJob): JobSummary {
  const scope = job.listedCount !== null ? `${job.listedCount} listed residents` : 'all approved residents';
  return {
    id: job.id,
    kind: 'BULK_REMOVAL',
    clinicId: job.clinicId,
    changed: job.removed,
    unchanged: job.unchanged,
    actor: job.actor,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    scope,
    failed: 0,
  };
}

/** An import is sent batch by batch: it shows as done as of its latest answered batch. */
function fromImport(job: ImportJob): JobSummary {
  return {
    id: job.id,
    kind: 'IMPORT',
    clinicId: job.clinicId,
    changed: job.applied,
    unchanged: job.unchanged,
    actor: job.actor,
    startedAt: job.startedAt,
    finishedAt: job.lastBatchAt,
    scope: 'import',
    failed: job.failed,
  };
}

/** A withdrawal is kept only while pending, without counts: it shows as running, counts 0. */
function fromWithdrawal(clinicId: string, w: PendingWithdrawal): JobSummary {
  return { id: w.requestId, kind: 'WITHDRAWAL', clinicId, changed: 0, unchanged: 0, actor: w.actor, startedAt: w.at, finishedAt: null, scope: `case type ${w.caseTypeId}`, failed: 0 };
}

// Newest first; equal starts ordered by a key unique over every kind of job.
const keyOf = (job: JobSummary) => `${job.kind}|${job.clinicId ?? ''}|${job.id}`;
const newestFirst = (a: JobSummary, b: JobSummary) => b.startedAt.getTime() - a.startedAt.getTime() || (keyOf(a) < keyOf(b) ? 1 : keyOf(a) > keyOf(b) ? -1 : 0);
const isAfter = (job: JobSummary, p: { t: string; k: string }) => job.startedAt.getTime() < Date.parse(p.t) || (job.startedAt.getTime() === Date.parse(p.t) && keyOf(job) < p.k);

type Position = { t: string; k: string };
const isPosition = (a: unknown): a is Position => typeof a === 'object' && a !== null && typeof (a as Position).t === 'string' && typeof (a as Position).k === 'string';

// Stores list from a start time on, ties included; this many more cover jobs started in the same millisecond.
const TIES = 50;

export interface JobQueriesDeps {
  republishJobs: RepublishJobStore;
  bulkRemovals: Pick<BulkRemovalStore, 'listNewestFirst'>;
  imports: Pick<ImportJobStore, 'listNewestFirst'>;
  clinics: Pick<ClinicSettingsRepository, 'findPendingWithdrawals'>;
  pageTokens: PageTokens;
}

export function makeJobQueries(deps: JobQueriesDeps) {
  return {
    async getRepublishJob(principal: Principal, r: { jobId: string }): Promise<JobSummary> {
      requireOperatorScope(principal);
      if (!r.jobId) {
        const violations = new Violations();
        violations.add({ field: 'job_id', reason: 'REQUIRED', description: 'is required' });
        violations.throwIfAny();
      }
      const job = await deps.republishJobs.find(r.jobId);
      if (!job) throw new DomainError('JOB_NOT_FOUND', 'no republish job with this id');
      return fromRepublishJob(job);
    },

    /** Bulk removals, pending withdrawals, republish jobs and imports, newest first (AIP-158 pages). */
    async listJobs(principal: Principal, r: { pageSize: number; pageToken: string }, signal?: AbortSignal): Promise<{ jobs: JobSummary[]; nextPageToken: string }> {
      requireOperatorScope(principal);
      const violations = new Violations();
      const limit = readPageSize(r.pageSize, violations);
      let after: Position | null = null;
      if (r.pageToken) {
        after = deps.pageTokens.decode(r.pageToken, { listing: 'jobs' }, isPosition) ?? null;
        if (!after) violations.add({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN', description: 'is not a token of this listing' });
      }
      violations.throwIfAny();
      signal?.throwIfAborted();
      const from: JobPosition | null = after ? { startedAt: new Date(after.t), id: after.k } : null;
      const [republishes, removals, imports, withdrawals] = await Promise.all([
        deps.republishJobs.listNewestFirst(from, limit + 1 + TIES),
        deps.bulkRemovals.listNewestFirst(from, limit + 1 + TIES),
        deps.imports.listNewestFirst(from, limit + 1 + TIES),
        deps.clinics.findPendingWithdrawals(),
      ]);
      const all = [
        ...republishes.map(fromRepublishJob),
        ...removals.map(fromBulkRemoval),
        ...imports.map(fromImport),
        ...withdrawals.flatMap(({ clinicId, withdrawals: ws }) => ws.map((w) => fromWithdrawal(clinicId, w))),
      ]
        .filter((job) => !after || isAfter(job, after))
        .sort(newestFirst);
      const jobs = all.slice(0, limit);
      const last = jobs[jobs.length - 1];
      return {
        jobs,
        nextPageToken: all.length > limit && last ? deps.pageTokens.encode({ t: last.startedAt.toISOString(), k: keyOf(last) }, { listing: 'jobs' }) : '',
      };
    },
  };
}

export type JobQueries = ReturnType<typeof makeJobQueries>;
