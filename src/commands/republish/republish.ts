import { requireOperatorScope } from '../../domain/authorization/policy';
import type { Principal } from '../../domain/authorization/principal';
import { DomainError, Violations } from '../../domain/errors/domain-error';
import type { Clock } from '../../domain/ports/clock';
import type { RepublishJob, RepublishJobStore, RepublishScope } from '../../domain/ports/republish-job-store';
import { stockholmDate } from '../../domain/time/stockholm';
import { fingerprint } from '../../application/fingerprint';
import { readCommon } from '../../application/inputs';
import type { RepublishRunner } from './republish-runner';

export interface RepublishInput {
  principal: Principal;
  clinicId: string;
  personalIdentityNumber: string;
  allClinics: boolean;
  requestId: string;
  signal?: AbortSignal;
}

/**
 * Starts (or, for a retried request id, resumes) a republish job and answers it at once; the
 * operator follows it with GetRepublishJob. Clinics need not exist in the settings: an access
 * stored at a clinic since removed is republished too.
 */
export function makeRepublish(deps: { republishJobs: RepublishJobStore; runner: RepublishRunner; clock: Clock }) {
  return async (input: RepublishInput): Promise<RepublishJob> => {
    requireOperatorScope(input.principal);
    const now = deps.clock.now();
    const scope = readScope(input, stockholmDate(now));
    input.signal?.throwIfAborted();
    const print = fingerprint('Republish', { scope, actor: input.principal.subject });
    const { job } = await deps.republishJobs.createOrGet({
      id: input.requestId,
      scope,
      fingerprint: print,
      actor: input.principal.subject,
      startedAt: now,
      finishedAt: null,
      republished: 0,
      unchanged: 0,
    });
    if (job.fingerprint !== print) throw new DomainError('REQUEST_ID_REUSED', 'request_id was already used for a different request');
    void deps.runner.run(job);
    return job;
  };
}

function readScope(input: RepublishInput, today: string): RepublishScope {
  const violations = new Violations();
  readCommon({ requestId: input.requestId }, today, violations);
  if (input.allClinics) {
    if (input.clinicId) violations.add({ field: 'clinic_id', reason: 'CONFLICTING_SCOPE', description: 'must be empty with all_clinics' });
    if (input.personalIdentityNumber) violations.add({ field: 'personal_identity_number', reason: 'CONFLICTING_SCOPE', description: 'must be empty with all_clinics' });
    violations.throwIfAny();
    return { clinicId: null, resident: null };
  }
  if (!input.clinicId) {
    violations.add({ field: 'clinic_id', reason: 'REQUIRED', description: 'is required unless all_clinics is set' });
    violations.throwIfAny();
  }
  const { number } = readCommon({ clinicId: input.clinicId, ...(input.personalIdentityNumber ? { personalIdentityNumber: input.personalIdentityNumber } : {}) }, today, violations);
  violations.throwIfAny();
  return { clinicId: input.clinicId, resident: number?.value ?? null };
}
