// First: the instrumentations must be in place before grpc-js, mongodb, kafkajs and pino load.
import { startTracing } from './observability/tracing';
import { randomUUID } from 'node:crypto';
import type { DestinationStream, Logger } from 'pino';
import { createTokenVerifier } from './auth/token-verifier';
import { makeApproveResident } from './commands/approve-resident/approve-resident';
import { makeChangeGrant } from './commands/change-grant/change-grant';
import { makeSettingsCommands } from './commands/clinic-settings/settings-commands';
import { WithdrawalRunner } from './commands/clinic-settings/withdrawal-runner';
import { makeGrantCaseType } from './commands/grant-case-type/grant-case-type';
import { makeRemoveApproval } from './commands/remove-approval/remove-approval';
import { BulkRemovalRunner } from './commands/remove-approvals/bulk-removal-runner';
import { makeRemoveApprovals } from './commands/remove-approvals/remove-approvals';
import { makeRemoveGrant } from './commands/remove-grant/remove-grant';
import { makeRepublish } from './commands/republish/republish';
import { RepublishRunner } from './commands/republish/republish-runner';
import { makeExpireGrants } from './commands/expire-grants/expire-grants';
import { ExpiryWorker } from './expiry/expiry-worker';
import { homeOf } from './domain/register/registered-resident';
import { makeAccessLogQueries, makeReadRecorder } from './queries/access-log';
import { makeInspectResident } from './queries/admin-inspect';
import { makeJobQueries } from './queries/admin-jobs';
import { makeOutboxStatus } from './queries/admin-outbox';
import { makeAuditQueries } from './queries/audit-queries';
import { makeEntitlementQueries } from './queries/entitlement-queries';
import { makeSettingsQueries } from './queries/settings-queries';
import { makeStaffQueries } from './queries/staff-queries';
import { RegisterConsumer } from './register/register-consumer';
import { CLINICS_COLLECTION, type ClinicDocument } from './storage-mongo/clinic-document';
import { ACCESS_LOG_COLLECTION, MongoAccessLog } from './storage-mongo/mongo-access-log';
import { MongoAccessQueries } from './storage-mongo/mongo-access-queries';
import { MongoExpiredRecords } from './storage-mongo/mongo-expired-records';
import { RetentionPurge } from './retention/retention-purge';
import { AUDIT_COLLECTION, MongoAuditTrail, type AuditDocument } from './storage-mongo/mongo-audit-trail';
import { BULK_REMOVALS_COLLECTION, MongoBulkRemovalStore, RUNNING_BULK_REMOVALS_COLLECTION } from './storage-mongo/mongo-bulk-removal-store';
import { MongoClinicSettingsRepository } from './storage-mongo/mongo-clinic-settings-repository';
import { MongoRepublishJobStore, REPUBLISH_JOBS_COLLECTION, type RepublishJobDocument } from './storage-mongo/mongo-republish-job-store';
import { MongoUnpublishedEvents } from './storage-mongo/mongo-unpublished-events';
import { MongoResidentRegister, RESIDENTS_COLLECTION, type ResidentDocument } from './storage-mongo/mongo-resident-register';
import { adminHandlers } from './transport-grpc/handlers/admin-handlers';
import { auditHandlers } from './transport-grpc/handlers/audit-handlers';
import { clinicSettingsHandlers } from './transport-grpc/handlers/clinic-settings-handlers';
import { entitlementHandlers } from './transport-grpc/handlers/entitlement-handlers';
import { residentAccessHandlers } from './transport-grpc/handlers/resident-access-handlers';
import { ConfigError, loadConfig, type Config } from './config/config';
import { systemClock, type Clock } from './domain/ports/clock';
import { HealthMonitor } from './health/health-monitor';
import { createLogger } from './observability/logger';
import { openTelemetryTraceContext } from './observability/trace-context';
import { ServiceMetrics, type EventKind } from './observability/metrics';
import { startMetricsServer } from './observability/metrics-server';
import { kafkaAnswers } from './publishing-kafka/kafka-health-probe';
import { KafkaEventPublisher } from './publishing-kafka/kafka-event-publisher';
import { toAccessMessages, toSettingsCloudEventMessage } from './publishing-kafka/cloudevent-message';
import type { AccessChanged } from './domain/access/resident-access';
import type { ClinicSettingsChanged } from './domain/clinic/settings-changed';
import { buildKafka } from './publishing-kafka/kafka-client';
import { OutboxRelay } from './relay/outbox-relay';
import type { PublishingObserver } from './relay/ports';
import { accessDocumentId, type AccessDocument } from './storage-mongo/access-document';
import { connectMongo, MONITOR_CHECK_STALLED_AFTER_MS } from './storage-mongo/connect';
import { StalledMonitorWatchdog } from './storage-mongo/stalled-monitor-watchdog';
import { openDocumentWriter } from './storage-mongo/open-document-writer';
import { KeyedQueue } from './shared/keyed-queue';
import { ACCESS_COLLECTION, ensureIndexes, REQUEST_IDS_COLLECTION } from './storage-mongo/indexes';
import { PageTokens } from './queries/page-token';
import { MongoAccessRepository } from './storage-mongo/mongo-access-repository';
import type { OutboxDocument } from './storage-mongo/outbox-document';
import { MongoRequestRegistry, type RequestIdDocument } from './storage-mongo/mongo-request-registry';
import { startGrpcServer } from './transport-grpc/grpc-server';
import { MongoResidentViews, PROJECTIONS_COLLECTION } from './storage-mongo/mongo-resident-views';
import { residentPseudonym } from './publishing-kafka/resident-pseudonym';
import { ClinicSettingsCache } from './views/clinic-settings-cache';
import { ConsistencyTokens } from './views/consistency-token';
import { ensureResidentViewsBuilt } from './views/rebuild-resident-views';
import { ResidentViewProjection } from './views/resident-view-projection';

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

/** The composition root: builds every adapter from the config and starts the service's roles. */
export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const tracing = startTracing(config.tracing);
  const logger = createLogger(config.logLevel, options.logDestination);
  const clock = options.clock ?? systemClock;
  // Every instance derives the same page-token key, so a listing may continue on any of them.
  const pageTokens = new PageTokens(config.events.pseudonymSecret, () => clock.now());

  const mongo = await connectMongo(config.mongo, 'resident-access');
  // The driver's view of the database server (Unknown while unreachable), for whoever reads the log.
  const monitorWatchdog = new StalledMonitorWatchdog(mongo, MONITOR_CHECK_STALLED_AFTER_MS, {
    stalled: (report) => logger.warn(report, 'the database driver stopped checking the server; reconnecting the client'),
    reconnected: () => logger.info('database client reconnected'),
    reconnectFailed: (error) => logger.warn({ err: error }, 'database client reconnect failed; will retry'),
  });
  monitorWatchdog.start(5000);
  mongo.on('serverDescriptionChanged', (e) => {
    if (e.previousDescription.type !== e.newDescription.type)
      logger.info({ address: e.address, from: e.previousDescription.type, to: e.newDescription.type, reason: e.newDescription.error?.message }, 'database server changed');
  });
  const db = mongo.db(config.mongo.database);
  await ensureIndexes(db);
  const accessCollection = db.collection<AccessDocument>(ACCESS_COLLECTION);
  const { writer, kind: writerKind, outboxStore } = await openDocumentWriter(db, config.storage.writer, config.storage.claimTimeoutMs);
  logger.info({ writer: writerKind }, 'document writer chosen');

  const kafka = buildKafka(config.kafka, logger);
  const topic = (name: string) => ({ name, partitions: config.kafka.topicPartitions, replicationFactor: config.kafka.topicReplicationFactor });
  const accessPublisher = new KafkaEventPublisher<AccessChanged>(kafka, topic(config.kafka.accessTopic), (e) => toAccessMessages(e, config.events));
  const settingsPublisher = new KafkaEventPublisher<ClinicSettingsChanged>(kafka, topic(config.kafka.settingsTopic), (e) => [toSettingsCloudEventMessage(e, config.events)]);

  let grpcHealth: Awaited<ReturnType<typeof startGrpcServer>>['health'] | null = null;
  const health = new HealthMonitor(
    {
      storage: async () => (await db.command({ ping: 1 })).ok === 1,
      publishing: () => kafkaAnswers(kafka, 3000),
    },
    config.healthCheckIntervalMs,
    (entry, state) => {
      logger.info({ healthEntry: entry, state }, 'health changed');
      if (entry === 'service') grpcHealth?.setService(state);
      else if (entry === 'publishing') grpcHealth?.setPublishing(state);
      else grpcHealth?.setLiveness(state);
    },
  );

  const views = MongoResidentViews.in(db, writer);
  const projection = new ResidentViewProjection(views, (error) => logger.warn({ err: error }, 'resident view write failed; the relay will catch it up'));
  await ensureResidentViewsBuilt(views, clock, logger.child({ component: 'resident-views' }));

  const accessOutbox = outboxStore(db.collection<OutboxDocument<AccessChanged>>(ACCESS_COLLECTION));
  const settingsOutbox = outboxStore(db.collection<OutboxDocument<ClinicSettingsChanged>>(CLINICS_COLLECTION));
  // Bulk jobs are counted at scrape time; their runners are made further down.
  let bulkJobsRunning = () => ({ removal: 0, withdrawal: 0 });
  const metrics = new ServiceMetrics({
    outboxBacklog: { access: () => accessOutbox.stats(), settings: () => settingsOutbox.stats() },
    bulkJobsRunning: () => bulkJobsRunning(),
  });
  const auditTrail = new MongoAuditTrail(db.collection<AuditDocument>(AUDIT_COLLECTION));
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
  // Before an access event leaves: its audit entry is written and the resident's view has caught up.
  const accessRecorder = {
    record: async (events: readonly AccessChanged[]) => {
      await Promise.all([auditTrail.record(events), projection.catchUp(events)]);
    },
  };
  const relay = new OutboxRelay(accessOutbox, accessPublisher, accessRecorder, publishingOf('access'), clock, config.relay, logger.child({ component: 'relay' }));
  const clinics = new MongoClinicSettingsRepository(db.collection<ClinicDocument>(CLINICS_COLLECTION), writer, db.collection(PROJECTIONS_COLLECTION), openTelemetryTraceContext);
  // Settings changes are recorded as lastChange on the clinic; before one leaves, every instance's settings copy is told to reload.
  const settingsRecorder = { record: () => clinics.markChanged() };
  const settingsRelay = new OutboxRelay(settingsOutbox, settingsPublisher, settingsRecorder, publishingOf('settings'), clock, config.relay, logger.child({ component: 'settings-relay' }));
  const settingsCopy = new ClinicSettingsCache(clinics, config.reads.settingsRefreshMs, logger.child({ component: 'settings-copy' }));
  await settingsCopy.start();
  const tokens = new ConsistencyTokens((resident) => residentPseudonym(config.events.pseudonymSecret, `consistency|${resident}`).slice(0, 16));

  const ids = { next: randomUUID };
  const repository = new MongoAccessRepository(
    accessCollection,
    writer,
    {
      owner: relay.owner,
      leaseMs: config.relay.leaseMs,
      now: () => clock.now(),
      handOver: (id, event, before) => relay.handOver(id, event, before),
    },
    openTelemetryTraceContext,
  );
  const requests = new MongoRequestRegistry(db.collection<RequestIdDocument>(REQUEST_IDS_COLLECTION), config.requests.retentionMs);
  const accessQueries = new MongoAccessQueries(accessCollection);
  const register = new MongoResidentRegister(db.collection<ResidentDocument>(RESIDENTS_COLLECTION));
  const jobs = new MongoBulkRemovalStore(db.collection(BULK_REMOVALS_COLLECTION), db.collection(RUNNING_BULK_REMOVALS_COLLECTION));
  const outboxSignal = { eventsStored: (clinicId: string, resident: string) => relay.documentChanged(accessDocumentId(clinicId, resident)) };
  const changeDeps = { repository, requests, outboxSignal, queue: new KeyedQueue(), views: projection };
  const accessDeps = { ...changeDeps, clinics, clock, ids };

  const withdrawals = new WithdrawalRunner(accessDeps, logger.child({ component: 'withdrawals' }));
  const bulkRemovals = new BulkRemovalRunner({ ...changeDeps, jobs, clock, ids }, logger.child({ component: 'bulk-removal' }));
  bulkJobsRunning = () => ({ removal: bulkRemovals.running, withdrawal: withdrawals.running });
  const republishJobs = new MongoRepublishJobStore(db.collection<RepublishJobDocument>(REPUBLISH_JOBS_COLLECTION));
  const republishRunner = new RepublishRunner({ ...changeDeps, republishJobs, clock, ids }, logger.child({ component: 'republish' }));
  const settingsCommands = makeSettingsCommands({
    clinics,
    requests,
    clock,
    ids,
    withdrawals,
    outboxSignal: { settingsChanged: (clinicId) => settingsRelay.documentChanged(clinicId) },
    queue: changeDeps.queue,
    settingsCopy,
  });
  // Reads of residents' personal data: logged (resident pseudonymised) before they answer.
  const accessLog = await MongoAccessLog.in(db, config.accessLog);
  const pseudonymOf = (resident: string) => residentPseudonym(config.events.pseudonymSecret, `access-log|${resident}`);
  const recordReads = makeReadRecorder({ log: accessLog, pseudonymOf, clock, retentionDays: config.accessLog.retentionDays });
  const retention = new RetentionPurge(
    await MongoExpiredRecords.of(db, [ACCESS_LOG_COLLECTION, REQUEST_IDS_COLLECTION]),
    clock,
    config.retention.purgeIntervalMs,
    logger.child({ component: 'retention' }),
  );
  const readDeps = { access: repository, accessQueries, clinics, register, jobs, clock, recordReads, pageTokens };

  const handlers = {
    residentAccess: residentAccessHandlers(
      {
        approveResident: makeApproveResident(accessDeps),
        removeApproval: makeRemoveApproval(accessDeps),
        removeApprovals: makeRemoveApprovals({ jobs, clinics, runner: bulkRemovals, clock }),
        grantCaseType: makeGrantCaseType(accessDeps),
        changeGrant: makeChangeGrant(accessDeps),
        removeGrant: makeRemoveGrant(accessDeps),
        staffQueries: makeStaffQueries(readDeps),
      },
      tokens,
    ),
    clinicSettings: clinicSettingsHandlers(settingsCommands, makeSettingsQueries({ clinics }), tokens),
    entitlements: entitlementHandlers(
      makeEntitlementQueries({ views, settings: settingsCopy, access: repository, projection, tokens, clock, consistencyWaitMs: config.reads.consistencyWaitMs, recordReads }),
    ),
    audit: auditHandlers(makeAuditQueries({ audit: auditTrail, clinics, clock, recordReads, pageTokens }), makeAccessLogQueries({ log: accessLog, pseudonymOf, clinics, clock, pageTokens })),
    admin: adminHandlers({
      inspectResident: makeInspectResident({ views, access: repository, clinics, audit: auditTrail, unpublished: new MongoUnpublishedEvents(accessCollection), clock, recordReads }),
      republish: makeRepublish({ republishJobs, runner: republishRunner, clock }),
      jobs: makeJobQueries({ republishJobs, bulkRemovals: jobs, clinics, pageTokens }),
      outboxStatus: makeOutboxStatus({ access: () => accessOutbox.stats(), settings: () => settingsOutbox.stats() }),
    }),
  };

  if (config.auth.mode === 'development') {
    logger.warn('AUTH_MODE=development: calls are NOT authenticated and act for every clinic. Never use this outside a developer machine.');
  }
  if (config.grpc.tls === null && config.grpc.allowInsecure) {
    logger.warn({ host: config.grpc.host }, 'GRPC_ALLOW_INSECURE=true: gRPC is served WITHOUT TLS; tokens and personal data cross the network in clear unless something else encrypts them.');
  }
  const verifier = createTokenVerifier(config.auth);
  const server = await startGrpcServer(config.grpc, handlers, (header) => verifier.verify(header), logger, config.rateLimits, {
    started: (rpc) => metrics.grpc.started(rpc.service, rpc.method),
    finished: (rpc, code, seconds) => metrics.grpc.handled(rpc.service, rpc.method, code, seconds),
  });
  const metricsServer = await startMetricsServer(config.metrics.host, config.metrics.port, metrics.registry);
  grpcHealth = server.health;

  // The register read model first, then the resident's view from what it holds now: a redelivery
  // after a crash between the two, which the read model ignores as old, still reaches the view.
  const followedInViews = async <T>(resident: string, written: T): Promise<T> => {
    await views.applyHomes([{ resident, home: homeOf(await register.find(resident)) }]);
    return written;
  };
  const registerConsumer = new RegisterConsumer({
    kafka,
    topic: config.register.topic,
    groupId: config.register.consumerGroup,
    register: {
      apply: async (state) => followedInViews(state.personalIdentityNumber, await register.apply(state)),
      remove: async (resident, registeredAt) => followedInViews(resident, await register.remove(resident, registeredAt)),
    },
    logger,
    observer: metrics.registerConsumer,
  });
  const expiry = new ExpiryWorker(makeExpireGrants({ ...changeDeps, ids }), clock, config.expiry, metrics, logger.child({ component: 'expiry' }));
  await health.start();
  relay.start();
  settingsRelay.start();
  expiry.start();
  retention.start();
  await registerConsumer.start();
  await withdrawals.resumeUnfinished();
  await bulkRemovals.resumeUnfinished();
  await republishRunner.resumeUnfinished();
  logger.info({ port: server.port, metricsPort: metricsServer.port, topic: config.kafka.accessTopic }, 'resident-access started');

  let stopping: Promise<void> | null = null;
  return {
    port: server.port,
    metricsPort: metricsServer.port,
    logger,
    stop() {
      stopping ??= (async () => {
        health.stop();
        // Background sweeps pause at once (they resume at the next start) while calls in flight finish.
        const sweepsPaused = Promise.all([withdrawals.stop(), bulkRemovals.stop(), republishRunner.stop()]);
        await server.shutdown(config.shutdownGraceMs);
        // Every answered read's entry is stored before the database connection goes.
        const accessLogStored = accessLog.close(config.shutdownGraceMs).catch((error: unknown) => logger.error({ err: error }, 'access log entries could not be stored before stopping'));
        await registerConsumer.stop();
        await Promise.all([sweepsPaused, expiry.stop(), retention.stop(), accessLogStored]);
        await Promise.all([relay.stop(), settingsRelay.stop(), settingsCopy.stop()]);
        await Promise.all([accessPublisher.close(), settingsPublisher.close()]);
        await metricsServer.close();
        monitorWatchdog.stop();
        await mongo.close();
        await tracing.flush().catch((error: unknown) => logger.warn({ err: error }, 'spans could not be exported before stopping'));
        logger.info('resident-access stopped');
      })();
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
  const onSignal = (signal: NodeJS.Signals) => {
    service.logger.info({ signal }, 'stopping');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    createLogger('error').fatal({ err: error }, 'resident-access failed to start');
    process.exit(1);
  });
}
