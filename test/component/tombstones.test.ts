import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import { aGrantCaseTypeRequest, anApproveResidentRequest } from '../builders/requests';
import type { ConsumedEvent, ConsumedTombstone } from '../support/event-consumer';
import type { Api } from '../support/grpc-client';
import { eventuallyFound } from '../support/eventually';
import { RESTRICTED_AND_GENERAL, startWithClinic, type ServiceUnderTest } from '../support/service-under-test';

/** In log order on the key's partition. */
const byOffset = (a: { offset: string }, b: { offset: string }) => Number(BigInt(a.offset) - BigInt(b.offset));

describe('tombstones on the compacted access topic', () => {
  let sut: ServiceUnderTest;
  let clinicId: string;
  let staff: Api;
  beforeAll(async () => {
    ({ sut, clinicId, staff } = await startWithClinic(RESTRICTED_AND_GENERAL));
  });
  afterAll(async () => {
    await sut.stop();
  });

  const onKey = (key: string): (ConsumedEvent | ConsumedTombstone)[] => [...sut.events.events, ...sut.events.tombstones].filter((m) => m.key === key).sort(byOffset);
  const causeOf = (m: ConsumedEvent | ConsumedTombstone) => ('value' in m ? String(m.value.cause).replace('ACCESS_CHANGE_CAUSE_', '') : 'TOMBSTONE');

  it('approve, then remove the approval: the removal event, then a tombstone on the same key and partition', async () => {
    const resident = aResident();
    const approve = anApproveResidentRequest({ clinicId, personalIdentityNumber: resident });
    await staff.approveResident(approve);
    const removal = { clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' };
    await staff.removeApproval(removal);
    const [removed] = await sut.events.waitFor((e) => e.value.requestId === removal.requestId);
    const tombstone = await sut.events.waitForTombstone(removed!.key);

    expect(onKey(removed!.key).map(causeOf)).toEqual(['APPROVED', 'APPROVAL_REMOVED', 'TOMBSTONE']);
    expect(tombstone.partition).toBe(removed!.partition);
    expect(BigInt(tombstone.offset)).toBe(BigInt(removed!.offset) + 1n);
    expect(tombstone.headers).toEqual({ 'access-version': String(removed!.value.version) });
    expect(tombstone.key).not.toContain(resident.slice(2));
  });

  it('approve and grant, remove the approval: no tombstone while the grant remains; removing the grant ends the key', async () => {
    const resident = aResident();
    await staff.approveResident(anApproveResidentRequest({ clinicId, personalIdentityNumber: resident }));
    await staff.grantCaseType(aGrantCaseTypeRequest({ clinicId, personalIdentityNumber: resident }));
    await staff.removeApproval({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });
    const lastRemoval = { clinicId, personalIdentityNumber: resident, caseTypeId: 'restricted-1', requestId: randomUUID(), etag: '' };
    await staff.removeGrant(lastRemoval);
    const [grantRemoved] = await sut.events.waitFor((e) => e.value.requestId === lastRemoval.requestId);
    await sut.events.waitForTombstone(grantRemoved!.key);

    // One partition per key, so this is the order a consumer reads them in.
    expect(onKey(grantRemoved!.key).map(causeOf)).toEqual(['APPROVED', 'GRANTED', 'APPROVAL_REMOVED', 'GRANT_REMOVED', 'TOMBSTONE']);
  });

  it('topics the service creates are compacted, compact within a week and keep tombstones readable for a week', async () => {
    // The test's consumer creates the access topic itself; the settings topic is the service's own, made the same way.
    const admin = new Kafka({ clientId: 'topic-config-check', brokers: sut.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topic = sut.env.KAFKA_SETTINGS_TOPIC!;
      const topicConfig = async () => {
        if (!(await admin.listTopics()).includes(topic)) return undefined;
        const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
        const entries: Record<string, string> = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
        return entries['cleanup.policy'] !== undefined ? entries : undefined;
      };
      const configured = await eventuallyFound(topicConfig, { what: 'the settings topic and its configuration', timeoutMs: 10_000 });
      const week = String(7 * 24 * 60 * 60 * 1000);
      expect(configured).toMatchObject({ 'cleanup.policy': 'compact', 'max.compaction.lag.ms': week, 'delete.retention.ms': week });
    } finally {
      await admin.disconnect();
    }
  });
});
