import type { Principal, Role } from '../domain/authorization/principal';
import { emptySettings, type ClinicSettings } from '../domain/clinic/clinic-settings';
import { DomainError } from '../domain/errors/domain-error';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import { clinicForStaff } from './staff-clinic';

const CLINIC = 'SE2321000016-1234';
const SETTINGS: ClinicSettings = { ...emptySettings(CLINIC), caseTypes: [{ id: 'book-visit', name: 'Book a visit', restricted: false }], version: 3 };

/** A repository that holds the given clinics and counts its reads. */
function clinics(...stored: ClinicSettings[]): { repository: ClinicSettingsRepository; reads: string[] } {
  const reads: string[] = [];
  const find = async (clinicId: string) => {
    reads.push(clinicId);
    const settings = stored.find((s) => s.clinicId === clinicId);
    return settings ? { settings, recentRequests: [], pendingWithdrawals: [], revision: settings.version } : null;
  };
  return { repository: { find } as unknown as ClinicSettingsRepository, reads };
}

const staff = (roles: Role[]): Principal => ({ subject: 'staff-1', clinicRoles: new Map([[CLINIC, roles]]), scopes: [] });

async function failure(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('clinicForStaff', () => {
  it("gives the clinic's settings to a caller with the role there (staff unless another is named)", async () => {
    expect(await clinicForStaff(clinics(SETTINGS).repository, staff(['staff']), CLINIC)).toBe(SETTINGS);
    expect(await clinicForStaff(clinics(SETTINGS).repository, staff(['admin']), CLINIC, 'admin')).toBe(SETTINGS);
  });

  it('denies a caller without the role before reading the clinic', async () => {
    const { repository, reads } = clinics(SETTINGS);
    expect((await failure(clinicForStaff(repository, staff(['admin']), CLINIC))).code).toBe('PERMISSION_DENIED');
    expect((await failure(clinicForStaff(repository, staff(['staff']), CLINIC, 'admin'))).code).toBe('PERMISSION_DENIED');
    expect(reads).toEqual([]);
  });

  it('denies a clinic that does not exist with the same message as one that is not theirs', async () => {
    const missing = await failure(clinicForStaff(clinics().repository, staff(['staff']), CLINIC));
    const notTheirs = await failure(clinicForStaff(clinics(SETTINGS).repository, staff(['admin']), CLINIC));
    expect(missing.code).toBe('PERMISSION_DENIED');
    expect(missing.message).toBe(notTheirs.message);
  });
});
