import type { Principal } from '../../domain/authorization/principal';
import { DomainError, Violations } from '../../domain/errors/domain-error';
import type { BulkRemovalJob, BulkRemovalStore } from '../../domain/ports/bulk-removal-store';
import type { ClinicSettingsRepository } from '../../domain/ports/clinic-settings-repository';
import type { Clock } from '../../domain/ports/clock';
import { stockholmDate } from '../../domain/time/stockholm';
import { waitAtMost } from '../../shared/abortable-wait';
import { fingerprint } from '../../application/fingerprint';
import { readCommon, readResidentNumber } from '../../application/inputs';
import { clinicForStaff } from '../../application/staff-clinic';
import type { BulkRemovalRunner } from './bulk-removal-runner';
import { holdClinicForBulkRemoval, type ClinicHoldLimits } from './clinic-hold';

export interface RemoveApprovalsDeps {
  jobs: BulkRemovalStore;
  clinics: ClinicSettingsRepository;
  runner: BulkRemovalRunner;
  clock: Clock;
  clinicHold: ClinicHoldLimits;
}

export interface RemoveApprovalsInput {
  principal: Principal;
  clinicId: string;
  requestId: string;
  /** Listed residents, or null with allResidents. */
  residents: string[] | null;
  allResidents: boolean;
  /** How long to wait for the job before answering with its progress. */
  waitMs: number;
  /** Aborted when the call ended: nothing is started after it, and the wait for the job ends. */
  signal?: AbortSignal;
}

export const MAX_LISTED_RESIDENTS = 1000;

/**
 * Starts (or, for a retried request id, resumes) a bulk removal, and answers when done or after
 * `waitMs`. One bulk removal runs per clinic at a time: another request meanwhile is refused with
 * the running job's id.
 */
export function makeRemoveApprovals(deps: RemoveApprovalsDeps) {
  return async (input: RemoveApprovalsInput): Promise<BulkRemovalJob> => {
    const now = deps.clock.now();
    const today = stockholmDate(now);
    const violations = new Violations();
    readCommon({ clinicId: input.clinicId, requestId: input.requestId }, today, violations);
    const residents = readSelection(input, today, violations);
    violations.throwIfAny();
    input.signal?.throwIfAborted();
    // A list is everyday staff work; emptying the whole clinic is an administrator's decision.
    await clinicForStaff(deps.clinics, input.principal, input.clinicId, residents === null ? 'admin' : 'staff');
    input.signal?.throwIfAborted();

    const print = fingerprint('RemoveApprovals', { clinicId: input.clinicId, actor: input.principal.subject, residents });
    const earlier = await deps.jobs.find(input.clinicId, input.requestId);
    if (earlier) return follow(deps, checked(earlier, print), input.waitMs, input.signal);

    await holdClinicForBulkRemoval(deps.jobs, input.clinicId, input.requestId, now, deps.clinicHold);
    const { job } = await deps.jobs.createOrGet({
      id: input.requestId,
      clinicId: input.clinicId,
      residents,
      listedCount: residents?.length ?? null,
      fingerprint: print,
      actor: input.principal.subject,
      startedAt: now,
      finishedAt: null,
      removed: 0,
      unchanged: 0,
    });
    return follow(deps, checked(job, print), input.waitMs, input.signal);
  };
}

function checked(job: BulkRemovalJob, print: string): BulkRemovalJob {
  if (job.fingerprint !== print) throw new DomainError('REQUEST_ID_REUSED', 'request_id was already used for a different request');
  return job;
}

/**
 * Runs the job here (joining this instance's run of it), and answers when done, after `waitMs`, or
 * when the call ended. A job once created runs to its end whatever the caller does
 * (GetBulkRemoval follows it).
 */
async function follow(deps: RemoveApprovalsDeps, job: BulkRemovalJob, waitMs: number, signal?: AbortSignal): Promise<BulkRemovalJob> {
  const done = deps.runner.run(job);
  await waitAtMost(done, waitMs, signal);
  signal?.throwIfAborted();
  return (await deps.jobs.find(job.clinicId, job.id)) ?? job;
}

function readSelection(input: RemoveApprovalsInput, today: string, violations: Violations): string[] | null {
  if (input.allResidents) return null;
  if (!input.residents || input.residents.length === 0) {
    violations.add({ field: 'selection', reason: 'REQUIRED', description: 'give residents, or all_residents = true' });
    return [];
  }
  if (input.residents.length > MAX_LISTED_RESIDENTS) {
    violations.add({ field: 'residents.personal_identity_numbers', reason: 'TOO_MANY', description: `at most ${MAX_LISTED_RESIDENTS}; use all_residents for more` });
    return [];
  }
  const numbers = new Set<string>();
  input.residents.forEach((written, i) => {
    const number = readResidentNumber(written, today, violations, `residents.personal_identity_numbers[${i}]`);
    if (number) numbers.add(number.value);
  });
  return [...numbers].sort();
}

export type RemoveApprovals = ReturnType<typeof makeRemoveApprovals>;
