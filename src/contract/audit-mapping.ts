import type { AccessChanged } from '../domain/access/resident-access';
import type { AccessLogEntry as StoredAccessLogEntry } from '../domain/ports/access-log';
import type { AccessLogEntry, AuditEntry } from '../gen/residentaccess/v1/audit_service';
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

export function toAccessLogEntryMessage(entry: StoredAccessLogEntry): AccessLogEntry {
  return { time: entry.at, subject: entry.subject, clinicId: entry.clinicId ?? '', read: entry.read, authority: entry.authority };
}
