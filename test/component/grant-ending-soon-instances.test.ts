import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { aClinicId, aResident } from '../builders/identity';
import { EventConsumer, type ConsumedEvent } from '../support/event-consumer';
import { eventually } from '../support/eventually';
import { apiOf } from '../support/grpc-client';
import { startInstance, type ServiceInstance } from '../support/service-instance';
import { serviceEnv } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';

/** One clock for every instance, moved by the test. */
const clock = { current: new Date('2027-06-01T08:00:00Z'), now: () => new Date(clock.current) };
const RESIDENTS = 30;

/**
 * Three instances on one database scan for reminders every 20 ms at the same instants, and one is
 * restarted in the middle: each grant and end date still gets exactly one GRANT_ENDING_SOON.
 */
describe('grant reminders with several instances and a restart', () => {
  let env: Record<string, string>;
  let mongo: MongoClient;
  let events: EventConsumer;
  const instances: ServiceInstance[] = [];
  let token: string;
  beforeAll(async () => {
    env = serviceEnv({ ...(await testAuthEnv()), EXPIRY_POLL_INTERVAL_MS: '20', EXPIRY_BATCH_SIZE: '7' });
    token = 'unused';
    for (let i = 0; i < 3; i++) instances.push(await startInstance(env, token, clock));
    mongo = await new MongoClient(env.MONGODB_URI!).connect();
    events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
  });
  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await events?.stop();
    await mongo?.db(env.MONGODB_DATABASE).dropDatabase();
    await mongo?.close();
  });

  const residentOf = (e: ConsumedEvent) => (e.value.access as { personalIdentityNumber?: string }).personalIdentityNumber;
  const reminderKey = (e: ConsumedEvent) => {
    const grant = e.value.endingGrant as { caseTypeId: string; untilDate: string };
    return `${residentOf(e)}|${grant.caseTypeId}|${grant.untilDate}`;
  };

  it('each grant and end date is reminded of once, whichever instance scans', async () => {
    const clinicId = aClinicId();
    const admin = apiOf(instances[0]!.clients, await signTestToken({ sub: 'admin-1', clinics: [clinicId], roles: ['staff', 'admin'] }));
    const staffOn = async (instance: ServiceInstance) => apiOf(instance.clients, await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff'] }));
    for (const id of ['lab', 'therapy']) await admin.putCaseType({ clinicId, caseType: { id, name: id, restricted: true }, requestId: randomUUID(), etag: '' });
    // Two grants each (a resident with two due grants gets two events), given through every instance.
    const residents = Array.from({ length: RESIDENTS }, () => aResident());
    for (const [i, resident] of residents.entries()) {
      const staff = await staffOn(instances[i % 3]!);
      await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'lab', untilDate: '2027-06-20', requestId: randomUUID(), etag: '' });
      await staff.grantCaseType({ clinicId, personalIdentityNumber: resident, caseTypeId: 'therapy', untilDate: '2027-06-21', requestId: randomUUID(), etag: '' });
    }
    // Turned on with both ends already inside the 30 days: every grant is due at once.
    await admin.setGrantEndingSoonDays({ clinicId, grantEndingSoonDays: 30, requestId: randomUUID(), etag: '' });

    // A restart while the instances work through the batches.
    await instances[1]!.stop();
    instances[1] = await startInstance(env, token, clock);

    await events.waitFor((e) => e.value.cause === 'ACCESS_CHANGE_CAUSE_GRANT_ENDING_SOON', 2 * RESIDENTS, 60_000);
    // Scans at later instants (new request ids) find nothing more to remind of: a marker granted
    // then is reminded of by a scan at that instant, which read every due access.
    for (const later of ['2027-06-02T08:00:00Z', '2027-06-05T08:00:00Z']) {
      clock.current = new Date(later);
      const marker = aResident();
      await (await staffOn(instances[2]!)).grantCaseType({ clinicId, personalIdentityNumber: marker, caseTypeId: 'lab', untilDate: '2027-06-10', requestId: randomUUID(), etag: '' });
      await events.waitFor((e) => residentOf(e) === marker && String(e.value.requestId).startsWith(`ending-soon:${new Date(later).toISOString()}:`));
    }
    await eventually(async () => (await mongo.db(env.MONGODB_DATABASE).collection('access').countDocuments({ outboxPending: true })) === 0, {
      what: 'every outbox to drain',
      timeoutMs: 30_000,
    });

    // Delivery is at least once (a stopped relay's batch may go again): consumers drop repeats by event id.
    const delivered = [...new Map(events.events.map((e) => [String(e.value.eventId), e])).values()];
    const reminders = delivered.filter((e) => e.value.cause === 'ACCESS_CHANGE_CAUSE_GRANT_ENDING_SOON' && residents.includes(residentOf(e)!));
    expect(reminders).toHaveLength(2 * RESIDENTS);
    expect(new Set(reminders.map(reminderKey)).size).toBe(2 * RESIDENTS);
    // Each resident's events are in version order: granted, granted, then the two reminders.
    for (const resident of residents) {
      expect(delivered.filter((e) => residentOf(e) === resident).map((e) => [e.value.cause, Number(e.value.version)])).toEqual([
        ['ACCESS_CHANGE_CAUSE_GRANTED', 1],
        ['ACCESS_CHANGE_CAUSE_GRANTED', 2],
        ['ACCESS_CHANGE_CAUSE_GRANT_ENDING_SOON', 3],
        ['ACCESS_CHANGE_CAUSE_GRANT_ENDING_SOON', 4],
      ]);
    }
  });
});
