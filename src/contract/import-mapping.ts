import type { ImportRowOutcome as DomainOutcome, ImportRowResult } from '../commands/access/import-accesses';
import { ImportRowOutcome, type ImportRowResult as ImportRowResultMessage } from '../gen/residentaccess/v1/resident_access_service';

const outcomes: Record<DomainOutcome, ImportRowOutcome> = {
  APPLIED: ImportRowOutcome.IMPORT_ROW_OUTCOME_APPLIED,
  ALREADY_APPLIED: ImportRowOutcome.IMPORT_ROW_OUTCOME_ALREADY_APPLIED,
  UNCHANGED: ImportRowOutcome.IMPORT_ROW_OUTCOME_UNCHANGED,
  FAILED: ImportRowOutcome.IMPORT_ROW_OUTCOME_FAILED,
};

export function toImportRowResultMessage(result: ImportRowResult): ImportRowResultMessage {
  return {
    line: result.line,
    outcome: outcomes[result.outcome],
    violations: result.violations.map(({ field, reason, description }) => ({ field, reason, description })),
  };
}
