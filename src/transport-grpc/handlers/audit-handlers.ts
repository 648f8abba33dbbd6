import { toAccessLogEntryMessage, toAuditEntryMessage } from '../../contract/audit-mapping';
import type { AuditServiceService } from '../../gen/residentaccess/v1/audit_service';
import type { AccessLogQueries } from '../../queries/access-log';
import type { AuditQueriesUseCase } from '../../queries/audit-queries';
import type { UseCaseHandlers } from '../use-case-handlers';

/** One handler per RPC of the service, typed from its generated definition. */
export type AuditHandlers = UseCaseHandlers<AuditServiceService>;

export function auditHandlers(queries: AuditQueriesUseCase, accessLog: AccessLogQueries): AuditHandlers {
  return {
    listClinicAuditEntries: async (r, { principal, signal }) => {
      const page = await queries.listClinicAuditEntries(principal, r, signal);
      return { entries: page.entries.map(toAuditEntryMessage), nextPageToken: page.nextPageToken };
    },
    listResidentAuditEntries: async (r, { principal, signal }) => {
      const page = await queries.listResidentAuditEntries(principal, r, signal);
      return { entries: page.entries.map(toAuditEntryMessage), nextPageToken: page.nextPageToken };
    },
    listResidentAccessLog: async (r, { principal, signal }) => {
      const page = await accessLog.listResidentAccessLog(principal, r, signal);
      return { entries: page.entries.map(toAccessLogEntryMessage), nextPageToken: page.nextPageToken };
    },
  };
}
