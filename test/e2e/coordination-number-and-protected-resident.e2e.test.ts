import { randomUUID } from 'node:crypto';
import { residentPseudonym } from '../../src/publishing-kafka/resident-pseudonym';
import { aResident, tenDigitForm } from '../builders/identity';
import type { ConsumedEvent } from '../support/event-consumer';
import { cloudEventOf, decodePayload } from '../support/event-contract';
import type { Api } from '../support/grpc-client';
import { registerResidents } from '../support/population-register';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';
import { TEST_PSEUDONYM_SECRET } from '../support/test-env';

const APPROVED = 1;
const GRANTED = 3;

/**
 * The residents the usual tests never use: a samordningsnummer (day of birth + 60) and a resident
 * with protected identity (skyddad identitet), from staff's first lookup to the published events
 * and the audit trail.
 */
describe('a coordination number and a protected resident, from lookup to events and audit', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  let admin: Api;
  let eservice: Api;
  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(RESTRICTED_AND_GENERAL));
    admin = await sut.admin(clinicId);
    eservice = await sut.eservice();
  });
  afterAll(async () => {
    await sut.stop();
  });

  /** Every written form of a number that must not appear where only pseudonyms may. */
  const formsOf = (resident: string) => [resident, resident.slice(2), tenDigitForm(resident)];

  /** Approves and grants the resident, written as staff type it; returns the two published events. */
  async function approveAndGrant(resident: string, written: string): Promise<ConsumedEvent[]> {
    const ids = [randomUUID(), randomUUID()];
    await staff.approveResident({ clinicId, personalIdentityNumber: written, requestId: ids[0]!, etag: '' });
    await staff.grantCaseType({ clinicId, personalIdentityNumber: written, caseTypeId: 'restricted-1', untilFurtherNotice: true, requestId: ids[1]!, etag: '' });
    const events = await Promise.all(ids.map(async (id) => (await sut.events.waitFor((e) => e.value.requestId === id))[0]!));
    const pseudonym = residentPseudonym(TEST_PSEUDONYM_SECRET, resident);
    events.forEach((message, i) => {
      // Key, subject and every header carry the pseudonym, never the number; the payload (personal data) carries the 12 digits.
      expect(message.key).toBe(`${clinicId}|${pseudonym}`);
      expect(cloudEventOf(message)).toMatchObject({ subject: `clinics/${clinicId}/residents/${pseudonym}`, partitionkey: message.key });
      for (const form of formsOf(resident)) expect(JSON.stringify([message.key, message.headers])).not.toContain(form);
      expect(decodePayload('residentaccess.v1.AccessChangedEvent', message.body)).toMatchObject({
        cause: i === 0 ? 'ACCESS_CHANGE_CAUSE_APPROVED' : 'ACCESS_CHANGE_CAUSE_GRANTED',
        actor: 'staff-1',
        requestId: ids[i],
        access: { clinicId, personalIdentityNumber: resident, version: i + 1 },
      });
    });
    return events;
  }

  /** The clinic's trail of the resident (asked for as written) and the resident's own, read by the e-service. */
  async function expectAudited(resident: string, written: string, events: ConsumedEvent[]) {
    const { entries } = await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: written, pageSize: 0, pageToken: '' });
    expect(entries.map((e) => [e.eventId, e.action, e.actor, e.personalIdentityNumber])).toEqual([
      [events[0]!.value.eventId, APPROVED, 'staff-1', resident],
      [events[1]!.value.eventId, GRANTED, 'staff-1', resident],
    ]);
    expect(entries[0]).toMatchObject({ before: { version: 0, grants: [] }, after: { version: 1, approval: { approved: { actor: 'staff-1' } }, grants: [] } });
    expect(entries[1]).toMatchObject({ before: { version: 1 }, after: { version: 2, grants: [{ caseTypeId: 'restricted-1', untilDate: '' }] } });
    // The e-service acting for the resident (token exchange); the request may repeat the number as written.
    const own = await (await sut.eserviceFor(resident)).listResidentAuditEntries({ personalIdentityNumber: written, pageSize: 0, pageToken: '' });
    expect(own.entries.map((e) => e.eventId)).toEqual(entries.map((e) => e.eventId));
  }

  /** Logs and the access log (which keeps only pseudonyms) hold none of these. */
  async function expectNowhereInLogs(...secrets: string[]) {
    const accessLog = JSON.stringify(await sut.db.collection('access_log').find().toArray());
    expect(accessLog).not.toBe('[]');
    for (const secret of secrets) {
      expect(sut.logs.text()).not.toContain(secret);
      expect(accessLog).not.toContain(secret);
    }
  }

  it('a samordningsnummer, written in ten digits: looked up, approved, granted, published under its pseudonym, audited', async () => {
    const resident = aResident({ kind: 'samordningsnummer' });
    expect(Number(resident.slice(6, 8))).toBeGreaterThan(60);
    await registerResidents(sut.env, sut.db, [{ personalIdentityNumber: resident, givenName: 'Sven', familyName: 'Samordning', regionCode: '01', municipalityCode: '0180' }]);
    const written = tenDigitForm(resident);

    expect(await staff.lookupResident({ clinicId, personalIdentityNumber: written })).toEqual({
      personalIdentityNumber: resident,
      name: 'Sven Samordning',
      protectedIdentity: false,
      registered: true,
    });
    const events = await approveAndGrant(resident, written);
    await expectAudited(resident, written, events);
    expect(await eservice.checkEntitlement({ personalIdentityNumber: written, clinicId, caseTypeId: 'restricted-1' })).toMatchObject({ allowed: true });
    await expectNowhereInLogs(...formsOf(resident));
  });

  it('a protected resident: the name the register sent is never stored, shown, published or logged', async () => {
    const resident = aResident();
    const [givenName, familyName] = ['Hemlig', 'Skyddadsson'];
    await registerResidents(sut.env, sut.db, [{ personalIdentityNumber: resident, givenName, familyName, protectedIdentity: true, regionCode: '01', municipalityCode: '0180' }]);

    expect(await staff.lookupResident({ clinicId, personalIdentityNumber: resident })).toEqual({ personalIdentityNumber: resident, name: '', protectedIdentity: true, registered: true });
    const events = await approveAndGrant(resident, resident);
    await expectAudited(resident, resident, events);

    const listed = await staff.listResidents({ clinicId, pageSize: 1000, pageToken: '', approvedOnly: false, caseTypeId: '' });
    expect(listed.residents.find((r) => r.access?.personalIdentityNumber === resident)).toMatchObject({ name: '' });
    const stored = await sut.db.collection('residents').findOne({ _id: resident as never });
    expect(stored).toMatchObject({ protectedIdentity: true });
    const { entries } = await admin.listClinicAuditEntries({ clinicId, personalIdentityNumber: resident, pageSize: 0, pageToken: '' });
    for (const name of [givenName, familyName]) {
      expect(JSON.stringify(stored)).not.toContain(name);
      for (const message of events) expect(message.body).not.toContain(name);
      expect(JSON.stringify(entries)).not.toContain(name);
      expect(JSON.stringify(listed)).not.toContain(name);
    }
    await expectNowhereInLogs(...formsOf(resident), givenName, familyName);
  });
});
