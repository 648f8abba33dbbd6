import type { BulkRemovalJob } from '../domain/ports/bulk-removal-store';
import { BulkRemovalState, type BulkRemoval } from '../gen/residentaccess/v1/resident_access_service';

export function toBulkRemovalMessage(job: BulkRemovalJob): BulkRemoval {
  return {
    id: job.id,
    clinicId: job.clinicId,
    state: job.finishedAt ? BulkRemovalState.BULK_REMOVAL_STATE_DONE : BulkRemovalState.BULK_REMOVAL_STATE_RUNNING,
    removedCount: job.removed,
    unchangedCount: job.unchanged,
    startTime: job.startedAt,
    finishTime: job.finishedAt ?? undefined,
    actor: job.actor,
  };
}
