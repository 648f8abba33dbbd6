import type { FieldViolation } from '../errors/domain-error';

/** AIP-155 request ids: any printable token a client chooses; a UUID is typical. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdViolation(requestId: string, field = 'request_id'): FieldViolation | null {
  if (REQUEST_ID.test(requestId)) return null;
  return {
    field,
    reason: 'INVALID_REQUEST_ID',
    description: 'is required: 1 to 128 characters of letters, digits and . _ : -',
  };
}
