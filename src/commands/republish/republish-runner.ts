import type { Logger } from 'pino';
import { republish } from '../../domain/access/republish';
import type { AccessSelection } from '../../domain/ports/access-repository';
import type { Clock } from '../../domain/ports/clock';
import type { IdGenerator } from '../../domain/ports/id-generator';
import type { RepublishJob, RepublishJobStore, RepublishScope } from '../../domain/ports/republish-job-store';
import type { BackoffOptions } from '../../shared/retry';
import { BackgroundRuns } from '../../application/background-runs';
import type { ChangeDeps } from '../../application/change-resident-access';
import { sweepResidents } from '../../application/resident-sweep';

export interface RepublishDeps extends ChangeDeps {
  republishJobs: RepublishJobStore;
  clock: Clock;
  ids: IdGenerator;
  /** Progress is saved every so many accesses: a crash repeats at most this many (as replays). */
  progressEvery: number;
}

function selectionOf(scope: RepublishScope): AccessSelection {
  if (scope.clinicId === null) return { everyClinic: true };
  if (scope.resident !== null) return { clinicId: scope.clinicId, residents: [scope.resident] };
  return { clinicId: scope.clinicId, everyStored: true };
}

/**
 * Writes a REPUBLISHED event for each stored access in a job's scope, each its own change through
 * the outbox, so the relay publishes it after whatever that resident and clinic had before. The
 * job id stands as every document's request id: a resumed job replays what it did instead of
 * republishing twice.
 */
export class RepublishRunner {
  private readonly runs: BackgroundRuns;

  constructor(
    private readonly deps: RepublishDeps,
    private readonly logger: Logger,
    backoff?: BackoffOptions,
  ) {
    this.runs = new BackgroundRuns('republish', logger, backoff);
  }

  async resumeUnfinished(): Promise<void> {
    for (const job of await this.deps.republishJobs.findUnfinished()) void this.run(job);
  }

  /** Starts the job unless it runs already; resolves when this run ends. */
  run(job: RepublishJob): Promise<void> {
    const run = async () => this.process((await this.deps.republishJobs.find(job.id)) ?? job);
    return this.runs.start(job.id, run, { jobId: job.id });
  }

  idle(): Promise<void> {
    return this.runs.idle();
  }

  stop(): Promise<void> {
    return this.runs.stop();
  }

  private async process(job: RepublishJob): Promise<void> {
    if (job.finishedAt) return;
    const progress = { republished: job.republished, unchanged: job.unchanged };
    let sinceSave = 0;
    // Saves run one after another, and before the final one (which must land last).
    let saving: Promise<void> = Promise.resolve();
    const save = (finishedAt: Date | null) => this.deps.republishJobs.saveProgress(job.id, { ...progress, finishedAt });
    await sweepResidents(
      this.deps,
      { id: job.id, operation: 'Republish' },
      selectionOf(job.scope),
      (current) => republish(current, { actor: job.actor, at: this.deps.clock.now(), requestId: job.id }, this.deps.ids.next()),
      (changed) => {
        if (changed) progress.republished++;
        else progress.unchanged++;
        if (++sinceSave >= this.deps.progressEvery) {
          sinceSave = 0;
          saving = saving.then(() => save(null)).catch(() => undefined);
        }
      },
      () => this.deps.clock.now(),
      this.runs.signal,
    ).catch(async (error: unknown) => {
      await saving;
      await save(null).catch(() => undefined);
      throw error;
    });
    await saving;
    await save(this.deps.clock.now());
    this.logger.info({ jobId: job.id, clinicId: job.scope.clinicId, ...progress }, 'republish done');
  }
}
