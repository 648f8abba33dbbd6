import type { Logger } from 'pino';
import { removeApproval } from '../../domain/access/approve';
import type { AccessQueries } from '../../domain/ports/access-queries';
import type { BulkRemovalJob, BulkRemovalStore } from '../../domain/ports/bulk-removal-store';
import type { Clock } from '../../domain/ports/clock';
import type { IdGenerator } from '../../domain/ports/id-generator';
import type { ChangeDeps } from '../shared/change-resident-access';
import { sweepResidents } from '../shared/resident-sweep';

export interface BulkRemovalDeps extends ChangeDeps {
  jobs: BulkRemovalStore;
  queries: AccessQueries;
  clock: Clock;
  ids: IdGenerator;
}

// Progress is saved every so many residents: a crash repeats at most this many (as replays).
const PROGRESS_EVERY = 500;

/**
 * Removes the approvals a bulk job selected, one resident at a time, each its own change and
 * event. "All residents" means those approved when the job started: the stream is filtered on
 * that, so residents already done drop out and a resumed job does not revisit them.
 */
export class BulkRemovalRunner {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: BulkRemovalDeps,
    private readonly logger: Logger,
  ) {}

  async resumeUnfinished(): Promise<void> {
    for (const job of await this.deps.jobs.findUnfinished()) this.run(job);
  }

  /** Starts the job unless it runs already; resolves when it is done. */
  run(job: BulkRemovalJob): Promise<void> {
    const existing = this.running.get(job.id);
    if (existing) return existing;
    const run = this.process(job)
      .catch((error: unknown) => this.logger.error({ err: error, jobId: job.id }, 'bulk removal failed; a retry resumes it'))
      .finally(() => this.running.delete(job.id));
    this.running.set(job.id, run);
    return run;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private async process(job: BulkRemovalJob): Promise<void> {
    if (job.finishedAt) return;
    const progress = { removed: job.removed, unchanged: job.unchanged };
    let sinceSave = 0;
    // Progress saves run one after another and before the final one: an earlier save landing
    // after the final one would set the job back to running (finishedAt: null).
    let saving: Promise<void> = Promise.resolve();
    const stamp = { actor: job.actor, at: job.startedAt, requestId: job.id };
    await sweepResidents(
      this.deps,
      { clinicId: job.clinicId, id: job.id, operation: 'RemoveApprovals' },
      job.residents ? fromArray(job.residents) : this.deps.queries.approvedResidents(job.clinicId, job.startedAt),
      (current) => removeApproval(current, { ...stamp, at: this.deps.clock.now() }, this.deps.ids.next()),
      (changed) => {
        if (changed) progress.removed++;
        else progress.unchanged++;
        if (++sinceSave >= PROGRESS_EVERY) {
          sinceSave = 0;
          const snapshot = { ...progress, finishedAt: null };
          saving = saving.then(() => this.deps.jobs.saveProgress(job.id, snapshot)).catch(() => undefined);
        }
      },
      () => this.deps.clock.now(),
    );
    await saving;
    await this.deps.jobs.saveProgress(job.id, { ...progress, finishedAt: this.deps.clock.now() });
    this.logger.info({ jobId: job.id, clinicId: job.clinicId, ...progress }, 'bulk removal done');
  }
}

async function* fromArray(items: string[]): AsyncIterable<string> {
  yield* items;
}
