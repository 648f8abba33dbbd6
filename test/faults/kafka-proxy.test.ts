import { Metadata, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import { account, History, observedEvents, printAccounting, readWholeTopic } from '../support/accounting';
import { healthClient, waitForHealth } from '../support/health-client';
import { ownKafkaBehindProxy } from '../support/kafka-behind-proxy';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { uniqueName } from '../support/test-env';
import { signTestToken } from '../support/tokens';
import { eventually, sleep } from '../support/eventually';
import { viewMismatches } from '../support/views-match-access';

const PUBLISHING = 'residentaccess.v1.EventPublishing';
const WORKERS = 4;
const PAUSE_BETWEEN_CALLS_MS = 50;
const MAX_CALLS = 1500;
const CALL_DEADLINE_MS = 30_000;

describe('Kafka behind a faulty network', () => {
  let kafka: Awaited<ReturnType<typeof ownKafkaBehindProxy>>;
  let sut: ServiceUnderTest | undefined;

  beforeAll(async () => {
    kafka = await ownKafkaBehindProxy(uniqueName('proxy'));
    await kafka.start();
  });
  afterAll(async () => {
    kafka?.proxy.pass();
    await sut?.stop();
    await kafka?.destroy();
  });

  it('publishes every acknowledged change, in order per key, through delays, cut connections and refused connections', async () => {
    // The service and the test's consumers reach the broker only through the proxy.
    sut = await startServiceUnderTest({ env: { KAFKA_BROKERS: kafka.brokers } });
    const service = sut;
    const proxy = kafka.proxy;
    const health = healthClient(service.service.port);
    let running = true;
    let load: Promise<unknown> = Promise.resolve();
    try {
      expect(await waitForHealth(health, PUBLISHING, 'SERVING', 60_000)).toBe('SERVING');
      // The accounting reads the whole topic afterwards with a fresh consumer.
      await service.events.stop();
      const clinicId = await service.givenClinic();
      const token = await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff'] });
      type Call = (request: object, metadata: Metadata, options: { deadline: number }, cb: (e: ServiceError | null, r: { changed: boolean }) => void) => ClientUnaryCall;
      const client = service.clients.residentAccess as unknown as Record<'approveResident' | 'removeApproval', Call>;
      const call = (method: 'approveResident' | 'removeApproval', request: { requestId: string }) =>
        new Promise<{ changed: boolean }>((resolve, reject) => {
          const metadata = new Metadata();
          metadata.set('authorization', `Bearer ${token}`);
          client[method].call(service.clients.residentAccess, request, metadata, { deadline: Date.now() + CALL_DEADLINE_MS }, (e, r) => (e ? reject(e) : resolve(r)));
        });

      // Each worker takes a new resident and approves, removes and approves again (versions 1, 2, 3
      // on one key), then the next resident; each request once (no retries).
      const history = new History();
      const residents = new Set<string>();
      let calls = 0;
      const worker = async () => {
        while (running && calls < MAX_CALLS) {
          let resident = aResident();
          while (residents.has(resident)) resident = aResident();
          residents.add(resident);
          for (const method of ['approveResident', 'removeApproval', 'approveResident'] as const) {
            const request = { clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' };
            calls++;
            const outcome = await history.run(
              request.requestId,
              () => call(method, request),
              (r) => r.changed,
            );
            await sleep(PAUSE_BETWEEN_CALLS_MS);
            if (outcome.kind !== 'ok') break; // the next step would not be the change it means to be
          }
        }
      };
      load = Promise.all(Array.from({ length: WORKERS }, worker));
      const timeline: string[] = [];
      const t0 = Date.now();
      const mark = (what: string) => timeline.push(`${what}@${((Date.now() - t0) / 1000).toFixed(1)}s`);

      // Each phase lasts until the load has made progress in it (and, after a cut, until the
      // service has connected again through the proxy), however fast the machine is.
      const moreAcknowledged = (count: number, what: string) => {
        const target = history.acknowledged.size + count;
        return eventually(() => history.acknowledged.size >= target, { what: `${count} more changes ${what}`, timeoutMs: 30_000 });
      };
      const reconnected = (what: string) => {
        const before = proxy.stats.accepted;
        return eventually(() => proxy.stats.accepted > before, { what: `a new connection through the proxy ${what}`, timeoutMs: 30_000 });
      };
      await moreAcknowledged(20, 'before the faults');
      // 200 ms per chunk each way; the first cuts come while it lasts, so requests are in flight when cut.
      mark('delay');
      proxy.delay(200);
      await moreAcknowledged(20, 'under the delay');
      for (let i = 0; i < 5; i++) {
        if (i === 2) {
          mark('pass');
          proxy.pass();
        }
        const afterCut = reconnected(`after cut ${i + 1}`);
        mark(`cut(${proxy.cut()})`);
        await afterCut;
        await moreAcknowledged(WORKERS, `after cut ${i + 1}`);
      }
      mark('refuse');
      proxy.refuse();
      proxy.cut();
      // Publishing is reported down, and commands go on being acknowledged while it is.
      expect(await waitForHealth(health, PUBLISHING, 'NOT_SERVING', 60_000)).toBe('NOT_SERVING');
      mark('not-serving');
      await moreAcknowledged(2 * WORKERS, 'while Kafka is refused');
      mark('pass');
      proxy.pass();
      expect(await waitForHealth(health, PUBLISHING, 'SERVING', 60_000)).toBe('SERVING');
      mark('publishing');
      await moreAcknowledged(2 * WORKERS, 'after publishing recovered');
      running = false;
      await load;
      mark('load-done');
      const pendingAtEnd = await service.access.countDocuments({ outboxPending: true });

      await eventually(async () => (await service.access.countDocuments({ outboxPending: true })) === 0, { what: 'the outbox to drain', timeoutMs: 60_000 });
      mark('drained');
      const events = observedEvents(await readWholeTopic(kafka.brokers, service.env.KAFKA_ACCESS_TOPIC!));
      const accounting = account(history, events);
      const { accepted, refused, cut } = proxy.stats;
      printAccounting(
        accounting,
        `kafka-proxy; ${residents.size} residents; proxy accepted=${accepted} refused=${refused} cut=${cut}; outbox documents pending when the load stopped ${pendingAtEnd}; ${timeline.join(' ')}`,
      );

      // Commands never wait for Kafka, so each one was answered and made its change.
      expect({ failed: history.failedByCode(), indeterminate: history.indeterminate.size, unchanged: history.unchanged.size }).toEqual({
        failed: {},
        indeterminate: 0,
        unchanged: 0,
      });
      expect(refused).toBeGreaterThan(0);
      expect(accounting.lostIds).toEqual([]);
      expect(accounting.unexpectedIds).toEqual([]);
      expect(accounting.violations).toEqual([]);
      expect(await viewMismatches(service.db)).toEqual([]);
    } finally {
      running = false;
      await load.catch(() => undefined);
      proxy.pass();
      health.close();
    }
  });
});
