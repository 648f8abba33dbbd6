import { requestIdViolation } from './request-id';

describe('requestIdViolation', () => {
  it.each(['0f8e1c2a-5b7d-4e3f-9a1b-2c3d4e5f6a7b', 'r', 'job.1:retry_2', 'x'.repeat(128)])('accepts %s', (id) => {
    expect(requestIdViolation(id)).toBeNull();
  });

  it.each(['', 'x'.repeat(129), 'has space', 'slash/1', 'é', 'a\n'])('refuses %j, naming the field', (id) => {
    expect(requestIdViolation(id)).toEqual({ field: 'request_id', reason: 'INVALID_REQUEST_ID', description: 'is required: 1 to 128 characters of letters, digits and . _ : -' });
  });

  it('names the field it is given', () => {
    expect(requestIdViolation('', 'job_id')?.field).toBe('job_id');
  });
});
