import type { AccessChanged } from '../domain/access/resident-access';
import { requireEntitlementsScope } from '../domain/authorization/policy';
import type { Principal } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import { Violations } from '../domain/errors/domain-error';
import { readResidentNumber } from '../application/inputs';
import type { AuditPosition, AuditQueries } from '../domain/ports/audit';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import type { Clock } from '../domain/ports/clock';
import { stockholmDate } from '../domain/time/stockholm';
import { clinicForStaff } from '../application/staff-clinic';
import { BY_ENTITLEMENTS_SCOPE, byRole, type RecordReads } from '../application/record-reads';
import { readPageSize } from '../application/page-size';
import type { PageTokens } from '../application/page-token';

export interface AuditPage {
  entries: AccessChanged[];
  nextPageToken: string;
}

type Position = { t: string; e: string };
const isPosition = (a: unknown): a is Position => typeof a === 'object' && a !== null && typeof (a as Position).t === 'string' && typeof (a as Position).e === 'string';

/** Reading the audit trail: administrators by clinic, the resident e-service by resident. */
export function makeAuditQueries(deps: { audit: AuditQueries; clinics: ClinicSettingsRepository; clock: Clock; recordReads: RecordReads; pageTokens: PageTokens }) {
  async function page(filter: { clinicId?: string; resident?: string }, pageSize: number, pageToken: string, violations: Violations): Promise<AuditPage> {
    const limit = readPageSize(pageSize, violations);
    let after: AuditPosition | null = null;
    if (pageToken) {
      const position = deps.pageTokens.decode(pageToken, filter, isPosition);
      if (!position) violations.add({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN', description: 'is not a token of this listing' });
      else after = { at: new Date(position.t), eventId: position.e };
    }
    violations.throwIfAny();
    const found = await deps.audit.list(filter, after, limit + 1);
    const entries = found.slice(0, limit);
    const last = entries[entries.length - 1];
    return {
      entries,
      nextPageToken: found.length > limit && last ? deps.pageTokens.encode({ t: last.occurredAt.toISOString(), e: last.eventId }, filter) : '',
    };
  }

  const readResident = (written: string, violations: Violations): string | undefined => readResidentNumber(written, stockholmDate(deps.clock.now()), violations)?.value;

  return {
    async listClinicAuditEntries(principal: Principal, r: { clinicId: string; personalIdentityNumber: string; pageSize: number; pageToken: string }, signal?: AbortSignal) {
      const violations = new Violations();
      violations.add(clinicIdViolation(r.clinicId));
      const resident = r.personalIdentityNumber ? readResident(r.personalIdentityNumber, violations) : undefined;
      violations.throwIfAny();
      await clinicForStaff(deps.clinics, principal, r.clinicId, 'admin');
      signal?.throwIfAborted();
      const shown = await page({ clinicId: r.clinicId, ...(resident ? { resident } : {}) }, r.pageSize, r.pageToken, violations);
      const residents = resident ? [resident] : shown.entries.map((e) => e.access.resident);
      await deps.recordReads(principal, 'ListClinicAuditEntries', byRole('admin'), r.clinicId, residents);
      return shown;
    },

    async listResidentAuditEntries(principal: Principal, r: { personalIdentityNumber: string; pageSize: number; pageToken: string }, signal?: AbortSignal) {
      requireEntitlementsScope(principal);
      const violations = new Violations();
      const resident = readResident(r.personalIdentityNumber, violations);
      violations.throwIfAny();
      signal?.throwIfAborted();
      // After the page: a refused page token reads nothing, so it logs nothing.
      const shown = await page({ resident: resident! }, r.pageSize, r.pageToken, violations);
      await deps.recordReads(principal, 'ListResidentAuditEntries', BY_ENTITLEMENTS_SCOPE, null, [resident!]);
      return shown;
    },
  };
}

export type AuditQueriesUseCase = ReturnType<typeof makeAuditQueries>;
