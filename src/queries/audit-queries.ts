import type { AccessChanged } from '../domain/access/resident-access';
import { requireActingResident, requireSameResident } from '../domain/authorization/policy';
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
type AuditFilter = { clinicId?: string; resident?: string };
const isPosition = (a: unknown): a is Position => typeof a === 'object' && a !== null && typeof (a as Position).t === 'string' && typeof (a as Position).e === 'string';

/** Reading the audit trail: administrators by clinic, the resident e-service by resident. */
export function makeAuditQueries(deps: { audit: AuditQueries; clinics: ClinicSettingsRepository; clock: Clock; recordReads: RecordReads; pageTokens: PageTokens }) {
  /** Reads the page fields into `violations`; throws them all at once, with any the caller added. */
  function pagePosition(filter: AuditFilter, pageSize: number, pageToken: string, violations: Violations): { limit: number; after: AuditPosition | null } {
    const limit = readPageSize(pageSize, violations);
    let after: AuditPosition | null = null;
    if (pageToken) {
      const position = deps.pageTokens.decode(pageToken, filter, isPosition);
      if (!position) violations.add({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN', description: 'is not a token of this listing' });
      else after = { at: new Date(position.t), eventId: position.e };
    }
    violations.throwIfAny();
    return { limit, after };
  }

  async function page(filter: AuditFilter, { limit, after }: { limit: number; after: AuditPosition | null }): Promise<AuditPage> {
    const found = await deps.audit.list(filter, after, limit + 1);
    const entries = found.slice(0, limit);
    const last = entries[entries.length - 1];
    return {
      entries,
      nextPageToken: found.length > limit && last ? deps.pageTokens.encode({ t: last.occurredAt.toISOString(), e: last.eventId }, filter) : '',
    };
  }

  const readResident = (written: string, violations: Violations) => readResidentNumber(written, stockholmDate(deps.clock.now()), violations);

  return {
    async listClinicAuditEntries(principal: Principal, r: { clinicId: string; personalIdentityNumber: string; pageSize: number; pageToken: string }, signal?: AbortSignal) {
      const violations = new Violations();
      violations.add(clinicIdViolation(r.clinicId));
      const resident = r.personalIdentityNumber ? readResident(r.personalIdentityNumber, violations)?.value : undefined;
      violations.throwIfAny();
      await clinicForStaff(deps.clinics, principal, r.clinicId, 'admin');
      signal?.throwIfAborted();
      const filter = { clinicId: r.clinicId, ...(resident ? { resident } : {}) };
      const shown = await page(filter, pagePosition(filter, r.pageSize, r.pageToken, violations));
      const residents = resident ? [resident] : shown.entries.map((e) => e.access.resident);
      await deps.recordReads(principal, 'ListClinicAuditEntries', byRole('admin'), r.clinicId, residents);
      return shown;
    },

    /** The resident's own trail at every clinic, for the e-service acting for that resident (token exchange). */
    async listResidentAuditEntries(principal: Principal, r: { personalIdentityNumber: string; pageSize: number; pageToken: string }, signal?: AbortSignal) {
      const actingFor = requireActingResident(principal);
      const violations = new Violations();
      const named = r.personalIdentityNumber ? readResident(r.personalIdentityNumber, violations) : null;
      const filter = { resident: actingFor.value };
      const position = pagePosition(filter, r.pageSize, r.pageToken, violations);
      requireSameResident(actingFor, named);
      signal?.throwIfAborted();
      // After the page: a refused page token reads nothing, so it logs nothing.
      const shown = await page(filter, position);
      await deps.recordReads(principal, 'ListResidentAuditEntries', BY_ENTITLEMENTS_SCOPE, null, [actingFor.value]);
      return shown;
    },
  };
}

export type AuditQueriesUseCase = ReturnType<typeof makeAuditQueries>;
