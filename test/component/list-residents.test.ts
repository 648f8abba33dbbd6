import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { ListResidentsRequest, ListResidentsResponse, ResidentListEntry } from '../../src/gen/residentaccess/v1/resident_access_service';
import { RESIDENTS_COLLECTION, type ResidentDocument } from '../../src/storage-mongo/mongo-resident-register';
import { aClinicId, aResident } from '../builders/identity';
import { anApproveResidentRequest, aGrantCaseTypeRequest } from '../builders/requests';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

const RESTRICTED = [
  { id: 'prescriptions', name: 'Renew a prescription', restricted: true },
  { id: 'referrals', name: 'Referrals', restricted: true },
];
const CASE_TYPES = [{ id: 'general', name: 'General question', restricted: false }, ...RESTRICTED];

/** `count` distinct random residents. */
function distinctResidents(count: number): string[] {
  const residents = new Set<string>();
  while (residents.size < count) residents.add(aResident());
  return [...residents];
}

/** Runs `work` for every item, at most `concurrency` at a time. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

describe('ListResidents', () => {
  let sut: ServiceUnderTest;
  let staff: Api;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
  });
  afterAll(async () => {
    await sut.stop();
  });

  /** A new clinic with restricted case types, and the staff of it. */
  const givenClinic = async () => {
    const clinicId = await sut.givenClinic({ caseTypes: CASE_TYPES });
    staff = await sut.staff(clinicId);
    return clinicId;
  };
  const approve = (clinicId: string, resident: string) => staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
  const grant = (clinicId: string, resident: string, caseTypeId: string) => staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident, caseTypeId }));
  const registered = (resident: string, overrides: Partial<ResidentDocument> = {}) =>
    sut.db.collection<ResidentDocument>(RESIDENTS_COLLECTION).insertOne({
      _id: resident,
      givenName: 'Astrid',
      familyName: 'Lindqvist',
      protectedIdentity: false,
      regionCode: '12',
      municipalityCode: '1281',
      registeredAt: new Date('2025-05-30T06:15:00Z'),
      ...overrides,
    });
  const list = (request: Partial<ListResidentsRequest> & { clinicId: string }, as: Api = staff): Promise<ListResidentsResponse> =>
    as.listResidents({ pageSize: 0, pageToken: '', approvedOnly: false, caseTypeId: '', ...request });
  /** Follows next_page_token to the end; returns every page. */
  const allPages = async (request: Partial<ListResidentsRequest> & { clinicId: string }) => {
    const pages: ListResidentsResponse[] = [];
    let pageToken = '';
    do {
      const page = await list({ ...request, pageToken });
      pages.push(page);
      pageToken = page.nextPageToken;
      if (pages.length > 100) throw new Error('pagination does not end');
    } while (pageToken !== '');
    return pages;
  };
  const numbersOf = (entries: ResidentListEntry[]) => entries.map((e) => e.access!.personalIdentityNumber);
  const sorted = (residents: string[]) => [...residents].sort();

  it('lists approved and granted residents in number order, with the whole access and the registered name', async () => {
    const clinicId = await givenClinic();
    const [approvedNamed, grantedProtected, approvedAndGranted, approvedUnregistered] = distinctResidents(4) as [string, string, string, string];
    await registered(approvedNamed, { givenName: 'Anna', familyName: 'Lindqvist' });
    await registered(grantedProtected, { givenName: 'Secret', familyName: 'Person', protectedIdentity: true });
    await registered(approvedAndGranted, { givenName: 'Bo', familyName: 'Ek' });
    // Stored in an order unrelated to the numbers.
    await approve(clinicId, approvedUnregistered);
    await approve(clinicId, approvedAndGranted);
    await grant(clinicId, approvedAndGranted, 'referrals');
    await grant(clinicId, approvedAndGranted, 'prescriptions');
    await grant(clinicId, grantedProtected, 'prescriptions');
    await approve(clinicId, approvedNamed);

    const page = await list({ clinicId });

    expect(page.nextPageToken).toBe('');
    expect(numbersOf(page.residents)).toEqual(sorted([approvedNamed, grantedProtected, approvedAndGranted, approvedUnregistered]));
    const entry = (resident: string) => page.residents.find((e) => e.access?.personalIdentityNumber === resident)!;
    expect(entry(approvedNamed)).toMatchObject({
      name: 'Anna Lindqvist',
      access: { clinicId, version: 1, etag: 'W/"1"', grants: [], approval: { approved: { actor: 'staff-1' } } },
    });
    expect(entry(grantedProtected).name).toBe('');
    expect(entry(grantedProtected).access?.approval).toBeUndefined();
    expect(entry(grantedProtected).access?.grants.map((g) => g.caseTypeId)).toEqual(['prescriptions']);
    expect(entry(approvedAndGranted)).toMatchObject({ name: 'Bo Ek', access: { version: 3 } });
    expect(entry(approvedAndGranted).access?.approval).toBeDefined();
    expect(entry(approvedAndGranted).access?.grants.map((g) => g.caseTypeId)).toEqual(['prescriptions', 'referrals']);
    expect(entry(approvedUnregistered).name).toBe('');
    expect(JSON.stringify(page)).not.toContain('Secret');
    // The same access as GetResidentAccess reports.
    const single = await staff.getResidentAccess({ clinicId, personalIdentityNumber: approvedAndGranted });
    expect(entry(approvedAndGranted).access).toEqual(single.access);
  });

  it('residents with no access left are not listed', async () => {
    const clinicId = await givenClinic();
    const [stays, approvalRemoved, grantRemoved] = distinctResidents(3) as [string, string, string];
    await approve(clinicId, stays);
    await approve(clinicId, approvalRemoved);
    await staff.removeApproval({ clinicId, personalIdentityNumber: approvalRemoved, requestId: randomUUID(), etag: '' });
    await grant(clinicId, grantRemoved, 'referrals');
    await staff.removeGrant({ clinicId, personalIdentityNumber: grantRemoved, caseTypeId: 'referrals', requestId: randomUUID(), etag: '' });
    // Both documents are still stored, with no access left.
    expect(await sut.access.countDocuments({ clinicId })).toBe(3);

    const page = await list({ clinicId });

    expect(numbersOf(page.residents)).toEqual([stays]);
  });

  it('filters on approved_only, on case_type_id, and on both', async () => {
    const clinicId = await givenClinic();
    const [approvedOnly, approvedWithPrescriptions, prescriptionsOnly, referralsOnly] = distinctResidents(4) as [string, string, string, string];
    await approve(clinicId, approvedOnly);
    await approve(clinicId, approvedWithPrescriptions);
    await grant(clinicId, approvedWithPrescriptions, 'prescriptions');
    await grant(clinicId, prescriptionsOnly, 'prescriptions');
    await grant(clinicId, referralsOnly, 'referrals');

    expect(numbersOf((await list({ clinicId, approvedOnly: true })).residents)).toEqual(sorted([approvedOnly, approvedWithPrescriptions]));
    expect(numbersOf((await list({ clinicId, caseTypeId: 'prescriptions' })).residents)).toEqual(sorted([approvedWithPrescriptions, prescriptionsOnly]));
    expect(numbersOf((await list({ clinicId, caseTypeId: 'referrals' })).residents)).toEqual([referralsOnly]);
    expect(numbersOf((await list({ clinicId, approvedOnly: true, caseTypeId: 'prescriptions' })).residents)).toEqual([approvedWithPrescriptions]);
    expect((await list({ clinicId, caseTypeId: 'general' })).residents).toEqual([]);
  });

  it('pages through every resident exactly once, in order; the last page has no next_page_token', async () => {
    const clinicId = await givenClinic();
    const residents = distinctResidents(5);
    await inParallel(residents, 5, (r) => approve(clinicId, r));

    const pages = await allPages({ clinicId, pageSize: 2 });

    expect(pages.map((p) => p.residents.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.nextPageToken === '')).toEqual([false, false, true]);
    expect(pages.flatMap((p) => numbersOf(p.residents))).toEqual(sorted(residents));
  });

  it('pages a filtered listing with the filter repeated', async () => {
    const clinicId = await givenClinic();
    const residents = distinctResidents(5);
    await inParallel(residents, 5, (r) => grant(clinicId, r, 'referrals'));
    await approve(clinicId, aResident()); // approved without the grant: filtered out

    const pages = await allPages({ clinicId, pageSize: 2, caseTypeId: 'referrals' });

    expect(pages.map((p) => p.residents.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => numbersOf(p.residents))).toEqual(sorted(residents));
  });

  it('page_size 0 means 100, and page_size may change between pages', async () => {
    const clinicId = await givenClinic();
    const residents = distinctResidents(101);
    await inParallel(residents, 8, (r) => approve(clinicId, r));

    const first = await list({ clinicId, pageSize: 0 });
    expect(first.residents).toHaveLength(100);
    expect(first.nextPageToken).not.toBe('');
    const second = await list({ clinicId, pageSize: 1000, pageToken: first.nextPageToken });
    expect(second.residents).toHaveLength(1);
    expect(second.nextPageToken).toBe('');
    expect([...numbersOf(first.residents), ...numbersOf(second.residents)]).toEqual(sorted(residents));

    const whole = await list({ clinicId, pageSize: 1000 });
    expect(numbersOf(whole.residents)).toEqual(sorted(residents));
    expect(whole.nextPageToken).toBe('');
  });

  it('a page token of another listing (other filter or other clinic) is INVALID_ARGUMENT on page_token', async () => {
    const clinicId = await givenClinic();
    const otherClinic = await sut.givenClinic({ caseTypes: CASE_TYPES });
    const residents = distinctResidents(3);
    await inParallel(residents, 3, (r) => approve(clinicId, r));
    await grant(clinicId, residents[0]!, 'referrals');
    await grant(clinicId, residents[1]!, 'referrals');
    const ofBoth = await sut.staff(clinicId, otherClinic);
    const { nextPageToken } = await list({ clinicId, pageSize: 1 });
    expect(nextPageToken).not.toBe('');
    // It is a good token of its own listing.
    await expect(list({ clinicId, pageSize: 1, pageToken: nextPageToken })).resolves.toMatchObject({ residents: [expect.anything()] });

    const misuses: Partial<ListResidentsRequest>[] = [{ approvedOnly: true }, { caseTypeId: 'referrals' }, { clinicId: otherClinic }];
    for (const misuse of misuses) {
      const error = await failureOf(list({ clinicId, pageSize: 1, pageToken: nextPageToken, ...misuse }, ofBoth));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['page_token', 'INVALID_PAGE_TOKEN']]);
    }
  });

  it('a garbage, tampered, truncated, readable or foreign page token is INVALID_ARGUMENT on page_token and reveals no number', async () => {
    const clinicId = await givenClinic();
    const residents = distinctResidents(2);
    await inParallel(residents, 2, (r) => approve(clinicId, r));
    const { residents: shown, nextPageToken } = await list({ clinicId, pageSize: 1 });
    const after = shown[0]!.access!.personalIdentityNumber;
    const bytes = Buffer.from(nextPageToken, 'base64url');
    const flipped = Buffer.from(bytes);
    flipped[flipped.length >> 1]! ^= 0x01;
    const { nextPageToken: ofAnotherListing } = await list({ clinicId, pageSize: 1, approvedOnly: true });
    const readable = Buffer.from(JSON.stringify({ a: after, l: 'AAAAAAAAAAAAAAAA' })).toString('base64url');

    const refused = ['garbage', '%%%', readable, flipped.toString('base64url'), bytes.subarray(0, bytes.length - 1).toString('base64url'), `${nextPageToken}A`];
    for (const pageToken of refused) {
      const error = await failureOf(list({ clinicId, pageToken }));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['page_token', 'INVALID_PAGE_TOKEN']]);
      expect(error.details).not.toContain(after.slice(2));
    }
    // A token of the approved-only listing does not continue the full one.
    const foreign = await failureOf(list({ clinicId, pageToken: ofAnotherListing }));
    expect(errorDetails(foreign).violations.map((v) => v.field)).toEqual(['page_token']);
  });

  it('a page token is opaque: neither its text nor its decoded bytes hold the number it continues after', async () => {
    const clinicId = await givenClinic();
    await inParallel(distinctResidents(3), 3, (r) => approve(clinicId, r));
    const { residents: shown, nextPageToken } = await list({ clinicId, pageSize: 1 });
    const after = shown[0]!.access!.personalIdentityNumber;

    const decoded = Buffer.from(nextPageToken, 'base64url');
    for (const text of [nextPageToken, decoded.toString('utf8'), decoded.toString('latin1')]) {
      expect(text).not.toContain(after.slice(2));
      expect(text).not.toMatch(/\d{6}/);
    }
    await expect(list({ clinicId, pageSize: 1, pageToken: nextPageToken })).resolves.toMatchObject({ residents: [expect.anything()] });
  });

  it('page_size above 1000 or below 0 is INVALID_ARGUMENT on page_size; 1000 is accepted', async () => {
    const clinicId = await givenClinic();
    for (const pageSize of [1001, -1]) {
      const error = await failureOf(list({ clinicId, pageSize }));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(errorDetails(error).violations.map((v) => [v.field, v.reason])).toEqual([['page_size', 'INVALID_PAGE_SIZE']]);
    }
    await expect(list({ clinicId, pageSize: 1000 })).resolves.toEqual({ residents: [], nextPageToken: '' });
  });

  it("another clinic's residents never appear, even the same resident approved at both", async () => {
    const clinicId = await givenClinic();
    const otherClinic = await sut.givenClinic({ caseTypes: CASE_TYPES });
    const atOther = await sut.staff(otherClinic);
    const [shared, ours, theirs] = distinctResidents(3) as [string, string, string];
    await approve(clinicId, shared);
    await approve(clinicId, ours);
    await atOther.approveResident(anApproveResidentRequest({ clinicId: otherClinic, personalIdentityNumber: shared }));
    await atOther.approveResident(anApproveResidentRequest({ clinicId: otherClinic, personalIdentityNumber: theirs }));
    await atOther.grantCaseType(aGrantCaseTypeRequest({ clinicId: otherClinic, personalIdentityNumber: ours, caseTypeId: 'referrals' }));

    const page = await list({ clinicId });

    expect(numbersOf(page.residents)).toEqual(sorted([shared, ours]));
    expect(page.residents.every((e) => e.access?.clinicId === clinicId)).toBe(true);
    expect(page.residents.flatMap((e) => e.access?.grants ?? [])).toEqual([]);
    expect(numbersOf((await list({ clinicId: otherClinic }, atOther)).residents)).toEqual(sorted([shared, theirs, ours]));
  });

  it('another clinic, and a clinic that does not exist, get the same PERMISSION_DENIED', async () => {
    await givenClinic();
    const otherClinic = await sut.givenClinic({ caseTypes: CASE_TYPES });
    await (await sut.staff(otherClinic)).approveResident(anApproveResidentRequest({ clinicId: otherClinic }));
    const unknownClinic = aClinicId();

    const onOther = await failureOf(list({ clinicId: otherClinic }));
    const onUnknown = await failureOf(list({ clinicId: unknownClinic }, await sut.staff(unknownClinic)));

    for (const error of [onOther, onUnknown]) {
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
    }
    expect(onOther.details).toBe(onUnknown.details);
  });
});
