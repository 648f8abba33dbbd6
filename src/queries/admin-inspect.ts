import { emptyAccess, type AccessChanged, type ResidentAccess } from '../domain/access/resident-access';
import { requireOperatorScope } from '../domain/authorization/policy';
import type { Principal } from '../domain/authorization/principal';
import { Violations } from '../domain/errors/domain-error';
import { readResidentNumber } from '../application/inputs';
import type { AccessRepository } from '../domain/ports/access-repository';
import type { AuditQueries } from '../domain/ports/audit';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import type { Clock } from '../domain/ports/clock';
import type { UnpublishedEvents, UnpublishedOfResident } from '../domain/ports/outbox-backlog';
import type { ResidentViews } from '../domain/ports/resident-views';
import { emptySettings } from '../domain/clinic/clinic-settings';
import { stockholmDate } from '../domain/time/stockholm';
import { BY_OPERATOR_SCOPE, type RecordReads } from '../application/record-reads';
import { caseTypeAvailability, type CaseTypeAvailability } from './admin-case-type-availability';

const DEFAULT_AUDIT_ENTRIES = 10;
const MAX_AUDIT_ENTRIES = 100;

export interface ClinicInspection {
  access: ResidentAccess;
  caseTypes: CaseTypeAvailability[];
}

export interface ResidentInspection {
  resident: string;
  registered: boolean;
  clinics: ClinicInspection[];
  recentAuditEntries: AccessChanged[];
  unpublished: UnpublishedOfResident;
}

export interface InspectDeps {
  views: Pick<ResidentViews, 'find'>;
  access: Pick<AccessRepository, 'find'>;
  clinics: Pick<ClinicSettingsRepository, 'findMany'>;
  audit: Pick<AuditQueries, 'latestOf'>;
  unpublished: UnpublishedEvents;
  clock: Clock;
  recordReads: RecordReads;
}

/**
 * "What access does this resident have, and why": the resident's clinics come from their view
 * (one document), the access at each from its own document (the truth, with version and etag).
 */
export function makeInspectResident(deps: InspectDeps) {
  return async (principal: Principal, r: { personalIdentityNumber: string; auditEntryCount: number }, signal?: AbortSignal): Promise<ResidentInspection> => {
    requireOperatorScope(principal);
    const now = deps.clock.now();
    const violations = new Violations();
    const read = readResidentNumber(r.personalIdentityNumber, stockholmDate(now), violations);
    if (!Number.isInteger(r.auditEntryCount) || r.auditEntryCount < 0 || r.auditEntryCount > MAX_AUDIT_ENTRIES) {
      violations.add({ field: 'audit_entry_count', reason: 'INVALID_AUDIT_ENTRY_COUNT', description: `must be 0 to ${MAX_AUDIT_ENTRIES}` });
    }
    violations.throwIfAny();
    const number = read!;
    const resident = number.value;
    signal?.throwIfAborted();

    const view = await deps.views.find(resident);
    const clinicIds = [...(view?.clinics.keys() ?? [])].sort();
    const [accesses, settings, recentAuditEntries, unpublished] = await Promise.all([
      Promise.all(clinicIds.map(async (c) => (await deps.access.find(c, resident))?.access ?? emptyAccess(c, resident))),
      deps.clinics.findMany(clinicIds),
      deps.audit.latestOf(resident, r.auditEntryCount || DEFAULT_AUDIT_ENTRIES),
      deps.unpublished.ofResident(resident, clinicIds),
    ]);
    const facts = { number, registered: view?.home ?? null };
    const clinics = accesses.map((access) => ({
      access,
      caseTypes: caseTypeAvailability(settings.get(access.clinicId) ?? emptySettings(access.clinicId), access, facts, now),
    }));
    await deps.recordReads(principal, 'InspectResident', BY_OPERATOR_SCOPE, null, [resident]);
    return { resident, registered: facts.registered !== null, clinics, recentAuditEntries, unpublished };
  };
}

export type InspectResident = ReturnType<typeof makeInspectResident>;
