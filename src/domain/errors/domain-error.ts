/**
 * Errors the domain and use cases raise on purpose. Each carries a stable string code that
 * clients may branch on; transport status codes are chosen by the gRPC layer's one table.
 * Messages are safe to return to callers: they never contain a personal identity number.
 */
export type DomainErrorCode =
  | 'VALIDATION_FAILED'
  | 'PERMISSION_DENIED'
  | 'CASE_TYPE_NOT_FOUND'
  | 'GRANT_NOT_FOUND'
  | 'BULK_REMOVAL_NOT_FOUND'
  | 'JOB_NOT_FOUND'
  | 'BULK_REMOVAL_RUNNING'
  | 'CASE_TYPE_NOT_RESTRICTED'
  | 'STALE_ETAG'
  | 'GRANT_EXISTS'
  | 'GRANT_ALREADY_STARTED'
  | 'REQUEST_ID_REUSED'
  | 'CONCURRENT_MODIFICATION'
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_OUTCOME_UNKNOWN'
  | 'ANSWER_WITHHELD'
  | 'STORAGE_TIMEOUT'
  | 'NOT_YET_CONSISTENT'
  | 'RATE_LIMITED';

export interface FieldViolation {
  /** The request field, in the API's snake_case path form, e.g. `personal_identity_number`. */
  field: string;
  /** A stable reason code for this field, e.g. `INVALID_PERSONAL_IDENTITY_NUMBER`. */
  reason: string;
  description: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
    /** For errors worth retrying: how long the caller should wait first. */
    readonly retry: { retryAfterMs: number } | null = null,
    /** Facts a client may act on (ErrorInfo metadata), e.g. the id of the job in the way. */
    readonly info: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * At most this many violations are reported: the answer carries them in its trailers, and a list
 * of hundreds (one per element of a long bad list) made trailers so large that the call never ended.
 */
export const MAX_REPORTED_VIOLATIONS = 20;

export function validationFailed(violations: FieldViolation[]): DomainError {
  const reported = violations.slice(0, MAX_REPORTED_VIOLATIONS);
  const more = violations.length - reported.length;
  const fields = reported.map((v) => v.field).join(', ') + (more > 0 ? ` and ${more} more` : '');
  return new DomainError('VALIDATION_FAILED', `invalid request: ${fields}`, reported);
}

/** Collects field violations, then throws them all at once. */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(violation: FieldViolation | null): void {
    if (violation) this.list.push(violation);
  }

  /** Every violation added so far (a batch reports each item's own instead of throwing). */
  get all(): readonly FieldViolation[] {
    return this.list;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw validationFailed(this.list);
  }
}
