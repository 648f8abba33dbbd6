import { randomUUID } from 'node:crypto';
import type { ApproveResidentRequest, GrantCaseTypeRequest } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aClinicId, aResident } from './identity';

export function anApproveResidentRequest(overrides: Partial<ApproveResidentRequest> = {}): ApproveResidentRequest {
  return { clinicId: aClinicId(), personalIdentityNumber: aResident(), requestId: randomUUID(), etag: '', ...overrides };
}

export function aGrantCaseTypeRequest(overrides: Partial<GrantCaseTypeRequest> = {}): GrantCaseTypeRequest {
  return {
    clinicId: aClinicId(),
    personalIdentityNumber: aResident(),
    caseTypeId: 'restricted-1',
    untilFurtherNotice: true,
    requestId: randomUUID(),
    etag: '',
    ...overrides,
  };
}
