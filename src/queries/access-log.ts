import { requireEntitlementsScope } from '../domain/authorization/policy';
import { ENTITLEMENTS_SCOPE, OPERATOR_SCOPE, type Principal, type Role } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import { Violations } from '../domain/errors/domain-error';
import { readResidentNumber } from '../application/inputs';
import type { AccessLog, AccessLogPosition, StoredAccessLogEntry } from '../domain/ports/access-log';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import type { Clock } from '../domain/ports/clock';
import { stockholmDate } from '../domain/time/stockholm';
import { clinicForStaff } from '../application/staff-clinic';
import { readPageSize } from '../application/page-size';
import type { PageTokens } from '../application/page-token';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The reads that are logged, by their RPC name. */
export type ResidentRead =
  'LookupResident' | 'GetResidentAccess' | 'ListResidents' | 'ListClinicAuditEntries' | 'ListResidentAuditEntries' | 'ListEntitlements' | 'CheckEntitlement' | 'InspectResident';

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
 * Records reads of residents' personal data. The query use cases call it before they answer: the
 * log takes the entries (storing them within its flush interval) or refuses them, and a refused
 * entry fails the read (UNAVAILABLE), so no read is answered that the log could not take.
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
    // A refusal is the log's STORAGE_UNAVAILABLE; anything else is unexpected (INTERNAL).
    deps.log.record(entries);
  };
}

export type RecordReads = ReturnType<typeof makeReadRecorder>;

export interface AccessLogPage {
  entries: StoredAccessLogEntry[];
  nextPageToken: string;
}

type Position = { t: string; i: string };
const isPosition = (a: unknown): a is Position => typeof a === 'object' && a !== null && typeof (a as Position).t === 'string' && typeof (a as Position).i === 'string';

/**
 * "Who looked at me": a resident's access log, newest first. The resident e-service (entitlements
 * scope) sees every read; a clinic's administrators see the reads made for their clinic (the care
 * provider's log follow-up).
 */
export function makeAccessLogQueries(deps: { log: AccessLog; pseudonymOf(resident: string): string; clinics: ClinicSettingsRepository; clock: Clock; pageTokens: PageTokens }) {
  return {
    async listResidentAccessLog(
      principal: Principal,
      r: { personalIdentityNumber: string; clinicId: string; pageSize: number; pageToken: string },
      signal?: AbortSignal,
    ): Promise<AccessLogPage> {
      if (!r.clinicId) requireEntitlementsScope(principal);
      const violations = new Violations();
      if (r.clinicId) violations.add(clinicIdViolation(r.clinicId));
      const read = readResidentNumber(r.personalIdentityNumber, stockholmDate(deps.clock.now()), violations);
      const limit = readPageSize(r.pageSize, violations);
      const resident = read?.value ?? '';
      // The listing's digest holds the pseudonym, so a token shows nothing of the number.
      const filter = { residentPseudonym: deps.pseudonymOf(resident), ...(r.clinicId ? { clinicId: r.clinicId } : {}) };
      let after: AccessLogPosition | null = null;
      if (r.pageToken) {
        const position = deps.pageTokens.decode(r.pageToken, filter, isPosition);
        if (!position) violations.add({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN', description: 'is not a token of this listing' });
        else after = { at: new Date(position.t), id: position.i };
      }
      violations.throwIfAny();
      if (r.clinicId) await clinicForStaff(deps.clinics, principal, r.clinicId, 'admin');
      signal?.throwIfAborted();

      const found = await deps.log.list(filter, after, limit + 1);
      const entries = found.slice(0, limit);
      const last = entries[entries.length - 1];
      return {
        entries,
        nextPageToken: found.length > limit && last ? deps.pageTokens.encode({ t: last.at.toISOString(), i: last.id }, filter) : '',
      };
    },
  };
}

export type AccessLogQueries = ReturnType<typeof makeAccessLogQueries>;
