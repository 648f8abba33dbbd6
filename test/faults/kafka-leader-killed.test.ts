import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { aResident } from '../builders/identity';
import { account, History, observedEvents, printAccounting, readWholeTopic } from '../support/accounting';
import { TOPIC_CONFIG } from '../../src/publishing-kafka/topic';
import { eventually, sleep } from '../support/eventually';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { ownKafkaCluster } from '../support/stack-instance';
import { uniqueName } from '../support/test-env';
import { viewMismatches } from '../support/views-match-access';

const WORKERS = 4;
const PAUSE_BETWEEN_CALLS_MS = 30;
/** How long the followers are frozen before the leader dies: shorter than the cluster's replica.lag.time.max.ms (5 s), so they stay in sync and one of them is elected. */
const FOLLOWERS_FROZEN_MS = 1500;

/**
 * A three-node Kafka cluster (KRaft; the access topic with replication factor 3 and
 * min.insync.replicas=2, one node leading every partition). The service publishes under load with
 * acks=-1; the two followers are frozen (SIGSTOP) for a moment, so that the leader alone holds what
 * was sent meanwhile, then the leader is SIGKILLed and the followers thawed: one of them, still in
 * sync, becomes the leader without those records. Acknowledged by all in-sync replicas
 * means on another node too: nothing acknowledged may be lost (with acks=1 it would be), and each
 * resident's events stay in version order. Jepsen-style accounting over every call.
 */
describe("the access topic's leader killed in a three-node Kafka", () => {
  let cluster: Awaited<ReturnType<typeof ownKafkaCluster>>;
  let sut: ServiceUnderTest | undefined;

  beforeAll(async () => {
    cluster = await ownKafkaCluster(uniqueName('kafka3'));
    await cluster.start();
  });
  afterAll(async () => {
    await sut?.stop();
    await cluster?.destroy();
  });

  it('loses no acknowledged change and keeps per-key order', async () => {
    // The access topic, made before the service starts: replication factor 3, min.insync.replicas=2,
    // and node 1 leads every partition (the first replica listed), so that freezing the other two
    // holds up no partition's leader, only its followers.
    const topic = uniqueName('access-changed');
    const admin = new Kafka({ clientId: 'test-admin', brokers: cluster.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    // Not `waitForLeaders`: kafkajs retries only LEADER_NOT_AVAILABLE there, and a node that has
    // not yet heard of the new topic answers UNKNOWN_TOPIC_OR_PARTITION; the test waits below.
    await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          replicaAssignment: [
            { partition: 0, replicas: [1, 2, 3] },
            { partition: 1, replicas: [1, 3, 2] },
            { partition: 2, replicas: [1, 2, 3] },
          ],
          configEntries: [...TOPIC_CONFIG, { name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
    const leaders = async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.sort((a, b) => a.partitionId - b.partitionId);
    await eventually(
      async () => {
        const partitions = await leaders();
        return partitions.length === 3 && partitions.every((p) => p.leader === 1 && p.isr.length === 3);
      },
      { what: 'node 1 to lead all three partitions, all replicas in sync' },
    );
    sut = await startServiceUnderTest({ env: { KAFKA_BROKERS: cluster.brokers, KAFKA_ACCESS_TOPIC: topic, RELAY_POLL_INTERVAL_MS: '300' } });
    const service = sut;
    // The accounting reads the whole topic afterwards with a fresh consumer.
    await service.events.stop();
    let running = true;
    let load: Promise<unknown> = Promise.resolve();
    try {
      // The topic is on all three nodes, and a send needs two of them.
      const before = await leaders();
      expect(before.map((p) => p.replicas.length)).toEqual([3, 3, 3]);
      expect(before.map((p) => p.leader)).toEqual([1, 1, 1]);
      const [described] = (await admin.describeConfigs({ resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['min.insync.replicas'] }], includeSynonyms: false })).resources;
      expect(described!.configEntries.find((c) => c.configName === 'min.insync.replicas')?.configValue).toBe('2');

      const clinicId = await service.givenClinic();
      const staff = await service.staff(clinicId);
      // Each worker approves, removes and approves again one new resident after another (versions
      // 1, 2, 3 on one key), each request once.
      const history = new History();
      const worker = async () => {
        while (running) {
          const resident = aResident();
          for (const method of ['approveResident', 'removeApproval', 'approveResident'] as const) {
            const request = { clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' };
            const outcome = await history.run(
              request.requestId,
              () => staff[method](request),
              (r) => r.changed,
            );
            await sleep(PAUSE_BETWEEN_CALLS_MS);
            if (outcome.kind !== 'ok') break;
          }
        }
      };
      load = Promise.all(Array.from({ length: WORKERS }, worker));
      const timeline: string[] = [];
      const t0 = Date.now();
      const mark = (what: string) => timeline.push(`${what}@${((Date.now() - t0) / 1000).toFixed(1)}s`);
      const published = async () => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
      const moreAcknowledged = (count: number, what: string) => {
        const target = history.acknowledged.size + count;
        return eventually(() => history.acknowledged.size >= target, { what: `${count} more changes ${what}`, timeoutMs: 60_000 });
      };

      // Publishing runs, then the leader dies.
      await moreAcknowledged(40, 'before the kill');
      await eventually(async () => (await published()) >= 20, { what: 'the relay to publish before the kill', timeoutMs: 30_000 });
      const publishedAtFreeze = await published();
      const victim = 1;
      const followers = [2, 3];
      mark(`freeze(nodes ${followers.join(',')})`);
      for (const node of followers) cluster.pause(node);
      try {
        // Sends acknowledged by the leader alone (acks=1) would be only there now.
        await sleep(FOLLOWERS_FROZEN_MS);
        mark(`kill(node ${victim})`);
        await cluster.kill(victim);
      } finally {
        for (const node of followers) cluster.resume(node);
      }
      mark('killed');
      await moreAcknowledged(40, 'after the kill');
      // Every partition has a new leader among the survivors, and the relay publishes through them.
      await eventually(async () => (await leaders()).every((p) => ![-1, victim].includes(p.leader)), { what: 'new leaders', timeoutMs: 60_000 });
      mark('new-leader');
      running = false;
      await load;
      mark('load-done');
      await eventually(async () => (await service.access.countDocuments({ outboxPending: true })) === 0, { what: 'the outbox to drain', timeoutMs: 90_000 });
      mark('drained');

      const events = observedEvents(await readWholeTopic(cluster.brokers, topic));
      const accounting = account(history, events);
      const after = await leaders();
      printAccounting(
        accounting,
        `kafka-leader-killed; failed ${JSON.stringify(history.failedByCode())}; leaders before ${before.map((p) => p.leader).join('/')}, after ${after.map((p) => p.leader).join('/')}; ` +
          `in sync after ${after.map((p) => p.isr.length).join('/')}; records on the topic at the freeze ${publishedAtFreeze}; ${timeline.join(' ')}`,
      );
      // The database never failed: every call was answered, and changed something.
      expect(history.failed.size).toBe(0);
      expect(history.indeterminate.size).toBe(0);
      expect(accounting.lostIds).toEqual([]);
      expect(accounting.unexpectedIds).toEqual([]);
      expect(accounting.violations).toEqual([]);
      expect(after.map((p) => p.leader)).not.toContain(victim);
      expect(await viewMismatches(service.db)).toEqual([]);
    } finally {
      running = false;
      await load.catch(() => undefined);
      await admin.disconnect();
    }
  });
});
