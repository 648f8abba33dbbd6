import type { Collection, Filter } from 'mongodb';
import { emptyAccess, type AccessChanged, type ResidentAccess } from '../domain/access/resident-access';
import { RECENT_REQUESTS_KEPT, type AccessChange, type AccessRepository, type AccessSelection, type SaveResult, type StoredAccess } from '../domain/ports/access-repository';
import { accessDocumentId, endedAtAfter, stateFields, toResidentAccess, type AccessDocument } from './access-document';
import type { AccessVersionFloors } from './access-version-floors';
import type { MongoAuditTrail } from './mongo-audit-trail';
import { isDuplicateKey, translateMongoError, withChangeWriteErrors, withStorageErrors } from './mongo-errors';
import { atRevision, combined, updateAtRevision, withOutcome, type DocumentUpdate } from './revision-update';
import { noTraceContext, withTraceContext, type TraceContextSource } from '../domain/ports/trace-context';

/** This instance's relay, to which a change hands its events' lease in the same write. */
export interface LocalRelay {
  owner: string;
  leaseMs: number;
  now(): Date;
  /**
   * After a write that stored `event` under this relay's lease: the event itself, so the relay
   * need not read it back. `before` are the versions the outbox held already (the relay takes the
   * event only if it holds those too, so order per document holds).
   */
  handOver(documentId: string, event: AccessChanged, before: readonly number[]): void;
}

/** Stored access documents without their outbox and lease, which only the relay reads. */
const STATE_ONLY = { projection: { outbox: 0, relayLease: 0 } } as const;

export class MongoAccessRepository implements AccessRepository {
  constructor(
    private readonly collection: Collection<AccessDocument>,
    /** Where a published event's access is found once the relay has cleared it from the outbox. */
    private readonly audit: Pick<MongoAuditTrail, 'accessAt'>,
    /** Where a clinic's forgotten accesses left their highest version, for a resident's next document to go on from. */
    private readonly floors: Pick<AccessVersionFloors, 'of'>,
    private readonly relay: LocalRelay | null = null,
    /** Each stored event keeps the trace of the call that made it. */
    private readonly traceContext: TraceContextSource = noTraceContext,
  ) {}

  find(clinicId: string, resident: string): Promise<StoredAccess | null> {
    return withStorageErrors(async () => {
      const doc = await this.collection.findOne({ _id: accessDocumentId(clinicId, resident) }, STATE_ONLY);
      return doc ? storedFrom(doc) : this.unstored(clinicId, resident);
    });
  }

  /** No document: nothing stored, or an ended access forgotten; its next version must still be higher than any published. */
  private async unstored(clinicId: string, resident: string): Promise<StoredAccess | null> {
    const floor = await this.floors.of(clinicId);
    return floor === 0 ? null : notStored(clinicId, resident, floor);
  }

  stateAt(clinicId: string, resident: string, version: number): Promise<ResidentAccess | null> {
    return withStorageErrors(async () => {
      const doc = await this.collection.findOne({ _id: accessDocumentId(clinicId, resident) }, { projection: { outbox: 1 } });
      const pending = doc?.outbox?.find((e) => e.version === version);
      if (pending) return pending.access;
      // Published: the relay recorded the event in the audit trail before it left.
      return this.audit.accessAt(clinicId, resident, version);
    });
  }

  save(change: AccessChange): Promise<SaveResult> {
    return withChangeWriteErrors(() => this.write(this.traced(change)));
  }

  saveAll(changes: readonly AccessChange[]): Promise<SaveResult[]> {
    return withStorageErrors(() => Promise.all(changes.map((c) => this.write(this.traced(c)))));
  }

  /** The event keeps the trace of the call that made it, for its publication to continue. */
  private traced(change: AccessChange): AccessChange {
    return change.event ? { ...change, event: withTraceContext(change.event, this.traceContext) } : change;
  }

  private write(change: AccessChange): Promise<SaveResult> {
    return change.stored.revision === 0 ? this.insert(change) : this.update(change);
  }

  private async insert({ access, event, outcome }: AccessChange): Promise<SaveResult> {
    const lease = event && this.relay ? this.newLease() : null;
    const doc: AccessDocument = {
      _id: accessDocumentId(access.clinicId, access.resident),
      clinicId: access.clinicId,
      resident: access.resident,
      ...stateFields(access),
      revision: 1,
      outbox: event ? [event] : [],
      outboxPending: event !== null,
      ...(event ? { outboxSince: event.occurredAt } : {}),
      recentRequests: [outcome],
      relayLease: lease,
      updatedAt: event?.occurredAt ?? new Date(),
    };
    doc.endedAt = endedAtAfter(access, doc.updatedAt);
    try {
      await this.collection.insertOne(doc);
    } catch (error) {
      if (isDuplicateKey(error)) return 'conflict';
      throw error;
    }
    if (event && lease) this.relay!.handOver(doc._id, event, []);
    return 'saved';
  }

  /**
   * One conditional write on the revision read. With an event, the write first tries to hand the
   * event's lease to this instance's relay, on condition that no other relay holds a live lease
   * (the relay's lease writes leave `revision` alone). The relay must know which events the outbox
   * held already: none when it was empty (the usual case, a plain `updateOne` on that condition),
   * else the document as it was just before a `findOneAndUpdate` tells. When another relay holds
   * the lease, the change is stored without one: that relay finds the event pending when it lets go.
   */
  private async update({ stored, access, event, outcome }: AccessChange): Promise<SaveResult> {
    const id = accessDocumentId(access.clinicId, access.resident);
    const change = { id, expectedRevision: stored.revision };
    const recentRequests = withOutcome(stored.recentRequests, outcome, RECENT_REQUESTS_KEPT);
    if (!event || !this.relay) return updateAtRevision(this.collection, { ...change, update: changesOf(access, event, recentRequests, {}) });
    const leaseFree = { $or: [{ relayLease: null }, { 'relayLease.owner': this.relay.owner }, { 'relayLease.until': { $lt: this.relay.now() } }] };
    const leased = { ...change, condition: leaseFree, update: changesOf(access, event, recentRequests, { relayLease: this.newLease() }) };
    if ((await updateAtRevision(this.collection, { ...leased, condition: { ...leaseFree, outboxPending: false } })) === 'saved') {
      this.relay.handOver(id, event, []);
      return 'saved';
    }
    const { filter, update } = atRevision<AccessDocument>(leased);
    const before = await this.collection.findOneAndUpdate(filter, update, { returnDocument: 'before' });
    if (before) {
      this.relay.handOver(
        id,
        event,
        (before.outbox ?? []).map((e) => e.version),
      );
      return 'saved';
    }
    return updateAtRevision(this.collection, { ...change, update: changesOf(access, event, recentRequests, {}) });
  }

  private newLease(): NonNullable<AccessDocument['relayLease']> {
    return { owner: this.relay!.owner, until: new Date(this.relay!.now().getTime() + this.relay!.leaseMs) };
  }

  findDue(now: Date, limit: number): Promise<StoredAccess[]> {
    return withStorageErrors(async () => {
      const docs = await this.collection
        .find({ $or: [{ nextEndsAt: { $lte: now } }, { nextStartsAt: { $lte: now } }] }, STATE_ONLY)
        .limit(limit)
        .toArray();
      return docs.map(storedFrom);
    });
  }

  async *pages(selection: AccessSelection, pageSize: number): AsyncIterable<StoredAccess[]> {
    if ('residents' in selection) {
      for (let start = 0; start < selection.residents.length; start += pageSize) {
        const residents = selection.residents.slice(start, start + pageSize);
        const docs = await withStorageErrors(() => Promise.all(residents.map((r) => this.collection.findOne({ _id: accessDocumentId(selection.clinicId, r) }, STATE_ONLY))));
        const floor = docs.includes(null) ? await withStorageErrors(() => this.floors.of(selection.clinicId)) : 0;
        yield docs.map((doc, i) => (doc ? storedFrom(doc) : notStored(selection.clinicId, residents[i]!, floor)));
      }
      return;
    }
    const query: Filter<AccessDocument> =
      'everyClinic' in selection
        ? { version: { $gt: 0 } }
        : 'everyStored' in selection
          ? { clinicId: selection.clinicId, version: { $gt: 0 } }
          : 'approvedBefore' in selection
            ? { clinicId: selection.clinicId, 'approval.at': { $lte: selection.approvedBefore } }
            : { clinicId: selection.clinicId, 'grants.caseTypeId': selection.withGrantOf };
    const cursor = this.collection.find(query, { ...STATE_ONLY, batchSize: pageSize });
    try {
      let page: StoredAccess[] = [];
      for await (const doc of cursor) {
        page.push(storedFrom(doc));
        if (page.length === pageSize) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    } catch (error) {
      throw translateMongoError(error);
    } finally {
      await cursor.close();
    }
  }
}

/** The update that stores a change: the new state and outcomes, and with an event its outbox entry. */
function changesOf(
  access: ResidentAccess,
  event: AccessChanged | null,
  recentRequests: AccessDocument['recentRequests'],
  lease: Partial<Pick<AccessDocument, 'relayLease'>>,
): DocumentUpdate<AccessDocument> {
  const set: Partial<AccessDocument> = { ...stateFields(access), recentRequests };
  if (!event) return { $set: set };
  // $min on an absent field sets it; a present one keeps the older instant.
  const endedAt = endedAtAfter(access, event.occurredAt);
  return combined<AccessDocument>({
    $set: { ...set, outboxPending: true, updatedAt: event.occurredAt, endedAt, ...lease },
    $push: { outbox: event },
    $min: { outboxSince: event.occurredAt },
  });
}

/** A resident with no document: the empty access at the clinic's version floor, not stored (revision 0). */
function notStored(clinicId: string, resident: string, floor: number): StoredAccess {
  return { access: { ...emptyAccess(clinicId, resident), version: floor }, recentRequests: [], revision: 0 };
}

export function storedFrom(doc: Omit<AccessDocument, 'outbox' | 'relayLease'>): StoredAccess {
  return { access: toResidentAccess(doc), recentRequests: doc.recentRequests ?? [], revision: doc.revision ?? 0 };
}
