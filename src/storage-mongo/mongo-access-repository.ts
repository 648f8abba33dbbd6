import type { Collection, Filter } from 'mongodb';
import { emptyAccess, type AccessChanged, type ResidentAccess } from '../domain/access/resident-access';
import {
  RECENT_REQUESTS_KEPT,
  type AccessChange,
  type AccessRepository,
  type AccessSelection,
  type RequestOutcome,
  type SaveResult,
  type StoredAccess,
} from '../domain/ports/access-repository';
import { accessDocumentId, stateFields, toResidentAccess, type AccessDocument } from './access-document';
import { combined, type DocumentUpdate, type DocumentWriter } from './document-writer';
import { isDuplicateKey, translateMongoError, withChangeWriteErrors, withStorageErrors } from './mongo-errors';
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

export class MongoAccessRepository implements AccessRepository {
  constructor(
    private readonly collection: Collection<AccessDocument>,
    private readonly writer: DocumentWriter,
    private readonly relay: LocalRelay | null = null,
    /** Each stored event keeps the trace of the call that made it. */
    private readonly traceContext: TraceContextSource = noTraceContext,
  ) {}

  /**
   * The lease a write with an event sets: this instance's relay is told at once and publishes
   * without writing a lease of its own. A lease another relay holds is kept: it is publishing
   * older events of this document and will find the new one pending when it lets go.
   */
  private leaseFor(current: AccessDocument['relayLease']): Pick<AccessDocument, 'relayLease'> | Record<string, never> {
    if (!this.relay) return {};
    const now = this.relay.now();
    if (current && current.owner !== this.relay.owner && current.until >= now) return {};
    return { relayLease: { owner: this.relay.owner, until: new Date(now.getTime() + this.relay.leaseMs) } };
  }

  find(clinicId: string, resident: string): Promise<StoredAccess | null> {
    return withStorageErrors(async () => {
      const doc = await this.collection.findOne({ _id: accessDocumentId(clinicId, resident) }, { projection: { outbox: 0, relayLease: 0 } });
      if (!doc) return null;
      return { access: toResidentAccess(doc), recentRequests: doc.recentRequests ?? [], revision: doc.revision ?? 0 };
    });
  }

  save(access: ResidentAccess, expectedRevision: number | null, change: AccessChanged | null, outcome: RequestOutcome): Promise<SaveResult> {
    // The event keeps the trace of the call that made it, for its publication to continue.
    const event = change && withTraceContext(change, this.traceContext);
    return withChangeWriteErrors(() =>
      this.writer.exclusive(this.collection, accessDocumentId(access.clinicId, access.resident), () =>
        expectedRevision === null ? this.insert(access, event, outcome) : this.update(access, expectedRevision, event, outcome),
      ),
    );
  }

  private async insert(access: ResidentAccess, event: AccessChanged | null, outcome: RequestOutcome): Promise<SaveResult> {
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
      relayLease: event && this.relay ? this.leaseFor(null).relayLease! : null,
      updatedAt: event?.occurredAt ?? new Date(),
    };
    try {
      await this.collection.insertOne(doc);
      if (event && this.relay) this.relay.handOver(doc._id, event, []);
      return 'saved';
    } catch (error) {
      if (isDuplicateKey(error)) return 'conflict';
      throw error;
    }
  }

  private async update(access: ResidentAccess, expectedRevision: number, event: AccessChanged | null, outcome: RequestOutcome): Promise<SaveResult> {
    const id = accessDocumentId(access.clinicId, access.resident);
    let before: AccessDocument | null = null;
    const saved = await this.writer.update(this.collection, id, expectedRevision, (current) => {
      before = current;
      return this.changesFrom(current, access, event, outcome);
    });
    if (saved === 'saved' && event && before) this.handOver(id, event, before);
    return saved;
  }

  /** Tells this instance's relay the stored event when the write gave it the lease. */
  private handOver(id: string, event: AccessChanged, before: Pick<AccessDocument, 'relayLease'> & { outbox?: readonly AccessChanged[] }): void {
    if (!this.relay || !('relayLease' in this.leaseFor(before.relayLease))) return;
    this.relay.handOver(
      id,
      event,
      (before.outbox ?? []).map((e) => e.version),
    );
  }

  saveAll(changes: readonly AccessChange[]): Promise<SaveResult[]> {
    const traced = changes.map((c) => (c.event ? { ...c, event: withTraceContext(c.event, this.traceContext) } : c));
    return withStorageErrors(async () => {
      const results = await this.writer.updateAllFresh(
        this.collection,
        traced.map((c) => {
          const { relayLease, readAtMs } = receiptOf(c.stored);
          return {
            id: accessDocumentId(c.access.clinicId, c.access.resident),
            expectedRevision: c.stored.revision,
            observedAtMs: readAtMs,
            update: this.changesFrom({ relayLease, recentRequests: [...c.stored.recentRequests] }, c.access, c.event, c.outcome),
          };
        }),
      );
      results.forEach((result, i) => {
        const c = traced[i]!;
        if (result === 'saved' && c.event) this.handOver(accessDocumentId(c.access.clinicId, c.access.resident), c.event, receiptOf(c.stored));
      });
      return results;
    });
  }

  findDue(now: Date, limit: number): Promise<StoredAccess[]> {
    return withStorageErrors(async () => {
      const readAtMs = Date.now();
      const docs = await this.collection
        .find({ nextEndsAt: { $lte: now } })
        .limit(limit)
        .toArray();
      return docs.map((doc) => storedFrom(doc, readAtMs));
    });
  }

  async *pages(selection: AccessSelection, pageSize: number): AsyncIterable<StoredAccess[]> {
    if ('residents' in selection) {
      for (let start = 0; start < selection.residents.length; start += pageSize) {
        const readAtMs = Date.now();
        const residents = selection.residents.slice(start, start + pageSize);
        const docs = await withStorageErrors(() => Promise.all(residents.map((r) => this.collection.findOne({ _id: accessDocumentId(selection.clinicId, r) }))));
        yield docs.map((doc, i) => (doc ? storedFrom(doc, readAtMs) : { access: emptyAccess(selection.clinicId, residents[i]!), recentRequests: [], revision: 0 }));
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
    const cursor = this.collection.find(query, { batchSize: pageSize });
    try {
      let page: StoredAccess[] = [];
      let readAtMs = Date.now();
      for await (const doc of cursor) {
        page.push(storedFrom(doc, readAtMs));
        if (page.length === pageSize) {
          yield page;
          page = [];
          readAtMs = Date.now();
        }
      }
      if (page.length > 0) yield page;
    } catch (error) {
      throw translateMongoError(error);
    } finally {
      await cursor.close();
    }
  }

  /** The update that stores a change on top of `current` (the document as read at the expected revision). */
  private changesFrom(
    current: Pick<AccessDocument, 'relayLease' | 'recentRequests'>,
    access: ResidentAccess,
    event: AccessChanged | null,
    outcome: RequestOutcome,
  ): DocumentUpdate<AccessDocument> {
    const set: Partial<AccessDocument> = stateFields(access);
    const recorded = this.writer.appendBounded('recentRequests', outcome, RECENT_REQUESTS_KEPT, current.recentRequests);
    if (!event) return combined<AccessDocument>({ $set: set }, recorded);
    // $min on an absent field sets it; a present one keeps the older instant.
    return combined<AccessDocument>(
      { $set: { ...set, outboxPending: true, updatedAt: event.occurredAt, ...this.leaseFor(current.relayLease) }, $push: { outbox: event }, $min: { outboxSince: event.occurredAt } },
      recorded,
    );
  }
}

/** What a read for a batch keeps for saveAll: the lease and outbox it saw, and when it read. */
interface AccessReceipt {
  relayLease: AccessDocument['relayLease'];
  outbox: readonly AccessChanged[];
  readAtMs: number;
}

function storedFrom(doc: AccessDocument, readAtMs: number): StoredAccess {
  const receipt: AccessReceipt = { relayLease: doc.relayLease ?? null, outbox: doc.outbox ?? [], readAtMs };
  return { access: toResidentAccess(doc), recentRequests: doc.recentRequests ?? [], revision: doc.revision ?? 0, receipt };
}

function receiptOf(stored: StoredAccess): AccessReceipt {
  // A read not made by pages/findDue (no receipt): treated as old, so the writer re-reads.
  return (stored.receipt as AccessReceipt | undefined) ?? { relayLease: null, outbox: [], readAtMs: 0 };
}
