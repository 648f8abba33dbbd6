import type { Collection } from 'mongodb';
import type { AccessDocument } from '../../src/storage-mongo/access-document';
import { anApproveResidentRequest } from '../builders/requests';
import type { Api } from './grpc-client';
import type { ServiceUnderTest } from './service-under-test';
import { eventually } from './eventually';

/**
 * Waits until every event published before this call has been read. Order holds only within a
 * partition, so it publishes markers until one has come back on every partition of the topic.
 */
export async function relayCaughtUp(sut: ServiceUnderTest, staff: Api, clinicId: string): Promise<void> {
  const partitions = new Set<number>();
  for (let i = 0; partitions.size < Number(sut.env.KAFKA_TOPIC_PARTITIONS); i++) {
    if (i === 60) throw new Error(`markers reached only partitions ${[...partitions].join(', ')}`);
    const marker = anApproveResidentRequest({ clinicId });
    await staff.approveResident(marker);
    const [event] = await sut.events.waitFor((e) => e.value.requestId === marker.requestId);
    partitions.add(event!.partition);
  }
}

/** Waits until the relay is done with one document: its outbox empty and its lease released. */
export async function outboxSettled(documents: Collection<AccessDocument>, id: string): Promise<void> {
  await eventually(
    async () => {
      const doc = await documents.findOne({ _id: id });
      return doc !== null && !doc.outboxPending && doc.relayLease === null;
    },
    { what: `the relay to finish with ${id.split('|')[0]}`, timeoutMs: 30_000 },
  );
}
