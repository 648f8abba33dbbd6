/**
 * Entitlements growth: ListEntitlements at ENTITLEMENTS_GROWTH_CONCURRENCY in flight over 10× the
 * residents, after seeding 9× more of them (`entitlements_p99_growth`: p99 at 10× ÷ p99 at 1×, the
 * 1× figure being the reads step's `entitlementsAt8`). The extra residents are removed afterwards,
 * so what follows runs on the 1× documents.
 */
import type { Collection, Db, Document } from 'mongodb';
import type { Api } from '../test/support/grpc-client';
import { log, residentNumber, round1 } from './common';
import type { LoadResult } from './load';
import { listEntitlementsOf, rawViewOf, timed } from './reads-ops';
import { clinicsOf, READS_BLOCK, readsClinicId, seedResidents, type ReadsTemplates } from './reads-seed';
import { RESIDENT_VIEWS } from './seed';

/** The concurrency of `entitlements_p99_ms_at_8` and of the growth figure. */
export const ENTITLEMENTS_GROWTH_CONCURRENCY = 8;

export interface EntitlementsGrowth {
  residents: number;
  accessDocuments: number;
  viewDocuments: number;
  seedS: number;
  /** ListEntitlements at ENTITLEMENTS_GROWTH_CONCURRENCY over all `residents`, and the raw read beside it. */
  entitlements: LoadResult;
  raw: LoadResult;
  removeS: number;
  note: string | null;
}

/**
 * Seeds residents [residents, factor × residents) (access and view documents, as seedReads does),
 * measures ListEntitlements over all of them at ENTITLEMENTS_GROWTH_CONCURRENCY, then removes them
 * again, so that the steps after this one run on the documents they always did.
 */
export async function measureEntitlementsGrowth(opts: {
  db: Db;
  eservice: Api;
  templates: ReadsTemplates;
  residents: number;
  clinics: number;
  factor: number;
  durationMs: number;
  warmupMs: number;
}): Promise<EntitlementsGrowth> {
  const total = opts.residents * opts.factor;
  log(`reads: seeding ${total - opts.residents} more residents (${total} in all)`);
  const seedStarted = Date.now();
  const seeded = await seedResidents(opts.db, opts.templates, opts.residents, total, opts.clinics);
  const seedS = (Date.now() - seedStarted) / 1000;
  log(`reads: ${seeded.access} access and ${seeded.views} view documents seeded in ${seedS.toFixed(1)} s`);
  const at8 = { concurrency: ENTITLEMENTS_GROWTH_CONCURRENCY, durationMs: opts.durationMs, warmupMs: opts.warmupMs };
  // The raw read first, as at 1×: it also lets the storage settle after the seeding's writes.
  const raw = await timed(`raw view findOne over ${total} residents`, rawViewOf(opts.db.collection(RESIDENT_VIEWS), total, opts.clinics), at8);
  const entitlements = await timed(`ListEntitlements over ${total} residents`, listEntitlementsOf(opts.eservice, total, opts.clinics), at8);

  // By exact ids, a few thousand per delete: FerretDB/SQLite binds every matched id as one SQL
  // variable, and refuses more than 32 766 in one statement.
  const removeStarted = Date.now();
  const accessIds: string[] = [];
  const viewIds: string[] = [];
  for (let i = opts.residents; i < total; i++) {
    const resident = residentNumber(i, READS_BLOCK);
    viewIds.push(resident);
    for (const c of clinicsOf(i, opts.clinics)) accessIds.push(`${readsClinicId(c)}|${resident}`);
  }
  const access = await deleteInChunks(opts.db.collection('access'), accessIds);
  const views = await deleteInChunks(opts.db.collection(RESIDENT_VIEWS), viewIds);
  const removeS = (Date.now() - removeStarted) / 1000;
  const note =
    access !== seeded.access || views !== seeded.views
      ? `removed ${access} of ${seeded.access} extra access and ${views} of ${seeded.views} extra view documents`
      : null;
  return { residents: total, accessDocuments: seeded.access, viewDocuments: seeded.views, seedS: round1(seedS), raw, entitlements, removeS: round1(removeS), note };
}

const DELETE_CHUNK = 5000;

async function deleteInChunks(collection: Collection<Document>, ids: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
    deleted += (await collection.deleteMany({ _id: { $in: ids.slice(start, start + DELETE_CHUNK) } } as Document)).deletedCount;
  }
  return deleted;
}
