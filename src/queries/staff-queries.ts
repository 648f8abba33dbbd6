import { emptyAccess, type ResidentAccess } from '../domain/access/resident-access';
import type { Principal } from '../domain/authorization/principal';
import { caseTypeIdViolation } from '../domain/clinic/settings-validation';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import { DomainError, Violations } from '../domain/errors/domain-error';
import { readResidentNumber } from '../application/inputs';
import type { AccessQueries } from '../domain/ports/access-queries';
import type { AccessRepository } from '../domain/ports/access-repository';
import type { BulkRemovalJob, BulkRemovalStore } from '../domain/ports/bulk-removal-store';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import type { Clock } from '../domain/ports/clock';
import type { RegisteredResident, ResidentRegister } from '../domain/identity/registered-resident';
import { stockholmDate } from '../domain/time/stockholm';
import { clinicForStaff } from '../application/staff-clinic';
import { byRole, type RecordReads } from '../application/record-reads';
import { isResidentNumber, type PageTokens } from '../application/page-token';
import { readPageSize } from '../application/page-size';

export interface StaffQueryDeps {
  access: AccessRepository;
  accessQueries: AccessQueries;
  clinics: ClinicSettingsRepository;
  register: ResidentRegister;
  jobs: BulkRemovalStore;
  clock: Clock;
  recordReads: RecordReads;
  pageTokens: PageTokens;
}

export interface ResidentListing {
  residents: { access: ResidentAccess; name: string }[];
  nextPageToken: string;
}

/** A name that may be shown: never for protected identity. */
export function displayName(registered: RegisteredResident | null | undefined): string {
  if (!registered || registered.protectedIdentity) return '';
  return `${registered.givenName} ${registered.familyName}`.trim();
}

/** The staff's read side: lookups, one resident's access, the clinic's list, bulk jobs. */
export function makeStaffQueries(deps: StaffQueryDeps) {
  const readNumber = (clinicId: string, written: string) => {
    const violations = new Violations();
    violations.add(clinicIdViolation(clinicId));
    const number = readResidentNumber(written, stockholmDate(deps.clock.now()), violations);
    violations.throwIfAny();
    return number!.value;
  };

  return {
    async lookupResident(principal: Principal, clinicId: string, written: string, signal?: AbortSignal) {
      const resident = readNumber(clinicId, written);
      signal?.throwIfAborted();
      await clinicForStaff(deps.clinics, principal, clinicId);
      signal?.throwIfAborted();
      // The entry is written while the register is read; the answer waits for both.
      const [registered] = await Promise.all([deps.register.find(resident), deps.recordReads(principal, 'LookupResident', byRole('staff'), clinicId, [resident])]);
      return {
        personalIdentityNumber: resident,
        name: displayName(registered),
        protectedIdentity: registered?.protectedIdentity ?? false,
        registered: registered !== null,
      };
    },

    async getResidentAccess(principal: Principal, clinicId: string, written: string, signal?: AbortSignal): Promise<ResidentAccess> {
      const resident = readNumber(clinicId, written);
      signal?.throwIfAborted();
      await clinicForStaff(deps.clinics, principal, clinicId);
      signal?.throwIfAborted();
      const [stored] = await Promise.all([deps.access.find(clinicId, resident), deps.recordReads(principal, 'GetResidentAccess', byRole('staff'), clinicId, [resident])]);
      return stored?.access ?? emptyAccess(clinicId, resident);
    },

    async listResidents(
      principal: Principal,
      request: { clinicId: string; pageSize: number; pageToken: string; approvedOnly: boolean; caseTypeId: string },
      signal?: AbortSignal,
    ): Promise<ResidentListing> {
      const violations = new Violations();
      violations.add(clinicIdViolation(request.clinicId));
      if (request.caseTypeId) violations.add(caseTypeIdViolation(request.caseTypeId));
      const limit = readPageSize(request.pageSize, violations);
      const filter = { approvedOnly: request.approvedOnly, caseTypeId: request.caseTypeId || null };
      const after = request.pageToken ? deps.pageTokens.decode(request.pageToken, { clinicId: request.clinicId, ...filter }, isResidentNumber) : null;
      if (after === undefined) {
        violations.add({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN', description: 'is not a token of this listing' });
      }
      violations.throwIfAny();
      signal?.throwIfAborted();
      await clinicForStaff(deps.clinics, principal, request.clinicId);
      signal?.throwIfAborted();

      const page = await deps.accessQueries.listClinicResidents(request.clinicId, filter, after ?? null, limit + 1);
      const shown = page.slice(0, limit);
      signal?.throwIfAborted();
      const residents = shown.map((a) => a.resident);
      const [names] = await Promise.all([deps.register.findMany(residents), deps.recordReads(principal, 'ListResidents', byRole('staff'), request.clinicId, residents)]);
      return {
        residents: shown.map((access) => ({ access, name: displayName(names.get(access.resident)) })),
        nextPageToken: page.length > limit ? deps.pageTokens.encode(shown[shown.length - 1]!.resident, { clinicId: request.clinicId, ...filter }) : '',
      };
    },

    async getBulkRemoval(principal: Principal, clinicId: string, id: string, signal?: AbortSignal): Promise<BulkRemovalJob> {
      const violations = new Violations();
      violations.add(clinicIdViolation(clinicId));
      violations.throwIfAny();
      signal?.throwIfAborted();
      await clinicForStaff(deps.clinics, principal, clinicId);
      signal?.throwIfAborted();
      const job = await deps.jobs.find(clinicId, id);
      if (!job) throw new DomainError('BULK_REMOVAL_NOT_FOUND', 'no bulk removal with this id at this clinic');
      return job;
    },
  };
}

export type StaffQueries = ReturnType<typeof makeStaffQueries>;
