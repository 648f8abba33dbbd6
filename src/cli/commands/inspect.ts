import { availabilityReasonToJSON, type InspectResidentResponse } from '../../gen/residentaccess/v1/admin_service';
import { accessChangeCauseToJSON } from '../../gen/residentaccess/v1/events';
import type { AdminClient } from '../admin-client';
import { printJson, type Output } from '../output';
import { enumText, table, timeText } from '../table';

/** The inspection for --json: its enums by name. */
const named = (r: InspectResidentResponse) => ({
  ...r,
  clinics: r.clinics.map((c) => ({ ...c, caseTypes: c.caseTypes.map((t) => ({ ...t, reason: availabilityReasonToJSON(t.reason) })) })),
  recentAuditEntries: r.recentAuditEntries.map((e) => ({ ...e, action: accessChangeCauseToJSON(e.action) })),
});

/** `inspect`: the resident's access at every clinic and why, latest audit, unpublished events. */
export async function inspect(client: AdminClient, out: Output, number: string, auditEntryCount: number): Promise<void> {
  const r = await client.inspectResident({ personalIdentityNumber: number, auditEntryCount });
  if (out.json) return printJson(out, named(r));
  out.write(`Resident ${r.personalIdentityNumber} (in the population register: ${r.registered ? 'yes' : 'no'})\n\nAccess\n`);
  const clinics = r.clinics.flatMap(({ access, caseTypes }) => (access ? [{ access, caseTypes }] : []));
  out.write(
    table(
      ['CLINIC', 'APPROVED', 'GRANTS', 'VERSION', 'ETAG'],
      clinics.map(({ access: a }) => [
        a.clinicId,
        a.approval?.approved ? `yes (${a.approval.approved.actor}, ${timeText(a.approval.approved.time)})` : 'no',
        a.grants.map((g) => `${g.caseTypeId}${g.firstDay ? ` from ${g.firstDay}` : ''} until ${g.untilDate || 'further notice'}${g.pending ? ' (pending)' : ''}`).join(', ') || '-',
        String(a.version),
        a.etag,
      ]),
    ),
  );
  out.write('\nCase types\n');
  out.write(
    table(
      ['CLINIC', 'CASE TYPE', 'RESTRICTED', 'AVAILABLE', 'REASON', 'UNTIL'],
      clinics.flatMap(({ access, caseTypes }) =>
        caseTypes.map((c) => [
          access.clinicId,
          c.caseTypeId,
          c.restricted ? 'yes' : 'no',
          c.available ? 'yes' : 'no',
          enumText(availabilityReasonToJSON(c.reason), 'AVAILABILITY_REASON_'),
          c.untilDate,
        ]),
      ),
    ),
  );
  out.write('\nLatest audit entries\n');
  out.write(
    table(
      ['TIME', 'CLINIC', 'ACTION', 'ACTOR', 'REQUEST ID'],
      r.recentAuditEntries.map((e) => [timeText(e.time), e.clinicId, enumText(accessChangeCauseToJSON(e.action), 'ACCESS_CHANGE_CAUSE_'), e.actor, e.requestId]),
    ),
  );
  const count = r.unpublishedEvents?.count ?? 0;
  out.write(`\nUnpublished events: ${count}${count > 0 ? ` (oldest ${timeText(r.unpublishedEvents?.oldestTime)})` : ''}\n`);
}
