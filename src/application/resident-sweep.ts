import type { Decision } from '../domain/access/decision';
import type { ResidentAccess } from '../domain/access/resident-access';
import type { AccessSelection } from '../domain/ports/access-repository';
import { changeManyAccesses } from './change-many-accesses';
import type { ChangeDeps } from './change-resident-access';

/**
 * Applies one decision to the selected accesses of a clinic, each as its own atomic change with
 * its own event, a page at a time. The job's id stands as every document's request id, so running
 * the sweep again after a crash replays what was done instead of doing it twice. Accesses are read
 * and changed a page (`tuning.sweepPageSize`) at a time: one read and a few writes per page.
 */
export async function sweepResidents(
  deps: ChangeDeps,
  job: { id: string; operation: string },
  selection: AccessSelection,
  decide: (current: ResidentAccess) => Decision,
  onResult: (changed: boolean) => void,
  now: () => Date,
  /** Aborted at shutdown: the sweep stops between pages and rejects with SweepInterrupted. */
  signal?: AbortSignal,
): Promise<void> {
  for await (const page of deps.repository.pages(selection, deps.tuning.sweepPageSize)) {
    if (signal?.aborted) break;
    const results = await changeManyAccesses(deps, page, { requestId: job.id, fingerprint: `${job.operation}:${job.id}`, decide }, now());
    for (const result of results) onResult(result.changed);
  }
  if (signal?.aborted) throw new SweepInterrupted();
}

/** The sweep stopped early because the service is stopping; running it again resumes it. */
export class SweepInterrupted extends Error {
  constructor() {
    super('sweep interrupted by shutdown');
    this.name = 'SweepInterrupted';
  }
}
