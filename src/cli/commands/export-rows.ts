import type { Grant } from '../../gen/residentaccess/v1/access';
import type { ResidentListEntry } from '../../gen/residentaccess/v1/resident_access_service';

/**
 * The export's columns, one row per resident, in the shape `resident-access import` reads back
 * (it ignores `name`): `approved` true or false; `grants` each grant as `case-type:LAST` (its last
 * day) or the case type alone (until further notice), with a first day `case-type:FIRST..LAST` or
 * `case-type:FIRST..`, separated by `;`. `name` is for
 * people reading the file: empty for protected identity (and for residents the register does not know).
 */
export const EXPORT_COLUMNS = ['personal_identity_number', 'name', 'approved', 'grants'] as const;

/**
 * One grant in the `grants` cell, in the form import reads. Case type ids are letters, digits, -
 * and _ only, so `:`, `..` and `;` cannot occur in them. A first day is written whether the grant
 * is pending or has begun: import makes a past one active and a later one pending, as here.
 */
function grantCell(g: Grant): string {
  if (g.firstDay) return `${g.caseTypeId}:${g.firstDay}..${g.untilDate}`;
  return g.untilDate ? `${g.caseTypeId}:${g.untilDate}` : g.caseTypeId;
}

/**
 * A name a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or CR) is written
 * with a leading apostrophe, so opening the file runs nothing (OWASP's "CSV injection"). Only the
 * name can start so: the other cells are digits, true/false and case type ids.
 */
const inertName = (name: string): string => (/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);

/** A resident's row; its grants in the listing's order (by case type). */
export function residentRow(entry: ResidentListEntry): string[] {
  const access = entry.access;
  if (!access) throw new Error('the service listed a resident without its access');
  return [access.personalIdentityNumber, inertName(entry.name), access.approval ? 'true' : 'false', access.grants.map(grantCell).join(';')];
}
