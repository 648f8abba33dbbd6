import type { Kafka } from 'kafkajs';

export interface TopicSettings {
  name: string;
  partitions: number;
  /** -1 lets the broker use its default. */
  replicationFactor: number;
}

/**
 * Creates the access topic if missing. Compacted: the latest event per key (clinic + resident
 * pseudonym) is kept for ever, so a new consumer can rebuild every resident's access from the start.
 */
export async function ensureTopic(kafka: Kafka, topic: TopicSettings): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 1 } });
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(topic.name)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}
