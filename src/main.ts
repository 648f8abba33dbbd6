// First: the instrumentations must be in place before grpc-js, mongodb, kafkajs and pino load.
import { startTracing } from './observability/tracing';
import type { DestinationStream, Logger } from 'pino';
import { buildMessaging } from './composition/build-messaging';
import { buildMonitoring } from './composition/build-monitoring';
import { openStorage } from './composition/build-storage';
import { stopOnSignals } from './composition/stop-on-signals';
import { buildHandlers, startTransport } from './composition/build-transport';
import { buildUseCases } from './composition/build-use-cases';
import { Lifecycle } from './composition/lifecycle';
import { ConfigError, loadConfig, type Config } from './config/config';
import { systemClock, type Clock } from './domain/ports/clock';
import { createLogger } from './observability/logger';
import { startMetricsServer } from './observability/metrics-server';
import { buildKafka } from './publishing-kafka/kafka-client';
import type { GrpcServer } from './transport-grpc/grpc-server';

export interface RunningService {
  /** The gRPC port actually bound (useful with port 0). */
  port: number;
  /** The Prometheus /metrics port actually bound. */
  metricsPort: number;
  logger: Logger;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  clock?: Clock;
  /** Where logs go; stdout by default. Tests capture them here. */
  logDestination?: DestinationStream;
}

/**
 * The composition root: builds every component from the config (src/composition), then starts the
 * parts in the order listed. Stopping goes through the same list backwards: health NOT_SERVING,
 * bulk jobs paused, the calls in flight drained, the workers stopped, the relays flushed, Kafka and
 * then MongoDB closed.
 */
export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const tracing = startTracing(config.tracing);
  const logger = createLogger(config.logLevel, options.logDestination);
  const clock = options.clock ?? systemClock;
  for (const warning of config.insecureTransportWarnings) logger.warn(warning);

  const storage = await openStorage(config, clock, logger);
  const kafka = buildKafka(config.kafka, logger);
  const monitoring = buildMonitoring(config, storage, kafka, logger);
  const messaging = buildMessaging(config, kafka, storage, monitoring, clock, logger);
  const useCases = buildUseCases(config, storage, messaging, monitoring, clock, logger);
  const handlers = buildHandlers(config, useCases);
  const { relay, settingsRelay, accessPublisher, settingsPublisher, registerConsumer } = messaging;
  const { withdrawals, bulkRemovals, republishRunner } = useCases.runners;

  let metricsServer!: Awaited<ReturnType<typeof startMetricsServer>>;
  let server!: GrpcServer;
  const lifecycle = new Lifecycle(
    [
      { name: 'tracing', stop: () => tracing.flush().catch((error: unknown) => logger.warn({ err: error }, 'spans could not be exported before stopping')) },
      { name: 'database connection', stop: () => storage.mongo.close() },
      { name: 'database monitor watchdog', start: () => storage.monitorWatchdog.start(config.tuning.mongoMonitorCheckEveryMs), stop: () => storage.monitorWatchdog.stop() },
      {
        name: 'metrics server',
        start: async () => (metricsServer = await startMetricsServer(config.metrics.host, config.metrics.port, monitoring.metrics.registry)),
        stop: () => metricsServer.close(),
      },
      { name: 'event publishers', stop: () => Promise.all([accessPublisher.close(), settingsPublisher.close()]) },
      { name: 'clinic settings copy', start: () => useCases.settingsCopy.start(), stop: () => useCases.settingsCopy.stop() },
      // Stopped after every writer of events: what they stored last is still sent.
      {
        name: 'event relays',
        start: () => {
          relay.start();
          settingsRelay.start();
        },
        stop: () => Promise.all([relay.stop(), settingsRelay.stop()]),
      },
      { name: 'grant expiry', start: () => useCases.expiry.start(), stop: () => useCases.expiry.stop() },
      { name: 'retention purge', start: () => useCases.retention.start(), stop: () => useCases.retention.stop() },
      {
        // Every answered read's entry is stored before the database connection goes.
        name: 'access log',
        stop: () => storage.accessLog.close(),
      },
      { name: 'register consumer', start: () => registerConsumer.start(), stop: () => registerConsumer.stop() },
      {
        // Drain: no new calls; those in flight get the grace period to finish.
        name: 'gRPC server',
        start: async () => {
          server = await startTransport(config, handlers, storage.rateLimitBuckets, monitoring.metrics, logger);
          monitoring.showHealthOn(server.health);
        },
        stop: () => server.shutdown(config.shutdownGraceMs),
      },
      {
        // Paused before the drain: a call following its bulk job answers with the progress at once rather than
        // holding the drain; paused jobs resume at the next start, here or on another instance.
        name: 'background sweeps',
        start: async () => {
          await withdrawals.resumeUnfinished();
          await bulkRemovals.resumeUnfinished();
          await republishRunner.resumeUnfinished();
        },
        stop: () => Promise.all([withdrawals.stop(), bulkRemovals.stop(), republishRunner.stop()]),
      },
      // Ready: SERVING while the database answers; NOT_SERVING first thing at a stop, so load balancers drain this instance.
      { name: 'health', start: () => monitoring.health.start(), stop: () => monitoring.health.stop() },
    ],
    { stopFailed: (part, error) => logger.error({ err: error, part }, 'a part of the service did not stop cleanly') },
  );
  await lifecycle.start();
  logger.info({ port: server.port, metricsPort: metricsServer.port, topic: config.kafka.accessTopic, node: process.version }, 'resident-access started');

  let stopping: Promise<void> | null = null;
  return {
    port: server.port,
    metricsPort: metricsServer.port,
    logger,
    stop() {
      stopping ??= lifecycle.stop().then(() => logger.info('resident-access stopped'));
      return stopping;
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`resident-access: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const service = await startService(config);
  stopOnSignals(
    process,
    () => service.stop(),
    service.logger,
    (code) => process.exit(code),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    createLogger('error').fatal({ err: error }, 'resident-access failed to start');
    process.exit(1);
  });
}
