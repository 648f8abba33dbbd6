import { randomUUID } from 'node:crypto';
import { viewEntryOf } from '../../src/domain/access/resident-view';
import { systemClock } from '../../src/domain/ports/clock';
import { EntitlementReason } from '../../src/gen/residentaccess/v1/entitlement_service';
import { createLogger } from '../../src/observability/logger';
import { toResidentAccess } from '../../src/storage-mongo/access-document';
import { MongoResidentViews, PROJECTIONS_COLLECTION, RESIDENT_VIEWS_COLLECTION, type ResidentViewDocument } from '../../src/storage-mongo/mongo-resident-views';
import { RESIDENTS_COLLECTION } from '../../src/storage-mongo/mongo-resident-register';
import { rebuildResidentViews } from '../../src/views/rebuild-resident-views';
import { aResident } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import { outboxSettled } from '../support/relay-caught-up';
import { startInstance } from '../support/service-instance';
import { RESTRICTED_AND_GENERAL, startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { registerResidents } from '../support/population-register';
import { signTestToken } from '../support/tokens';
import { eventually } from '../support/eventually';
import { viewMismatches } from '../support/views-match-access';

const { ENTITLEMENT_REASON_APPROVED: APPROVED, ENTITLEMENT_REASON_GRANT: GRANT } = EntitlementReason;
const NOT_ALLOWED = { allowed: false, reason: EntitlementReason.ENTITLEMENT_REASON_UNSPECIFIED, untilDate: '' };
const CASE_TYPES = [...RESTRICTED_AND_GENERAL, { id: 'restricted-2', name: 'Another restricted', restricted: true }];

describe('resident views', () => {
  let sut: ServiceUnderTest;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
  });
  afterAll(async () => {
    await sut.stop();
  });

  const views = () => sut.db.collection<ResidentViewDocument>(RESIDENT_VIEWS_COLLECTION);
  const viewsMarker = () => sut.db.collection<{ _id: string }>(PROJECTIONS_COLLECTION).findOne({ _id: 'resident_views' });
  const accessAt = async (clinicId: string, resident: string) => toResidentAccess((await sut.access.findOne({ _id: `${clinicId}|${resident}` }))!);
  const eserviceToken = () => signTestToken({ sub: 'resident-eservice', scope: 'resident-access:entitlements' });

  /**
   * The steps of a history at two new clinics:
   * at `first`: approved, restricted-1 until 2099-06-30, restricted-2 granted and removed (version 4);
   * at `second`: restricted-1 until further notice, approved, approval removed (version 3);
   * and a neighbour approved at `first` (version 1).
   */
  async function historyAtTwoClinics() {
    const first = await sut.givenClinic({ caseTypes: CASE_TYPES });
    const second = await sut.givenClinic({ caseTypes: CASE_TYPES });
    const [resident, neighbour] = [aResident(), aResident()];
    const staff = await sut.staff(first, second);
    const dated = (clinicId: string, untilDate: string) => ({ ...aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident }), untilFurtherNotice: undefined, untilDate });
    const change = () => ({ personalIdentityNumber: resident, etag: '', requestId: randomUUID() });
    const steps = [
      () => staff.approveResident(anApproveResidentRequest({ clinicId: first, personalIdentityNumber: resident })),
      () => staff.grantCaseType(dated(first, '2099-06-30')),
      () => staff.grantCaseType(aGrantCaseTypeRequest({ clinicId: first, personalIdentityNumber: resident, caseTypeId: 'restricted-2' })),
      () => staff.removeGrant({ ...change(), clinicId: first, caseTypeId: 'restricted-2' }),
      () => staff.grantCaseType(aGrantCaseTypeRequest({ clinicId: second, personalIdentityNumber: resident, untilFurtherNotice: true })),
      () => staff.approveResident(anApproveResidentRequest({ clinicId: second, personalIdentityNumber: resident })),
      () => staff.removeApproval({ ...change(), clinicId: second }),
      () => staff.approveResident(anApproveResidentRequest({ clinicId: first, personalIdentityNumber: neighbour })),
    ];
    return { first, second, resident, neighbour, steps };
  }

  async function givenHistoryAtTwoClinics() {
    const { steps, ...history } = await historyAtTwoClinics();
    for (const step of steps) await step();
    return history;
  }

  /** As `npm run rebuild-views` does: views of its own, beside the running service. */
  const rebuildBesideTheService = async () => {
    return rebuildResidentViews(MongoResidentViews.in(sut.db), systemClock, createLogger('silent'));
  };

  /** Another instance's relay lease on an access document: this service's relay keeps off it (and off the view). */
  const leaseToAnotherRelay = async (clinicId: string, resident: string) => {
    const id = `${clinicId}|${resident}`;
    await outboxSettled(sut.access, id);
    await sut.access.updateOne({ _id: id }, { $set: { relayLease: { owner: 'another-instance', until: new Date(Date.now() + 3_600_000) } } });
  };

  it('each command has put its change into the resident’s view before it answers', async () => {
    const { first, second, resident, neighbour, steps } = await historyAtTwoClinics();
    for (const [i, step] of steps.entries()) {
      await step();
      // From the first change at each clinic on, the relay cannot catch the view up: the commands must.
      if (i === 0) await leaseToAnotherRelay(first, resident);
      if (i === 4) await leaseToAnotherRelay(second, resident);
      expect({ step: i, mismatches: await viewMismatches(sut.db, { clinicIds: [first, second] }) }).toEqual({ step: i, mismatches: [] });
    }

    const view = await views().findOne({ _id: resident });
    expect(Object.keys(view!.clinics).sort()).toEqual([first, second].sort());
    expect(view!.clinics[first]).toEqual({
      approved: true,
      grants: [{ caseTypeId: 'restricted-1', until: '2099-06-30', endsAt: new Date('2099-06-30T22:00:00Z') }],
      version: 4,
    });
    expect(view!.clinics[second]).toEqual({ approved: false, grants: [{ caseTypeId: 'restricted-1', until: null, endsAt: null }], version: 3 });
    expect(view!.clinics[first]).toEqual(viewEntryOf(await accessAt(first, resident)));
    expect(view!.clinics[second]).toEqual(viewEntryOf(await accessAt(second, resident)));
    expect((await views().findOne({ _id: neighbour }))!.clinics).toEqual({ [first]: { approved: true, grants: [], version: 1 } });
    await sut.access.updateMany({ clinicId: { $in: [first, second] } }, { $set: { relayLease: null } });
  });

  it('changes of one resident at several clinics, made at once on two instances, all reach the one view document', async () => {
    const clinics: string[] = [];
    for (let i = 0; i < 6; i++) clinics.push(await sut.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL }));
    const resident = aResident();
    const other = await startInstance(sut.env, await signTestToken({ sub: 'staff-2', clinics, roles: ['staff'] }));
    try {
      const apis = [await sut.staff(...clinics), other.api];
      await Promise.all(
        clinics.flatMap((clinicId, i) => [
          apis[i % 2]!.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident })),
          apis[(i + 1) % 2]!.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident })),
        ]),
      );

      const view = await views().findOne({ _id: resident });
      expect(Object.keys(view!.clinics).sort()).toEqual([...clinics].sort());
      for (const clinicId of clinics) {
        expect(view!.clinics[clinicId]).toEqual({ approved: true, grants: [{ caseTypeId: 'restricted-1', until: null, endsAt: null }], version: 2 });
      }
      expect(await viewMismatches(sut.db, { clinicIds: clinics })).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  it('a new instance finds the views never built, builds them from the access documents, and only then serves', async () => {
    const { first, second, resident, neighbour } = await givenHistoryAtTwoClinics();
    const pending = { clinicId: { $in: [first, second] }, outboxPending: true };
    await eventually(async () => (await sut.access.countDocuments(pending)) === 0, { what: 'the relay to publish every change', timeoutMs: 30_000 });
    await views().deleteMany({});
    await sut.db.collection<{ _id: string }>(PROJECTIONS_COLLECTION).deleteOne({ _id: 'resident_views' });
    expect(await viewMismatches(sut.db, { clinicIds: [first, second] })).toHaveLength(3);

    const fresh = await startInstance(sut.env, await eserviceToken());
    try {
      const check = (who: string, clinicId: string, caseTypeId: string) => fresh.api.checkEntitlement({ personalIdentityNumber: who, clinicId, caseTypeId });
      await expect(check(resident, first, 'general')).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
      await expect(check(resident, first, 'restricted-1')).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '2099-06-30' });
      await expect(check(resident, first, 'restricted-2')).resolves.toEqual(NOT_ALLOWED);
      await expect(check(resident, second, 'general')).resolves.toEqual(NOT_ALLOWED);
      await expect(check(resident, second, 'restricted-1')).resolves.toEqual({ allowed: true, reason: GRANT, untilDate: '' });
      await expect(check(neighbour, first, 'general')).resolves.toEqual({ allowed: true, reason: APPROVED, untilDate: '' });
      expect((await fresh.api.listEntitlements({ personalIdentityNumber: resident })).clinics.map((c) => c.clinicId)).toEqual([first, second].sort());

      expect(await viewMismatches(sut.db)).toEqual([]);
      expect(await viewsMarker()).toEqual({ _id: 'resident_views', schema: expect.any(Number), builtAt: expect.any(Date) });
    } finally {
      await fresh.stop();
    }
  });

  it('rebuildResidentViews brings removed and outdated entries back to the access documents', async () => {
    const { first, second, resident, neighbour } = await givenHistoryAtTwoClinics();
    // The relay done with these documents first, so no view write of its own lands after the damage below.
    for (const doc of await sut.access.find({ resident: { $in: [resident, neighbour] } }).toArray()) await outboxSettled(sut.access, doc._id);
    // An entry set back to an older state, an entry gone, a whole view document gone.
    await views().updateOne({ _id: resident }, { $set: { [`clinics.${first}`]: { approved: false, grants: [], version: 1 } }, $unset: { [`clinics.${second}`]: '' } });
    await views().deleteOne({ _id: neighbour });
    expect((await viewMismatches(sut.db, { clinicIds: [first, second] })).map((m) => m.kind).sort()).toEqual(['entry differs', 'entry missing', 'entry missing']);
    const eservice = await sut.eservice();
    await expect(eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId: first, caseTypeId: 'general' })).resolves.toEqual(NOT_ALLOWED);

    const rebuilt = await rebuildBesideTheService();

    expect(rebuilt.accesses).toBe(await sut.access.countDocuments());
    expect(await viewMismatches(sut.db, { clinicIds: [first, second] })).toEqual([]);
    await expect(eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId: first, caseTypeId: 'general' })).resolves.toEqual({
      allowed: true,
      reason: APPROVED,
      untilDate: '',
    });
    await expect(eservice.checkEntitlement({ personalIdentityNumber: neighbour, clinicId: first, caseTypeId: 'general' })).resolves.toEqual({
      allowed: true,
      reason: APPROVED,
      untilDate: '',
    });
    expect(await viewsMarker()).toEqual({ _id: 'resident_views', schema: expect.any(Number), builtAt: expect.any(Date) });
  });

  it('rebuildResidentViews also rewrites an entry of the current version that differs from its access document (an older shape)', async () => {
    const { first, resident } = await givenHistoryAtTwoClinics();
    // What an entry written before a change of viewEntryOf (VIEWS_SCHEMA) would look like: same version, other content.
    const current = viewEntryOf(await accessAt(first, resident));
    await views().updateOne({ _id: resident }, { $set: { [`clinics.${first}`]: { approved: current.approved, grants: [], version: current.version } } });
    expect((await viewMismatches(sut.db, { clinicIds: [first] })).map((m) => m.kind)).toEqual(['entry differs']);

    await rebuildBesideTheService();

    expect(await viewMismatches(sut.db, { clinicIds: [first] })).toEqual([]);
  });

  it("rebuildResidentViews carries a pending grant's start into the view: an entry without it (as an older version wrote) is rewritten, and the grant gives nothing before its first day", async () => {
    const clinicId = await sut.givenClinic({ caseTypes: CASE_TYPES });
    const resident = aResident();
    const staff = await sut.staff(clinicId);
    await staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident, firstDay: '2099-06-01' }));
    await outboxSettled(sut.access, `${clinicId}|${resident}`);
    const startsAt = new Date('2099-05-31T22:00:00Z');
    expect((await views().findOne({ _id: resident }))?.clinics[clinicId]?.grants).toEqual([{ caseTypeId: 'restricted-1', until: null, endsAt: null, startsAt }]);
    const eservice = await sut.eservice();
    const check = () => eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: 'restricted-1' });
    await expect(check()).resolves.toEqual(NOT_ALLOWED);

    await views().updateOne({ _id: resident }, { $unset: { [`clinics.${clinicId}.grants.0.startsAt`]: '' } });
    await expect(check()).resolves.toMatchObject({ allowed: true });

    await rebuildBesideTheService();

    expect((await views().findOne({ _id: resident }))?.clinics[clinicId]?.grants).toEqual([{ caseTypeId: 'restricted-1', until: null, endsAt: null, startsAt }]);
    await expect(check()).resolves.toEqual(NOT_ALLOWED);
  });

  it('a view document deleted and built again takes the next change before the command answers', async () => {
    // Its earlier revisions were claimed moments ago (revision_claims); the rebuilt document starts again at revision 1.
    const { first, resident } = await givenHistoryAtTwoClinics();
    await views().deleteOne({ _id: resident });
    await rebuildBesideTheService();
    expect(await viewMismatches(sut.db, { clinicIds: [first] })).toEqual([]);
    await leaseToAnotherRelay(first, resident);

    await (await sut.staff(first)).removeApproval({ clinicId: first, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });

    const eservice = await sut.eservice();
    await expect(eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId: first, caseTypeId: 'general' })).resolves.toEqual(NOT_ALLOWED);
    expect(await viewMismatches(sut.db, { clinicIds: [first] })).toEqual([]);
  });

  it('keeps where the register has each resident: the register consumer writes it, a rebuild restores it and clears what the register no longer has', async () => {
    const [moved, gone, unknown] = [aResident(), aResident(), aResident()];
    await registerResidents(sut.env, sut.db, [
      { personalIdentityNumber: moved, regionCode: '01', municipalityCode: '0180' },
      { personalIdentityNumber: gone, regionCode: '03', municipalityCode: '0380' },
    ]);
    // A resident who moved (a newer register state), and one whose view kept a home the register dropped.
    await registerResidents(sut.env, sut.db, [{ personalIdentityNumber: moved, regionCode: '12', municipalityCode: '1280' }]);
    await sut.db.collection<{ _id: string }>(RESIDENTS_COLLECTION).deleteOne({ _id: gone });
    await views().updateOne({ _id: moved }, { $set: { home: { regionCode: '01', municipalityCode: '0180' } } });
    await views().insertOne({ _id: unknown, home: { regionCode: '05', municipalityCode: '0580' }, clinics: {}, revision: 1 });

    await rebuildBesideTheService();

    expect((await views().findOne({ _id: moved }))?.home).toEqual({ regionCode: '12', municipalityCode: '1280' });
    expect((await views().findOne({ _id: gone }))?.home).toBeNull();
    expect((await views().findOne({ _id: unknown }))?.home).toBeNull();
  });
});
