import { changeDocument, type ChangeLoopDeps, type DocumentPort, type StoredDocument } from '../../application/change-document';
import { requireClinicRole } from '../../domain/authorization/policy';
import type { Principal } from '../../domain/authorization/principal';
import { emptySettings, settingsEtag, type ClinicSettings } from '../../domain/clinic/clinic-settings';
import type { ClinicSettingsChanged, SettingsChangeCause } from '../../domain/clinic/settings-changed';
import type { SettingsDecision } from '../../domain/clinic/settings-decisions';
import { Violations, type FieldViolation } from '../../domain/errors/domain-error';
import type { ClinicSettingsRepository, PendingWithdrawal, SettingsOutcome } from '../../domain/ports/clinic-settings-repository';
import type { Clock } from '../../domain/ports/clock';
import type { IdGenerator } from '../../domain/ports/id-generator';
import type { RequestRegistry } from '../../domain/ports/request-registry';
import { stockholmDate } from '../../domain/time/stockholm';
import type { KeyedQueue } from '../../shared/keyed-queue';
import { fingerprint } from '../../application/fingerprint';
import { readCommon } from '../../application/inputs';

export interface SettingsCommandDeps {
  clinics: ClinicSettingsRepository;
  requests: RequestRegistry;
  clock: Clock;
  ids: IdGenerator;
  /** Told when grants of a case type must be withdrawn. */
  withdrawals: { withdrawalPending(clinicId: string): void };
  /** Told after a change with an event was stored, so it is published at once. */
  outboxSignal: { settingsChanged(clinicId: string): void };
  /** This process's changes of one clinic's settings wait for each other instead of conflicting. */
  queue: KeyedQueue;
  /** This instance's in-memory settings, which serve a change at once. */
  settingsCopy: { put(settings: ClinicSettings): void };
  tuning: NonNullable<ChangeLoopDeps['tuning']>;
}

export interface SettingsCommandInput {
  principal: Principal;
  clinicId: string;
  requestId: string;
  etag?: string;
  /** Aborted when the call ended (deadline passed, or cancelled): no later storage step is taken. */
  signal?: AbortSignal;
}

export interface SettingsChangeResult {
  changed: boolean;
  settings: ClinicSettings;
}

/** Every field of a settings call checked at once (the common ones, then `own`), then the caller as the clinic's administrator. */
export function requireValidAdminCall(input: SettingsCommandInput, now: Date, own: readonly (FieldViolation | null)[]): void {
  const violations = new Violations();
  readCommon({ clinicId: input.clinicId, requestId: input.requestId }, stockholmDate(now), violations);
  own.forEach((violation) => violations.add(violation));
  violations.throwIfAny();
  requireClinicRole(input.principal, input.clinicId, 'admin');
}

type StoredClinic = StoredDocument<ClinicSettings, SettingsOutcome> & { pendingWithdrawals: readonly PendingWithdrawal[] };
type ClinicDecision = SettingsDecision & { state: ClinicSettings; event: ClinicSettingsChanged | null };

/**
 * A clinic's settings changed through the one change loop (changeDocument), creating them on the
 * first write. A change that withdraws a restricted case type records the withdrawal in the same
 * write, so it survives a crash, and the withdrawal runner ends the grants.
 */
export async function changeClinicSettings(
  deps: SettingsCommandDeps,
  input: SettingsCommandInput,
  now: Date,
  operation: SettingsChangeCause,
  meaning: Record<string, unknown>,
  decide: (current: ClinicSettings) => SettingsDecision,
): Promise<SettingsChangeResult> {
  const { clinicId, requestId, principal } = input;
  const result = await changeDocument(
    deps,
    clinicDocument(deps, input, now),
    {
      requestId,
      fingerprint: fingerprint(operation, { clinicId, actor: principal.subject, ...meaning }),
      etag: input.etag,
      reserveFor: { clinicId, caller: principal.subject },
      signal: input.signal,
      now,
    },
    (current): ClinicDecision => {
      const decision = decide(current);
      const event = decision.changed
        ? { eventId: deps.ids.next(), cause: operation, settings: decision.settings, version: decision.settings.version, actor: principal.subject, requestId, occurredAt: now }
        : null;
      return { ...decision, state: decision.settings, event };
    },
  );
  return { changed: result.changed, settings: result.state };
}

function clinicDocument(deps: SettingsCommandDeps, input: SettingsCommandInput, now: Date): DocumentPort<ClinicSettings, ClinicDecision, SettingsOutcome, StoredClinic> {
  const { clinicId } = input;
  return {
    key: `clinic|${clinicId}`,
    find: async () => {
      const stored = await deps.clinics.find(clinicId);
      return stored && { ...stored, state: stored.settings };
    },
    empty: () => emptySettings(clinicId),
    etag: settingsEtag,
    replayedState: (outcome) => outcome.settings,
    save: (decision, stored, outcome) => {
      const withdrawals = [...(stored?.pendingWithdrawals ?? [])];
      if (decision.withdrawn) withdrawals.push({ caseTypeId: decision.withdrawn, actor: input.principal.subject, requestId: input.requestId, at: now });
      return deps.clinics.save(decision.settings, stored, { ...outcome, settings: decision.settings }, withdrawals, decision.event);
    },
    changed: async (decision) => {
      deps.settingsCopy.put(decision.settings);
      // Other instances reload on the marker; the settings relay marks again before publishing (crash-safe).
      await deps.clinics.markChanged().catch(() => undefined);
      deps.outboxSignal.settingsChanged(clinicId);
      if (decision.withdrawn) deps.withdrawals.withdrawalPending(clinicId);
    },
    messages: { staleEtag: 'etag does not match the current settings; read them again', contended: 'too many concurrent changes to these settings; retry' },
  };
}
