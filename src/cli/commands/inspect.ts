import type { AdminClient } from '../admin-client';
import { printJson, type Output } from '../output';
import { enumText, table, timeText } from '../table';

type Time = { seconds: number; nanos: number } | null;

interface Inspection {
  personalIdentityNumber: string;
  registered: boolean;
  clinics: {
    access: { clinicId: string; approval: { approved: { actor: string; time: Time } } | null; version: number; etag: string; grants: { caseTypeId: string; untilDate: string }[] };
    caseTypes: { caseTypeId: string; name: string; restricted: boolean; available: boolean; reason: string; untilDate: string }[];
  }[];
  recentAuditEntries: { time: Time; clinicId: string; action: string; actor: string; requestId: string }[];
  unpublishedEvents: { count: number; oldestTime: Time };
}

/** `inspect <number>`: the resident's access at every clinic and why, latest audit, unpublished events. */
export async function inspect(client: AdminClient, out: Output, number: string, auditEntryCount: number): Promise<void> {
  const r = await client.call<Inspection>('InspectResident', { personalIdentityNumber: number, auditEntryCount });
  if (out.json) return printJson(out, r);
  out.write(`Resident ${r.personalIdentityNumber} (in the population register: ${r.registered ? 'yes' : 'no'})\n\nAccess\n`);
  out.write(
    table(
      ['CLINIC', 'APPROVED', 'GRANTS', 'VERSION', 'ETAG'],
      r.clinics.map(({ access: a }) => [
        a.clinicId,
        a.approval ? `yes (${a.approval.approved.actor}, ${timeText(a.approval.approved.time)})` : 'no',
        a.grants.map((g) => `${g.caseTypeId} until ${g.untilDate || 'further notice'}`).join(', ') || '-',
        String(a.version),
        a.etag,
      ]),
    ),
  );
  out.write('\nCase types\n');
  out.write(
    table(
      ['CLINIC', 'CASE TYPE', 'RESTRICTED', 'AVAILABLE', 'REASON', 'UNTIL'],
      r.clinics.flatMap(({ access, caseTypes }) =>
        caseTypes.map((c) => [access.clinicId, c.caseTypeId, c.restricted ? 'yes' : 'no', c.available ? 'yes' : 'no', enumText(c.reason, 'AVAILABILITY_REASON_'), c.untilDate]),
      ),
    ),
  );
  out.write('\nLatest audit entries\n');
  out.write(
    table(
      ['TIME', 'CLINIC', 'ACTION', 'ACTOR', 'REQUEST ID'],
      r.recentAuditEntries.map((e) => [timeText(e.time), e.clinicId, enumText(e.action, 'ACCESS_CHANGE_CAUSE_'), e.actor, e.requestId]),
    ),
  );
  const { count, oldestTime } = r.unpublishedEvents;
  out.write(`\nUnpublished events: ${count}${count > 0 ? ` (oldest ${timeText(oldestTime)})` : ''}\n`);
}
