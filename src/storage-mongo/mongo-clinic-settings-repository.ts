import type { Collection } from 'mongodb';
import { randomUUID } from 'node:crypto';
import type { ClinicSettings } from '../domain/clinic/clinic-settings';
import type { ClinicSettingsChanged } from '../domain/clinic/settings-changed';
import { RECENT_REQUESTS_KEPT, type SaveResult } from '../domain/ports/access-repository';
import type { ClinicSettingsRepository, PendingWithdrawal, SettingsOutcome, StoredSettings } from '../domain/ports/clinic-settings-repository';
import { toSettings, type ClinicDocument } from './clinic-document';
import { isDuplicateKey, withChangeWriteErrors, withStorageErrors } from './mongo-errors';
import { combined, updateAtRevision, withOutcome } from './revision-update';
import { noTraceContext, withTraceContext, type TraceContextSource } from '../domain/ports/trace-context';

/** In the `projections` collection: changes whenever any clinic's settings changed. */
export interface ChangeMarkerDocument {
  _id: string;
  marker: string;
  at: Date;
}
const SETTINGS_MARKER = 'clinic_settings';

export class MongoClinicSettingsRepository implements ClinicSettingsRepository {
  constructor(
    private readonly collection: Collection<ClinicDocument>,
    private readonly markers: Collection<ChangeMarkerDocument>,
    /** Each stored event keeps the trace of the call that made it. */
    private readonly traceContext: TraceContextSource = noTraceContext,
  ) {}

  find(clinicId: string): Promise<StoredSettings | null> {
    return withStorageErrors(async () => {
      const doc = await this.collection.findOne({ _id: clinicId });
      if (!doc) return null;
      return {
        settings: toSettings(doc),
        recentRequests: doc.recentRequests ?? [],
        pendingWithdrawals: doc.pendingWithdrawals ?? [],
        revision: doc.revision,
      };
    });
  }

  findMany(clinicIds: readonly string[]): Promise<Map<string, ClinicSettings>> {
    return withStorageErrors(async () => {
      if (clinicIds.length === 0) return new Map<string, ClinicSettings>();
      const docs = await this.collection.find({ _id: { $in: [...clinicIds] } }, { projection: { recentRequests: 0 } }).toArray();
      return new Map(docs.map((d) => [d._id, toSettings(d)]));
    });
  }

  findAll(): Promise<ClinicSettings[]> {
    return withStorageErrors(async () => {
      const docs = await this.collection.find({}, { projection: { caseTypes: 1, serviceArea: 1, grantEndingSoonDays: 1, version: 1 } }).toArray();
      return docs.map(toSettings);
    });
  }

  changeMarker(): Promise<string | null> {
    return withStorageErrors(async () => (await this.markers.findOne({ _id: SETTINGS_MARKER }))?.marker ?? null);
  }

  markChanged(): Promise<void> {
    // Any new value will do, so two instances marking at once need no compare-and-set.
    return withStorageErrors(async () => {
      await this.markers.replaceOne({ _id: SETTINGS_MARKER }, { marker: randomUUID(), at: new Date() }, { upsert: true });
    });
  }

  save(
    settings: ClinicSettings,
    stored: Pick<StoredSettings, 'recentRequests' | 'revision'> | null,
    outcome: SettingsOutcome,
    pendingWithdrawals: readonly PendingWithdrawal[],
    change: ClinicSettingsChanged | null,
  ): Promise<SaveResult> {
    // The event keeps the trace of the call that made it, for its publication to continue.
    const event = change && withTraceContext(change, this.traceContext);
    const fields = {
      ...(event ? { lastChange: { actor: event.actor, at: event.occurredAt, requestId: event.requestId }, outboxPending: true } : {}),
      caseTypes: settings.caseTypes,
      serviceArea: settings.serviceArea,
      hasServiceArea: settings.serviceArea !== null,
      grantEndingSoonDays: settings.grantEndingSoonDays,
      version: settings.version,
      pendingWithdrawals: [...pendingWithdrawals],
      recentRequests: withOutcome(stored?.recentRequests, outcome, RECENT_REQUESTS_KEPT),
    };
    return withChangeWriteErrors(async () => {
      if (stored === null) {
        try {
          await this.collection.insertOne({
            _id: settings.clinicId,
            ...fields,
            revision: 1,
            outbox: event ? [event] : [],
            outboxPending: event !== null,
            ...(event ? { outboxSince: event.occurredAt } : {}),
            relayLease: null,
          });
          return 'saved';
        } catch (error) {
          if (isDuplicateKey(error)) return 'conflict';
          throw error;
        }
      }
      const update = event ? combined<ClinicDocument>({ $set: fields, $push: { outbox: event }, $min: { outboxSince: event.occurredAt } }) : { $set: fields };
      return updateAtRevision(this.collection, { id: settings.clinicId, expectedRevision: stored.revision, update });
    });
  }

  withdrawalDone(clinicId: string, caseTypeId: string, requestId: string): Promise<void> {
    return withStorageErrors(async () => {
      // Read and write back; the compare-and-set keeps a concurrent writer's change.
      for (;;) {
        const doc = await this.collection.findOne({ _id: clinicId });
        if (!doc) return;
        const pendingWithdrawals = doc.pendingWithdrawals.filter((w) => !(w.caseTypeId === caseTypeId && w.requestId === requestId));
        if ((await updateAtRevision(this.collection, { id: clinicId, expectedRevision: doc.revision, update: { $set: { pendingWithdrawals } } })) === 'saved') return;
      }
    });
  }

  findPendingWithdrawals(): Promise<{ clinicId: string; withdrawals: PendingWithdrawal[] }[]> {
    return withStorageErrors(async () => {
      const docs = await this.collection.find({ 'pendingWithdrawals.0': { $exists: true } }, { projection: { pendingWithdrawals: 1 } }).toArray();
      return docs.map((d) => ({ clinicId: d._id, withdrawals: d.pendingWithdrawals }));
    });
  }
}
