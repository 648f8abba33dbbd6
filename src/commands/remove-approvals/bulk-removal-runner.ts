import type { Logger } from 'pino';
import { removeApproval } from '../../domain/access/approve';
import type { BulkRemovalJob, BulkRemovalStore } from '../../domain/ports/bulk-removal-store';
import type { Clock } from '../../domain/ports/clock';
import type { IdGenerator } from '../../domain/ports/id-generator';
import type { ChangeDeps } from '../../application/change-resident-access';
import type { BackoffOptions } from '../../shared/retry';
import { BackgroundRuns } from '../../application/background-runs';
import { sweepResidents } from '../../application/resident-sweep';

export interface BulkRemovalDeps extends ChangeDeps {
  jobs: BulkRemovalStore;
  clock: Clock;
  ids: IdGenerator;
  /** Progress is saved every so many residents: a crash repeats at most this many (as replays). */
  progressEvery: number;
}

/**
 * Removes the approvals a bulk job selected, one resident at a time, each its own change and
 * event. "All residents" means those approved when the job started: the stream is filtered on
 * that, so residents already done drop out and a resumed job does not revisit them.
 */
export class BulkRemovalRunner {
  private readonly runs: BackgroundRuns;

  constructor(
    private readonly deps: BulkRemovalDeps,
    private readonly logger: Logger,
    backoff?: BackoffOptions,
  ) {
    this.runs = new BackgroundRuns('bulk removal', logger, backoff);
  }

  async resumeUnfinished(): Promise<void> {
    for (const job of await this.deps.jobs.findUnfinished()) void this.run(job);
  }

  /**
   * Starts the job unless it runs already; resolves when this run ends (done, paused for
   * shutdown, or failed: a failed run is retried in the background).
   */
  run(job: BulkRemovalJob): Promise<void> {
    // A retry re-reads the job, so it resumes from the last saved progress.
    const run = async () => this.process((await this.deps.jobs.find(job.clinicId, job.id)) ?? job);
    return this.runs.start(`${job.clinicId}|${job.id}`, run, { jobId: job.id });
  }

  /** How many run in this process now (metrics). */
  get running(): number {
    return this.runs.count;
  }

  idle(): Promise<void> {
    return this.runs.idle();
  }

  /** Pauses running jobs after the residents in hand (their progress saved) for a quick shutdown. */
  stop(): Promise<void> {
    return this.runs.stop();
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
      { id: job.id, operation: 'RemoveApprovals' },
      job.residents ? { clinicId: job.clinicId, residents: job.residents } : { clinicId: job.clinicId, approvedBefore: job.startedAt },
      (current) => removeApproval(current, { ...stamp, at: this.deps.clock.now() }, this.deps.ids.next()),
      (changed) => {
        if (changed) progress.removed++;
        else progress.unchanged++;
        if (++sinceSave >= this.deps.progressEvery) {
          sinceSave = 0;
          const snapshot = { ...progress, finishedAt: null };
          saving = saving.then(() => this.deps.jobs.saveProgress(job.clinicId, job.id, snapshot)).catch(() => undefined);
        }
      },
      () => this.deps.clock.now(),
      this.runs.signal,
    ).catch(async (error: unknown) => {
      // Whatever was done counts, so a paused or failed job reports its progress.
      await saving;
      await this.deps.jobs.saveProgress(job.clinicId, job.id, { ...progress, finishedAt: null }).catch(() => undefined);
      throw error;
    });
    await saving;
    await this.deps.jobs.saveProgress(job.clinicId, job.id, { ...progress, finishedAt: this.deps.clock.now() });
    // A release lost here is taken over by the next hold, which finds this job finished.
    await this.deps.jobs.releaseClinic(job.clinicId, job.id).catch(() => undefined);
    this.logger.info({ jobId: job.id, clinicId: job.clinicId, ...progress }, 'bulk removal done');
  }
}
