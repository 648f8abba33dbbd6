import { findCaseType, type ClinicSettings } from '../../domain/clinic/clinic-settings';
import { DomainError } from '../../domain/errors/domain-error';

/** Only a restricted case type of the clinic can be granted. */
export function requireRestrictedCaseType(settings: ClinicSettings, caseTypeId: string): void {
  const caseType = findCaseType(settings, caseTypeId);
  if (!caseType) throw new DomainError('CASE_TYPE_NOT_FOUND', 'the clinic has no case type with this id');
  if (!caseType.restricted) {
    throw new DomainError('CASE_TYPE_NOT_RESTRICTED', 'only restricted case types are granted; this one is open to approved residents');
  }
}
