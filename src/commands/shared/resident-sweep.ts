import type { Decision } from '../../domain/access/decision';
import type { ResidentAccess } from '../../domain/access/resident-access';
import { changeResidentAccess, type ChangeDeps } from './change-resident-access';
import { forEachConcurrently } from './for-each-concurrently';

const SWEEP_CONCURRENCY = 8;

/**
 * Applies one decision to many residents of a clinic, each as its own atomic change with its own
 * event. The job's id stands as every document's request id, so running the sweep again after a
 * crash replays what was done instead of doing it twice.
 */
export async function sweepResidents(
  deps: ChangeDeps,
  job: { clinicId: string; id: string; operation: string },
  residents: AsyncIterable<string>,
  decide: (current: ResidentAccess) => Decision,
  onResult: (changed: boolean) => void,
  now: () => Date,
  /** Aborted at shutdown: the sweep stops between residents and rejects with SweepInterrupted. */
  signal?: AbortSignal,
): Promise<void> {
  await forEachConcurrently(residents, SWEEP_CONCURRENCY, async (resident) => {
    const result = await changeResidentAccess(
      deps,
      {
        clinicId: job.clinicId,
        resident,
        requestId: job.id,
        fingerprint: `${job.operation}:${job.id}`,
        reserveRequestId: false,
        decide,
      },
      now(),
    );
    onResult(result.changed);
  }, signal);
  if (signal?.aborted) throw new SweepInterrupted();
}

/** The sweep stopped early because the service is stopping; running it again resumes it. */
export class SweepInterrupted extends Error {
  constructor() {
    super('sweep interrupted by shutdown');
    this.name = 'SweepInterrupted';
  }
}
