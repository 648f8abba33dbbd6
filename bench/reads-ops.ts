/**
 * Measures nothing on its own: the read operations over the seeded residents that the reads step
 * (bench/reads.ts) and the growth step (bench/entitlements-growth.ts) both time, and the timed
 * closed loop they run them in.
 */
import type { Collection, Document } from 'mongodb';
import type { Api } from '../test/support/grpc-client';
import { log, residentNumber } from './common';
import { closedLoop, type LoadResult } from './load';
import { clinicsOf, READS_BLOCK, readsClinicId } from './reads-seed';
import { GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE } from './writes';

/** The same pseudo-random sequence of residents for the service and the raw driver. */
export function picker(residents: number, clinics: number) {
  return (i: number) => {
    const r = (i * 2_654_435_761) % residents;
    const at = clinicsOf(r, clinics);
    return { resident: residentNumber(r, READS_BLOCK), clinicId: readsClinicId(at[i % at.length]!), caseTypeId: i % 2 === 0 ? GENERAL_CASE_TYPE.id : RESTRICTED_CASE_TYPE.id };
  };
}

/** CheckEntitlement of the picked resident, clinic and case type. */
export const checkEntitlementOf = (eservice: Api, residents: number, clinics: number) => {
  const pick = picker(residents, clinics);
  return (i: number) => {
    const p = pick(i);
    return eservice.checkEntitlement({ personalIdentityNumber: p.resident, clinicId: p.clinicId, caseTypeId: p.caseTypeId, consistencyToken: '' });
  };
};

export const listEntitlementsOf = (eservice: Api, residents: number, clinics: number) => {
  const pick = picker(residents, clinics);
  return (i: number) => eservice.listEntitlements({ personalIdentityNumber: pick(i).resident, consistencyToken: '' });
};

/** The least any design does for either read: the resident's view document, by `_id`. */
export const rawViewOf = (views: Collection<Document>, residents: number, clinics: number) => {
  const pick = picker(residents, clinics);
  return async (i: number) => {
    if (!(await views.findOne({ _id: pick(i).resident } as Document))) throw new Error('raw read: seeded view document missing');
  };
};

export async function timed(name: string, op: (i: number) => Promise<unknown>, opts: { concurrency: number; durationMs: number; warmupMs: number }): Promise<LoadResult> {
  const result = await closedLoop(op, opts);
  log(`reads: ${name} (${opts.concurrency} in flight): ${result.opsPerS} ops/s, p99 ${result.p99Ms} ms`);
  return result;
}
