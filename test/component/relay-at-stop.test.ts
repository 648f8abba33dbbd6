import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { aClinicId } from '../builders/identity';
import { anApproveResidentRequest } from '../builders/requests';
import { EventConsumer } from '../support/event-consumer';
import { startInstance } from '../support/service-instance';
import { serviceEnv } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';

const CHANGES = 60;

/**
 * A stopping instance publishes the events its commands stored and handed to its relay, and holds
 * no lease afterwards. The clock stands still, so a lease left behind would never end: another
 * instance could not publish those events, as in a rolling restart until RELAY_LEASE_MS passed.
 */
describe('the relay when its instance stops', () => {
  it('sends what its commands stored before it stops, and leaves no lease behind', async () => {
    const env = serviceEnv({ ...(await testAuthEnv()), RELAY_BATCH_SIZE: '1' });
    const clock = { now: () => new Date('2027-02-01T09:00:00Z') };
    const clinicId = aClinicId();
    const events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
    const mongo = await new MongoClient(env.MONGODB_URI!).connect();
    try {
      const instance = await startInstance(env, await signTestToken({ clinics: [clinicId], roles: ['staff', 'admin'] }), clock);
      try {
        await instance.api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
        // One document per batch: the relay is still working through the queue when the answers are in.
        await Promise.all(Array.from({ length: CHANGES }, () => instance.api.approveResident(anApproveResidentRequest({ clinicId }))));
      } finally {
        await instance.stop();
      }

      const access = mongo.db(env.MONGODB_DATABASE).collection('access');
      expect(await access.countDocuments({ clinicId })).toBe(CHANGES);
      expect(await access.countDocuments({ clinicId, $or: [{ outboxPending: true }, { relayLease: { $ne: null } }] })).toBe(0);
      const approvals = await events.waitFor((e) => (e.value.access as { clinicId?: string }).clinicId === clinicId, CHANGES, 10_000);
      expect(approvals).toHaveLength(CHANGES);
    } finally {
      await events.stop();
      await mongo.db(env.MONGODB_DATABASE).dropDatabase();
      await mongo.close();
    }
  });
});
