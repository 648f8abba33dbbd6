import type { Api } from '../test/support/grpc-client';
import { residentNumber } from './common';

/** The restricted case type the bench grants (and lets expire). */
export const RESTRICTED_CASE_TYPE = { id: 'restricted-1', name: 'Restricted follow-up', restricted: true } as const;
/** The resident of the one approval whose documents the raw baseline is checked against (bench/baselines.ts). */
export const WRITES_TEMPLATE_BLOCK = 5;
export const GENERAL_CASE_TYPE = { id: 'general', name: 'General question', restricted: false } as const;

/**
 * The write RPCs under load, through the real gRPC client: each call changes a new resident (a new
 * access document), so every call is a real change with one event. Operation numbers are unique
 * within the bench process (bench/load.ts), so approve and grant never touch the same resident.
 */
export function writeOps(staff: Api, clinicId: string, run: string) {
  const requestIdOf = (i: number) => `${run}-${i}`;
  return {
    requestIdOf,
    approve: (i: number) => staff.approveResident({ clinicId, personalIdentityNumber: residentNumber(i), requestId: requestIdOf(i), etag: '' }),
    /** GrantCaseType of the clinic's restricted case type, until further notice. */
    grant: (i: number) =>
      staff.grantCaseType({
        clinicId,
        personalIdentityNumber: residentNumber(i),
        caseTypeId: RESTRICTED_CASE_TYPE.id,
        untilFurtherNotice: true,
        requestId: requestIdOf(i),
        etag: '',
      }),
  };
}
