import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { HealthMonitor } from '../background/health-monitor';
import { ServiceMetrics, type EventKind } from '../observability/metrics';
import { kafkaAnswers } from '../publishing-kafka/kafka-health-probe';
import type { PublishingObserver } from '../relay/ports';
import type { HealthEntries } from '../transport-grpc/health-and-reflection';
import type { Storage } from './build-storage';

export type Monitoring = ReturnType<typeof buildMonitoring>;

/**
 * The health monitor and the metrics. Health states reach the gRPC health service once the server
 * runs (`showHealthOn`); bulk jobs are counted at scrape time, by runners made later (`countBulkJobs`).
 */
export function buildMonitoring(config: Config, storage: Storage, kafka: Kafka, logger: Logger) {
  let grpcHealth: HealthEntries | null = null;
  const health = new HealthMonitor(
    { storage: storage.answers, publishing: () => kafkaAnswers(kafka, config.tuning.kafkaProbeTimeoutMs) },
    config.healthCheckIntervalMs,
    (entry, state) => {
      logger.info({ healthEntry: entry, state }, 'health changed');
      if (entry === 'service') grpcHealth?.setService(state);
      else if (entry === 'publishing') grpcHealth?.setPublishing(state);
      else grpcHealth?.setLiveness(state);
    },
    config.tuning.healthProbeTimeoutFloorMs,
  );
  let bulkJobsRunning = () => ({ removal: 0, withdrawal: 0 });
  const metrics = new ServiceMetrics(
    {
      outboxBacklog: { access: () => storage.accessOutbox.stats(), settings: () => storage.settingsOutbox.stats() },
      bulkJobsRunning: () => bulkJobsRunning(),
    },
    config.tuning.outboxBacklogCacheMs,
  );
  /** What a relay reports: counted in the metrics, and publishing health follows its successes and failures. */
  const publishingOf = (kind: EventKind): PublishingObserver => {
    const counted = metrics.relay(kind);
    return {
      published(events, ackedAt) {
        health.published();
        counted.published(events, ackedAt);
      },
      failed() {
        health.failed();
        counted.failed();
      },
      alive: () => counted.alive(),
    };
  };
  return {
    health,
    metrics,
    publishingOf,
    showHealthOn: (entries: HealthEntries) => {
      grpcHealth = entries;
    },
    countBulkJobs: (count: () => { removal: number; withdrawal: number }) => {
      bulkJobsRunning = count;
    },
  };
}
