import { randomUUID } from 'node:crypto';
import { MongoClient, type Db, type Document } from 'mongodb';
import type { Api } from '../test/support/grpc-client';
import { log, residentNumber } from './common';
import { closedLoop, type LoadResult } from './load';
import { accessLike, clinicLike, insertInBatches } from './seed';
import { GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE } from './writes';

/**
 * Reads for the resident e-service, with `residents` residents spread over `clinics` clinics in
 * the service's database:
 *   - CheckEntitlement (the yes/no check) for a random resident at one of their clinics, the
 *     general or the restricted case type alternately;
 *   - ListEntitlements ("everything resident R may use") for a random resident;
 * each through the real gRPC client with a service-scope token, against the raw driver doing the
 * same reads on the same documents (src/queries/entitlement-queries.ts with the Mongo adapters):
 *   check:        access.findOne({_id}) ‖ clinics.findOne({_id}) ‖ residents.findOne({_id})
 *   entitlements: access.find({resident}) ‖ residents.findOne({_id}) ‖ clinics.find({hasServiceArea})
 *                 then clinics.find({_id: {$in}})
 * The raw driver has the service's pool size (32) and does no decoding into the domain, no
 * entitlement rules, no protobuf, no gRPC: the ratio is what all that costs.
 *
 * The seed: every resident has an approval at one clinic (resident i at clinic i mod clinics),
 * every 5th also at a second clinic, and every 4th access holds a grant of the restricted case type
 * until further notice. Nobody is in the resident register and no clinic has a service area.
 */
export const READS_BLOCK = 1;
const STATE_ONLY = { projection: { clinicId: 1, resident: 1, approval: 1, grants: 1, version: 1 } } as const;

export interface ReadsResult {
  residents: number;
  clinics: number;
  accessDocuments: number;
  seedS: number;
  concurrency: number;
  check: LoadResult;
  rawCheck: LoadResult;
  entitlements: LoadResult;
  rawEntitlements: LoadResult;
}

const readsClinicId = (n: number) => `SE2321000016-RD${String(n).padStart(4, '0')}`;
/** The clinic made through the API, whose document the others are cloned from. */
export const READS_TEMPLATE_CLINIC = readsClinicId(0);

/** The clinics resident i has an access at. */
const clinicsOf = (i: number, clinics: number): number[] => (i % 5 === 0 ? [i % clinics, (i * 7 + 1) % clinics] : [i % clinics]).filter((c, k, all) => all.indexOf(c) === k);

export async function seedReads(opts: {
  db: Db;
  /** Staff and administrator of READS_TEMPLATE_CLINIC. */
  admin: Api;
  residents: number;
  clinics: number;
}): Promise<{ seedS: number; accessDocuments: number }> {
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
  if (!clinicDoc || !accessDoc) throw new Error('reads: the template documents were not found');
  if (accessDoc.resident !== templateResident) throw new Error('reads: the access document no longer stores the number as given: update bench/reads.ts');

  const clinics = Array.from({ length: opts.clinics - 1 }, (_, n) => clinicLike(clinicDoc, readsClinicId(n + 1)));
  await insertInBatches(opts.db.collection('clinics'), clinics);
  const access: Document[] = [];
  for (let i = 0; i < opts.residents; i++) {
    const resident = residentNumber(i, READS_BLOCK);
    for (const c of clinicsOf(i, opts.clinics)) if (i > 0 || c > 0) access.push(accessLike(accessDoc, readsClinicId(c), resident, i % 4 === 0 ? {} : { grants: [] }));
  }
  await insertInBatches(opts.db.collection('access'), access);
  return { seedS: (Date.now() - started) / 1000, accessDocuments: access.length + 1 };
}

export async function measureReads(opts: {
  db: Db;
  mongoUri: string;
  database: string;
  eservice: Api;
  residents: number;
  clinics: number;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}): Promise<Omit<ReadsResult, 'seedS' | 'accessDocuments'>> {
  const { residents, clinics, concurrency, durationMs, warmupMs } = opts;
  // The same pseudo-random sequence of residents for the service and the raw driver.
  const pick = (i: number) => {
    const r = (i * 2_654_435_761) % residents;
    const at = clinicsOf(r, clinics);
    return { resident: residentNumber(r, READS_BLOCK), clinicId: readsClinicId(at[i % at.length]!), caseTypeId: i % 2 === 0 ? GENERAL_CASE_TYPE.id : RESTRICTED_CASE_TYPE.id };
  };
  const check = (i: number) => {
    const p = pick(i);
    return opts.eservice.checkEntitlement({ personalIdentityNumber: p.resident, clinicId: p.clinicId, caseTypeId: p.caseTypeId, consistencyToken: '' });
  };
  const entitlements = (i: number) => opts.eservice.listEntitlements({ personalIdentityNumber: pick(i).resident, consistencyToken: '' });

  const mongo = await new MongoClient(opts.mongoUri, { serverSelectionTimeoutMS: 5000, appName: 'bench-raw-reads', maxPoolSize: 32 }).connect();
  try {
    const db = mongo.db(opts.database);
    const [access, clinicsCollection, register] = [db.collection('access'), db.collection('clinics'), db.collection('residents')];
    const rawCheck = async (i: number) => {
      const p = pick(i);
      const [stored, clinic] = await Promise.all([
        access.findOne({ _id: `${p.clinicId}|${p.resident}` } as Document, { projection: { outbox: 0, relayLease: 0 } }),
        clinicsCollection.findOne({ _id: p.clinicId } as Document),
        register.findOne({ _id: p.resident } as Document),
      ]);
      if (!stored || !clinic) throw new Error('raw check: seeded document missing');
    };
    const rawEntitlements = async (i: number) => {
      const resident = pick(i).resident;
      const [accesses] = await Promise.all([
        access.find({ resident }, STATE_ONLY).toArray(),
        register.findOne({ _id: resident } as Document),
        clinicsCollection.find({ hasServiceArea: true }, { projection: { recentRequests: 0 } }).toArray(),
      ]);
      const ids = [...new Set(accesses.map((a) => String(a.clinicId)))];
      if (ids.length === 0) throw new Error('raw entitlements: seeded resident has no access');
      await clinicsCollection.find({ _id: { $in: ids } } as Document, { projection: { recentRequests: 0 } }).toArray();
    };
    const run = async (name: string, op: (i: number) => Promise<unknown>, warmup: number) => {
      const result = await closedLoop(op, { concurrency, durationMs, warmupMs: warmup });
      log(`reads: ${name}: ${result.opsPerS} ops/s, p99 ${result.p99Ms} ms`);
      return result;
    };
    log(`reads: CheckEntitlement and ListEntitlements, service and raw driver, ${concurrency} in flight`);
    // Raw first and service second for each read, so each pair runs under similar background load.
    const rawCheckResult = await run('raw check', rawCheck, warmupMs);
    const checkResult = await run('CheckEntitlement', check, warmupMs);
    // No warm-up for the entitlements query: on FerretDB it scans every access document, and one
    // round of 32 scans takes seconds (the check has warmed the connections and code already).
    const rawEntitlementsResult = await run('raw entitlements', rawEntitlements, 0);
    const entitlementsResult = await run('ListEntitlements', entitlements, 0);
    return { residents, clinics, concurrency, check: checkResult, rawCheck: rawCheckResult, entitlements: entitlementsResult, rawEntitlements: rawEntitlementsResult };
  } finally {
    await mongo.close();
  }
}
