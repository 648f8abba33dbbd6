import { status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { aResident, tenDigitForm } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { errorDetails, failureOf, retryDelayOf, type Api } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { signTestToken } from '../support/tokens';
import { eventually } from '../support/eventually';

const ENTITLEMENTS = 'resident-access:entitlements';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A clock the test moves; the service asks it for "now" everywhere. */
const clock = { current: new Date('2027-03-01T09:00:00Z'), now: () => new Date(clock.current) };
const tick = () => (clock.current = new Date(clock.current.getTime() + 1000));

describe('the access log of reads', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let otherClinic: string;
  let eservice: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ clock, env: { ACCESS_LOG_RETENTION_DAYS: '30', RETENTION_PURGE_INTERVAL_MS: '200' } });
    clinicId = await sut.givenClinic({ caseTypes: [{ id: 'general', name: 'General', restricted: false }] });
    otherClinic = await sut.givenClinic();
    eservice = await sut.eservice();
  });
  afterAll(async () => {
    await sut.stop();
  });

  const as = async (sub: string, clinics: string[], roles: ('staff' | 'admin')[]) => sut.api(await signTestToken({ sub, clinics, roles }));
  /** Every page of the resident's log, by default as the e-service acting for the resident, without the entries these listings leave. */
  const logOf = async (personalIdentityNumber: string, caller?: Api, clinic = '') => {
    const lister = caller ?? (await sut.eserviceFor(personalIdentityNumber));
    const entries = [];
    let pageToken = '';
    do {
      const page = await lister.listResidentAccessLog({ personalIdentityNumber, clinicId: clinic, pageSize: 0, pageToken });
      entries.push(...page.entries);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return entries.filter((e) => e.read !== 'ListResidentAccessLog');
  };
  const approved = async (resident: string, at = clinicId) => {
    const requestId = randomUUID();
    await (await sut.staff(at)).approveResident({ clinicId: at, personalIdentityNumber: resident, requestId, etag: '' });
    await sut.events.waitFor((e) => e.value.requestId === requestId); // its audit entry is written too
  };

  it('records every kind of read with subject, clinic, read and authority, one entry per resident shown', async () => {
    const [resident, neighbour] = [aResident(), aResident()];
    const clinic = await sut.givenClinic({ caseTypes: [{ id: 'general', name: 'General', restricted: false }] });
    await approved(resident, clinic);
    await approved(neighbour, clinic);
    const [sSub, aSub, rSub] = [`staff-${randomUUID()}`, `admin-${randomUUID()}`, `resident-${randomUUID()}`];
    const staff = await as(sSub, [clinic], ['staff']);
    const admin = await as(aSub, [clinic], ['staff', 'admin']);

    await staff.lookupResident({ clinicId: clinic, personalIdentityNumber: tenDigitForm(resident) });
    await staff.getResidentAccess({ clinicId: clinic, personalIdentityNumber: resident });
    const listed = await staff.listResidents({ clinicId: clinic, pageSize: 0, pageToken: '', approvedOnly: false, caseTypeId: '' });
    expect(listed.residents).toHaveLength(2);
    await admin.listClinicAuditEntries({ clinicId: clinic, personalIdentityNumber: '', pageSize: 0, pageToken: '' });
    await (await sut.eserviceFor(resident, rSub)).listResidentAuditEntries({ personalIdentityNumber: '', pageSize: 0, pageToken: '' });
    await eservice.listEntitlements({ personalIdentityNumber: resident });
    await eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId: clinic, caseTypeId: 'general' });

    const entries = await logOf(resident);
    expect(entries.map((e) => [e.read, e.subject, e.clinicId, e.authority]).sort()).toEqual(
      [
        ['ApproveResident', 'staff-1', clinic, 'role:staff'],
        ['LookupResident', sSub, clinic, 'role:staff'],
        ['GetResidentAccess', sSub, clinic, 'role:staff'],
        ['ListResidents', sSub, clinic, 'role:staff'],
        ['ListClinicAuditEntries', aSub, clinic, 'role:admin'],
        ['ListResidentAuditEntries', rSub, '', `scope:${ENTITLEMENTS}`],
        ['ListEntitlements', 'resident-eservice', '', `scope:${ENTITLEMENTS}`],
        ['CheckEntitlement', 'resident-eservice', clinic, `scope:${ENTITLEMENTS}`],
      ].sort(),
    );
    expect(entries.every((e) => e.time instanceof Date)).toBe(true);
    // The neighbour was on the list page and in the clinic's audit page, and read nowhere else.
    expect((await logOf(neighbour)).map((e) => e.read).sort()).toEqual(['ApproveResident', 'ListClinicAuditEntries', 'ListResidents']);
  });

  it('logs every access command answer as a read of the resident: a change, a no-op and a replay alike', async () => {
    const resident = aResident();
    const sub = `staff-${randomUUID()}`;
    const staff = await as(sub, [clinicId], ['staff']);
    const approval = { clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' };

    await staff.approveResident(approval);
    await staff.approveResident(approval); // a retry: the stored answer again
    const noop = await staff.removeGrant({ clinicId, personalIdentityNumber: resident, caseTypeId: 'general', requestId: randomUUID(), etag: '' });
    expect(noop).toMatchObject({ changed: false, access: { personalIdentityNumber: resident } });

    await eventually(async () => (await logOf(resident)).length === 3, { what: 'three access-log entries' });
    expect((await logOf(resident)).map((e) => [e.read, e.subject, e.clinicId, e.authority]).sort()).toEqual(
      [
        ['ApproveResident', sub, clinicId, 'role:staff'],
        ['ApproveResident', sub, clinicId, 'role:staff'],
        ['RemoveGrant', sub, clinicId, 'role:staff'],
      ].sort(),
    );
  });

  it('lists newest first, page by page', async () => {
    const resident = aResident();
    const staff = await sut.staff(clinicId);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      tick();
      times.push(clock.now().getTime());
      await staff.lookupResident({ clinicId, personalIdentityNumber: resident });
    }
    const forResident = await sut.eserviceFor(resident);
    const pages: number[][] = [];
    let pageToken = '';
    do {
      // Each listing is logged too, at the latest lookup's time: after the pages' positions.
      const page = await forResident.listResidentAccessLog({ personalIdentityNumber: '', clinicId: '', pageSize: 2, pageToken });
      pages.push(page.entries.map((e) => e.time!.getTime()));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(pages).toEqual([times.slice(3).reverse(), times.slice(1, 3).reverse(), [times[0]]]);

    // A token of this resident's listing does not page another resident's.
    const { nextPageToken } = await forResident.listResidentAccessLog({ personalIdentityNumber: '', clinicId: '', pageSize: 1, pageToken: '' });
    const foreign = await failureOf((await sut.eserviceFor(aResident())).listResidentAccessLog({ personalIdentityNumber: '', clinicId: '', pageSize: 1, pageToken: nextPageToken }));
    expect(foreign.code).toBe(status.INVALID_ARGUMENT);
  });

  it("a clinic's administrators see the reads made for their clinic; others are denied", async () => {
    const resident = aResident();
    await (await sut.staff(clinicId)).lookupResident({ clinicId, personalIdentityNumber: resident });
    await (await sut.staff(otherClinic)).lookupResident({ clinicId: otherClinic, personalIdentityNumber: resident });
    await eservice.listEntitlements({ personalIdentityNumber: resident });

    const ownClinic = await logOf(resident, await sut.admin(clinicId), clinicId);
    expect(ownClinic.map((e) => [e.read, e.clinicId])).toEqual([['LookupResident', clinicId]]);
    expect(await logOf(resident)).toHaveLength(3);

    const request = { personalIdentityNumber: resident, pageSize: 0, pageToken: '' };
    const forResident = await sut.eserviceFor(resident);
    const denied = [
      await failureOf((await sut.staff(clinicId)).listResidentAccessLog({ ...request, clinicId })), // staff, not admin
      await failureOf((await sut.admin(otherClinic)).listResidentAccessLog({ ...request, clinicId })), // admin elsewhere
      await failureOf((await sut.admin(clinicId)).listResidentAccessLog({ ...request, clinicId: '' })), // every clinic's reads: the e-service only
      await failureOf(forResident.listResidentAccessLog({ ...request, clinicId })), // the e-service is no clinic's admin
    ];
    expect(denied.map((e) => e.code)).toEqual(Array(4).fill(status.PERMISSION_DENIED));

    const invalid = await failureOf(forResident.listResidentAccessLog({ ...request, personalIdentityNumber: '19121212', clinicId: '' }));
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.details).toContain('personal_identity_number');
  });

  it('stores no identity number, only a pseudonym of it', async () => {
    const resident = aResident();
    const subject = `staff-${randomUUID()}`;
    await (await as(subject, [clinicId], ['staff'])).lookupResident({ clinicId, personalIdentityNumber: tenDigitForm(resident) });
    // Written behind the read, within the flush interval.
    await eventually(async () => (await sut.db.collection('access_log').countDocuments({ subject })) === 1, { what: 'the entry stored', timeoutMs: 10000 });
    const stored = await sut.db.collection('access_log').find({ subject }).toArray();
    expect(stored).toHaveLength(1);
    const raw = JSON.stringify(stored);
    for (const form of [resident, resident.slice(2), tenDigitForm(resident)]) expect(raw).not.toContain(form);
    expect(stored[0]).toMatchObject({ subject, clinicId, read: 'LookupResident', authority: 'role:staff', resident: expect.any(String) });
  });

  // Last: it moves the clock a month on.
  it('enforces retention: entries past ACCESS_LOG_RETENTION_DAYS and request ids past REQUEST_ID_RETENTION_DAYS are purged', async () => {
    const resident = aResident();
    const staff = await sut.staff(clinicId);
    const requestId = randomUUID();
    await staff.approveResident(anApproveResidentRequest({ clinicId, requestId }));
    const requestIdRecords = async () => ((await sut.requestIdRecord(clinicId, 'staff-1', requestId)) ? 1 : 0);
    expect(await requestIdRecords()).toBe(1);
    await staff.lookupResident({ clinicId, personalIdentityNumber: resident });
    clock.current = new Date(clock.current.getTime() + 29 * DAY_MS);
    await staff.getResidentAccess({ clinicId, personalIdentityNumber: resident });
    const purgesBefore = purged();
    await eventually(() => purged() > purgesBefore, { what: 'a purge after the clock moved', timeoutMs: 10000 });
    expect((await logOf(resident)).map((e) => e.read).sort()).toEqual(['GetResidentAccess', 'LookupResident']);

    clock.current = new Date(clock.current.getTime() + 2 * DAY_MS); // the lookup is 31 days old, the other read 2
    await eventually(async () => (await logOf(resident)).length === 1, { what: 'the 31-day-old entry purged', timeoutMs: 10000 });
    expect((await logOf(resident)).map((e) => e.read)).toEqual(['GetResidentAccess']);
    expect(await requestIdRecords()).toBe(0); // 31 days old; kept 30 (the default)
  });

  const purged = () => sut.logs.entries.filter((e) => e.msg === 'expired records purged').length;
});

describe('the access log: each entry stored before its read answers', () => {
  let sut: ServiceUnderTest | undefined;
  afterEach(async () => {
    await sut?.stop();
  });

  it('has the entry of an answered read in the database when the answer arrives', async () => {
    sut = await startServiceUnderTest();
    const clinicId = await sut.givenClinic();
    const reader = `staff-${randomUUID()}`;
    const staff = sut.api(await signTestToken({ sub: reader, clinics: [clinicId], roles: ['staff'] }));
    for (let i = 1; i <= 3; i++) {
      await staff.getResidentAccess({ clinicId, personalIdentityNumber: aResident() });
      expect(await sut.db.collection('access_log').countDocuments({ subject: reader })).toBe(i);
    }
  });

  it("refuses a flooding caller's reads past its waiting bound (RESOURCE_EXHAUSTED with RetryInfo) and still answers another caller's", async () => {
    sut = await startServiceUnderTest({ env: { ACCESS_LOG_MAX_WAITING_PER_CALLER: '1', ACCESS_LOG_WRITES_IN_FLIGHT: '1' } });
    const clinicId = await sut.givenClinic();
    const [flooder, other] = [`flood-${randomUUID()}`, `other-${randomUUID()}`];
    const flood = sut.api(await signTestToken({ sub: flooder, clinics: [clinicId], roles: ['staff'] }));
    const staff = sut.api(await signTestToken({ sub: other, clinics: [clinicId], roles: ['staff'] }));

    // Each flood read's error, or null when it was answered.
    const flooding = Promise.all(
      Array.from({ length: 60 }, () =>
        flood.getResidentAccess({ clinicId, personalIdentityNumber: aResident() }).then(
          () => null,
          (error: ServiceError) => error,
        ),
      ),
    );
    const othersReads = (async () => {
      for (let i = 0; i < 10; i++) await staff.getResidentAccess({ clinicId, personalIdentityNumber: aResident() });
    })();
    const [floodOutcomes] = await Promise.all([flooding, othersReads]);

    const refused = floodOutcomes.filter((e) => e !== null);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect({ code: error.code, reason: errorDetails(error).reason, retry: retryDelayOf(error) }).toEqual({
        code: status.RESOURCE_EXHAUSTED,
        reason: 'RATE_LIMITED',
        retry: { seconds: 1, nanos: 0 },
      });
    }
    // The other caller's ten reads were all answered above, each with its entry; every answered flood read has its entry too.
    expect(await sut.db.collection('access_log').countDocuments({ subject: other })).toBe(10);
    expect(await sut.db.collection('access_log').countDocuments({ subject: flooder })).toBe(60 - refused.length);
  });
});
