import { TUNING } from '../../config/config';
import type { Principal } from '../../domain/authorization/principal';
import type { CaseType } from '../../domain/clinic/clinic-settings';
import { DomainError } from '../../domain/errors/domain-error';
import { personalIdentityNumberFor } from '../../domain/identity/personal-identity-number.arbitrary';
import type { AccessChange, AccessRepository, StoredAccess } from '../../domain/ports/access-repository';
import type { ClinicSettingsRepository } from '../../domain/ports/clinic-settings-repository';
import type { RequestKey } from '../../domain/ports/request-registry';
import { KeyedQueue } from '../../shared/keyed-queue';
import type { AccessCommandDeps } from './access-command';
import { makeApproveResident } from './approve-resident';
import { makeGrantCaseType } from './grant-case-type';

const CLINIC = 'SE2321000016-1234';
const RESIDENT = personalIdentityNumberFor('1980-02-10', 123);
const OPEN: CaseType = { id: 'book-visit', name: 'Book a visit', restricted: false };
const RESTRICTED: CaseType = { id: 'diabetes-team', name: 'Diabetes team', restricted: true };
const STAFF: Principal = { subject: 'staff-1', clinicRoles: new Map([[CLINIC, ['staff']]]), scopes: [] };

const unused = (name: string) => () => {
  throw new Error(`${name} is not used by the access commands`);
};

/**
 * The access commands over in-memory ports: one clinic with an open and a restricted case type,
 * and records of what reached storage (saved accesses, reserved request ids).
 */
function accessCommands(recordReads: AccessCommandDeps['recordReads'] = async () => undefined) {
  const stored = new Map<string, StoredAccess>();
  const saved: AccessChange[] = [];
  const reserved: RequestKey[] = [];
  const repository: AccessRepository = {
    find: async (clinicId, resident) => stored.get(`${clinicId}|${resident}`) ?? null,
    stateAt: async () => null,
    save: async (change) => {
      saved.push(change);
      const key = `${change.access.clinicId}|${change.access.resident}`;
      if ((stored.get(key)?.revision ?? 0) !== change.stored.revision) return 'conflict';
      stored.set(key, { access: change.access, recentRequests: [...change.stored.recentRequests, change.outcome], revision: change.stored.revision + 1 });
      return 'saved';
    },
    saveAll: unused('saveAll'),
    findDue: unused('findDue'),
    pages: unused('pages'),
  };
  const clinics: ClinicSettingsRepository = {
    find: async (clinicId) =>
      clinicId === CLINIC
        ? { settings: { clinicId, caseTypes: [OPEN, RESTRICTED], serviceArea: null, grantEndingSoonDays: 0, version: 2 }, recentRequests: [], pendingWithdrawals: [], revision: 2 }
        : null,
    findMany: unused('findMany'),
    findAll: unused('findAll'),
    changeMarker: unused('changeMarker'),
    markChanged: unused('markChanged'),
    save: unused('save'),
    withdrawalDone: unused('withdrawalDone'),
    findPendingWithdrawals: unused('findPendingWithdrawals'),
  };
  let eventIds = 0;
  const deps: AccessCommandDeps = {
    repository,
    clinics,
    requests: {
      reserve: async (key, _fingerprint, now) => {
        reserved.push(key);
        return { existingFingerprint: null, expiresAt: new Date(now.getTime() + 60_000) };
      },
    },
    outboxSignal: { eventsStored: () => undefined },
    queue: new KeyedQueue(),
    views: { changed: async () => undefined, changedMany: async () => undefined },
    tuning: TUNING.changes,
    clock: { now: () => new Date('2026-05-01T10:00:00Z') },
    ids: { next: () => `event-${++eventIds}` },
    recordReads,
  };
  return { deps, saved, reserved, stored: (resident: string) => stored.get(`${CLINIC}|${resident}`) ?? null };
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  return error instanceof DomainError ? error.code : `no domain error: ${String(error)}`;
}

const call = (requestId: string, extra: { etag?: string } = {}) => ({ principal: STAFF, clinicId: CLINIC, personalIdentityNumber: RESIDENT, requestId, ...extra });

describe('granting a case type', () => {
  it('refuses a case type that is not restricted, before reserving the request id or storing anything', async () => {
    const { deps, saved, reserved } = accessCommands();
    const grant = makeGrantCaseType(deps);

    expect(await codeOf(grant({ ...call('grant-open'), caseTypeId: OPEN.id, untilFurtherNotice: true }))).toBe('CASE_TYPE_NOT_RESTRICTED');
    expect(saved).toEqual([]);
    expect(reserved).toEqual([]);
  });

  it('grants a restricted one (the same call, so the refusal above is the case type)', async () => {
    const { deps, stored } = accessCommands();
    const grant = makeGrantCaseType(deps);

    await expect(grant({ ...call('grant-restricted'), caseTypeId: RESTRICTED.id, untilFurtherNotice: true })).resolves.toMatchObject({ changed: true });
    expect(stored(RESIDENT)?.access.grants.map((g) => g.caseTypeId)).toEqual([RESTRICTED.id]);
  });

  it('refuses a case type the clinic does not have', async () => {
    const { deps, saved } = accessCommands();
    expect(await codeOf(makeGrantCaseType(deps)({ ...call('grant-unknown'), caseTypeId: 'no-such-type', untilFurtherNotice: true }))).toBe('CASE_TYPE_NOT_FOUND');
    expect(saved).toEqual([]);
  });
});

describe('an etag given for a resident whose access was never stored', () => {
  it('is refused as stale unless it is the etag of the empty access, and nothing is stored', async () => {
    const { deps, saved, stored } = accessCommands();
    const approve = makeApproveResident(deps);

    // A never-stored access reads as version 0, etag W/"0"; an etag of any other version was not read from it.
    expect(await codeOf(approve(call('approve-stale', { etag: 'W/"3"' })))).toBe('STALE_ETAG');
    expect(saved).toEqual([]);
    expect(stored(RESIDENT)).toBeNull();

    await expect(approve(call('approve-read', { etag: 'W/"0"' }))).resolves.toMatchObject({ changed: true, access: { version: 1 } });
  });
});

describe('an answer whose read cannot be logged', () => {
  it('is withheld as ANSWER_WITHHELD, not refused as if nothing changed: the change is stored, and the retry replays it', async () => {
    let logWorks = false;
    const { deps, stored } = accessCommands(async () => {
      if (!logWorks) throw new DomainError('STORAGE_UNAVAILABLE', 'the access log cannot be written, so nothing is read; retry later');
    });
    const approve = makeApproveResident(deps);

    expect(await codeOf(approve(call('approve-unlogged')))).toBe('ANSWER_WITHHELD');
    expect(stored(RESIDENT)?.access).toMatchObject({ approval: { actor: STAFF.subject }, version: 1 });

    logWorks = true;
    await expect(approve(call('approve-unlogged'))).resolves.toMatchObject({ changed: true, access: { version: 1 } });
  });
});
