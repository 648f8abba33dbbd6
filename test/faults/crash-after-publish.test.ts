import { randomUUID } from 'node:crypto';
import { account, History, observedEvents, printAccounting, readWholeTopic } from '../support/accounting';
import { approvalCycles, crashTestServers } from '../support/crash-workload';
import { eventually } from '../support/eventually';
import { apiOf, connectClients } from '../support/grpc-client';
import { spawnService, type ServiceProcess } from '../support/service-process';
import { viewMismatches } from '../support/views-match-access';

const WORKERS = 4;

/**
 * The service dies (SIGKILL, from its test-only failpoint `RESIDENT_ACCESS_FAILPOINT=exit-after-publish`)
 * right after Kafka acknowledged the access relay's first batch and before the outbox recorded it
 * published. A second instance on the same database and topic publishes those events again:
 * duplicates are allowed (consumers drop them by event id and version), a loss or a reordering is
 * not. Jepsen-style accounting over every call the first instance answered.
 */
describe('SIGKILL between Kafka acknowledging a batch and the outbox mark', () => {
  const processes: ServiceProcess[] = [];
  let servers: Awaited<ReturnType<typeof crashTestServers>> | undefined;
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await servers?.stop();
  });

  it('the second instance publishes the acknowledged-but-unmarked events again, and every acknowledged change is on the topic in order per key', async () => {
    servers = await crashTestServers();
    const { env, db, access, clinicId, token } = servers;

    const first = spawnService({ ...env, RESIDENT_ACCESS_FAILPOINT: 'exit-after-publish' });
    processes.push(first);
    const api = apiOf(connectClients(await first.started), token);
    // A settings change: its relay has no failpoint.
    await api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });

    // Each worker approves, removes and approves again one new resident after another, until the process dies under it.
    const history = new History();
    const load = approvalCycles(api, clinicId, history, WORKERS);
    const exit = await Promise.race([first.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))]);
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    await load;

    // At the kill: events Kafka holds whose documents still have them in the outbox (published,
    // not marked), and no instance running.
    const atKill = observedEvents(await readWholeTopic(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!));
    const pending = await access.find({ clinicId, outboxPending: true }).toArray();
    const stillInOutbox = new Set(pending.flatMap((d) => d.outbox.map((e) => e.eventId)));
    const publishedNotMarked = atKill.filter((e) => stillInOutbox.has(e.eventId));
    expect(history.acknowledged.size).toBeGreaterThan(0);
    expect(publishedNotMarked.length).toBeGreaterThan(0);

    const second = spawnService(env);
    processes.push(second);
    await second.started;
    await eventually(async () => (await access.countDocuments({ outboxPending: true })) === 0, { what: 'the second instance to drain the outbox', timeoutMs: 60_000 });
    const published = observedEvents(await readWholeTopic(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!));
    const accounting = account(history, published);
    printAccounting(
      accounting,
      `crash-after-publish; failed ${JSON.stringify(history.failedByCode())}; on the topic at the kill ${atKill.length}, of them published but not marked ${publishedNotMarked.length}`,
    );

    expect(history.failed.size).toBe(0);
    // The events of the unmarked batch went out again (at least once) ...
    const copies = (eventId: string) => published.filter((e) => e.eventId === eventId).length;
    expect(publishedNotMarked.filter((e) => copies(e.eventId) < 2).map((e) => e.eventId)).toEqual([]);
    expect(accounting.duplicated).toBeGreaterThanOrEqual(publishedNotMarked.length);
    // ... and every acknowledged change is on the topic, in order per key, nothing unexpected.
    expect(accounting.lostIds).toEqual([]);
    expect(accounting.unexpectedIds).toEqual([]);
    expect([...new Set(published.map((e) => e.requestId))].filter((id) => !history.acknowledged.has(id) && !history.indeterminate.has(id))).toEqual([]);
    expect(accounting.violations).toEqual([]);
    expect(await viewMismatches(db)).toEqual([]);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
