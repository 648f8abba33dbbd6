import type { ResidentListEntry } from '../../gen/residentaccess/v1/resident_access_service';

/**
 * The export's columns, the shape an import reads back: the resident, its approval, and one grant
 * per row (case type, first and last day; empty until further notice). `name` is for people
 * reading the file: empty for protected identity (and for residents the register does not know).
 */
export const EXPORT_COLUMNS = ['personal_identity_number', 'name', 'approved', 'case_type_id', 'start_date', 'until_date'] as const;

/**
 * A resident's rows: one per grant, ordered by case type; one with empty grant columns when it holds
 * none (it is listed for its approval). `start_date` stays empty until grants have a first day.
 */
export function residentRows(entry: ResidentListEntry): string[][] {
  const access = entry.access;
  if (!access) throw new Error('the service listed a resident without its access');
  const resident = [access.personalIdentityNumber, entry.name, access.approval ? 'true' : 'false'];
  if (access.grants.length === 0) return [[...resident, '', '', '']];
  return access.grants.map((g) => [...resident, g.caseTypeId, '', g.untilDate]);
}
