import { DomainError, MAX_REPORTED_VIOLATIONS, validationFailed, Violations, type FieldViolation } from './domain-error';

const violation = (i: number): FieldViolation => ({ field: `codes[${i}]`, reason: 'INVALID_CODE', description: 'must be a code' });

describe('a validation failure', () => {
  it('names every violated field when there are few', () => {
    const error = validationFailed([violation(0), violation(1)]);

    expect(error.message).toBe('invalid request: codes[0], codes[1]');
    expect(error.violations).toHaveLength(2);
  });

  it('reports a bounded number of violations, and says how many more there were', () => {
    const error = validationFailed(Array.from({ length: 500 }, (_, i) => violation(i)));

    expect(error.violations).toHaveLength(MAX_REPORTED_VIOLATIONS);
    expect(error.violations[0]).toEqual(violation(0));
    expect(error.message).toMatch(new RegExp(`codes\\[${MAX_REPORTED_VIOLATIONS - 1}\\] and ${500 - MAX_REPORTED_VIOLATIONS} more$`));
  });
});

describe('a domain error', () => {
  it('is named as such, so logs and stack traces tell it from a crash', () => {
    const error = new DomainError('GRANT_NOT_FOUND', 'the resident holds no grant of this case type');
    expect(error.name).toBe('DomainError');
    expect(String(error)).toBe('DomainError: the resident holds no grant of this case type');
  });
});

describe('Violations', () => {
  it('throws nothing when nothing was added (a null is no violation), and all of them at once otherwise', () => {
    const violations = new Violations();
    violations.add(null);
    expect(() => violations.throwIfAny()).not.toThrow();
    violations.add(violation(1));
    violations.add(violation(2));
    expect(() => violations.throwIfAny()).toThrow('invalid request: codes[1], codes[2]');
  });
});
