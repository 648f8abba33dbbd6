import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { makeApproveResident } from '../commands/access/approve-resident';
import { makeChangeGrant } from '../commands/access/change-grant';
import { makeSettingsCommands } from '../commands/clinic-settings/settings-commands';
import { WithdrawalRunner } from '../commands/clinic-settings/withdrawal-runner';
import { makeExpireGrants } from '../commands/access/expire-grants';
import { makeGrantCaseType } from '../commands/access/grant-case-type';
import { makeImportAccesses } from '../commands/access/import-accesses';
import { makeRemoveApproval } from '../commands/access/remove-approval';
import { BulkRemovalRunner } from '../commands/remove-approvals/bulk-removal-runner';
import { makeRemoveApprovals } from '../commands/remove-approvals/remove-approvals';
import { makeRemoveGrant } from '../commands/access/remove-grant';
import { makeRepublish } from '../commands/republish/republish';
import { RepublishRunner } from '../commands/republish/republish-runner';
import type { Config } from '../config/config';
import type { Clock } from '../domain/ports/clock';
import { ExpiryWorker } from '../background/expiry-worker';
import { endingSoonStep } from '../background/ending-soon-step';
import { makeRemindEndingGrants } from '../commands/access/remind-ending-grants';
import { residentPseudonym } from '../publishing-kafka/resident-pseudonym';
import { makeAccessLogQueries } from '../queries/access-log';
import { makeReadRecorder } from '../application/record-reads';
import { makeInspectResident } from '../queries/admin-inspect';
import { makeJobQueries } from '../queries/admin-jobs';
import { makeOutboxStatus } from '../queries/admin-outbox';
import { makeAuditQueries } from '../queries/audit-queries';
import { makeEntitlementQueries } from '../queries/entitlement-queries';
import { PageTokens } from '../application/page-token';
import { makeSettingsQueries } from '../queries/settings-queries';
import { makeStaffQueries } from '../queries/staff-queries';
import { RetentionPurge } from '../background/retention-purge';
import { KeyedQueue } from '../shared/keyed-queue';
import { accessDocumentId } from '../storage-mongo/access-document';
import { MongoAccessRepository } from '../storage-mongo/mongo-access-repository';
import { openTelemetryTraceContext } from '../observability/trace-context';
import { ClinicSettingsCache } from '../views/clinic-settings-cache';
import { ConsistencyTokens } from '../views/consistency-token';
import type { Messaging } from './build-messaging';
import type { Monitoring } from './build-monitoring';
import type { Storage } from './build-storage';

export type UseCases = ReturnType<typeof buildUseCases>;

/** Every command and query, the background runners and workers, and the in-memory copies they read. */
export function buildUseCases(config: Config, storage: Storage, messaging: Messaging, monitoring: Monitoring, clock: Clock, logger: Logger) {
  const { relay, settingsRelay } = messaging;
  const { clinics, requests, views, projection, jobs, republishJobs, auditTrail, accessLog } = storage;
  const keyRing = config.events.pseudonymKeys;
  // Every instance derives the same page-token keys, so a listing may continue on any of them.
  const pageTokens = new PageTokens(keyRing, () => clock.now());
  const settingsCopy = new ClinicSettingsCache(clinics, config.reads.settingsRefreshMs, logger.child({ component: 'settings-copy' }));
  const tokens = new ConsistencyTokens((resident) => keyRing.keys.map((k) => residentPseudonym(k.secret, `consistency|${resident}`).slice(0, 16)));
  const ids = { next: randomUUID };
  const repository = new MongoAccessRepository(
    storage.accessCollection,
    auditTrail,
    storage.versionFloors,
    {
      owner: relay.owner,
      leaseMs: config.relay.leaseMs,
      now: () => clock.now(),
      handOver: (id, event, before) => relay.handOver(id, event, before),
    },
    openTelemetryTraceContext,
  );
  const outboxSignal = { eventsStored: (clinicId: string, resident: string) => relay.documentChanged(accessDocumentId(clinicId, resident)) };
  const changeDeps = { repository, requests, outboxSignal, queue: new KeyedQueue(), views: projection, tuning: config.tuning.changes };
  const accessDeps = { ...changeDeps, clinics, clock, ids };

  const backoff = config.tuning.backgroundRunBackoff;
  const withdrawals = new WithdrawalRunner(accessDeps, logger.child({ component: 'withdrawals' }), backoff);
  const bulkRemovals = new BulkRemovalRunner(
    { ...changeDeps, jobs, clock, ids, progressEvery: config.tuning.bulkJobs.removalProgressEvery },
    logger.child({ component: 'bulk-removal' }),
    backoff,
  );
  const republishRunner = new RepublishRunner(
    { ...changeDeps, republishJobs, clock, ids, progressEvery: config.tuning.bulkJobs.republishProgressEvery },
    logger.child({ component: 'republish' }),
    backoff,
  );
  monitoring.countBulkJobs(() => ({ removal: bulkRemovals.running, withdrawal: withdrawals.running }));

  // New entries carry the current key's pseudonym; listings look under every key's (docs/security.md).
  const logPseudonym = (secret: string, resident: string) => residentPseudonym(secret, `access-log|${resident}`);
  const pseudonymOf = (resident: string) => logPseudonym(keyRing.current.secret, resident);
  const pseudonymsOf = (resident: string) => keyRing.keys.map((k) => logPseudonym(k.secret, resident));
  const recordReads = makeReadRecorder({ log: accessLog, pseudonymOf, clock, retentionDays: config.accessLog.retentionDays });
  const commandDeps = { ...accessDeps, recordReads };
  const readDeps = { access: repository, accessQueries: storage.accessQueries, clinics, register: storage.register, jobs, clock, recordReads, pageTokens };
  const outboxStats = { access: () => storage.accessOutbox.stats(), settings: () => storage.settingsOutbox.stats() };

  return {
    tokens,
    settingsCopy,
    runners: { withdrawals, bulkRemovals, republishRunner },
    expiry: new ExpiryWorker(
      makeExpireGrants({ ...changeDeps, ids }),
      clock,
      config.expiry,
      monitoring.metrics,
      logger.child({ component: 'expiry' }),
      {
        initialMs: config.tuning.workerRetryInitialMs,
        maxMs: config.expiry.pollIntervalMs,
      },
      [
        endingSoonStep(
          makeRemindEndingGrants({ ...changeDeps, ids, endingSoon: storage.endingSoon, reminderDays: () => settingsCopy.reminderDays() }),
          monitoring.metrics,
          logger.child({ component: 'ending-soon' }),
        ),
      ],
    ),
    retention: new RetentionPurge(storage.expiredRecords, clock, config.retention.purgeIntervalMs, logger.child({ component: 'retention' }), {
      initialMs: Math.min(config.tuning.workerRetryInitialMs, config.retention.purgeIntervalMs),
      maxMs: config.retention.purgeIntervalMs,
    }),
    residentAccess: {
      approveResident: makeApproveResident(commandDeps),
      removeApproval: makeRemoveApproval(commandDeps),
      removeApprovals: makeRemoveApprovals({
        jobs,
        clinics,
        runner: bulkRemovals,
        clock,
        clinicHold: { unstoredJobGraceMs: config.tuning.bulkJobs.unstoredJobGraceMs, attempts: config.tuning.bulkJobs.holdAttempts },
      }),
      grantCaseType: makeGrantCaseType(commandDeps),
      changeGrant: makeChangeGrant(commandDeps),
      removeGrant: makeRemoveGrant(commandDeps),
      importAccesses: makeImportAccesses({ ...commandDeps, importJobs: storage.importJobs }),
      staffQueries: makeStaffQueries(readDeps),
    },
    settingsCommands: makeSettingsCommands({
      clinics,
      requests,
      clock,
      ids,
      withdrawals,
      outboxSignal: { settingsChanged: (clinicId) => settingsRelay.documentChanged(clinicId) },
      queue: changeDeps.queue,
      settingsCopy,
      tuning: config.tuning.changes,
    }),
    settingsQueries: makeSettingsQueries({ clinics }),
    entitlementQueries: makeEntitlementQueries({
      views,
      settings: settingsCopy,
      access: repository,
      projection,
      tokens,
      clock,
      consistencyWaitMs: config.reads.consistencyWaitMs,
      consistencyPollMs: config.tuning.consistencyPollMs,
      recordReads,
    }),
    auditQueries: makeAuditQueries({ audit: auditTrail, clinics, clock, recordReads, pageTokens }),
    accessLogQueries: makeAccessLogQueries({ log: accessLog, pseudonymsOf, clinics, clock, pageTokens, recordReads }),
    admin: {
      inspectResident: makeInspectResident({ views, access: repository, clinics, audit: auditTrail, unpublished: storage.unpublished, clock, recordReads }),
      republish: makeRepublish({ republishJobs, runner: republishRunner, clock }),
      jobs: makeJobQueries({ republishJobs, bulkRemovals: jobs, imports: storage.importJobs, clinics, pageTokens }),
      outboxStatus: makeOutboxStatus(outboxStats),
    },
  };
}
