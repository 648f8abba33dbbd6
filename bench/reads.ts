/**
 * Reads for the resident e-service, with `residents` residents spread over `clinics` clinics in
 * the service's database (seeded by bench/reads-seed.ts):
 *   - CheckEntitlement (the yes/no check) for a random resident at one of their clinics, the
 *     general or the restricted case type alternately;
 *   - ListEntitlements ("everything resident R may use") for a random resident, also at
 *     ENTITLEMENTS_GROWTH_CONCURRENCY in flight (the 1× side of bench/entitlements-growth.ts);
 * each through the real gRPC client with a service-scope token, without a consistency token.
 *
 * The raw baseline is what any design must do at least (issue 9): for a check and for a list
 * alike, ONE `findOne` by `_id` on a document of the view's size, the resident's view document
 * (`resident_views.findOne({_id: resident})`). The service reads that same document and takes
 * the clinics' settings from memory (src/queries/entitlement-queries.ts). The raw driver has the
 * service's pool size (the driver's 100) and does no decoding into the domain, no entitlement rules, no
 * protobuf, no gRPC, and writes no access-log entry: the ratio is what all that costs. Every
 * service read stores its access-log entry before it answers (group-committed); the entries the
 * service steps added, over their wall time, give the log's sustained write rate.
 */
import { MongoClient } from 'mongodb';
import type { Api } from '../test/support/grpc-client';
import { log } from './common';
import { ENTITLEMENTS_GROWTH_CONCURRENCY } from './entitlements-growth';
import { closedLoop, type LoadResult } from './load';
import { checkEntitlementOf, listEntitlementsOf, rawViewOf, timed } from './reads-ops';
import { RESIDENT_VIEWS } from './seed';

const ACCESS_LOG = 'access_log';

export interface ReadsResult {
  residents: number;
  clinics: number;
  concurrency: number;
  check: LoadResult;
  rawCheck: LoadResult;
  entitlements: LoadResult;
  rawEntitlements: LoadResult;
  /** ListEntitlements at ENTITLEMENTS_GROWTH_CONCURRENCY, at 1× the residents, and the raw read beside it. */
  entitlementsAt8: LoadResult;
  rawAt8: LoadResult;
  /** Access-log entries the three service steps stored (warm-ups included), and over what wall time. */
  accessLog: { entries: number; calls: number; seconds: number; entriesPerS: number };
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
  const check = checkEntitlementOf(opts.eservice, residents, clinics);
  const entitlements = listEntitlementsOf(opts.eservice, residents, clinics);

  const mongo = await new MongoClient(opts.mongoUri, { serverSelectionTimeoutMS: 5000, appName: 'bench-raw-reads' }).connect();
  try {
    const rawView = rawViewOf(mongo.db(opts.database).collection(RESIDENT_VIEWS), residents, clinics);
    const accessLog = mongo.db(opts.database).collection(ACCESS_LOG);
    const logged = { entries: 0, calls: 0, ms: 0 };
    /** A service step, with the access-log entries it stored counted. */
    const service = async (name: string, op: (i: number) => Promise<unknown>, at: { concurrency: number; durationMs: number; warmupMs: number }) => {
      const [before, started] = [await accessLog.estimatedDocumentCount(), Date.now()];
      const result = await timed(name, op, at);
      logged.ms += Date.now() - started;
      logged.entries += (await accessLog.estimatedDocumentCount()) - before;
      logged.calls += result.ops + result.errors;
      return result;
    };
    const at = { concurrency, durationMs, warmupMs };
    // A fresh service process: both reads once through its whole path (gRPC, protobuf, rules) for a
    // few seconds, not recorded, so that neither measured step pays for the JIT's warm-up.
    const warmUpMs = Math.max(2000, warmupMs);
    await closedLoop((i) => (i % 2 === 0 ? check(i) : entitlements(i)), { concurrency, durationMs: warmUpMs, warmupMs: 0 });
    log(`reads: CheckEntitlement and ListEntitlements, service and raw driver, ${concurrency} in flight`);
    // Raw first and service second for each read, so each pair runs under similar background load.
    const rawCheckResult = await timed('raw check (view findOne)', rawView, at);
    const checkResult = await service('CheckEntitlement', check, at);
    const rawEntitlementsResult = await timed('raw entitlements (view findOne)', rawView, at);
    const entitlementsResult = await service('ListEntitlements', entitlements, at);
    const at8 = { ...at, concurrency: ENTITLEMENTS_GROWTH_CONCURRENCY };
    const rawAt8 = await timed('raw entitlements (view findOne)', rawView, at8);
    const entitlementsAt8 = await service('ListEntitlements', entitlements, at8);
    const seconds = logged.ms / 1000;
    log(`reads: ${logged.entries} access-log entries stored by ${logged.calls} measured calls (and their warm-ups) in ${seconds.toFixed(1)} s`);
    return {
      residents,
      clinics,
      concurrency,
      check: checkResult,
      rawCheck: rawCheckResult,
      entitlements: entitlementsResult,
      rawEntitlements: rawEntitlementsResult,
      entitlementsAt8,
      rawAt8,
      accessLog: { entries: logged.entries, calls: logged.calls, seconds, entriesPerS: seconds > 0 ? Math.round((logged.entries / seconds) * 10) / 10 : 0 },
    };
  } finally {
    await mongo.close();
  }
}
