import type { Decision } from '../../domain/access/decision';
import type { ChangeStamp, ResidentAccess } from '../../domain/access/resident-access';
import type { Principal } from '../../domain/authorization/principal';
import type { ClinicSettings } from '../../domain/clinic/clinic-settings';
import { Violations } from '../../domain/errors/domain-error';
import type { AccessRepository } from '../../domain/ports/access-repository';
import type { ClinicSettingsRepository } from '../../domain/ports/clinic-settings-repository';
import type { Clock } from '../../domain/ports/clock';
import type { IdGenerator } from '../../domain/ports/id-generator';
import type { OutboxSignal } from '../../domain/ports/outbox-signal';
import type { KeyedQueue } from '../../shared/keyed-queue';
import type { RequestRegistry } from '../../domain/ports/request-registry';
import { stockholmDate } from '../../domain/time/stockholm';
import { changeResidentAccess, type AccessChangeResult, type ChangeDeps } from './change-resident-access';
import { fingerprint } from './fingerprint';
import { readCommon } from './inputs';
import { clinicForStaff } from './staff-clinic';

export interface AccessCommandDeps {
  repository: AccessRepository;
  requests: RequestRegistry;
  clinics: ClinicSettingsRepository;
  outboxSignal: OutboxSignal;
  clock: Clock;
  ids: IdGenerator;
  queue: KeyedQueue;
  views: ChangeDeps['views'];
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

export interface AccessCommandSpec<Extra> {
  operation: string;
  /** Reads the command's own fields, adding problems to `violations`. */
  read(violations: Violations, today: string): Extra | null;
  /** What the request means, for the retry fingerprint (numbers normalised, no actor-free fields). */
  meaning(extra: Extra): Record<string, unknown>;
  /** Checks against the clinic's settings, after authorisation. */
  check?(settings: ClinicSettings, extra: Extra): void;
  decide(current: ResidentAccess, extra: Extra, stamp: ChangeStamp, eventId: string): Decision;
}

/**
 * The shape every staff command on one resident's access shares: validate every field at once,
 * authorise on the clinic, check against its settings, then the one write path.
 */
export async function runAccessCommand<Extra>(deps: AccessCommandDeps, input: AccessCommandInput, spec: AccessCommandSpec<Extra>): Promise<AccessChangeResult> {
  const now = deps.clock.now();
  const today = stockholmDate(now);
  const violations = new Violations();
  const { number } = readCommon(input, today, violations);
  const extra = spec.read(violations, today);
  violations.throwIfAny();
  const resident = number!.value;

  input.signal?.throwIfAborted();
  const settings = await clinicForStaff(deps.clinics, input.principal, input.clinicId);
  spec.check?.(settings, extra as Extra);

  const stamp: ChangeStamp = { actor: input.principal.subject, at: now, requestId: input.requestId };
  return changeResidentAccess(
    deps,
    {
      clinicId: input.clinicId,
      resident,
      requestId: input.requestId,
      reservedFor: input.principal.subject,
      etag: input.etag || undefined,
      fingerprint: fingerprint(spec.operation, {
        clinicId: input.clinicId,
        resident,
        actor: input.principal.subject,
        ...spec.meaning(extra as Extra),
      }),
      signal: input.signal,
      decide: (current) => spec.decide(current, extra as Extra, stamp, deps.ids.next()),
    },
    now,
  );
}
