/**
 * Entitlements growth: ListEntitlements at ENTITLEMENTS_GROWTH_CONCURRENCY in flight over 10× the
 * residents, after seeding 9× more of them (`entitlements_p99_growth`: p99 at 10× ÷ p99 at 1×, the
 * 1× figure being the reads step's `entitlementsAt8`). The extra residents are removed afterwards,
 * so what follows runs on the 1× documents.
 */
import type { Db, Document } from 'mongodb';
import type { Api } from '../test/support/grpc-client';
import { log, residentNumber, round1 } from './common';
import type { LoadResult } from './load';
import { listEntitlementsOf, rawViewOf, timed } from './reads-ops';
import { READS_BLOCK, seedResidents, type ReadsTemplates } from './reads-seed';
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

  // Resident numbers grow with i (birth date, then serial), so the extra residents are one range,
  // removed a few thousand residents per delete: FerretDB/SQLite binds every matched id as one SQL
  // variable and refuses more than 32 766 in one statement (a range compare per document is cheap
  // in its scan; an `$in` of thousands is not).
  if (!(residentNumber(opts.residents - 1, READS_BLOCK) < residentNumber(opts.residents, READS_BLOCK))) {
    throw new Error('reads: resident numbers no longer grow with i: update bench/entitlements-growth.ts');
  }
  const removeStarted = Date.now();
  let access = 0;
  let views = 0;
  for (let from = opts.residents; from < total; from += DELETE_RESIDENTS) {
    const range = { $gte: residentNumber(from, READS_BLOCK), $lte: residentNumber(Math.min(total, from + DELETE_RESIDENTS) - 1, READS_BLOCK) };
    access += (await opts.db.collection('access').deleteMany({ resident: range })).deletedCount;
    views += (await opts.db.collection(RESIDENT_VIEWS).deleteMany({ _id: range } as Document)).deletedCount;
  }
  const removeS = (Date.now() - removeStarted) / 1000;
  const note = access !== seeded.access || views !== seeded.views ? `removed ${access} of ${seeded.access} extra access and ${views} of ${seeded.views} extra view documents` : null;
  return { residents: total, accessDocuments: seeded.access, viewDocuments: seeded.views, seedS: round1(seedS), raw, entitlements, removeS: round1(removeS), note };
}

const DELETE_RESIDENTS = 10_000;
