import type { Collection } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { AccessChanged } from '../domain/access/resident-access';
import type { ClinicSettingsChanged } from '../domain/clinic/settings-changed';
import type { Clock } from '../domain/ports/clock';
import type { ExpiredRecords } from '../domain/ports/expired-records';
import type { OutboxEvent } from '../relay/ports';
import type { AccessDocument } from '../storage-mongo/access-document';
import { CLINICS_COLLECTION, type ClinicDocument } from '../storage-mongo/clinic-document';
import { boundedByCallDeadlines } from '../storage-mongo/call-time-limit';
import { connectMongo } from '../storage-mongo/connect';
import { ACCESS_COLLECTION, ensureIndexes, REQUEST_IDS_COLLECTION } from '../storage-mongo/indexes';
import { ACCESS_LOG_COLLECTION, MongoAccessLog } from '../storage-mongo/mongo-access-log';
import { AccessVersionFloors } from '../storage-mongo/access-version-floors';
import { MongoEndedAccesses } from '../storage-mongo/mongo-ended-accesses';
import { MongoAccessQueries } from '../storage-mongo/mongo-access-queries';
import { AUDIT_COLLECTION, MongoAuditTrail, type AuditDocument } from '../storage-mongo/mongo-audit-trail';
import { IMPORT_JOBS_COLLECTION, MongoImportJobStore, type ImportJobDocument } from '../storage-mongo/mongo-import-job-store';
import { BULK_REMOVALS_COLLECTION, MongoBulkRemovalStore, RUNNING_BULK_REMOVALS_COLLECTION } from '../storage-mongo/mongo-bulk-removal-store';
import { MongoClinicSettingsRepository } from '../storage-mongo/mongo-clinic-settings-repository';
import { MongoEndingSoonGrants } from '../storage-mongo/mongo-ending-soon-grants';
import { openTelemetryTraceContext } from '../observability/trace-context';
import { MongoExpiredRecords } from '../storage-mongo/mongo-expired-records';
import { MongoRepublishJobStore, REPUBLISH_JOBS_COLLECTION, type RepublishJobDocument } from '../storage-mongo/mongo-republish-job-store';
import { MongoRequestRegistry, type RequestIdDocument } from '../storage-mongo/mongo-request-registry';
import { MongoResidentRegister, RESIDENTS_COLLECTION, type ResidentDocument } from '../storage-mongo/mongo-resident-register';
import { MongoResidentViews, PROJECTIONS_COLLECTION, RESIDENT_VIEWS_COLLECTION, type ResidentViewDocument } from '../storage-mongo/mongo-resident-views';
import { MongoUnpublishedEvents } from '../storage-mongo/mongo-unpublished-events';
import { MongoOutboxStore } from '../storage-mongo/mongo-outbox-store';
import type { OutboxDocument } from '../storage-mongo/outbox-document';
import { MongoSharedBuckets, RATE_LIMIT_BUCKETS_COLLECTION } from '../storage-mongo/mongo-shared-buckets';
import { StalledMonitorWatchdog } from '../storage-mongo/stalled-monitor-watchdog';
import { ensureResidentViewsBuilt } from '../views/rebuild-resident-views';
import { ResidentViewProjection } from '../views/resident-view-projection';

export type Storage = Awaited<ReturnType<typeof openStorage>>;

/** Connects to MongoDB and builds every MongoDB adapter; the connection is closed again if that fails. */
export async function openStorage(config: Config, clock: Clock, logger: Logger) {
  const mongo = await connectMongo(config.mongo, 'resident-access');
  try {
    return { mongo, ...(await storageOn(mongo, config, clock, logger)) };
  } catch (error) {
    await mongo.close().catch(() => undefined);
    throw error;
  }
}

async function storageOn(mongo: Awaited<ReturnType<typeof connectMongo>>, config: Config, clock: Clock, logger: Logger) {
  // The driver's view of the database server (Unknown while unreachable), for whoever reads the log.
  const monitorWatchdog = new StalledMonitorWatchdog(mongo, config.mongo.client.monitorStalledAfterMs, {
    stalled: (report) => logger.warn(report, 'the database driver stopped checking the server; reconnecting the client'),
    reconnected: () => logger.info('database client reconnected'),
    reconnectFailed: (error) => logger.warn({ err: error }, 'database client reconnect failed; will retry'),
  });
  mongo.on('serverDescriptionChanged', (e) => {
    if (e.previousDescription.type !== e.newDescription.type)
      logger.info({ address: e.address, from: e.previousDescription.type, to: e.newDescription.type, reason: e.newDescription.error?.message }, 'database server changed');
  });
  // Every operation done for a gRPC call carries a server-side time limit from its deadline.
  const db = boundedByCallDeadlines(mongo.db(config.mongo.database), { ceilingMs: config.mongo.callMaxTimeMs });
  const { version } = await db.admin().command({ buildInfo: 1 });
  logger.info({ serverVersion: version }, 'database server');
  await ensureIndexes(db);
  const accessCollection = db.collection<AccessDocument>(ACCESS_COLLECTION);
  const outboxStore = <E extends OutboxEvent>(collection: Collection<OutboxDocument<E>>) => new MongoOutboxStore(collection, config.tuning.mongo.outboxWriteAttempts);

  const views = MongoResidentViews.in(db, config.tuning.residentViewWrites);
  const versionFloors = AccessVersionFloors.in(db);
  const projection = new ResidentViewProjection(
    views,
    (error) => logger.warn({ err: error }, 'resident view write failed; the relay will catch it up'),
    config.tuning.residentViews.maxConfirmations,
  );
  await ensureResidentViewsBuilt(views, clock, logger.child({ component: 'resident-views' }), config.tuning.residentViews.rebuildBatch);

  return {
    monitorWatchdog,
    /** True when the database answers (the health monitor's storage probe). */
    answers: async () => (await db.command({ ping: 1 })).ok === 1,
    accessCollection,
    accessOutbox: outboxStore(db.collection<OutboxDocument<AccessChanged>>(ACCESS_COLLECTION)),
    settingsOutbox: outboxStore(db.collection<OutboxDocument<ClinicSettingsChanged>>(CLINICS_COLLECTION)),
    views,
    projection,
    versionFloors,
    auditTrail: new MongoAuditTrail(db.collection<AuditDocument>(AUDIT_COLLECTION), config.retention.auditDays),
    clinics: new MongoClinicSettingsRepository(db.collection<ClinicDocument>(CLINICS_COLLECTION), db.collection(PROJECTIONS_COLLECTION), openTelemetryTraceContext),
    requests: new MongoRequestRegistry(db.collection<RequestIdDocument>(REQUEST_IDS_COLLECTION), config.requests.retentionMs, config.tuning.mongo.requestIdAttempts),
    accessQueries: new MongoAccessQueries(accessCollection),
    endingSoon: new MongoEndingSoonGrants(accessCollection),
    register: new MongoResidentRegister(db.collection<ResidentDocument>(RESIDENTS_COLLECTION)),
    jobs: new MongoBulkRemovalStore(db.collection(BULK_REMOVALS_COLLECTION), db.collection(RUNNING_BULK_REMOVALS_COLLECTION)),
    republishJobs: new MongoRepublishJobStore(db.collection<RepublishJobDocument>(REPUBLISH_JOBS_COLLECTION)),
    importJobs: new MongoImportJobStore(db.collection<ImportJobDocument>(IMPORT_JOBS_COLLECTION)),
    unpublished: new MongoUnpublishedEvents(accessCollection),
    // Reads of residents' personal data: logged (resident pseudonymised) before they answer.
    accessLog: await MongoAccessLog.in(db, config.accessLog),
    // The rate limits' buckets, shared by every instance.
    rateLimitBuckets: MongoSharedBuckets.in(db),
    expiredRecords: everyRetention([
      await MongoExpiredRecords.of(db, [ACCESS_LOG_COLLECTION, REQUEST_IDS_COLLECTION, AUDIT_COLLECTION, RATE_LIMIT_BUCKETS_COLLECTION]),
      new MongoEndedAccesses(accessCollection, db.collection<ResidentViewDocument>(RESIDENT_VIEWS_COLLECTION), versionFloors, config.retention.endedAccessDays),
    ]),
  };
}

/** The purges of every retention rule, one after another (each its own database load). */
function everyRetention(parts: readonly ExpiredRecords[]): ExpiredRecords {
  return {
    async purge(now) {
      const counts: { collection: string; deleted: number }[] = [];
      for (const part of parts) counts.push(...(await part.purge(now)));
      return counts;
    },
  };
}
