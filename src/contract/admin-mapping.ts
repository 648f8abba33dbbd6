import * as admin from '../gen/residentaccess/v1/admin_service';
import type { OutboxBacklog } from '../domain/ports/outbox-backlog';
import type { CaseTypeAvailability, AvailabilityReason } from '../queries/admin-case-type-availability';
import type { ResidentInspection } from '../queries/admin-inspect';
import type { JobKind, JobSummary } from '../queries/admin-jobs';
import { toResidentAccessMessage } from './access-mapping';
import { toAuditEntryMessage } from './audit-mapping';

const reasons: Record<AvailabilityReason, admin.AvailabilityReason> = {
  APPROVED: admin.AvailabilityReason.AVAILABILITY_REASON_APPROVED,
  SERVICE_AREA: admin.AvailabilityReason.AVAILABILITY_REASON_SERVICE_AREA,
  GRANT: admin.AvailabilityReason.AVAILABILITY_REASON_GRANT,
  NOT_APPROVED: admin.AvailabilityReason.AVAILABILITY_REASON_NOT_APPROVED,
  NO_VALID_GRANT: admin.AvailabilityReason.AVAILABILITY_REASON_NO_VALID_GRANT,
  GRANT_PENDING: admin.AvailabilityReason.AVAILABILITY_REASON_GRANT_PENDING,
};

const kinds: Record<JobKind, admin.JobKind> = {
  BULK_REMOVAL: admin.JobKind.JOB_KIND_BULK_REMOVAL,
  WITHDRAWAL: admin.JobKind.JOB_KIND_WITHDRAWAL,
  REPUBLISH: admin.JobKind.JOB_KIND_REPUBLISH,
  IMPORT: admin.JobKind.JOB_KIND_IMPORT,
};

function toAvailabilityMessage(c: CaseTypeAvailability): admin.CaseTypeAvailability {
  return { caseTypeId: c.caseTypeId, name: c.name, restricted: c.restricted, available: c.available, reason: reasons[c.reason], untilDate: c.until ?? '' };
}

export function toInspectionMessage(i: ResidentInspection): admin.InspectResidentResponse {
  return {
    personalIdentityNumber: i.resident,
    registered: i.registered,
    clinics: i.clinics.map((c) => ({ access: toResidentAccessMessage(c.access), caseTypes: c.caseTypes.map(toAvailabilityMessage) })),
    recentAuditEntries: i.recentAuditEntries.map(toAuditEntryMessage),
    unpublishedEvents: { count: i.unpublished.count, oldestTime: i.unpublished.oldest ?? undefined },
  };
}

export function toJobMessage(job: JobSummary): admin.Job {
  return {
    id: job.id,
    kind: kinds[job.kind],
    clinicId: job.clinicId ?? '',
    state: job.finishedAt ? admin.JobState.JOB_STATE_SUCCEEDED : admin.JobState.JOB_STATE_RUNNING,
    changedCount: job.changed,
    unchangedCount: job.unchanged,
    actor: job.actor,
    startTime: job.startedAt,
    finishTime: job.finishedAt ?? undefined,
    scope: job.scope,
    failedCount: job.failed,
  };
}

export function toOutboxStatusMessage(o: { name: string; backlog: OutboxBacklog }): admin.OutboxStatus {
  return { name: o.name, pendingDocuments: o.backlog.pendingDocuments, oldestPendingTime: o.backlog.oldestPendingSince ?? undefined };
}
