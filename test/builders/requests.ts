import { randomUUID } from 'node:crypto';
import type { ApproveResidentRequest } from '../../src/gen/residentaccess/v1/resident_access_service';
import { aClinicId, aResident } from './identity';

export function anApproveResidentRequest(overrides: Partial<ApproveResidentRequest> = {}): ApproveResidentRequest {
  return { clinicId: aClinicId(), personalIdentityNumber: aResident(), requestId: randomUUID(), ...overrides };
}
