// Publishes synthetic residents to the population-register topic, standing in for the register
// integration on local and test servers.
//   node scripts/seed/publish-residents.mjs [count]     (KAFKA_BROKERS, REGISTER_TOPIC, REGISTER_SEED)
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { pathToFileURL } from 'node:url';
import { isCoordinationNumber, syntheticResidents } from './residents.mjs';

export const DEFAULT_REGISTER_TOPIC = 'population-register.residents.v1';
const PARTITIONS = 3;
const BATCH_SIZE = 500;

/** Creates the topic if missing and sends `count` residents keyed by number; returns them. */
export async function publishResidents({ brokers, topic = DEFAULT_REGISTER_TOPIC, count = 200, seed = 1 }) {
  const kafka = new Kafka({
    clientId: 'resident-register-seed',
    brokers: typeof brokers === 'string' ? brokers.split(',') : brokers,
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Asking first: creating an existing topic makes kafkajs log an error.
    if (!(await admin.listTopics()).includes(topic)) {
      // Compacted, like the register's own topic: the newest state per number is what stays.
      await admin.createTopics({
        topics: [{ topic, numPartitions: PARTITIONS, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }

  const residents = syntheticResidents(count, seed);
  // The Java client's partitioner, so the same number lands where the register would put it.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let start = 0; start < residents.length; start += BATCH_SIZE) {
      await producer.send({
        topic,
        acks: -1,
        messages: residents.slice(start, start + BATCH_SIZE).map((r) => ({ key: r.personalIdentityNumber, value: JSON.stringify(r) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
  return residents;
}

/** One ordinary, one samordningsnummer and one protected resident, for trying the service out. */
export function examples(residents) {
  return {
    ordinary: residents.find((r) => !r.protectedIdentity && !isCoordinationNumber(r.personalIdentityNumber)),
    coordination: residents.find((r) => isCoordinationNumber(r.personalIdentityNumber)),
    protected: residents.find((r) => r.protectedIdentity),
  };
}

async function main() {
  const count = process.argv[2] === undefined ? 200 : Number(process.argv[2]);
  if (!Number.isInteger(count) || count < 1) {
    process.stderr.write('usage: node scripts/seed/publish-residents.mjs [count, a positive integer]\n');
    process.exit(64);
  }
  const brokers = process.env.KAFKA_BROKERS || '127.0.0.1:9092';
  const topic = process.env.REGISTER_TOPIC || DEFAULT_REGISTER_TOPIC;
  const seed = Number(process.env.REGISTER_SEED || 1);
  const residents = await publishResidents({ brokers, topic, count, seed });

  // Synthetic numbers, so printing them is fine.
  const coordination = residents.filter((r) => isCoordinationNumber(r.personalIdentityNumber)).length;
  const protectedCount = residents.filter((r) => r.protectedIdentity).length;
  console.log(`published ${residents.length} synthetic residents to ${topic} at ${brokers} (seed ${seed})`);
  console.log(`  samordningsnummer: ${coordination}, protected identity: ${protectedCount}`);
  for (const [label, r] of Object.entries(examples(residents))) {
    if (!r) continue;
    console.log(`  ${label.padEnd(12)} ${r.personalIdentityNumber}  ${r.givenName} ${r.familyName}, ${r.municipalityCode}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`publish-residents failed: ${error.message}\n`);
    process.exit(1);
  });
}
