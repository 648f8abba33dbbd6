import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { ownKafka } from '../support/stack-instance';
import { uniqueName } from '../support/test-env';
import { eventually } from '../support/eventually';
import { viewMismatches } from '../support/views-match-access';

/**
 * Kafka is killed (SIGKILL) while staff keep changing the same residents, then comes back. Every acknowledged
 * change must arrive, and each resident's events must arrive in version order.
 */
describe('Kafka stopped while commands keep coming', () => {
  let kafka: Awaited<ReturnType<typeof ownKafka>>;
  let sut: ServiceUnderTest | undefined;
  beforeAll(async () => {
    kafka = await ownKafka(uniqueName('load-outage'));
    await kafka.start();
  });
  afterAll(async () => {
    await sut?.stop();
    await kafka.destroy();
  });

  it('loses nothing and keeps per-key order', async () => {
    sut = await startServiceUnderTest({ env: { KAFKA_BROKERS: kafka.brokers, RELAY_POLL_INTERVAL_MS: '300' } });
    const clinicId = await sut.givenClinic();
    const staff = await sut.staff(clinicId);
    const residents = Array.from({ length: 10 }, () => aResident());
    const acknowledged = new Map<string, string>(); // request id → resident, for changes that changed something
    let failed = 0;

    const toggle = async (resident: string, rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        const requestId = randomUUID();
        const call = i % 2 === 0 ? staff.approveResident : staff.removeApproval;
        try {
          const response = await call({ clinicId, personalIdentityNumber: resident, requestId, etag: '' });
          if (response.changed) acknowledged.set(requestId, resident);
        } catch {
          failed++;
        }
      }
    };
    const phase = (rounds: number) => Promise.all(residents.map((r) => toggle(r, rounds)));

    await phase(4);
    // SIGKILL in the middle of the load: sends in flight get no answer; it restarts on the same data.
    const killing = kafka.kill();
    await phase(6); // while Kafka goes down and stays down
    await killing;
    await phase(4);
    await kafka.start();
    await phase(4);

    await sut.events.stop();
    sut.events.events.length = 0;
    await sut.events.start(); // a fresh consumer reads everything from the beginning
    const service = sut;
    const unread = () => [...acknowledged.keys()].filter((id) => !service.events.events.some((e) => e.value.requestId === id));
    await eventually(() => unread().length === 0, { what: 'an event for every acknowledged change', timeoutMs: 90_000 });

    const byKey = new Map<string, number[]>();
    const seenIds = new Set<string>();
    let duplicated = 0;
    for (const e of sut.events.events) {
      if (seenIds.has(e.headers.ce_id!)) {
        duplicated++;
        continue;
      }
      seenIds.add(e.headers.ce_id!);
      byKey.set(e.key, [...(byKey.get(e.key) ?? []), Number(e.value.version)]);
    }
    const orderViolations = [...byKey.values()].filter((versions) => versions.some((v, i) => i > 0 && v <= versions[i - 1]!)).length;
    const published = [...acknowledged.keys()].filter((id) => sut!.events.events.some((e) => e.value.requestId === id)).length;
    process.stdout.write(
      `accounting (Kafka outage under load): acknowledged=${acknowledged.size} failed=${failed} published=${published} ` +
        `duplicated=${duplicated} lost=${acknowledged.size - published} order-violations=${orderViolations}\n`,
    );
    expect(failed).toBe(0);
    expect(published).toBe(acknowledged.size);
    expect(orderViolations).toBe(0);
    for (const resident of residents) {
      const doc = await sut.access.findOne({ _id: `${clinicId}|${resident}` });
      const key = [...byKey.keys()].find((k) => sut!.events.events.some((e) => e.key === k && (e.value.access as { personalIdentityNumber: string }).personalIdentityNumber === resident));
      expect(byKey.get(key!)!.at(-1)).toBe(doc!.version);
    }
    await eventually(async () => (await sut!.access.countDocuments({ outboxPending: true })) === 0, { what: 'the outbox to drain', timeoutMs: 60_000 });
    expect(await viewMismatches(sut.db)).toEqual([]);
  });
});
