import type { ApproveResident } from '../../commands/access/approve-resident';
import type { ChangeGrant } from '../../commands/access/change-grant';
import type { GrantCaseType } from '../../commands/access/grant-case-type';
import type { ImportAccesses } from '../../commands/access/import-accesses';
import type { RemoveApproval } from '../../commands/access/remove-approval';
import type { RemoveGrant } from '../../commands/access/remove-grant';
import type { AccessChangeResult } from '../../application/change-resident-access';
import { toBulkRemovalMessage } from '../../contract/bulk-removal-mapping';
import { toResidentAccessMessage } from '../../contract/access-mapping';
import { toImportRowResultMessage } from '../../contract/import-mapping';
import type { StaffQueries } from '../../queries/staff-queries';
import type { RemoveApprovals } from '../../commands/remove-approvals/remove-approvals';
import type { ResidentAccessServiceService } from '../../gen/residentaccess/v1/resident_access_service';
import type { ConsistencyTokens } from '../../views/consistency-token';
import type { UseCaseHandlers } from '../use-case-handlers';

export interface ResidentAccessUseCases {
  approveResident: ApproveResident;
  removeApproval: RemoveApproval;
  removeApprovals: RemoveApprovals;
  grantCaseType: GrantCaseType;
  changeGrant: ChangeGrant;
  removeGrant: RemoveGrant;
  importAccesses: ImportAccesses;
  staffQueries: StaffQueries;
}

/** One handler per RPC of the service, typed from its generated definition. */
export type ResidentAccessHandlers = UseCaseHandlers<ResidentAccessServiceService>;

/** Thin handlers: request → use case input (with the caller), result → response. RemoveApprovals waits `bulkWaitMs` for its job before answering with progress. */
export function residentAccessHandlers(u: ResidentAccessUseCases, tokens: ConsistencyTokens, bulkWaitMs: number): ResidentAccessHandlers {
  const changeResponse = (result: AccessChangeResult) => ({
    access: toResidentAccessMessage(result.access),
    changed: result.changed,
    consistencyToken: tokens.forAccess(result.access),
  });
  return {
    lookupResident: async (r, { principal, signal }) => u.staffQueries.lookupResident(principal, r.clinicId, r.personalIdentityNumber, signal),
    approveResident: async (r, { principal, signal }) => changeResponse(await u.approveResident({ ...r, principal, signal })),
    removeApproval: async (r, { principal, signal }) => changeResponse(await u.removeApproval({ ...r, principal, signal })),
    removeApprovals: async (r, { principal, signal }) => ({
      bulkRemoval: toBulkRemovalMessage(
        await u.removeApprovals({
          principal,
          clinicId: r.clinicId,
          requestId: r.requestId,
          residents: r.residents?.personalIdentityNumbers ?? null,
          allResidents: r.allResidents === true,
          waitMs: bulkWaitMs,
          signal,
        }),
      ),
    }),
    getBulkRemoval: async (r, { principal, signal }) => ({ bulkRemoval: toBulkRemovalMessage(await u.staffQueries.getBulkRemoval(principal, r.clinicId, r.id, signal)) }),
    grantCaseType: async (r, { principal, signal }) => changeResponse(await u.grantCaseType({ ...r, principal, signal })),
    changeGrant: async (r, { principal, signal }) => changeResponse(await u.changeGrant({ ...r, principal, signal })),
    removeGrant: async (r, { principal, signal }) => changeResponse(await u.removeGrant({ ...r, principal, signal })),
    getResidentAccess: async (r, { principal, signal }) => ({
      access: toResidentAccessMessage(await u.staffQueries.getResidentAccess(principal, r.clinicId, r.personalIdentityNumber, signal)),
    }),
    importAccesses: async (r, { principal, signal }) => ({
      results: (await u.importAccesses({ principal, clinicId: r.clinicId, importId: r.importId, rows: r.rows, signal })).map(toImportRowResultMessage),
    }),
    listResidents: async (r, { principal, signal }) => {
      const page = await u.staffQueries.listResidents(principal, r, signal);
      return {
        residents: page.residents.map((e) => ({ access: toResidentAccessMessage(e.access), name: e.name })),
        nextPageToken: page.nextPageToken,
      };
    },
  };
}
