import { randomUUID } from 'node:crypto';
import { MongoClient, type Db, type Document } from 'mongodb';
import type { Api } from '../test/support/grpc-client';
import { log, residentNumber, round1, sleep } from './common';
import { closedLoop, newHistogram, type LoadResult } from './load';
import { accessLike, clinicLike, insertInBatches, RESIDENT_VIEWS, viewLike } from './seed';
import { GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE } from './writes';

/**
 * Reads for the resident e-service, with `residents` residents spread over `clinics` clinics in
 * the service's database:
 *   - CheckEntitlement (the yes/no check) for a random resident at one of their clinics, the
 *     general or the restricted case type alternately;
 *   - ListEntitlements ("everything resident R may use") for a random resident;
 * each through the real gRPC client with a service-scope token, without a consistency token.
 *
 * The raw baseline is what any design must do at least (issue 9): for a check and for a list
 * alike, ONE `findOne` by `_id` on a document of the view's size, the resident's view document
 * (`resident_views.findOne({_id: resident})`). The service reads that same document (plus the
 * resident register when a service area could apply, which no seeded clinic has) and takes the
 * clinics' settings from memory (src/queries/entitlement-queries.ts). The raw driver has the
 * service's pool size (32) and does no decoding into the domain, no entitlement rules, no
 * protobuf, no gRPC: the ratio is what all that costs.
 *
 * Also measured here:
 *   - ListEntitlements at 8 in flight, at 1× and, after seeding 9× more residents, at 10× the
 *     residents (`entitlements_p99_growth`: p99 at 10× ÷ p99 at 1×); the extra residents are
 *     removed afterwards, so what follows runs on the 1× documents;
 *   - view staleness: from ApproveResident's answer (a fresh resident at a seeded clinic) to the
 *     first CheckEntitlement without consistency token that answers allowed.
 *
 * The seed: every resident has an approval at one clinic (resident i at clinic i mod clinics),
 * every 5th also at a second clinic, and every 4th access holds a grant of the restricted case type
 * until further notice; each resident has its view document with an entry per such clinic. Nobody
 * is in the resident register and no clinic has a service area.
 */
export const READS_BLOCK = 1;
/** Fresh residents of the staleness step: never seeded, never among the reads' residents. */
export const STALENESS_BLOCK = 3;
/** Residents per generated batch (each batch: their access documents, then their view documents). */
const SEED_RESIDENTS_PER_BATCH = 1000;

export interface ReadsResult {
  residents: number;
  clinics: number;
  concurrency: number;
  check: LoadResult;
  rawCheck: LoadResult;
  entitlements: LoadResult;
  rawEntitlements: LoadResult;
  /** ListEntitlements at ENTITLEMENTS_GROWTH_CONCURRENCY, at 1× the residents. */
  entitlementsAt8: LoadResult;
}

/** The concurrency of `entitlements_p99_ms_at_8` and of the growth figure. */
export const ENTITLEMENTS_GROWTH_CONCURRENCY = 8;

const readsClinicId = (n: number) => `SE2321000016-RD${String(n).padStart(4, '0')}`;
/** The clinic made through the API, whose document the others are cloned from. */
export const READS_TEMPLATE_CLINIC = readsClinicId(0);
/** Cloned clinics (the template when there is none) at which the staleness step approves. */
export const stalenessClinics = (clinics: number): string[] =>
  clinics > 1 ? Array.from({ length: Math.min(4, clinics - 1) }, (_, n) => readsClinicId(n + 1)) : [READS_TEMPLATE_CLINIC];

/** The clinics resident i has an access at. */
const clinicsOf = (i: number, clinics: number): number[] => (i % 5 === 0 ? [i % clinics, (i * 7 + 1) % clinics] : [i % clinics]).filter((c, k, all) => all.indexOf(c) === k);

/** The documents the service wrote through the API, which the seeding clones. */
export interface ReadsTemplates {
  access: Document;
  view: Document;
}

export interface ReadsSeed {
  seedS: number;
  accessDocuments: number;
  viewDocuments: number;
  /** Seconds from moving the settings marker until the service served a cloned clinic. */
  settingsServedS: number;
  templates: ReadsTemplates;
}

export async function seedReads(opts: {
  db: Db;
  /** Staff and administrator of READS_TEMPLATE_CLINIC. */
  admin: Api;
  /** An e-service client: the seeding waits until it is served the cloned clinics. */
  eservice: Api;
  residents: number;
  clinics: number;
}): Promise<ReadsSeed> {
  const started = Date.now();
  // Templates: one clinic and one resident's access made through the API.
  const templateClinic = READS_TEMPLATE_CLINIC;
  const admin = opts.admin;
  for (const caseType of [GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE]) {
    await admin.putCaseType({ clinicId: templateClinic, caseType: { ...caseType }, requestId: randomUUID(), etag: '' });
  }
  const staff = admin;
  const templateResident = residentNumber(0, READS_BLOCK);
  await staff.approveResident({ clinicId: templateClinic, personalIdentityNumber: templateResident, requestId: randomUUID(), etag: '' });
  await staff.grantCaseType({
    clinicId: templateClinic,
    personalIdentityNumber: templateResident,
    caseTypeId: RESTRICTED_CASE_TYPE.id,
    untilFurtherNotice: true,
    requestId: randomUUID(),
    etag: '',
  });
  const clinicDoc = await opts.db.collection('clinics').findOne({ _id: templateClinic } as Document);
  const accessDoc = await opts.db.collection('access').findOne({ _id: `${templateClinic}|${templateResident}` } as Document);
  // The command writes the view before it answers (src/views/resident-view-projection.ts).
  const viewDoc = await opts.db.collection(RESIDENT_VIEWS).findOne({ _id: templateResident } as Document);
  if (!clinicDoc || !accessDoc) throw new Error('reads: the template documents were not found');
  if (!viewDoc) throw new Error(`reads: no ${RESIDENT_VIEWS} document for the template resident after its commands answered: update bench/reads.ts and bench/seed.ts`);
  if (accessDoc.resident !== templateResident) throw new Error('reads: the access document no longer stores the number as given: update bench/reads.ts');
  const templates = { access: accessDoc, view: viewDoc };

  const clinics = Array.from({ length: opts.clinics - 1 }, (_, n) => clinicLike(clinicDoc, readsClinicId(n + 1)));
  await insertInBatches(opts.db.collection('clinics'), clinics);
  const seeded = await seedResidents(opts.db, templates, 0, opts.residents, opts.clinics);

  // The service holds the clinics' settings in memory and reloads them when the change marker
  // moves (src/views/clinic-settings-cache.ts): move it, as a settings change would.
  const markedAt = Date.now();
  await opts.db
    .collection('projections')
    .replaceOne({ _id: 'clinic_settings' } as Document, { marker: randomUUID(), at: new Date() }, { upsert: true });
  // Served once a seeded resident is allowed at the last cloned clinic (approved there: general case type).
  const probe = opts.clinics - 1;
  const served = await waitUntilAllowed(opts.eservice, residentNumber(probe, READS_BLOCK), readsClinicId(clinicsOf(probe, opts.clinics)[0]!), 20_000);
  if (!served) throw new Error('reads: the service did not serve the cloned clinics within 20 s of moving the clinic settings marker: update bench/reads.ts');
  return {
    seedS: (Date.now() - started) / 1000,
    accessDocuments: seeded.access + 1,
    viewDocuments: seeded.views,
    settingsServedS: (Date.now() - markedAt) / 1000,
    templates,
  };
}

/** Polls CheckEntitlement (general case type) until allowed or `timeoutMs` passed. */
async function waitUntilAllowed(eservice: Api, resident: string, clinicId: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await eservice
      .checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: GENERAL_CASE_TYPE.id, consistencyToken: '' })
      .catch(() => null);
    if (answer?.allowed) return true;
    await sleep(100);
  }
  return false;
}

/**
 * Residents [from, to) of READS_BLOCK: their access documents and their view documents, generated
 * and inserted a batch of residents at a time (memory stays flat at 100 000 residents). Resident 0
 * is the template: its access at the template clinic exists, and its view (written by the service)
 * is replaced by one with all of its clinics.
 */
async function seedResidents(db: Db, templates: ReadsTemplates, from: number, to: number, clinics: number): Promise<{ access: number; views: number }> {
  let accessCount = 0;
  let viewCount = 0;
  for (let start = from; start < to; start += SEED_RESIDENTS_PER_BATCH) {
    const access: Document[] = [];
    const views: Document[] = [];
    for (let i = start; i < Math.min(to, start + SEED_RESIDENTS_PER_BATCH); i++) {
      const resident = residentNumber(i, READS_BLOCK);
      const mine = clinicsOf(i, clinics).map((c) =>
        i === 0 && c === 0 ? templates.access : accessLike(templates.access, readsClinicId(c), resident, i % 4 === 0 ? {} : { grants: [] }),
      );
      access.push(...mine.filter((a) => a !== templates.access));
      const view = viewLike(templates.view, templates.access, resident, mine);
      if (i === 0) {
        const { _id, ...replacement } = view;
        await db.collection(RESIDENT_VIEWS).replaceOne({ _id } as Document, replacement);
      } else {
        views.push(view);
      }
    }
    await insertInBatches(db.collection('access'), access);
    await insertInBatches(db.collection(RESIDENT_VIEWS), views);
    accessCount += access.length;
    viewCount += views.length + (start === 0 ? 1 : 0);
  }
  return { access: accessCount, views: viewCount };
}

/** The same pseudo-random sequence of residents for the service and the raw driver. */
function picker(residents: number, clinics: number) {
  return (i: number) => {
    const r = (i * 2_654_435_761) % residents;
    const at = clinicsOf(r, clinics);
    return { resident: residentNumber(r, READS_BLOCK), clinicId: readsClinicId(at[i % at.length]!), caseTypeId: i % 2 === 0 ? GENERAL_CASE_TYPE.id : RESTRICTED_CASE_TYPE.id };
  };
}

const listEntitlementsOf = (eservice: Api, residents: number, clinics: number) => {
  const pick = picker(residents, clinics);
  return (i: number) => eservice.listEntitlements({ personalIdentityNumber: pick(i).resident, consistencyToken: '' });
};

async function timed(name: string, op: (i: number) => Promise<unknown>, opts: { concurrency: number; durationMs: number; warmupMs: number }): Promise<LoadResult> {
  const result = await closedLoop(op, opts);
  log(`reads: ${name} (${opts.concurrency} in flight): ${result.opsPerS} ops/s, p99 ${result.p99Ms} ms`);
  return result;
}

export async function measureReads(opts: {
  mongoUri: string;
  database: string;
  eservice: Api;
  residents: number;
  clinics: number;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}): Promise<ReadsResult> {
  const { residents, clinics, concurrency, durationMs, warmupMs } = opts;
  const pick = picker(residents, clinics);
  const check = (i: number) => {
    const p = pick(i);
    return opts.eservice.checkEntitlement({ personalIdentityNumber: p.resident, clinicId: p.clinicId, caseTypeId: p.caseTypeId, consistencyToken: '' });
  };
  const entitlements = listEntitlementsOf(opts.eservice, residents, clinics);

  const mongo = await new MongoClient(opts.mongoUri, { serverSelectionTimeoutMS: 5000, appName: 'bench-raw-reads', maxPoolSize: 32 }).connect();
  try {
    const views = mongo.db(opts.database).collection(RESIDENT_VIEWS);
    // The least any design must do for either read: the resident's view document, by `_id`.
    const rawView = async (i: number) => {
      if (!(await views.findOne({ _id: pick(i).resident } as Document))) throw new Error('raw read: seeded view document missing');
    };
    const at = { concurrency, durationMs, warmupMs };
    log(`reads: CheckEntitlement and ListEntitlements, service and raw driver, ${concurrency} in flight`);
    // Raw first and service second for each read, so each pair runs under similar background load.
    const rawCheckResult = await timed('raw check (view findOne)', rawView, at);
    const checkResult = await timed('CheckEntitlement', check, at);
    const rawEntitlementsResult = await timed('raw entitlements (view findOne)', rawView, at);
    const entitlementsResult = await timed('ListEntitlements', entitlements, at);
    const entitlementsAt8 = await timed('ListEntitlements', entitlements, { ...at, concurrency: ENTITLEMENTS_GROWTH_CONCURRENCY });
    return {
      residents,
      clinics,
      concurrency,
      check: checkResult,
      rawCheck: rawCheckResult,
      entitlements: entitlementsResult,
      rawEntitlements: rawEntitlementsResult,
      entitlementsAt8,
    };
  } finally {
    await mongo.close();
  }
}

export interface EntitlementsGrowth {
  residents: number;
  accessDocuments: number;
  viewDocuments: number;
  seedS: number;
  /** ListEntitlements at ENTITLEMENTS_GROWTH_CONCURRENCY over all `residents`. */
  entitlements: LoadResult;
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
  const entitlements = await timed(`ListEntitlements over ${total} residents`, listEntitlementsOf(opts.eservice, total, opts.clinics), {
    concurrency: ENTITLEMENTS_GROWTH_CONCURRENCY,
    durationMs: opts.durationMs,
    warmupMs: opts.warmupMs,
  });

  // Resident numbers grow with i (birth date, then serial), so the extra residents are one range
  // of the block: one filtered delete per collection (each a scan on FerretDB, run once).
  const lowest = residentNumber(opts.residents, READS_BLOCK);
  const highest = residentNumber(total - 1, READS_BLOCK);
  if (!(residentNumber(opts.residents - 1, READS_BLOCK) < lowest && lowest <= highest)) throw new Error('reads: resident numbers no longer grow with i: update bench/reads.ts');
  const removeStarted = Date.now();
  const range = { $gte: lowest, $lte: highest };
  const [access, views] = await Promise.all([
    opts.db.collection('access').deleteMany({ resident: range }),
    opts.db.collection(RESIDENT_VIEWS).deleteMany({ _id: range } as Document),
  ]);
  const removeS = (Date.now() - removeStarted) / 1000;
  const note =
    access.deletedCount !== seeded.access || views.deletedCount !== seeded.views
      ? `removed ${access.deletedCount} of ${seeded.access} extra access and ${views.deletedCount} of ${seeded.views} extra view documents`
      : null;
  return { residents: total, accessDocuments: seeded.access, viewDocuments: seeded.views, seedS: round1(seedS), entitlements, removeS: round1(removeS), note };
}

export interface ViewStaleness {
  /** Approve answer → first allowed check, as a load result (one op per sample; concurrency = workers). */
  load: LoadResult;
  p50Ms: number | null;
  p99Ms: number | null;
  samples: number;
  /** Checks sent in all (the first one of a sample included). */
  checks: number;
  /** Samples whose first check already saw the approval. */
  seenAtFirstCheck: number;
  /** Samples not seen within the per-sample bound: counted with the time waited. */
  notSeen: number;
  note: string | null;
}

/**
 * View staleness: `concurrency` workers, each in turn approving a fresh resident (STALENESS_BLOCK)
 * at one of `clinicIds` through gRPC, then at once and repeatedly sending CheckEntitlement (general
 * case type, no consistency token) until it answers allowed; the time from the approve's answer to
 * that allowed answer. New samples start until `samples` or `maxMs`; a sample not seen within
 * `sampleMaxMs` counts with the time waited (the figure is then a lower bound, and says so).
 */
export async function measureViewStaleness(opts: {
  staff: Api;
  eservice: Api;
  clinicIds: string[];
  samples: number;
  concurrency: number;
  maxMs: number;
  sampleMaxMs: number;
}): Promise<ViewStaleness> {
  const hist = newHistogram();
  const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
  const started = nowUs();
  const deadline = Date.now() + opts.maxMs;
  let next = 0;
  let checks = 0;
  let seenAtFirstCheck = 0;
  let notSeen = 0;
  let errors = 0;
  let firstError: string | null = null;
  const failed = (error: unknown) => {
    errors++;
    firstError ??= error instanceof Error ? error.message : String(error);
  };
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline && next < opts.samples) {
      const k = next++;
      const resident = residentNumber(k, STALENESS_BLOCK);
      const clinicId = opts.clinicIds[k % opts.clinicIds.length]!;
      try {
        await opts.staff.approveResident({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });
      } catch (error) {
        failed(error);
        continue;
      }
      const answeredAt = nowUs();
      for (let attempt = 1; ; attempt++) {
        checks++;
        const allowed = await opts.eservice
          .checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: GENERAL_CASE_TYPE.id, consistencyToken: '' })
          .then((a) => a.allowed, (error: unknown) => (failed(error), false));
        const waited = nowUs() - answeredAt;
        if (allowed) {
          if (attempt === 1) seenAtFirstCheck++;
          hist.recordValue(Math.max(1, waited));
          break;
        }
        if (waited >= opts.sampleMaxMs * 1000) {
          notSeen++;
          hist.recordValue(waited);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const durationS = (nowUs() - started) / 1e6;
  const samples = hist.totalCount;
  const ms = (us: number) => Math.round(us) / 1000;
  const load: LoadResult = {
    mode: 'closed',
    concurrency: opts.concurrency,
    targetRate: null,
    ops: samples,
    errors,
    durationS,
    opsPerS: durationS > 0 ? round1(samples / durationS) : 0,
    p50Ms: ms(hist.getValueAtPercentile(50)),
    p99Ms: ms(hist.getValueAtPercentile(99)),
    p999Ms: ms(hist.getValueAtPercentile(99.9)),
    maxMs: ms(hist.maxValue),
    firstError,
  };
  let note = '';
  if (notSeen > 0) note += `${notSeen} of ${samples} approvals not seen by a check within ${opts.sampleMaxMs} ms: counted with the time waited, so the figure is a lower bound; `;
  if (samples < opts.samples) note += `${samples} of ${opts.samples} samples within the step's ${round1(opts.maxMs / 1000)} s; `;
  log(`view staleness: ${samples} samples, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${checks} checks, ${errors} errors`);
  return {
    load,
    p50Ms: samples > 0 ? load.p50Ms : null,
    p99Ms: samples > 0 ? load.p99Ms : null,
    samples,
    checks,
    seenAtFirstCheck,
    notSeen,
    note: note.trim() || null,
  };
}
