import type { Db } from 'mongodb';
import { ConditionalWriter } from './conditional-writer';
import type { DocumentWriter } from './document-writer';
import { ClaimingWriter } from './ferretdb/claiming-writer';
import { DEFAULT_CLAIM_OPTIONS, REVISION_CLAIMS_COLLECTION, RevisionClaims, type RevisionClaimDocument } from './ferretdb/revision-claims';

export type WriterChoice = 'auto' | 'conditional' | 'claims';

export interface OpenedWriter {
  writer: DocumentWriter;
  kind: 'conditional' | 'claims';
}

/**
 * The document writer for the server behind `db`: conditional updates on MongoDB, revision claims
 * on FerretDB (told by `buildInfo`), unless configuration names one.
 */
export async function openDocumentWriter(db: Db, choice: WriterChoice, claimTimeoutMs: number): Promise<OpenedWriter> {
  const kind = choice !== 'auto' ? choice : (await isFerretDb(db)) ? 'claims' : 'conditional';
  if (kind === 'conditional') return { writer: new ConditionalWriter(), kind };
  const collection = db.collection<RevisionClaimDocument>(REVISION_CLAIMS_COLLECTION);
  // For the sweep of old claims on a MongoDB told to use claims (FerretDB scans anyway).
  await collection.createIndex({ at: 1 }, { name: 'by_age' });
  const claims = new RevisionClaims(collection, { ...DEFAULT_CLAIM_OPTIONS, abandonAfterMs: claimTimeoutMs });
  return { writer: new ClaimingWriter(claims), kind };
}

async function isFerretDb(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}
