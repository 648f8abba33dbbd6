import { randomUUID } from 'node:crypto';
import { account, History, observedEvents, printAccounting, readWholeTopic } from '../support/accounting';
import { approvalCycles, crashTestServers } from '../support/crash-workload';
import { eventually } from '../support/eventually';
import { apiOf, connectClients } from '../support/grpc-client';
import { spawnService, type ServiceProcess } from '../support/service-process';
import { freePort } from '../support/stack-instance';
import { viewMismatches } from '../support/views-match-access';

const WORKERS = 8;
/** Changes acknowledged before the kill: enough that some are surely unpublished, few enough for a slow machine. */
const ACKNOWLEDGED_BEFORE_KILL = 150;

/**
 * The service is killed with SIGKILL while commands are being answered, with acknowledged events
 * still in its outbox, then started again. Its first instance reaches no Kafka broker (a port
 * nothing listens on), so at the kill every acknowledged event is unpublished, and its relay holds
 * leases on them: the test shows both in MongoDB right after the kill. Jepsen-style accounting:
 * the restarted instance publishes every acknowledged change, in order per key; calls that got no
 * answer are indeterminate (they may or may not have happened); nothing else may appear.
 */
describe('SIGKILL with acknowledged events not yet published', () => {
  const processes: ServiceProcess[] = [];
  let servers: Awaited<ReturnType<typeof crashTestServers>> | undefined;
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await servers?.stop();
  });

  it('the restarted instance publishes every change the killed one acknowledged, in order per key, and nothing that was refused', async () => {
    servers = await crashTestServers();
    const { env, events, db, access, clinicId, token } = servers;

    const first = spawnService({ ...env, KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    processes.push(first);
    const api = apiOf(connectClients(await first.started), token);
    await api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });

    // Each worker approves, removes and approves again one new resident after another; a call cut off by the kill is indeterminate.
    const history = new History();
    let stop = false;
    const load = approvalCycles(api, clinicId, history, WORKERS, () => !stop);
    await eventually(() => history.acknowledged.size >= ACKNOWLEDGED_BEFORE_KILL, { what: `${ACKNOWLEDGED_BEFORE_KILL} acknowledged changes`, timeoutMs: 60_000 });
    first.child.kill('SIGKILL');
    stop = true;
    await first.exited;
    await load;

    // At the kill: acknowledged events waiting in the outbox, under the dead relay's leases.
    const acknowledgedAtKill = new Set(history.acknowledged);
    const pending = await access.find({ clinicId, outboxPending: true }).toArray();
    const unpublishedAtKill = pending.flatMap((d) => d.outbox.map((e) => e.requestId)).filter((id) => acknowledgedAtKill.has(id));
    expect(unpublishedAtKill.length).toBeGreaterThan(0);
    expect(pending.filter((d) => d.relayLease !== null).length).toBeGreaterThan(0);
    expect(events.events.filter((e) => acknowledgedAtKill.has(e.value.requestId as string))).toEqual([]);

    const second = spawnService(env);
    processes.push(second);
    await second.started;
    await eventually(async () => (await access.countDocuments({ outboxPending: true })) === 0, { what: 'the restarted instance to drain the outbox', timeoutMs: 60_000 });
    const published = observedEvents(await readWholeTopic(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!));
    const accounting = account(history, published);
    const byRestarted = new Set(published.map((e) => e.requestId));
    printAccounting(accounting, `SIGKILL; failed ${JSON.stringify(history.failedByCode())}; unpublished at the kill ${unpublishedAtKill.length}`);

    expect(history.acknowledged.size).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
    expect(history.failed.size).toBe(0);
    // Every event unpublished at the kill was published by the restarted instance ...
    expect(unpublishedAtKill.filter((id) => !byRestarted.has(id))).toEqual([]);
    // ... and every acknowledged change at least once, in order per key, nothing unexpected.
    expect(accounting.lostIds).toEqual([]);
    expect(accounting.unexpectedIds).toEqual([]);
    expect([...byRestarted].filter((id) => !history.acknowledged.has(id) && !history.indeterminate.has(id))).toEqual([]);
    expect(accounting.violations).toEqual([]);
    // A change stored just before the kill, whose view write never happened, reached the view with its event.
    expect(await viewMismatches(db)).toEqual([]);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});
