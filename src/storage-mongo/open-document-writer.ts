import type { Collection, Db } from 'mongodb';
import type { OutboxEvent, OutboxStats, OutboxStore } from '../domain/ports/publishing';
import { ConditionalWriter } from './conditional-writer';
import type { DocumentWriter } from './document-writer';
import { ClaimingWriter } from './ferretdb/claiming-writer';
import { FerretOutboxStore } from './ferretdb/ferret-outbox-store';
import { MongoOutboxStore } from './mongo-outbox-store';
import type { OutboxDocument } from './outbox-document';
import { REVISION_CLAIMS_COLLECTION, RevisionClaims, type RevisionClaimDocument } from './ferretdb/revision-claims';
import { TUNING, type Tuning } from '../config/config';

export type WriterChoice = 'auto' | 'conditional' | 'claims';

export interface OpenedWriter {
  writer: DocumentWriter;
  kind: 'conditional' | 'claims';
  /** The relay's side of the outboxes in `collection`, written the way this server needs. */
  outboxStore: <E extends OutboxEvent>(collection: Collection<OutboxDocument<E>>) => OutboxStore<E> & { stats(): Promise<OutboxStats> };
}

/**
 * The document writer and outbox stores for the server behind `db`: conditional updates on
 * MongoDB, revision claims and progress kept apart on FerretDB (told by `buildInfo`), unless
 * configuration names one. `tuning`: the attempts and limits of the adapters opened here.
 */
export async function openDocumentWriter(db: Db, choice: WriterChoice, claimTimeoutMs: number, tuning: Pick<Tuning, 'mongo' | 'ferretdb'> = TUNING): Promise<OpenedWriter> {
  const kind = choice !== 'auto' ? choice : (await isFerretDb(db)) ? 'claims' : 'conditional';
  if (kind === 'conditional') return { writer: new ConditionalWriter(), kind, outboxStore: (c) => new MongoOutboxStore(c, tuning.mongo.outboxWriteAttempts) };
  const collection = db.collection<RevisionClaimDocument>(REVISION_CLAIMS_COLLECTION);
  // For the sweep of old claims on a MongoDB told to use claims (FerretDB scans anyway).
  await collection.createIndex({ at: 1 }, { name: 'by_age' });
  const claims = new RevisionClaims(collection, { ...tuning.ferretdb.claims, abandonAfterMs: claimTimeoutMs });
  const writer = new ClaimingWriter(claims, tuning.ferretdb.updatesPerCommand);
  return { writer, kind, outboxStore: (c) => FerretOutboxStore.in(c, writer, tuning.ferretdb) };
}

/** FerretDB answers buildInfo with its own version; MongoDB does not. */
export async function isFerretDb(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}
