import { approve } from '../../domain/access/approve';
import { requestIdViolation } from '../../domain/access/request-id';
import { clinicIdViolation } from '../../domain/clinic/clinic-id';
import { validationFailed, type FieldViolation } from '../../domain/errors/domain-error';
import { readPersonalIdentityNumber } from '../../domain/identity/resident-number-input';
import type { AccessRepository } from '../../domain/ports/access-repository';
import type { Clock } from '../../domain/ports/clock';
import type { IdGenerator } from '../../domain/ports/id-generator';
import type { OutboxSignal } from '../../domain/ports/outbox-signal';
import type { RequestRegistry } from '../../domain/ports/request-registry';
import { stockholmDate } from '../../domain/time/stockholm';
import { changeResidentAccess, type AccessChangeResult } from '../shared/change-resident-access';
import { fingerprint } from '../shared/fingerprint';

export interface ApproveResidentCommand {
  clinicId: string;
  personalIdentityNumber: string;
  requestId: string;
  actor: string;
}

export interface ApproveResidentDeps {
  repository: AccessRepository;
  requests: RequestRegistry;
  outboxSignal: OutboxSignal;
  clock: Clock;
  ids: IdGenerator;
}

/** Approves a resident for communication with a clinic (idempotent by request id). */
export function makeApproveResident(deps: ApproveResidentDeps) {
  return async function approveResident(command: ApproveResidentCommand): Promise<AccessChangeResult> {
    const now = deps.clock.now();
    const violations: FieldViolation[] = [];
    const clinicProblem = clinicIdViolation(command.clinicId);
    if (clinicProblem) violations.push(clinicProblem);
    const number = readPersonalIdentityNumber(command.personalIdentityNumber, stockholmDate(now));
    if ('violation' in number) violations.push(number.violation);
    const requestProblem = requestIdViolation(command.requestId);
    if (requestProblem) violations.push(requestProblem);
    if (violations.length > 0 || !('value' in number)) throw validationFailed(violations);

    const resident = number.value.value;
    const stamp = { actor: command.actor, at: now, requestId: command.requestId };
    return changeResidentAccess(deps, {
      clinicId: command.clinicId,
      resident,
      requestId: command.requestId,
      fingerprint: fingerprint('ApproveResident', { clinicId: command.clinicId, resident, actor: command.actor }),
      decide: (current) => approve(current, stamp, deps.ids.next()),
    }, now);
  };
}

export type ApproveResident = ReturnType<typeof makeApproveResident>;
