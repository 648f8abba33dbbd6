import { ENTITLEMENTS_SCOPE, OPERATOR_SCOPE, type Principal, type Role } from '../domain/authorization/principal';
import type { AccessLog } from '../domain/ports/access-log';
import type { Clock } from '../domain/ports/clock';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The access commands, each answering the resident's whole access (also when it changed nothing). */
export type AccessCommandName = 'ApproveResident' | 'RemoveApproval' | 'GrantCaseType' | 'ChangeGrant' | 'RemoveGrant';

/** The calls whose answers carry residents' data, so each is a logged read, by their RPC name. */
export type ResidentRead =
  | 'LookupResident'
  | 'GetResidentAccess'
  | 'ListResidents'
  | 'ListClinicAuditEntries'
  | 'ListResidentAuditEntries'
  | 'ListResidentAccessLog'
  | 'ListEntitlements'
  | 'CheckEntitlement'
  | 'InspectResident'
  | AccessCommandName;

/** What allowed a read: a staff role at the read's clinic, or the e-service's scope. */
export const byRole = (role: Role): string => `role:${role}`;
export const BY_ENTITLEMENTS_SCOPE = `scope:${ENTITLEMENTS_SCOPE}`;
export const BY_OPERATOR_SCOPE = `scope:${OPERATOR_SCOPE}`;

export interface AccessLogDeps {
  log: AccessLog;
  /** The keyed pseudonym of a resident number (the log's only trace of the resident). */
  pseudonymOf(resident: string): string;
  clock: Clock;
  retentionDays: number;
}

/**
 * Records reads of residents' personal data. The queries and the access commands await it before
 * they answer: it resolves once the entries are stored, and a refusal fails the call, so nothing is
 * answered whose entry is not stored.
 */
export function makeReadRecorder(deps: AccessLogDeps) {
  return async function recordReads(principal: Principal, read: ResidentRead, authority: string, clinicId: string | null, residents: Iterable<string>): Promise<void> {
    const at = deps.clock.now();
    const expiresAt = new Date(at.getTime() + deps.retentionDays * DAY_MS);
    const entries = [...new Set(residents)].map((resident) => ({
      at,
      subject: principal.subject,
      clinicId,
      residentPseudonym: deps.pseudonymOf(resident),
      read,
      authority,
      expiresAt,
    }));
    await deps.log.record(entries);
  };
}

export type RecordReads = ReturnType<typeof makeReadRecorder>;
