import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { ResidentAccess } from '../../src/gen/residentaccess/v1/access';
import { Sex, type CaseType, type ServiceArea } from '../../src/gen/residentaccess/v1/clinic';
import { EntitlementReason } from '../../src/gen/residentaccess/v1/entitlement_service';
import { BulkRemovalState, type BulkRemoval } from '../../src/gen/residentaccess/v1/resident_access_service';
import type { ResidentDocument } from '../../src/storage-mongo/mongo-resident-register';
import { residentPseudonym } from '../../src/publishing-kafka/resident-pseudonym';
import { aResident, tenDigitForm } from '../builders/identity';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { eventuallyFound, eventuallyPasses } from '../support/eventually';
import type { ConsumedEvent } from '../support/event-consumer';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { integrationServers, TEST_PSEUDONYM_SECRET, uniqueName } from '../support/test-env';

/**
 * The seed manual (the "Invånare" card, /work/shared/seeds/000_2e474a3ca22d9e51.txt), every
 * scenario in its order, end to end: real gRPC calls as the clinic's staff (and administrator),
 * then the stored documents, the access-changed events on Kafka, and the resident-facing
 * e-service's answer (EntitlementService).
 *
 * The story runs twice: for a clinic without a service area (every resident must be approved), and
 * for a clinic exposed to residents of a service area (residents there need no approval; staff
 * approve those outside it). The steps of one story build on each other, as in the manual.
 *
 * Residents come from the population register: their states are published on the register topic
 * (docs/register.md), which the service's consumer turns into `residents` documents, so the
 * confirmation step ("Namn och personnummer på invånaren visas") shows a name and 12 digits.
 */

const UNRESTRICTED: CaseType = { id: 'general-question', name: 'General question', restricted: false };
const RESTRICTED: CaseType = { id: 'group-therapy', name: 'Group therapy', restricted: true };

/** Stockholm municipality, region Stockholm. */
const SERVICE_AREA: ServiceArea = { regionCode: '01', municipalityCodes: ['0180'], sex: Sex.SEX_UNSPECIFIED, minAge: 0, maxAge: 0 };
const IN_AREA = { regionCode: '01', municipalityCode: '0180' };
/** Malmö, region Skåne: outside the service area. */
const OUTSIDE_AREA = { regionCode: '12', municipalityCode: '1280' };
/** Nacka: in the area's region, but not in its municipality, so outside the service area. */
const NEXT_TO_AREA = { regionCode: '01', municipalityCode: '0182' };

interface Resident {
  number: string;
  givenName: string;
  familyName: string;
  protectedIdentity: boolean;
  regionCode: string;
  municipalityCode: string;
}

const fullName = (r: Resident) => `${r.givenName} ${r.familyName}`;

/** Today in Europe/Stockholm, computed here independently of the service's own code. */
function stockholmToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The wall clock in Stockholm at an instant, as 'YYYY-MM-DD HH:MM:SS'. */
function stockholmWallClock(instant: Date): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Stockholm',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
}

/** A grant "until D" must end at the first instant of D+1 in Stockholm: valid through all of D. */
function expectEndsAtMidnightAfter(endsAt: Date | undefined, until: string): void {
  expect(endsAt).toBeInstanceOf(Date);
  expect(stockholmWallClock(endsAt!)).toBe(`${plusDays(until, 1)} 00:00:00`);
  expect(stockholmWallClock(new Date(endsAt!.getTime() - 1000))).toBe(`${until} 23:59:59`);
}

/** "En bekräftelse visas": the change was made, and the response names the new stored state. */
function expectConfirmation(response: { changed: boolean; access?: ResidentAccess }, before: ResidentAccess): ResidentAccess {
  expect(response.changed).toBe(true);
  const after = response.access!;
  expect(after.version).toBe(before.version + 1);
  expect(after.etag).not.toBe('');
  expect(after.etag).not.toBe(before.etag);
  return after;
}

describe('the seed manual, "Invånare" card: staff manage residents\' access through the gRPC API', () => {
  let sut: ServiceUnderTest;
  let producer: Producer;
  let eservice: Api;
  const registerTopic = uniqueName('population-register');

  beforeAll(async () => {
    const kafka = new Kafka({ clientId: 'seed-manual-register', brokers: integrationServers().kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: registerTopic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    sut = await startServiceUnderTest({
      env: { REGISTER_TOPIC: registerTopic, REGISTER_CONSUMER_GROUP: uniqueName('resident-access.register') },
    });
    eservice = await sut.eservice();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await sut?.stop();
  });

  /** Publishes register states (docs/register.md) and waits until the service's register holds them. */
  async function publishToRegister(residents: Resident[]): Promise<void> {
    const registeredAt = new Date().toISOString();
    await producer.send({
      topic: registerTopic,
      acks: -1,
      messages: residents.map((r) => ({
        key: r.number,
        value: JSON.stringify({
          personalIdentityNumber: r.number,
          givenName: r.givenName,
          familyName: r.familyName,
          protectedIdentity: r.protectedIdentity,
          regionCode: r.regionCode,
          municipalityCode: r.municipalityCode,
          registeredAt,
        }),
      })),
    });
    const register = sut.db.collection<ResidentDocument>('residents');
    await eventuallyPasses(
      async () => {
        const stored = await register.find({ _id: { $in: residents.map((r) => r.number) } }).toArray();
        expect(stored).toHaveLength(residents.length);
      },
      { what: 'every resident in the register' },
    );
    // The entitlement queries read where residents live from their views, written right after.
    const views = sut.db.collection<{ _id: string; home?: unknown }>('resident_views');
    await eventuallyPasses(
      async () => {
        const homed = await Promise.all(residents.map((r) => views.findOne({ _id: r.number })));
        expect(homed.every((v) => v?.home)).toBe(true);
      },
      { what: 'every resident view with a home' },
    );
    const one = residents[0]!;
    expect(await register.findOne({ _id: one.number })).toEqual({
      _id: one.number,
      givenName: one.givenName,
      familyName: one.familyName,
      protectedIdentity: one.protectedIdentity,
      ...(({ regionCode, municipalityCode }) => ({ regionCode, municipalityCode }))(one),
      registeredAt: new Date(registeredAt),
    });
  }

  const stories = [
    { story: 'a clinic without a service area: every resident must be approved', serviceArea: undefined },
    { story: 'a clinic with a service area (Stockholm municipality): residents outside it are approved', serviceArea: SERVICE_AREA },
  ];

  describe.each(stories)('$story', ({ serviceArea }) => {
    const hasArea = serviceArea !== undefined;
    let clinicId: string;
    let staff: Api;
    const used = new Set<string>();
    const resident = (givenName: string, familyName: string, where = OUTSIDE_AREA, protectedIdentity = false): Resident => {
      let number = aResident();
      while (used.has(number)) number = aResident();
      used.add(number);
      return { number, givenName, familyName, protectedIdentity, ...where };
    };
    // Everyone but David lives outside the service area (for the clinic that has one); Cecilia
    // just outside it, in the same region.
    const anna = resident('Anna', 'Lindqvist');
    const bertil = resident('Bertil', 'Ek');
    const cecilia = resident('Cecilia', 'Holm', NEXT_TO_AREA);
    const david = resident('David', 'Berg', IN_AREA);
    const erik = resident('Erik', 'Sund');
    const fatima = resident('Fatima', 'Ali');
    const gunnar = resident('Gunnar', 'Strand');
    const hanna = resident('Hanna', 'Nyberg');
    const ingrid = resident('Ingrid', 'Dahl');
    const johan = resident('Johan', 'Ljung');
    const karin = resident('Karin', 'Skyddad', OUTSIDE_AREA, true);
    const notRegistered = resident('Nils', 'Okänd');

    // ---- helpers bound to this story's clinic ----

    const page = async (who: Resident): Promise<ResidentAccess> => (await staff.getResidentAccess({ clinicId, personalIdentityNumber: who.number })).access!;

    const listResidents = async (filter: { approvedOnly?: boolean; caseTypeId?: string } = {}) => {
      const all: { number: string; name: string; access: ResidentAccess }[] = [];
      let pageToken = '';
      do {
        const response = await staff.listResidents({
          clinicId,
          pageSize: 2,
          pageToken,
          approvedOnly: filter.approvedOnly ?? false,
          caseTypeId: filter.caseTypeId ?? '',
        });
        all.push(...response.residents.map((r) => ({ number: r.access!.personalIdentityNumber, name: r.name, access: r.access! })));
        pageToken = response.nextPageToken;
      } while (pageToken);
      return all;
    };

    const stored = (who: Resident) => sut.access.findOne({ _id: `${clinicId}|${who.number}` });

    /** What the resident-facing e-service is told this resident may use at this clinic. */
    const entitlementsHere = async (who: Resident) => {
      const { clinics } = await eservice.listEntitlements({ personalIdentityNumber: who.number });
      return clinics.find((c) => c.clinicId === clinicId)?.caseTypes ?? [];
    };
    const check = (who: Resident, caseType: CaseType) => eservice.checkEntitlement({ personalIdentityNumber: who.number, clinicId, caseTypeId: caseType.id });
    const notAllowed = { allowed: false, reason: EntitlementReason.ENTITLEMENT_REASON_UNSPECIFIED, untilDate: '' };

    const eventsOf = (who: Resident, predicate: (e: ConsumedEvent) => boolean = () => true) =>
      sut.events.events.filter((e) => {
        const access = e.value.access as { clinicId?: string; personalIdentityNumber?: string } | undefined;
        return access?.clinicId === clinicId && access.personalIdentityNumber === who.number && predicate(e);
      });
    const eventOf = async (requestId: string) => (await sut.events.waitFor((e) => e.value.requestId === requestId))[0]!;

    /** The bulk job, followed with GetBulkRemoval until done. */
    const finished = (job: BulkRemoval) =>
      eventuallyFound(
        async () => {
          const { bulkRemoval } = await staff.getBulkRemoval({ clinicId, id: job.id });
          expect(bulkRemoval?.state).toBe(BulkRemovalState.BULK_REMOVAL_STATE_DONE);
          return bulkRemoval!;
        },
        { what: 'the bulk removal to be done' },
      );

    const approve = async (who: Resident) => {
      const before = await page(who);
      const response = await staff.approveResident({ clinicId, personalIdentityNumber: who.number, requestId: randomUUID(), etag: before.etag });
      return expectConfirmation(response, before);
    };

    beforeAll(async () => {
      // The clinic's administrator sets it up: one restricted and one unrestricted case type, and
      // (second story) the service area.
      clinicId = await sut.givenClinic({ caseTypes: [UNRESTRICTED, RESTRICTED], serviceArea });
      const { settings } = await (await sut.admin(clinicId)).getClinicSettings({ clinicId });
      expect(settings).toMatchObject({ clinicId, caseTypes: [UNRESTRICTED, RESTRICTED] });
      expect(settings?.serviceArea).toEqual(serviceArea);
      staff = await sut.staff(clinicId);
      await publishToRegister([anna, bertil, cecilia, david, erik, fatima, gunnar, hanna, ingrid, johan, karin]);
    });

    it('Home page, the Residents card: lists the residents approved for communication or holding a handed-out case type (Startsida / Invånare)', async () => {
      // A new clinic has none.
      expect(await staff.listResidents({ clinicId, pageSize: 0, pageToken: '', approvedOnly: false, caseTypeId: '' })).toEqual({
        residents: [],
        nextPageToken: '',
      });

      // Anna is approved; Bertil is handed out the restricted case type (and not approved).
      const annaAccess = await approve(anna);
      const bertilBefore = await page(bertil);
      const granted = await staff.grantCaseType({
        clinicId,
        personalIdentityNumber: bertil.number,
        caseTypeId: RESTRICTED.id,
        untilFurtherNotice: true,
        requestId: randomUUID(),
        etag: bertilBefore.etag,
      });
      const bertilAccess = expectConfirmation(granted, bertilBefore);

      // Both are shown, with their names from the register, ordered by number, over pages.
      const listed = await listResidents();
      const expected = [
        { number: anna.number, name: fullName(anna), access: annaAccess },
        { number: bertil.number, name: fullName(bertil), access: bertilAccess },
      ].sort((a, b) => a.number.localeCompare(b.number));
      expect(listed).toEqual(expected);
      expect(listed.find((r) => r.number === anna.number)!.access).toMatchObject({ approval: { approved: { actor: 'staff-1' } }, grants: [] });
      expect(listed.find((r) => r.number === bertil.number)!.access.approval).toBeUndefined();
      expect(listed.find((r) => r.number === bertil.number)!.access.grants).toMatchObject([{ caseTypeId: RESTRICTED.id, untilDate: '' }]);

      // The list's filters: approved only, or holding a given case type.
      expect((await listResidents({ approvedOnly: true })).map((r) => r.number)).toEqual([anna.number]);
      expect((await listResidents({ caseTypeId: RESTRICTED.id })).map((r) => r.number)).toEqual([bertil.number]);

      // Residents of the service area use the clinic without being listed: it lists approvals and grants.
      expect(listed.map((r) => r.number)).not.toContain(david.number);
      expect(await sut.access.countDocuments({ clinicId })).toBe(2);

      // Each change reached Kafka.
      expect((await eventOf(annaAccess.approval!.approved!.requestId)).value.cause).toBe('ACCESS_CHANGE_CAUSE_APPROVED');
      expect((await eventOf(bertilAccess.grants[0]!.granted!.requestId)).value.cause).toBe('ACCESS_CHANGE_CAUSE_GRANTED');
    });

    it('Approve a resident for communication: enter the number, name and number are shown, approve, a confirmation is shown (Godkänn invånare för kommunikation)', async () => {
      // Before: Cecilia (outside any service area) cannot use the clinic.
      expect(await check(cecilia, UNRESTRICTED)).toEqual(notAllowed);
      expect(await entitlementsHere(cecilia)).toEqual([]);

      // "Ange personnumret" (as staff type it, YYMMDD-NNNC) → "Namn och personnummer på invånaren visas".
      const shown = await staff.lookupResident({ clinicId, personalIdentityNumber: tenDigitForm(cecilia.number) });
      expect(shown).toEqual({ personalIdentityNumber: cecilia.number, name: 'Cecilia Holm', protectedIdentity: false, registered: true });
      expect(shown.personalIdentityNumber).toMatch(/^\d{12}$/);
      // Protected identity: the number, never the name. A valid number the register does not know: no name.
      expect(await staff.lookupResident({ clinicId, personalIdentityNumber: karin.number })).toEqual({
        personalIdentityNumber: karin.number,
        name: '',
        protectedIdentity: true,
        registered: true,
      });
      expect(await staff.lookupResident({ clinicId, personalIdentityNumber: tenDigitForm(notRegistered.number) })).toEqual({
        personalIdentityNumber: notRegistered.number,
        name: '',
        protectedIdentity: false,
        registered: false,
      });

      // "Klicka på Godkänn" → "En bekräftelse visas om att invånaren är godkänd för kommunikation".
      const before = await page(cecilia);
      expect(before).toMatchObject({ clinicId, personalIdentityNumber: cecilia.number, version: 0, grants: [] });
      expect(before.approval).toBeUndefined();
      const requestId = randomUUID();
      const response = await staff.approveResident({ clinicId, personalIdentityNumber: shown.personalIdentityNumber, requestId, etag: before.etag });
      const after = expectConfirmation(response, before);
      expect(after).toMatchObject({ clinicId, personalIdentityNumber: cecilia.number, version: 1, grants: [] });
      expect(after.approval?.approved).toMatchObject({ actor: 'staff-1', requestId });
      expect(after.approval?.approved?.time).toBeInstanceOf(Date);
      expect(await page(cecilia)).toEqual(after);

      // Stored…
      expect(await stored(cecilia)).toMatchObject({
        clinicId,
        resident: cecilia.number,
        version: 1,
        approval: { actor: 'staff-1', requestId },
        grants: [],
      });
      // …and published, keyed by a pseudonym, with the whole access.
      const event = await eventOf(requestId);
      expect(event.key).toBe(`${clinicId}|${residentPseudonym(TEST_PSEUDONYM_SECRET, cecilia.number)}`);
      expect(event.value).toMatchObject({
        cause: 'ACCESS_CHANGE_CAUSE_APPROVED',
        version: 1,
        actor: 'staff-1',
        requestId,
        access: { clinicId, personalIdentityNumber: cecilia.number, version: 1, approval: { approved: { actor: 'staff-1', requestId } } },
      });
      expect((event.value.access as { grants?: unknown }).grants).toBeUndefined();

      // The approved resident may use every unrestricted case type, and not the restricted one.
      expect(await entitlementsHere(cecilia)).toEqual([{ caseTypeId: UNRESTRICTED.id, name: UNRESTRICTED.name, reason: EntitlementReason.ENTITLEMENT_REASON_APPROVED, untilDate: '' }]);
      expect(await check(cecilia, UNRESTRICTED)).toEqual({ allowed: true, reason: EntitlementReason.ENTITLEMENT_REASON_APPROVED, untilDate: '' });
      expect(await check(cecilia, RESTRICTED)).toEqual(notAllowed);

      // Approving her again changes nothing: no confirmation of a change, same state.
      const again = await staff.approveResident({ clinicId, personalIdentityNumber: cecilia.number, requestId: randomUUID(), etag: '' });
      expect(again).toEqual({ changed: false, access: after, consistencyToken: expect.any(String) });
      expect((await stored(cecilia))?.version).toBe(1);

      // David is registered in Stockholm municipality.
      if (hasArea) {
        // In the service area: he may use the clinic without any approval, and is not approved.
        expect(await check(david, UNRESTRICTED)).toEqual({ allowed: true, reason: EntitlementReason.ENTITLEMENT_REASON_SERVICE_AREA, untilDate: '' });
        expect(await check(david, RESTRICTED)).toEqual(notAllowed);
        expect(await entitlementsHere(david)).toEqual([{ caseTypeId: UNRESTRICTED.id, name: UNRESTRICTED.name, reason: EntitlementReason.ENTITLEMENT_REASON_SERVICE_AREA, untilDate: '' }]);
        expect(await stored(david)).toBeNull();
        expect((await page(david)).version).toBe(0);
      } else {
        // No service area: he, like everyone, needs an approval.
        expect(await check(david, UNRESTRICTED)).toEqual(notAllowed);
        expect(await entitlementsHere(david)).toEqual([]);
        await approve(david);
        expect(await check(david, UNRESTRICTED)).toEqual({ allowed: true, reason: EntitlementReason.ENTITLEMENT_REASON_APPROVED, untilDate: '' });
        expect(await check(david, RESTRICTED)).toEqual(notAllowed);
      }
    });

    it('Remove the approval of one resident: click the resident, "Ta bort godkännande", confirm; the resident can no longer contact the clinic (Ta bort godkännande för kommunikation för en invånare)', async () => {
      // "Klicka på den invånare": from the list to the resident's page.
      const fromList = (await listResidents()).find((r) => r.number === cecilia.number);
      expect(fromList).toMatchObject({ name: 'Cecilia Holm' });
      const before = await page(cecilia);
      expect(before).toEqual(fromList!.access);

      // "Ta bort godkännande" → pop-up → "Ta bort".
      const requestId = randomUUID();
      const response = await staff.removeApproval({ clinicId, personalIdentityNumber: cecilia.number, requestId, etag: before.etag });
      const after = expectConfirmation(response, before);
      expect(after).toMatchObject({ clinicId, personalIdentityNumber: cecilia.number, version: 2, grants: [] });
      expect(after.approval).toBeUndefined();
      expect(await page(cecilia)).toEqual(after);
      expect(await stored(cecilia)).toMatchObject({ version: 2, approval: null, grants: [] });

      const event = await eventOf(requestId);
      expect(event.value).toMatchObject({
        cause: 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED',
        version: 2,
        actor: 'staff-1',
        access: { clinicId, personalIdentityNumber: cecilia.number, version: 2 },
      });
      expect((event.value.access as { approval?: unknown }).approval).toBeUndefined();

      // "Invånaren har inte längre möjlighet att kontakta mottagningen via någon av deras ärendetyper".
      expect(await entitlementsHere(cecilia)).toEqual([]);
      expect(await check(cecilia, UNRESTRICTED)).toEqual(notAllowed);
      expect(await check(cecilia, RESTRICTED)).toEqual(notAllowed);
      expect((await listResidents()).map((r) => r.number)).not.toContain(cecilia.number);

      // Documented decision: removing the approval leaves handed-out case types alone (they are
      // removed separately, "Ta bort utdelad ärendetyp"). A resident holding a grant keeps exactly
      // the granted case type, and stays in the list.
      await approve(erik);
      const erikBefore = await page(erik);
      expectConfirmation(
        await staff.grantCaseType({
          clinicId,
          personalIdentityNumber: erik.number,
          caseTypeId: RESTRICTED.id,
          untilFurtherNotice: true,
          requestId: randomUUID(),
          etag: erikBefore.etag,
        }),
        erikBefore,
      );
      expect((await entitlementsHere(erik)).map((e) => e.caseTypeId)).toEqual([UNRESTRICTED.id, RESTRICTED.id].sort());
      const erikWithGrant = await page(erik);
      const erikRemoval = randomUUID();
      const erikAfter = expectConfirmation(await staff.removeApproval({ clinicId, personalIdentityNumber: erik.number, requestId: erikRemoval, etag: erikWithGrant.etag }), erikWithGrant);
      expect(erikAfter.approval).toBeUndefined();
      expect(erikAfter.grants).toMatchObject([{ caseTypeId: RESTRICTED.id, untilDate: '' }]);
      expect(await entitlementsHere(erik)).toEqual([{ caseTypeId: RESTRICTED.id, name: RESTRICTED.name, reason: EntitlementReason.ENTITLEMENT_REASON_GRANT, untilDate: '' }]);
      expect(await check(erik, UNRESTRICTED)).toEqual(notAllowed);
      expect((await eventOf(erikRemoval)).value).toMatchObject({
        cause: 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED',
        access: { grants: [{ caseTypeId: RESTRICTED.id }] },
      });
      expect((await listResidents()).find((r) => r.number === erik.number)?.access).toEqual(erikAfter);
    });

    it('Remove the approval of several residents: "Hantera invånare", tick residents (or select all), "Ta bort markerade", confirm (Ta bort godkännande för kommunikation för flera invånare)', async () => {
      for (const who of [fatima, gunnar, hanna]) await approve(who);

      // "Hantera invånare": the approved residents, with check boxes.
      const approvedBefore = (await listResidents({ approvedOnly: true })).map((r) => r.number);
      const expectedApproved = [anna, fatima, gunnar, hanna, ...(hasArea ? [] : [david])].map((r) => r.number).sort();
      expect(approvedBefore).toEqual(expectedApproved);

      // Tick Fatima and Gunnar → "Ta bort markerade" → "Ta bort".
      const ticked = [fatima, gunnar];
      const versionsBefore = new Map(await Promise.all(ticked.map(async (r) => [r.number, await page(r)] as const)));
      const jobId = randomUUID();
      const { bulkRemoval } = await staff.removeApprovals({
        clinicId,
        residents: { personalIdentityNumbers: [tenDigitForm(fatima.number), gunnar.number] },
        requestId: jobId,
      });
      expect(bulkRemoval).toMatchObject({ id: jobId, clinicId, actor: 'staff-1' });
      const job = await finished(bulkRemoval!);
      expect(job).toMatchObject({ id: jobId, clinicId, state: BulkRemovalState.BULK_REMOVAL_STATE_DONE, removedCount: 2, unchangedCount: 0, actor: 'staff-1' });
      expect(job.finishTime).toBeInstanceOf(Date);

      // Each is gone, as its own change with its own event.
      for (const who of ticked) {
        const before = versionsBefore.get(who.number)!;
        const after = await page(who);
        expect(after.approval).toBeUndefined();
        expect(after.version).toBe(before.version + 1);
        expect(after.etag).not.toBe(before.etag);
        expect(await stored(who)).toMatchObject({ approval: null, version: before.version + 1 });
        expect(await entitlementsHere(who)).toEqual([]);
        expect(await check(who, UNRESTRICTED)).toEqual(notAllowed);
      }
      await sut.events.waitFor((e) => e.value.requestId === jobId, 2);
      for (const who of ticked) {
        const mine = eventsOf(who, (e) => e.value.requestId === jobId);
        expect(mine).toHaveLength(1);
        expect(mine[0]!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED', actor: 'staff-1' });
      }
      expect(sut.events.events.filter((e) => e.value.requestId === jobId)).toHaveLength(2);
      // Hanna was not ticked: still approved.
      expect((await page(hanna)).approval).toBeDefined();
      expect(await check(hanna, UNRESTRICTED)).toMatchObject({ allowed: true });

      // "Det går även att välja alla invånare": select all → "Ta bort markerade".
      const stillApproved = (await listResidents({ approvedOnly: true })).map((r) => r.number);
      expect(stillApproved).toEqual(expectedApproved.filter((n) => !ticked.some((t) => t.number === n)));
      const allJobId = randomUUID();
      // Removing all of them is the clinic administrator's (a list is any staff member's).
      const all = await (await sut.admin(clinicId)).removeApprovals({ clinicId, allResidents: true, requestId: allJobId });
      const allJob = await finished(all.bulkRemoval!);
      expect(allJob).toMatchObject({ id: allJobId, state: BulkRemovalState.BULK_REMOVAL_STATE_DONE, removedCount: stillApproved.length, unchangedCount: 0 });

      expect(await listResidents({ approvedOnly: true })).toEqual([]);
      const approvedAgain = [anna, hanna, ...(hasArea ? [] : [david])];
      for (const who of approvedAgain) {
        expect((await page(who)).approval).toBeUndefined();
        expect(await entitlementsHere(who)).toEqual([]);
      }
      await sut.events.waitFor((e) => e.value.requestId === allJobId, stillApproved.length);
      for (const who of approvedAgain) {
        const mine = eventsOf(who, (e) => e.value.requestId === allJobId);
        expect(mine).toHaveLength(1);
        expect(mine[0]!.value.cause).toBe('ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED');
      }
      expect(sut.events.events.filter((e) => e.value.requestId === allJobId)).toHaveLength(stillApproved.length);

      // Handed-out case types are not approvals: Bertil and Erik stay listed with their grants.
      expect((await listResidents()).map((r) => r.number)).toEqual([bertil.number, erik.number].sort());
      expect(await check(bertil, RESTRICTED)).toMatchObject({ allowed: true, reason: EntitlementReason.ENTITLEMENT_REASON_GRANT });
    });

    it('Hand out a case type: enter the number, name and number are shown, pick a restricted case type until a date or until further notice, "Dela ut" (Dela ut en ärendetyp)', async () => {
      // "Ange personnumret" → "Namn och personnummer på invånaren visas".
      expect(await staff.lookupResident({ clinicId, personalIdentityNumber: tenDigitForm(ingrid.number) })).toEqual({
        personalIdentityNumber: ingrid.number,
        name: 'Ingrid Dahl',
        protectedIdentity: false,
        registered: true,
      });
      expect(await check(ingrid, RESTRICTED)).toEqual(notAllowed);

      // Only the case types with a restricted selection can be picked.
      const refused = await failureOf(
        staff.grantCaseType({ clinicId, personalIdentityNumber: ingrid.number, caseTypeId: UNRESTRICTED.id, untilFurtherNotice: true, requestId: randomUUID(), etag: '' }),
      );
      expect(refused.code).toBe(status.FAILED_PRECONDITION);
      expect(errorDetails(refused).reason).toBe('CASE_TYPE_NOT_RESTRICTED');
      expect(await stored(ingrid)).toBeNull();

      // Until a specific date → "Dela ut" → "Ärendetypen har delats ut".
      const until = plusDays(stockholmToday(), 30);
      const before = await page(ingrid);
      const requestId = randomUUID();
      const response = await staff.grantCaseType({
        clinicId,
        personalIdentityNumber: ingrid.number,
        caseTypeId: RESTRICTED.id,
        untilDate: until,
        requestId,
        etag: before.etag,
      });
      const after = expectConfirmation(response, before);
      expect(after.approval).toBeUndefined();
      expect(after.grants).toHaveLength(1);
      const grant = after.grants[0]!;
      expect(grant).toMatchObject({ caseTypeId: RESTRICTED.id, untilDate: until, granted: { actor: 'staff-1', requestId } });
      expect(grant.changed).toBeUndefined();
      expectEndsAtMidnightAfter(grant.endsAt, until);
      expect(await page(ingrid)).toEqual(after);

      expect(await stored(ingrid)).toMatchObject({
        version: 1,
        approval: null,
        grants: [{ caseTypeId: RESTRICTED.id, until, endsAt: grant.endsAt, granted: { actor: 'staff-1', requestId }, changed: null }],
        nextEndsAt: grant.endsAt,
      });
      expect((await eventOf(requestId)).value).toMatchObject({
        cause: 'ACCESS_CHANGE_CAUSE_GRANTED',
        version: 1,
        access: {
          personalIdentityNumber: ingrid.number,
          grants: [{ caseTypeId: RESTRICTED.id, untilDate: until, endsAt: grant.endsAt!.toISOString(), granted: { actor: 'staff-1', requestId } }],
        },
      });

      // The e-service sees the grant, with its last day; not the unrestricted type (she is not approved).
      expect(await check(ingrid, RESTRICTED)).toEqual({ allowed: true, reason: EntitlementReason.ENTITLEMENT_REASON_GRANT, untilDate: until });
      expect(await entitlementsHere(ingrid)).toEqual([{ caseTypeId: RESTRICTED.id, name: RESTRICTED.name, reason: EntitlementReason.ENTITLEMENT_REASON_GRANT, untilDate: until }]);
      expect(await check(ingrid, UNRESTRICTED)).toEqual(notAllowed);

      // Until further notice ("tills vidare"): no end date.
      const johanBefore = await page(johan);
      const johanRequest = randomUUID();
      const johanAfter = expectConfirmation(
        await staff.grantCaseType({
          clinicId,
          personalIdentityNumber: tenDigitForm(johan.number),
          caseTypeId: RESTRICTED.id,
          untilFurtherNotice: true,
          requestId: johanRequest,
          etag: johanBefore.etag,
        }),
        johanBefore,
      );
      expect(johanAfter.grants).toMatchObject([{ caseTypeId: RESTRICTED.id, untilDate: '', granted: { requestId: johanRequest } }]);
      expect(johanAfter.grants[0]!.endsAt).toBeUndefined();
      expect(await stored(johan)).toMatchObject({ grants: [{ caseTypeId: RESTRICTED.id, until: null, endsAt: null }], nextEndsAt: null });
      const johanEvent = await eventOf(johanRequest);
      expect(johanEvent.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_GRANTED', access: { grants: [{ caseTypeId: RESTRICTED.id }] } });
      const johanGrant = (johanEvent.value.access as { grants: Record<string, unknown>[] }).grants[0]!;
      expect(johanGrant.untilDate).toBeUndefined();
      expect(johanGrant.endsAt).toBeUndefined();
      expect(await check(johan, RESTRICTED)).toEqual({ allowed: true, reason: EntitlementReason.ENTITLEMENT_REASON_GRANT, untilDate: '' });

      expect((await listResidents({ caseTypeId: RESTRICTED.id })).map((r) => r.number)).toEqual([bertil, erik, ingrid, johan].map((r) => r.number).sort());
    });

    it('Edit a handed-out case type: click the resident, "Ändra" next to the case type, change it, a confirmation is shown (Redigera utdelad ärendetyp)', async () => {
      const before = await page(ingrid);
      const held = before.grants.find((g) => g.caseTypeId === RESTRICTED.id)!;
      const newUntil = plusDays(held.untilDate, 31);
      const requestId = randomUUID();

      const response = await staff.changeGrant({
        clinicId,
        personalIdentityNumber: ingrid.number,
        caseTypeId: RESTRICTED.id,
        untilDate: newUntil,
        requestId,
        etag: before.etag,
      });
      const after = expectConfirmation(response, before);
      const grant = after.grants[0]!;
      expect(grant).toMatchObject({ caseTypeId: RESTRICTED.id, untilDate: newUntil, changed: { actor: 'staff-1', requestId } });
      expect(grant.granted).toEqual(held.granted); // who handed it out, and when, stays
      expectEndsAtMidnightAfter(grant.endsAt, newUntil);
      expect(await page(ingrid)).toEqual(after);

      expect(await stored(ingrid)).toMatchObject({
        version: before.version + 1,
        grants: [{ caseTypeId: RESTRICTED.id, until: newUntil, endsAt: grant.endsAt, changed: { actor: 'staff-1', requestId } }],
        nextEndsAt: grant.endsAt,
      });
      expect((await eventOf(requestId)).value).toMatchObject({
        cause: 'ACCESS_CHANGE_CAUSE_GRANT_CHANGED',
        version: before.version + 1,
        access: { grants: [{ caseTypeId: RESTRICTED.id, untilDate: newUntil, changed: { requestId } }] },
      });
      expect(await check(ingrid, RESTRICTED)).toEqual({ allowed: true, reason: EntitlementReason.ENTITLEMENT_REASON_GRANT, untilDate: newUntil });

      // A change made on a page read before that change is refused (the etag is stale).
      const stale = await failureOf(
        staff.changeGrant({ clinicId, personalIdentityNumber: ingrid.number, caseTypeId: RESTRICTED.id, untilFurtherNotice: true, requestId: randomUUID(), etag: before.etag }),
      );
      expect(stale.code).toBe(status.FAILED_PRECONDITION);
      expect((await page(ingrid)).grants[0]!.untilDate).toBe(newUntil);
    });

    it('Remove a handed-out case type: click the resident, "Ändra", "Ta bort", confirm, a confirmation is shown (Ta bort utdelad ärendetyp)', async () => {
      const before = await page(ingrid);
      expect(before.grants.map((g) => g.caseTypeId)).toEqual([RESTRICTED.id]);
      const requestId = randomUUID();

      const response = await staff.removeGrant({ clinicId, personalIdentityNumber: ingrid.number, caseTypeId: RESTRICTED.id, requestId, etag: before.etag });
      const after = expectConfirmation(response, before);
      expect(after.grants).toEqual([]);
      expect(after.approval).toBeUndefined();
      expect(await page(ingrid)).toEqual(after);

      expect(await stored(ingrid)).toMatchObject({ version: before.version + 1, grants: [], nextEndsAt: null });
      const event = await eventOf(requestId);
      expect(event.value).toMatchObject({
        cause: 'ACCESS_CHANGE_CAUSE_GRANT_REMOVED',
        version: before.version + 1,
        access: { clinicId, personalIdentityNumber: ingrid.number, version: before.version + 1 },
      });
      expect((event.value.access as { grants?: unknown }).grants).toBeUndefined();

      // The e-service no longer offers it; she has nothing left at the clinic and leaves the list.
      expect(await check(ingrid, RESTRICTED)).toEqual(notAllowed);
      expect(await entitlementsHere(ingrid)).toEqual([]);
      expect((await listResidents()).map((r) => r.number)).not.toContain(ingrid.number);
      // Johan's grant of the same case type is untouched.
      expect(await check(johan, RESTRICTED)).toEqual({ allowed: true, reason: EntitlementReason.ENTITLEMENT_REASON_GRANT, untilDate: '' });
    });
  });
});
