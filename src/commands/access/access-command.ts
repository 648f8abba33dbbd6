import type { Decision } from '../../domain/access/decision';
import type { ChangeStamp, ResidentAccess } from '../../domain/access/resident-access';
import type { Principal } from '../../domain/authorization/principal';
import type { ClinicSettings } from '../../domain/clinic/clinic-settings';
import { DomainError, type Violations } from '../../domain/errors/domain-error';
import type { PersonalIdentityNumber } from '../../domain/identity/personal-identity-number';
import type { ClinicSettingsRepository } from '../../domain/ports/clinic-settings-repository';
import type { Clock } from '../../domain/ports/clock';
import type { IdGenerator } from '../../domain/ports/id-generator';
import { stockholmDate } from '../../domain/time/stockholm';
import { changeDocument } from '../../application/change-document';
import { accessDocument, accessResult, decidingAccess, type AccessChangeResult, type ChangeDeps } from '../../application/change-resident-access';
import { fingerprint } from '../../application/fingerprint';
import { readCommon } from '../../application/inputs';
import { clinicForStaff } from '../../application/staff-clinic';
import { byRole, type AccessCommandName, type RecordReads } from '../../application/record-reads';

export interface AccessCommandDeps extends ChangeDeps {
  clinics: ClinicSettingsRepository;
  clock: Clock;
  ids: IdGenerator;
  /** Every answer carries the resident's whole access, so each is a logged read (a no-op or replay as much as a change). */
  recordReads: RecordReads;
}

export interface AccessCommandInput {
  principal: Principal;
  clinicId: string;
  personalIdentityNumber: string;
  requestId: string;
  etag?: string;
  /** Aborted when the call ended (deadline passed, or cancelled): no later storage step is taken. */
  signal?: AbortSignal;
}

/** The fields every staff command on one resident's access shares, read once at the call's instant. */
export interface AccessCall {
  now: Date;
  /** Today in Stockholm, for dates the command reads. */
  today: string;
  /** Null when the number is invalid (then `violations` holds why). */
  number: PersonalIdentityNumber | null;
}

/** Reads the shared fields, adding every problem to `violations` (the command adds its own, then throws them all at once). */
export function readAccessCall(clock: Clock, input: AccessCommandInput, violations: Violations): AccessCall {
  const now = clock.now();
  const today = stockholmDate(now);
  const { number } = readCommon(input, today, violations);
  return { now, today, number };
}

/** The caller's clinic, checked before any resident data is read (clinicForStaff). */
export function staffClinic(deps: AccessCommandDeps, input: AccessCommandInput): Promise<ClinicSettings> {
  input.signal?.throwIfAborted();
  return clinicForStaff(deps.clinics, input.principal, input.clinicId);
}

/**
 * The command's decision on the resident's access, through the one change loop. `meaning` is what
 * the request means besides clinic, resident and caller, for the retry fingerprint (AIP-155). The
 * answer is logged as a read of the resident before it leaves; a log that refuses it withholds the
 * answer (ANSWER_WITHHELD, the change stays stored), and a retry with the same request id replays it.
 */
export async function changeAccess(
  deps: AccessCommandDeps,
  input: AccessCommandInput,
  call: AccessCall,
  operation: AccessCommandName,
  meaning: Record<string, unknown>,
  decide: (current: ResidentAccess, stamp: ChangeStamp, eventId: string) => Decision,
): Promise<AccessChangeResult> {
  const { clinicId, requestId } = input;
  const resident = call.number!.value;
  const actor = input.principal.subject;
  const stamp: ChangeStamp = { actor, at: call.now, requestId };
  const result = await changeDocument(
    deps,
    accessDocument(deps, clinicId, resident),
    {
      requestId,
      fingerprint: fingerprint(operation, { clinicId, resident, actor, ...meaning }),
      etag: input.etag || undefined,
      reserveFor: { clinicId, caller: actor },
      signal: input.signal,
      now: call.now,
    },
    decidingAccess((current) => decide(current, stamp, deps.ids.next())),
  );
  await deps.recordReads(input.principal, operation, byRole('staff'), clinicId, [resident]).catch((error: unknown) => {
    // The change is stored: a refusal here must not read as "nothing changed".
    if (!(error instanceof DomainError)) throw error;
    const withheld = new DomainError('ANSWER_WITHHELD', 'the change is stored, but its answer could not be logged as a read of the resident; retry with the same request_id for it');
    throw Object.assign(withheld, { cause: error });
  });
  return accessResult(result);
}
