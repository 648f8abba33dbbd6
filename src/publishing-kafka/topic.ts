import type { Kafka } from 'kafkajs';

export interface TopicSettings {
  name: string;
  partitions: number;
  /** -1 lets the broker use its default. */
  replicationFactor: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Compacted: the latest event per key (clinic + resident pseudonym) is kept, so a new consumer can
 * rebuild every resident's access from the start. A key ended by a tombstone is forgotten: records
 * are compacted at the latest a week after they were written (max.compaction.lag.ms), and the
 * tombstone itself stays readable for a week after that (delete.retention.ms), long enough for a
 * consumer that was down to see it.
 */
export const TOPIC_CONFIG = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'max.compaction.lag.ms', value: String(7 * DAY_MS) },
  { name: 'delete.retention.ms', value: String(7 * DAY_MS) },
];

/** Creates the topic if missing, with TOPIC_CONFIG; an existing topic's settings are left as they are. */
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
          configEntries: TOPIC_CONFIG,
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}
