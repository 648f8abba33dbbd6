import { DomainError } from '../../domain/errors/domain-error';
import type { BulkRemovalStore } from '../../domain/ports/bulk-removal-store';

export interface ClinicHoldLimits {
  /** A hold whose job was never stored (its instance died between the two writes) is let go after this long; a live call stores its job within milliseconds of holding it. */
  unstoredJobGraceMs: number;
  attempts: number;
}

export function bulkRemovalRunning(jobId: string): DomainError {
  return new DomainError('BULK_REMOVAL_RUNNING', `bulk removal ${jobId} is still running at this clinic; follow it or retry when it is done`, [], null, {
    jobId,
  });
}

/**
 * Makes `jobId` the clinic's one running bulk removal, or throws BULK_REMOVAL_RUNNING naming the
 * job that is. A hold left by a job that finished (its release lost in a crash) or that was never
 * stored is taken over; a crashed instance's unfinished job keeps its hold, since it resumes when
 * an instance starts.
 */
export async function holdClinicForBulkRemoval(jobs: BulkRemovalStore, clinicId: string, jobId: string, now: Date, limits: ClinicHoldLimits): Promise<void> {
  for (let attempt = 0; attempt < limits.attempts; attempt++) {
    const { holder, since } = await jobs.holdClinic(clinicId, jobId, now);
    if (holder === jobId) return;
    if (holder === '') continue;
    const held = await jobs.find(clinicId, holder);
    const abandoned = held ? held.finishedAt !== null : now.getTime() - since.getTime() > limits.unstoredJobGraceMs;
    if (!abandoned) throw bulkRemovalRunning(holder);
    await jobs.releaseClinic(clinicId, holder);
  }
  throw new DomainError('CONCURRENT_MODIFICATION', 'bulk removals of this clinic are starting concurrently; retry');
}
