import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { BulkRemovalState } from '../../src/gen/residentaccess/v1/resident_access_service';
import type { AccessDocument } from '../../src/storage-mongo/access-document';
import { aClinicId, aResident } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { EventConsumer } from '../support/event-consumer';
import { startInstance, type ServiceInstance } from '../support/service-instance';
import { serviceEnv } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';
import { eventually } from '../support/eventually';

// Enough that the job is still running when the test stops the service, at any speed of the machine.
const RESIDENTS = 1000;

/**
 * A service stopped while a bulk removal runs pauses the job after the residents in hand, saves its
 * progress, and stops; the next start finishes it. Every approval is removed once, with one event,
 * and the job's counts add up across the pause.
 */
describe('a bulk removal across a shutdown', () => {
  const started: ServiceInstance[] = [];
  let mongo: MongoClient | undefined;
  let events: EventConsumer | undefined;
  let env: Record<string, string>;
  afterAll(async () => {
    for (const s of started) await s.stop();
    await events?.stop();
    await mongo?.db(env.MONGODB_DATABASE).dropDatabase();
    await mongo?.close();
  });

  const start = async (token: string): Promise<ServiceInstance> => {
    const s = await startInstance(env, token);
    started.push(s);
    return s;
  };

  it('pauses at shutdown with its progress saved, and the next start finishes it', async () => {
    env = serviceEnv(await testAuthEnv());
    events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
    mongo = await new MongoClient(env.MONGODB_URI!).connect();
    const db = mongo.db(env.MONGODB_DATABASE);
    const access = db.collection<AccessDocument>('access');
    const jobs = db.collection<{ _id: string; removed: number; finishedAt: Date | null }>('bulk_removals');
    const clinicId = aClinicId();
    const token = await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff', 'admin'] });

    const first = await start(token);
    await first.api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
    const residents = new Set<string>();
    while (residents.size < RESIDENTS) residents.add(aResident());
    const queue = [...residents];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let r = queue.shift(); r !== undefined; r = queue.shift()) await first.api.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: r }));
      }),
    );
    const approvedNow = () => access.countDocuments({ clinicId, approval: { $ne: null } });

    const request = { clinicId, allResidents: true, requestId: randomUUID() };
    // Not awaited: the call waits a while for the job, which a fast machine finishes meanwhile.
    const answered = first.api.removeApprovals(request);
    await eventually(async () => (await approvedNow()) <= RESIDENTS - 20, { what: 'the job to be under way', timeoutMs: 60_000 });
    await first.service.stop();
    await answered.catch(() => undefined); // answered with the job so far, or cut off by the stop

    const paused = await jobs.findOne({ _id: `${clinicId}|${request.requestId}` });
    const removedSoFar = RESIDENTS - (await approvedNow());
    expect(paused?.finishedAt).toBeNull();
    expect(removedSoFar).toBeLessThan(RESIDENTS);
    // The saved progress is exactly what was done before the pause.
    expect(paused?.removed).toBe(removedSoFar);
    expect(first.logs.text()).toContain('bulk removal paused for shutdown');

    const second = await start(token);
    await eventually(async () => (await second.api.getBulkRemoval({ clinicId, id: request.requestId })).bulkRemoval!.state === BulkRemovalState.BULK_REMOVAL_STATE_DONE, {
      what: 'the resumed job to finish',
      timeoutMs: 120_000,
    });
    const done = (await second.api.getBulkRemoval({ clinicId, id: request.requestId })).bulkRemoval!;
    expect(done).toMatchObject({ removedCount: RESIDENTS, unchangedCount: 0 });
    expect(await approvedNow()).toBe(0);

    const removals = () => events!.events.filter((e) => e.value.requestId === request.requestId && e.value.cause === 'ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED');
    await eventually(() => new Set(removals().map((e) => e.key)).size === RESIDENTS, { what: 'every removal event', timeoutMs: 120_000 });
    // One event per resident: each event id once per key (a re-publish repeats the same id).
    const idsByKey = new Map<string, Set<string>>();
    for (const e of removals()) idsByKey.set(e.key, (idsByKey.get(e.key) ?? new Set()).add(e.headers.ce_id!));
    expect([...idsByKey.values()].every((ids) => ids.size === 1)).toBe(true);
  }, 300_000);
});
