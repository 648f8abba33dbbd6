import { requireActingResident, requireSameResident } from '../domain/authorization/policy';
import type { Principal } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import { Violations } from '../domain/errors/domain-error';
import { readResidentNumber } from '../application/inputs';
import type { AccessLog, AccessLogPosition, StoredAccessLogEntry } from '../domain/ports/access-log';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import type { Clock } from '../domain/ports/clock';
import { stockholmDate } from '../domain/time/stockholm';
import { clinicForStaff } from '../application/staff-clinic';
import { readPageSize } from '../application/page-size';
import type { PageTokens } from '../application/page-token';
import { BY_ENTITLEMENTS_SCOPE, byRole, type RecordReads } from '../application/record-reads';

export interface AccessLogPage {
  entries: StoredAccessLogEntry[];
  nextPageToken: string;
}

type Position = { t: string; i: string };
const isPosition = (a: unknown): a is Position => typeof a === 'object' && a !== null && typeof (a as Position).t === 'string' && typeof (a as Position).i === 'string';

/**
 * "Who looked at me": a resident's access log, newest first. The resident e-service (entitlements
 * scope) sees every read of the resident its token acts for (token exchange; the request's number,
 * if given, must be that resident); a clinic's administrators see the reads made for their clinic
 * (the care provider's log follow-up). Each listing is itself a logged read of the resident.
 */
export function makeAccessLogQueries(deps: {
  log: AccessLog;
  /** The resident's pseudonyms under every key of the ring: entries made before a key rotation carry an older one. */
  pseudonymsOf(resident: string): string[];
  clinics: ClinicSettingsRepository;
  clock: Clock;
  pageTokens: PageTokens;
  recordReads: RecordReads;
}) {
  return {
    async listResidentAccessLog(
      principal: Principal,
      r: { personalIdentityNumber: string; clinicId: string; pageSize: number; pageToken: string },
      signal?: AbortSignal,
    ): Promise<AccessLogPage> {
      const forClinic = r.clinicId !== '';
      const actingFor = forClinic ? null : requireActingResident(principal);
      const violations = new Violations();
      if (forClinic) violations.add(clinicIdViolation(r.clinicId));
      // The resident's own listing may leave the number out: the token names the resident.
      const named = actingFor && !r.personalIdentityNumber ? null : readResidentNumber(r.personalIdentityNumber, stockholmDate(deps.clock.now()), violations);
      const limit = readPageSize(r.pageSize, violations);
      const resident = actingFor?.value ?? named?.value ?? '';
      const clinic = forClinic ? { clinicId: r.clinicId } : {};
      // Tokens are bound to the number, as the audit listing's are: it holds across key rotations,
      // and a token carries only a tag over its listing, never the listing.
      const listing = { resident, ...clinic };
      let after: AccessLogPosition | null = null;
      if (r.pageToken) {
        const position = deps.pageTokens.decode(r.pageToken, listing, isPosition);
        if (!position) violations.add({ field: 'page_token', reason: 'INVALID_PAGE_TOKEN', description: 'is not a token of this listing' });
        else after = { at: new Date(position.t), id: position.i };
      }
      violations.throwIfAny();
      if (actingFor) requireSameResident(actingFor, named);
      else await clinicForStaff(deps.clinics, principal, r.clinicId, 'admin');
      signal?.throwIfAborted();

      const found = await deps.log.list({ residentPseudonyms: deps.pseudonymsOf(resident), ...clinic }, after, limit + 1);
      const entries = found.slice(0, limit);
      const last = entries[entries.length - 1];
      // Who read whom is itself the resident's personal data: the listing is a read like any other.
      await deps.recordReads(principal, 'ListResidentAccessLog', actingFor ? BY_ENTITLEMENTS_SCOPE : byRole('admin'), forClinic ? r.clinicId : null, [resident]);
      return {
        entries,
        nextPageToken: found.length > limit && last ? deps.pageTokens.encode({ t: last.at.toISOString(), i: last.id }, listing) : '',
      };
    },
  };
}

export type AccessLogQueries = ReturnType<typeof makeAccessLogQueries>;
