import type { ApproveResident } from '../../commands/approve-resident/approve-resident';
import { toResidentAccessMessage } from '../../contract/access-mapping';
import type { ApproveResidentRequest, ApproveResidentResponse } from '../../gen/residentaccess/v1/resident_access_service';
import type { UnaryHandler } from '../unary';

export function approveResidentHandler(approveResident: ApproveResident): UnaryHandler<ApproveResidentRequest, ApproveResidentResponse> {
  return async (request, context) => {
    const result = await approveResident({
      clinicId: request.clinicId,
      personalIdentityNumber: request.personalIdentityNumber,
      requestId: request.requestId,
      actor: context.actor,
    });
    return { access: toResidentAccessMessage(result.access), changed: result.changed };
  };
}
