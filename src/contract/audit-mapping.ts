import type { AccessChanged } from '../domain/access/resident-access';
import type { AuditEntry } from '../gen/residentaccess/v1/audit_service';
import { toAccessChangedMessage, toResidentAccessMessage } from './access-mapping';

export function toAuditEntryMessage(event: AccessChanged): AuditEntry {
  return {
    eventId: event.eventId,
    clinicId: event.access.clinicId,
    personalIdentityNumber: event.access.resident,
    actor: event.actor,
    action: toAccessChangedMessage(event).cause,
    requestId: event.requestId,
    time: event.occurredAt,
    before: toResidentAccessMessage(event.before),
    after: toResidentAccessMessage(event.access),
  };
}
