import { requireClinicRole } from '../../domain/authorization/policy';
import type { Principal } from '../../domain/authorization/principal';
import { emptySettings, settingsEtag, type ClinicSettings } from '../../domain/clinic/clinic-settings';
import type { ClinicSettingsChanged, SettingsChangeCause } from '../../domain/clinic/settings-changed';
import type { SettingsDecision } from '../../domain/clinic/settings-decisions';
import type { IdGenerator } from '../../domain/ports/id-generator';
import { DomainError, Violations } from '../../domain/errors/domain-error';
import type { ClinicSettingsRepository } from '../../domain/ports/clinic-settings-repository';
import type { Clock } from '../../domain/ports/clock';
import type { KeyedQueue } from '../../shared/keyed-queue';
import type { RequestRegistry } from '../../domain/ports/request-registry';
import { earlierOutcome } from '../shared/change-resident-access';
import { stockholmDate } from '../../domain/time/stockholm';
import { fingerprint } from '../shared/fingerprint';
import { readCommon } from '../shared/inputs';

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

const MAX_ATTEMPTS = 8;

/**
 * The one write path for a clinic's settings: validate, authorise as administrator, replay a known
 * request id, decide, store with compare-and-set (creating the settings on first write). A change
 * that withdraws a restricted case type records the withdrawal in the same write, so it survives a
 * crash, and the withdrawal runner ends the grants.
 */
export async function changeClinicSettings(
  deps: SettingsCommandDeps,
  input: SettingsCommandInput,
  operation: SettingsChangeCause,
  meaning: Record<string, unknown>,
  read: (violations: Violations) => void,
  decide: (current: ClinicSettings) => SettingsDecision,
): Promise<SettingsChangeResult> {
  const now = deps.clock.now();
  const violations = new Violations();
  readCommon({ clinicId: input.clinicId, requestId: input.requestId }, stockholmDate(now), violations);
  read(violations);
  violations.throwIfAny();
  requireClinicRole(input.principal, input.clinicId, 'admin');

  input.signal?.throwIfAborted();
  const print = fingerprint(operation, { clinicId: input.clinicId, actor: input.principal.subject, ...meaning });
  const { existingFingerprint, expiresAt } = await deps.requests.reserve({ clinicId: input.clinicId, caller: input.principal.subject, requestId: input.requestId }, print, now);
  if (existingFingerprint !== null && existingFingerprint !== print) {
    throw new DomainError('REQUEST_ID_REUSED', 'request_id was already used for a different request');
  }
  return deps.queue.run(`clinic|${input.clinicId}`, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      input.signal?.throwIfAborted();
      const stored = await deps.clinics.find(input.clinicId);
      const earlier = earlierOutcome(stored?.recentRequests, { requestId: input.requestId, fingerprint: print }, now);
      if (earlier) return { changed: earlier.changed, settings: earlier.settings };
      const current = stored?.settings ?? emptySettings(input.clinicId);
      if (input.etag && input.etag !== settingsEtag(current)) {
        throw new DomainError('STALE_ETAG', 'etag does not match the current settings; read them again');
      }
      const decision = decide(current);
      // Nothing stored and nothing to store: a no-op must not create the clinic (it stays unknown).
      if (!decision.changed && !stored) return { changed: false, settings: current };
      const outcome = { requestId: input.requestId, fingerprint: print, changed: decision.changed, settings: decision.settings, expiresAt };
      const withdrawals = [...(stored?.pendingWithdrawals ?? [])];
      if (decision.withdrawn) {
        withdrawals.push({ caseTypeId: decision.withdrawn, actor: input.principal.subject, requestId: input.requestId, at: now });
      }
      const event: ClinicSettingsChanged | null = decision.changed
        ? {
            eventId: deps.ids.next(),
            cause: operation,
            settings: decision.settings,
            version: decision.settings.version,
            actor: input.principal.subject,
            requestId: input.requestId,
            occurredAt: now,
          }
        : null;
      input.signal?.throwIfAborted();
      const saved = await deps.clinics.save(decision.settings, stored?.revision ?? null, outcome, withdrawals, event);
      if (saved === 'saved') {
        if (event) {
          deps.settingsCopy.put(decision.settings);
          // Other instances reload on the marker; the settings relay marks again before publishing (crash-safe).
          await deps.clinics.markChanged().catch(() => undefined);
          deps.outboxSignal.settingsChanged(input.clinicId);
        }
        if (decision.withdrawn) deps.withdrawals.withdrawalPending(input.clinicId);
        return { changed: decision.changed, settings: decision.settings };
      }
    }
    throw new DomainError('CONCURRENT_MODIFICATION', 'too many concurrent changes to these settings; retry');
  });
}
