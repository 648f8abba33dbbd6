import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { aClinicId, aResident } from '../builders/identity';
import { EventConsumer } from '../support/event-consumer';
import { apiOf, connectClients, type Api } from '../support/grpc-client';
import { spawnService, type ServiceProcess } from '../support/service-process';
import { serviceEnv } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';
import { eventually } from '../support/eventually';
import { viewMismatches } from '../support/views-match-access';

/**
 * The service is killed with SIGKILL while commands are being answered and events published, then
 * started again. Jepsen-style accounting: every acknowledged change must be published; calls that
 * got no answer are indeterminate (they may or may not have happened); nothing else may appear.
 */
describe('SIGKILL while commands and publishing are in flight', () => {
  const processes: ServiceProcess[] = [];
  let events: EventConsumer | undefined;
  let mongo: MongoClient | undefined;
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await events?.stop();
    await mongo?.close();
  });

  it('publishes every acknowledged change after the restart, and nothing that was refused', async () => {
    // A short lease, so the restarted instance soon takes over what the dead one had claimed.
    const env = serviceEnv({ ...(await testAuthEnv()), RELAY_LEASE_MS: '2000', RELAY_POLL_INTERVAL_MS: '300' });
    events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
    const clinicId = aClinicId();
    const token = await signTestToken({ clinics: [clinicId], roles: ['staff', 'admin'] });

    const first = spawnService(env);
    processes.push(first);
    const api = apiOf(connectClients(await first.started), token);
    await api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });

    const acknowledged = new Set<string>();
    const refused = new Set<string>();
    const indeterminate = new Set<string>();
    let stop = false;
    const worker = async (client: Api) => {
      for (let i = 0; i < 400 && !stop; i++) {
        const requestId = randomUUID();
        try {
          await client.approveResident({ clinicId, personalIdentityNumber: aResident(), requestId, etag: '' });
          acknowledged.add(requestId);
        } catch (error) {
          const code = (error as { code?: number }).code;
          // UNAVAILABLE/CANCELLED here means the connection died: the command may have been stored.
          if (code === 14 || code === 1 || code === 4) indeterminate.add(requestId);
          else refused.add(requestId);
          if (code === 14) return;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, () => worker(api)));
    const deadline = Date.now() + 20000;
    while (acknowledged.size < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    stop = true;
    await load;
    await first.exited;

    const second = spawnService(env);
    processes.push(second);
    await second.started;

    const seen = new Map<string, number>();
    const waitUntil = Date.now() + 60000;
    while (Date.now() < waitUntil) {
      seen.clear();
      for (const e of events.events) seen.set(e.headers.ce_id!, (seen.get(e.headers.ce_id!) ?? 0) + 1);
      const publishedRequests = new Set(events.events.map((e) => e.value.requestId as string));
      if ([...acknowledged].every((id) => publishedRequests.has(id))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const publishedRequests = new Set(events.events.map((e) => e.value.requestId as string));
    const lost = [...acknowledged].filter((id) => !publishedRequests.has(id));
    const unexpected = [...publishedRequests].filter((id) => !acknowledged.has(id) && !indeterminate.has(id) && id !== undefined);
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    process.stdout.write(
      `accounting (SIGKILL): acknowledged=${acknowledged.size} refused=${refused.size} indeterminate=${indeterminate.size} ` +
        `published=${[...acknowledged].filter((id) => publishedRequests.has(id)).length} duplicated=${duplicated} lost=${lost.length} unexpected=${unexpected.length}\n`,
    );
    expect(acknowledged.size).toBeGreaterThanOrEqual(150);
    expect(lost).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(refused.size).toBe(0);
    // A change stored just before the kill, whose view write never happened, reached the view with its event.
    mongo = await new MongoClient(env.MONGODB_URI!).connect();
    const db = mongo.db(env.MONGODB_DATABASE);
    await eventually(async () => (await db.collection('access').countDocuments({ outboxPending: true })) === 0, { what: 'the outbox to drain', timeoutMs: 60_000 });
    expect(await viewMismatches(db)).toEqual([]);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
