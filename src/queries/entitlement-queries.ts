import { byCodeUnits } from '../domain/order';
import { entitlementsAtClinic, type Entitlement } from '../domain/access/entitlements';
import { viewEntryOf, type ViewEntry } from '../domain/access/resident-view';
import { requireEntitlementsScope, requireSameResident } from '../domain/authorization/policy';
import type { Principal } from '../domain/authorization/principal';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import { caseTypeIdViolation } from '../domain/clinic/settings-validation';
import { DomainError, Violations } from '../domain/errors/domain-error';
import { readResidentNumber } from '../application/inputs';
import type { PersonalIdentityNumber } from '../domain/identity/personal-identity-number';
import type { AccessRepository } from '../domain/ports/access-repository';
import type { Clock } from '../domain/ports/clock';
import type { ResidentViews } from '../domain/ports/resident-views';
import type { ResidentHome } from '../domain/identity/registered-resident';
import { stockholmDate } from '../domain/time/stockholm';
import type { ClinicSettingsCache } from '../views/clinic-settings-cache';
import { tokenForOtherResident, type ConsistencyToken, type ConsistencyTokens } from '../views/consistency-token';
import type { ResidentViewProjection } from '../views/resident-view-projection';
import { BY_ENTITLEMENTS_SCOPE, type RecordReads } from '../application/record-reads';
import { abortableSleep } from '../shared/abortable-wait';

export interface EntitlementQueryDeps {
  views: ResidentViews;
  settings: Pick<ClinicSettingsCache, 'get' | 'servingRegion' | 'atLeast' | 'refreshClinic'>;
  /** The access documents: read only to honour a consistency token the view has not caught up with. */
  access: AccessRepository;
  projection: Pick<ResidentViewProjection, 'changed'>;
  tokens: ConsistencyTokens;
  clock: Clock;
  /** How long a query waits for storage to reach a token's state before answering UNAVAILABLE. */
  consistencyWaitMs: number;
  /** How often storage is looked at meanwhile. */
  consistencyPollMs: number;
  recordReads: RecordReads;
}

export interface ClinicEntitlements {
  clinicId: string;
  caseTypes: Entitlement[];
}

/**
 * For the resident-facing e-service: what a resident may use now, and why. Reads one view
 * document by `_id` (where the register has the resident, and their access at every clinic); the
 * clinics' settings come from memory.
 */
export function makeEntitlementQueries(deps: EntitlementQueryDeps) {
  const readInput = (principal: Principal, written: string, token: string | undefined, more?: (v: Violations) => void) => {
    requireEntitlementsScope(principal);
    const violations = new Violations();
    const read = readResidentNumber(written, stockholmDate(deps.clock.now()), violations);
    const readToken = deps.tokens.read(token);
    if ('violation' in readToken) violations.add(readToken.violation);
    more?.(violations);
    violations.throwIfAny();
    const number = read!;
    // A token acting for a resident (token exchange) answers for that resident only.
    if (principal.actsForResident) requireSameResident(principal.actsForResident, number);
    const consistency = (readToken as { token: ConsistencyToken | null }).token;
    if (consistency && !deps.tokens.belongsTo(consistency, number.value)) throw new DomainError('VALIDATION_FAILED', 'invalid request: consistency_token', [tokenForOtherResident()]);
    return { number, consistency };
  };

  const consistencyWait = { waitMs: deps.consistencyWaitMs, pollMs: deps.consistencyPollMs };

  /** The view, its entries brought up to the token's state when the view lags it. */
  const viewAtLeast = async (
    number: PersonalIdentityNumber,
    token: ConsistencyToken | null,
    signal: AbortSignal | undefined,
  ): Promise<{ home: ResidentHome | null; entries: Map<string, ViewEntry> }> => {
    signal?.throwIfAborted();
    const view = await deps.views.find(number.value);
    const home = view?.home ?? null;
    const entries = new Map(view?.clinics ?? []);
    if (token?.kind === 'settings') await waitFor(() => deps.settings.atLeast(token.clinicId, token.version), consistencyWait, signal);
    if (token?.kind !== 'access') return { home, entries };
    // The change may be of a clinic or case type this instance's settings copy has not seen yet.
    const settingsRead = deps.settings.refreshClinic(token.clinicId);
    if ((entries.get(token.clinicId)?.version ?? 0) >= token.version) {
      await settingsRead;
      return { home, entries };
    }
    // The view lags the token (its write failed, or a crash came between): the access document is the truth.
    await waitFor(
      async () => {
        const stored = await deps.access.find(token.clinicId, number.value);
        if (!stored || stored.access.version < token.version) return false;
        entries.set(token.clinicId, viewEntryOf(stored.access));
        void deps.projection.changed(stored.access);
        return true;
      },
      consistencyWait,
      signal,
    );
    await settingsRead;
    return { home, entries };
  };

  return {
    async listEntitlements(principal: Principal, written: string, token?: string, signal?: AbortSignal): Promise<ClinicEntitlements[]> {
      const { number, consistency } = readInput(principal, written, token);
      const now = deps.clock.now();
      const [{ home: registered, entries }] = await Promise.all([
        viewAtLeast(number, consistency, signal),
        deps.recordReads(principal, 'ListEntitlements', BY_ENTITLEMENTS_SCOPE, null, [number.value]),
      ]);
      const clinicIds = new Set(entries.keys());
      if (registered) for (const s of deps.settings.servingRegion(registered.regionCode)) clinicIds.add(s.clinicId);
      const result: ClinicEntitlements[] = [];
      for (const clinicId of clinicIds) {
        const settings = deps.settings.get(clinicId);
        if (!settings) continue;
        const caseTypes = entitlementsAtClinic(settings, entries.get(clinicId) ?? null, { number, registered }, now);
        if (caseTypes.length > 0) result.push({ clinicId, caseTypes });
      }
      return result.sort((a, b) => byCodeUnits(a.clinicId, b.clinicId));
    },

    async checkEntitlement(principal: Principal, written: string, clinicId: string, caseTypeId: string, token?: string, signal?: AbortSignal): Promise<Entitlement | null> {
      const { number, consistency } = readInput(principal, written, token, (v) => {
        v.add(clinicIdViolation(clinicId));
        v.add(caseTypeIdViolation(caseTypeId));
      });
      const now = deps.clock.now();
      const [{ home: registered, entries }] = await Promise.all([
        viewAtLeast(number, consistency, signal),
        deps.recordReads(principal, 'CheckEntitlement', BY_ENTITLEMENTS_SCOPE, clinicId, [number.value]),
      ]);
      const entry = entries.get(clinicId) ?? null;
      const settings = deps.settings.get(clinicId);
      const caseType = settings?.caseTypes.find((c) => c.id === caseTypeId);
      if (!settings || !caseType) return null;
      return entitlementsAtClinic(settings, entry, { number, registered }, now).find((e) => e.caseTypeId === caseTypeId) ?? null;
    },
  };
}

/**
 * Polls `reached` every `pollMs` until it holds or `waitMs` has passed; then the caller should come
 * back later. A call that ended (its `signal`) stops polling at once.
 */
async function waitFor(reached: () => Promise<boolean>, { waitMs, pollMs }: { waitMs: number; pollMs: number }, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await reached()) return;
    if (Date.now() >= deadline) {
      throw new DomainError('NOT_YET_CONSISTENT', 'storage has not reached the state of consistency_token yet; retry');
    }
    await abortableSleep(pollMs, signal);
  }
}

export type EntitlementQueries = ReturnType<typeof makeEntitlementQueries>;
