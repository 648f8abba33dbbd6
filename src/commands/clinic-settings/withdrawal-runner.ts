import type { Logger } from 'pino';
import { withdrawCaseType } from '../../domain/access/grants';
import type { ClinicSettingsRepository, PendingWithdrawal } from '../../domain/ports/clinic-settings-repository';
import type { Clock } from '../../domain/ports/clock';
import type { IdGenerator } from '../../domain/ports/id-generator';
import type { ChangeDeps } from '../../application/change-resident-access';
import type { BackoffOptions } from '../../shared/retry';
import { BackgroundRuns } from '../../application/background-runs';
import { sweepResidents } from '../../application/resident-sweep';

export interface WithdrawalDeps extends ChangeDeps {
  clinics: ClinicSettingsRepository;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Ends the grants of case types a clinic removed or made unrestricted, one resident at a time with
 * an event each (cause CASE_TYPE_WITHDRAWN). Runs after each such change and, after a restart, for
 * whatever was left; a withdrawal is dropped from the clinic only when its sweep finished.
 */
export class WithdrawalRunner {
  private readonly runs: BackgroundRuns;
  private readonly again = new Set<string>();

  constructor(
    private readonly deps: WithdrawalDeps,
    private readonly logger: Logger,
    backoff?: BackoffOptions,
  ) {
    this.runs = new BackgroundRuns('withdrawing grants', logger, backoff);
  }

  async resumeUnfinished(): Promise<void> {
    for (const { clinicId } of await this.deps.clinics.findPendingWithdrawals()) this.withdrawalPending(clinicId);
  }

  withdrawalPending(clinicId: string): void {
    if (this.runs.isRunning(clinicId)) {
      this.again.add(clinicId);
      return;
    }
    void this.runs
      .start(clinicId, () => this.runClinic(clinicId), { clinicId })
      .then(() => {
        if (this.again.delete(clinicId)) this.withdrawalPending(clinicId);
      });
  }

  /** How many run in this process now (metrics). */
  get running(): number {
    return this.runs.count;
  }

  /** Waits for every sweep in progress (tests). */
  idle(): Promise<void> {
    return this.runs.idle();
  }

  /** Pauses sweeps after the residents in hand; the withdrawals stay pending for the next start. */
  stop(): Promise<void> {
    return this.runs.stop();
  }

  private async runClinic(clinicId: string): Promise<void> {
    const stored = await this.deps.clinics.find(clinicId);
    for (const withdrawal of stored?.pendingWithdrawals ?? []) await this.withdraw(clinicId, withdrawal);
  }

  private async withdraw(clinicId: string, w: PendingWithdrawal): Promise<void> {
    const stamp = { actor: w.actor, at: w.at, requestId: w.requestId };
    let withdrawn = 0;
    await sweepResidents(
      this.deps,
      { id: `${w.requestId}:withdraw:${w.caseTypeId}`, operation: 'WithdrawCaseType' },
      { clinicId, withGrantOf: w.caseTypeId },
      (current) => withdrawCaseType(current, w.caseTypeId, stamp, this.deps.ids.next()),
      (changed) => {
        if (changed) withdrawn++;
      },
      () => this.deps.clock.now(),
      this.runs.signal,
    );
    await this.deps.clinics.withdrawalDone(clinicId, w.caseTypeId, w.requestId);
    this.logger.info({ clinicId, caseTypeId: w.caseTypeId, withdrawn }, 'grants withdrawn');
  }
}
