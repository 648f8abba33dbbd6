import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Db } from 'mongodb';
import { recordIdentityNumbers } from './test-logs';
import { eventually } from './eventually';

export interface RegisteredState {
  personalIdentityNumber: string;
  regionCode: string;
  municipalityCode: string;
  givenName?: string;
  familyName?: string;
  protectedIdentity?: boolean;
}

/**
 * Publishes residents to a service's population-register topic (docs/register.md), as the
 * register would, and waits until the service's resident views know where they live: that is what
 * the entitlement queries read.
 */
export async function registerResidents(env: Record<string, string>, db: Db, residents: readonly RegisteredState[]): Promise<void> {
  recordIdentityNumbers(residents.map((r) => r.personalIdentityNumber));
  const kafka = new Kafka({ clientId: 'test-population-register', brokers: env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const registeredAt = new Date().toISOString();
    await producer.send({
      topic: env.REGISTER_TOPIC!,
      acks: -1,
      messages: residents.map((r) => ({
        key: r.personalIdentityNumber,
        value: JSON.stringify({ givenName: 'Astrid', familyName: 'Lindqvist', protectedIdentity: false, ...r, registeredAt }),
      })),
    });
  } finally {
    await producer.disconnect();
  }
  const views = db.collection<{ _id: string; home?: { regionCode: string; municipalityCode: string } | null }>('resident_views');
  await eventually(
    async () => {
      const found = await Promise.all(residents.map((r) => views.findOne({ _id: r.personalIdentityNumber })));
      return found.every((v, i) => v?.home?.regionCode === residents[i]!.regionCode && v.home.municipalityCode === residents[i]!.municipalityCode);
    },
    { what: 'the register consumer to put the residents into their views', timeoutMs: 30_000 },
  );
}
