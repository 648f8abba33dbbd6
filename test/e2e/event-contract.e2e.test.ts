import { credentials, Metadata } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { AdminServiceClient, type RepublishRequest } from '../../src/gen/residentaccess/v1/admin_service';
import { residentPseudonym } from '../../src/publishing-kafka/resident-pseudonym';
import { aResident } from '../builders/identity';
import { EventConsumer, type ConsumedEvent } from '../support/event-consumer';
import { cloudEventOf, decodePayload, enumValueNames, isCloudEvent, type Decoded } from '../support/event-contract';
import type { Api } from '../support/grpc-client';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { TEST_PSEUDONYM_SECRET } from '../support/test-env';
import { signTestToken } from '../support/tokens';

/** The service's clock, standing still so that every time in an event is known; the expiry case moves it. */
const clock = { current: new Date('2027-05-03T08:00:00Z'), now: () => new Date(clock.current) };
const NOW = '2027-05-03T08:00:00.000Z';

interface Stamp {
  actor: string;
  requestId: string;
  time: string;
}
const staffStamp = (requestId: string): Stamp => ({ actor: 'staff-1', requestId, time: NOW });

/**
 * Every kind of record the service publishes, read as a consumer would: each event by the official
 * CloudEvents SDK (Kafka binary mode) and its payload by a decoder built from proto/ at test time.
 */
describe('the published events, against their contract (docs/events.md)', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let settingsEvents: EventConsumer;
  const causesChecked = new Set<string>();
  const settingsCausesChecked = new Set<string>();

  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(RESTRICTED_AND_GENERAL, { clock, env: { EXPIRY_POLL_INTERVAL_MS: '100' } }));
    settingsEvents = await new EventConsumer(sut.env.KAFKA_BROKERS!, sut.env.KAFKA_SETTINGS_TOPIC!).start();
  });
  afterAll(async () => {
    await settingsEvents.stop();
    await sut.stop();
  });

  const pseudonymOf = (resident: string) => residentPseudonym(TEST_PSEUDONYM_SECRET, resident);
  const eventOf = async (requestId: string, resident: string) => (await sut.events.waitFor((e) => e.value.requestId === requestId && e.body.includes(resident)))[0]!;

  /** The message is a valid CloudEvent with the attributes docs/events.md lists, and its payload decodes to exactly `expected`. */
  function expectAccessChanged(
    message: ConsumedEvent,
    expected: { cause: string; at: string; resident: string; version: number; stamp: Stamp; approval?: Stamp; grants?: Decoded[]; time?: string; endingGrant?: Decoded },
  ) {
    const pseudonym = pseudonymOf(expected.resident);
    const cloudEvent = cloudEventOf(message);
    expect(cloudEvent).toMatchObject({
      specversion: '1.0',
      source: '/resident-access',
      type: 'se.residentaccess.v1.AccessChanged',
      subject: `clinics/${expected.at}/residents/${pseudonym}`,
      dataschema: 'urn:proto:residentaccess.v1.AccessChangedEvent',
      datacontenttype: 'application/json',
      time: expected.time ?? NOW,
      partitionkey: `${expected.at}|${pseudonym}`,
    });
    expect(cloudEvent.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify([message.key, message.headers])).not.toContain(expected.resident.slice(2));

    expect(decodePayload('residentaccess.v1.AccessChangedEvent', message.body)).toEqual({
      eventId: cloudEvent.id,
      cause: `ACCESS_CHANGE_CAUSE_${expected.cause}`,
      access: {
        clinicId: expected.at,
        personalIdentityNumber: expected.resident,
        version: expected.version,
        etag: `W/"${expected.version}"`,
        grants: expected.grants ?? [],
        ...(expected.approval && { approval: { approved: expected.approval } }),
      },
      version: expected.version,
      actor: expected.stamp.actor,
      requestId: expected.stamp.requestId,
      time: expected.time ?? NOW,
      ...(expected.endingGrant && { endingGrant: expected.endingGrant }),
    });
    causesChecked.add(`ACCESS_CHANGE_CAUSE_${expected.cause}`);
  }

  /** The record after the event on its key: null value, no CloudEvent to the SDK, the version it follows. */
  async function expectTombstoneAfter(message: ConsumedEvent) {
    const tombstone = await sut.events.waitForTombstone(message.key);
    expect(isCloudEvent(tombstone)).toBe(false);
    expect(tombstone).toMatchObject({ partition: message.partition, headers: { 'access-version': String(message.value.version) } });
    expect(BigInt(tombstone.offset)).toBe(BigInt(message.offset) + 1n);
  }

  it('approved, granted, grant changed, grant removed, approval removed (then a tombstone)', async () => {
    const resident = aResident();
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const request = { clinicId, personalIdentityNumber: resident, etag: '' };
    await staff.approveResident({ ...request, requestId: ids[0]! });
    await staff.grantCaseType({ ...request, caseTypeId: 'restricted-1', untilDate: '2027-06-30', requestId: ids[1]! });
    await staff.changeGrant({ ...request, caseTypeId: 'restricted-1', untilFurtherNotice: true, requestId: ids[2]! });
    await staff.removeGrant({ ...request, caseTypeId: 'restricted-1', requestId: ids[3]! });
    await staff.removeApproval({ ...request, requestId: ids[4]! });

    const approval = staffStamp(ids[0]!);
    const dated = { caseTypeId: 'restricted-1', untilDate: '2027-06-30', endsAt: '2027-06-30T22:00:00.000Z', granted: staffStamp(ids[1]!), firstDay: '', pending: false };
    const common = { at: clinicId, resident };
    expectAccessChanged(await eventOf(ids[0]!, resident), { ...common, cause: 'APPROVED', version: 1, stamp: staffStamp(ids[0]!), approval });
    expectAccessChanged(await eventOf(ids[1]!, resident), { ...common, cause: 'GRANTED', version: 2, stamp: staffStamp(ids[1]!), approval, grants: [dated] });
    expectAccessChanged(await eventOf(ids[2]!, resident), {
      ...common,
      cause: 'GRANT_CHANGED',
      version: 3,
      stamp: staffStamp(ids[2]!),
      approval,
      grants: [{ caseTypeId: 'restricted-1', untilDate: '', granted: staffStamp(ids[1]!), changed: staffStamp(ids[2]!), firstDay: '', pending: false }],
    });
    expectAccessChanged(await eventOf(ids[3]!, resident), { ...common, cause: 'GRANT_REMOVED', version: 4, stamp: staffStamp(ids[3]!), approval });
    const last = await eventOf(ids[4]!, resident);
    expectAccessChanged(last, { ...common, cause: 'APPROVAL_REMOVED', version: 5, stamp: staffStamp(ids[4]!) });
    await expectTombstoneAfter(last);
  });

  it('a bulk removal and an operator republish', async () => {
    const [removed, republished] = [aResident(), aResident()];
    const [approvedFirst, approvedSecond, job, republishJob] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await staff.approveResident({ clinicId, personalIdentityNumber: removed, requestId: approvedFirst, etag: '' });
    await staff.approveResident({ clinicId, personalIdentityNumber: republished, requestId: approvedSecond, etag: '' });
    await staff.removeApprovals({ clinicId, residents: { personalIdentityNumbers: [removed] }, requestId: job });
    await republish({ clinicId, personalIdentityNumber: republished, allClinics: false, requestId: republishJob });

    const bulk = await eventOf(job, removed);
    expectAccessChanged(bulk, { at: clinicId, resident: removed, cause: 'APPROVAL_REMOVED', version: 2, stamp: staffStamp(job) });
    await expectTombstoneAfter(bulk);
    expectAccessChanged(await eventOf(republishJob, republished), {
      at: clinicId,
      resident: republished,
      cause: 'REPUBLISHED',
      version: 2,
      stamp: { actor: 'operator-1', requestId: republishJob, time: NOW },
      approval: staffStamp(approvedSecond),
    });
  });

  it("clinic settings changes, and the grants a case type's removal withdraws", async () => {
    const otherClinic = await sut.givenClinic({ caseTypes: [{ id: 'restricted-1', name: 'Restricted', restricted: true }] });
    const admin = await sut.admin(otherClinic);
    const otherStaff = await sut.staff(otherClinic);
    const resident = aResident();
    const [granted, areaSet, areaCleared, caseTypeRemoved, daysSet] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await otherStaff.grantCaseType({ clinicId: otherClinic, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilFurtherNotice: true, requestId: granted, etag: '' });
    await admin.setServiceArea({ clinicId: otherClinic, serviceArea: { regionCode: '01', municipalityCodes: ['0180'], sex: 2, minAge: 18, maxAge: 0 }, requestId: areaSet, etag: '' });
    await admin.clearServiceArea({ clinicId: otherClinic, requestId: areaCleared, etag: '' });
    await admin.removeCaseType({ clinicId: otherClinic, caseTypeId: 'restricted-1', requestId: caseTypeRemoved, etag: '' });
    await admin.setGrantEndingSoonDays({ clinicId: otherClinic, grantEndingSoonDays: 14, requestId: daysSet, etag: '' });

    const withdrawn = await eventOf(caseTypeRemoved, resident);
    expectAccessChanged(withdrawn, { at: otherClinic, resident, cause: 'CASE_TYPE_WITHDRAWN', version: 2, stamp: { actor: 'admin-1', requestId: caseTypeRemoved, time: NOW } });
    await expectTombstoneAfter(withdrawn);

    const restricted = { id: 'restricted-1', name: 'Restricted', restricted: true };
    const settingsAfter = [
      { cause: 'CASE_TYPE_PUT', caseTypes: [restricted] },
      { cause: 'SERVICE_AREA_SET', caseTypes: [restricted], serviceArea: { regionCode: '01', municipalityCodes: ['0180'], sex: 'SEX_MALE', minAge: 18, maxAge: 0 } },
      { cause: 'SERVICE_AREA_CLEARED', caseTypes: [restricted] },
      { cause: 'CASE_TYPE_REMOVED', caseTypes: [] },
      { cause: 'GRANT_ENDING_SOON_DAYS_SET', caseTypes: [], grantEndingSoonDays: 14 },
    ];
    const messages = await settingsEvents.waitFor((e) => e.key === otherClinic, settingsAfter.length);
    expect(messages).toHaveLength(settingsAfter.length);
    messages.forEach((message, i) => {
      const { cause, ...settings } = settingsAfter[i]!;
      const version = i + 1;
      const cloudEvent = cloudEventOf(message);
      expect(cloudEvent).toMatchObject({
        specversion: '1.0',
        source: '/resident-access',
        type: 'se.residentaccess.v1.ClinicSettingsChanged',
        subject: `clinics/${otherClinic}`,
        dataschema: 'urn:proto:residentaccess.v1.ClinicSettingsChangedEvent',
        datacontenttype: 'application/json',
        time: NOW,
        partitionkey: otherClinic,
      });
      const decoded = decodePayload('residentaccess.v1.ClinicSettingsChangedEvent', message.body);
      expect(decoded).toEqual({
        eventId: cloudEvent.id,
        cause: `CLINIC_SETTINGS_CHANGE_CAUSE_${cause}`,
        settings: { clinicId: otherClinic, version, etag: `W/"${version}"`, grantEndingSoonDays: 0, ...settings },
        version,
        actor: 'admin-1',
        requestId: i === 0 ? expect.any(String) : [areaSet, areaCleared, caseTypeRemoved, daysSet][i - 1],
        time: NOW,
      });
      settingsCausesChecked.add(decoded.cause as string);
    });
  });

  it('a reminder before a dated grant ends (the clinic set 14 days; the end is within them, so at once)', async () => {
    const remindingClinic = await sut.givenClinic({ caseTypes: [{ id: 'restricted-1', name: 'Restricted', restricted: true }] });
    await (await sut.admin(remindingClinic)).setGrantEndingSoonDays({ clinicId: remindingClinic, grantEndingSoonDays: 14, requestId: randomUUID(), etag: '' });
    const resident = aResident();
    const granted = randomUUID();
    await (
      await sut.staff(remindingClinic)
    ).grantCaseType({ clinicId: remindingClinic, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: '2027-05-10', requestId: granted, etag: '' });

    const [reminder] = await sut.events.waitFor((e) => String(e.value.requestId).startsWith(`ending-soon:${NOW}:`) && e.body.includes(resident));
    expectAccessChanged(reminder!, {
      at: remindingClinic,
      resident,
      cause: 'GRANT_ENDING_SOON',
      version: 2,
      stamp: { actor: 'system:ending-soon', requestId: String(reminder!.value.requestId), time: NOW },
      grants: [{ caseTypeId: 'restricted-1', untilDate: '2027-05-10', endsAt: '2027-05-10T22:00:00.000Z', firstDay: '', pending: false, granted: staffStamp(granted) }],
      endingGrant: { caseTypeId: 'restricted-1', untilDate: '2027-05-10', endsAt: '2027-05-10T22:00:00.000Z' },
    });
  });

  // Before the expiry case, which moves the clock.
  it("an administrator's import: one event per row, its request id the import's id and the row's line", async () => {
    const resident = aResident();
    const importId = randomUUID();
    const admin = await sut.admin(clinicId);
    await admin.importAccesses({
      clinicId,
      importId,
      rows: [{ line: 2, personalIdentityNumber: resident, approved: true, grants: [{ caseTypeId: 'restricted-1', untilDate: '2027-06-30' }] }],
    });

    const stamp = { actor: 'admin-1', requestId: `${importId}:2`, time: NOW };
    expectAccessChanged(await eventOf(stamp.requestId, resident), {
      at: clinicId,
      resident,
      cause: 'IMPORTED',
      version: 1,
      stamp,
      approval: stamp,
      grants: [{ caseTypeId: 'restricted-1', untilDate: '2027-06-30', endsAt: '2027-06-30T22:00:00.000Z', firstDay: '', pending: false, granted: stamp }],
    });
  });

  it('a dated grant expiring at 00:00 Europe/Stockholm after its date (then a tombstone)', async () => {
    const resident = aResident();
    const granted = randomUUID();
    await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilDate: '2027-05-03', requestId: granted, etag: '' });
    await eventOf(granted, resident);

    const midnight = '2027-05-03T22:00:00.000Z';
    clock.current = new Date(midnight);
    const expired = await eventOf(`expiry:${midnight}`, resident);
    expectAccessChanged(expired, {
      at: clinicId,
      resident,
      cause: 'GRANT_EXPIRED',
      version: 2,
      stamp: { actor: 'system:expiry', requestId: `expiry:${midnight}`, time: midnight },
      time: midnight,
    });
    await expectTombstoneAfter(expired);
  });

  it('a grant with a later first day: pending in GRANTED, then GRANT_STARTED at 00:00 Europe/Stockholm that day', async () => {
    clock.current = new Date('2027-05-04T08:00:00Z');
    const resident = aResident();
    const granted = randomUUID();
    await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', untilFurtherNotice: true, firstDay: '2027-05-05', requestId: granted, etag: '' });
    const grantedAt = { actor: 'staff-1', requestId: granted, time: '2027-05-04T08:00:00.000Z' };
    const startsAt = '2027-05-04T22:00:00.000Z';
    const grant = { caseTypeId: 'restricted-1', untilDate: '', granted: grantedAt, firstDay: '2027-05-05' };
    expectAccessChanged(await eventOf(granted, resident), {
      at: clinicId,
      resident,
      cause: 'GRANTED',
      version: 1,
      stamp: grantedAt,
      grants: [{ ...grant, pending: true, startsAt }],
      time: grantedAt.time,
    });

    clock.current = new Date(startsAt);
    expectAccessChanged(await eventOf(`start:${startsAt}`, resident), {
      at: clinicId,
      resident,
      cause: 'GRANT_STARTED',
      version: 2,
      stamp: { actor: 'system:grant-start', requestId: `start:${startsAt}`, time: startsAt },
      grants: [{ ...grant, pending: false }],
      time: startsAt,
    });
  });

  it('covered every cause the proto defines (the tests above ran first)', () => {
    expect([...causesChecked].sort()).toEqual(
      enumValueNames('residentaccess.v1.AccessChangeCause')
        .filter((name) => !name.endsWith('_UNSPECIFIED'))
        .sort(),
    );
    expect([...settingsCausesChecked].sort()).toEqual(
      enumValueNames('residentaccess.v1.ClinicSettingsChangeCause')
        .filter((name) => !name.endsWith('_UNSPECIFIED'))
        .sort(),
    );
  });

  async function republish(request: RepublishRequest): Promise<void> {
    const client = new AdminServiceClient(`127.0.0.1:${sut.service.port}`, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${await signTestToken({ sub: 'operator-1', scope: 'resident-access:operator' })}`);
    try {
      await new Promise<void>((resolve, reject) => client.republish(request, metadata, (error) => (error ? reject(error) : resolve())));
    } finally {
      client.close();
    }
  }
});
