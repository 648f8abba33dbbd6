import { DomainError } from '../errors/domain-error';
import { clinicDenied, requireClinicRole, requireEntitlementsScope } from './policy';
import { ENTITLEMENTS_SCOPE, type Principal } from './principal';

const CLINIC = 'SE2321000016-1234';
const OTHER = 'SE2321000016-9999';

function principal(overrides: Partial<Principal> = {}): Principal {
  return { subject: 'staff-1', clinics: [CLINIC], roles: ['staff'], scopes: [], ...overrides };
}

/** The error thrown, or undefined when the check passes. */
function thrown(check: () => void): DomainError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

describe('requireClinicRole', () => {
  it('passes for a listed clinic and a held role', () => {
    expect(thrown(() => requireClinicRole(principal(), CLINIC, 'staff'))).toBeUndefined();
    expect(thrown(() => requireClinicRole(principal({ clinics: [OTHER, CLINIC], roles: ['staff', 'admin'] }), CLINIC, 'admin'))).toBeUndefined();
  });

  it('denies a clinic that is not listed', () => {
    expect(thrown(() => requireClinicRole(principal({ clinics: [OTHER] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(principal({ clinics: [] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
  });

  it('matches clinic ids exactly (no prefix or case folding)', () => {
    expect(thrown(() => requireClinicRole(principal({ clinics: ['SE2321000016-12'] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(principal({ clinics: [CLINIC.toLowerCase()] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
  });

  it('denies a listed clinic when the role is missing', () => {
    expect(thrown(() => requireClinicRole(principal({ roles: ['staff'] }), CLINIC, 'admin'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(principal({ roles: ['admin'] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(principal({ roles: [] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
  });

  it('gives one message for "not yours" and "missing role", which names no clinic', () => {
    const notListed = thrown(() => requireClinicRole(principal({ clinics: [OTHER] }), CLINIC, 'staff'));
    const noRole = thrown(() => requireClinicRole(principal(), CLINIC, 'admin'));
    expect(notListed?.message).toBe(clinicDenied().message);
    expect(noRole?.message).toBe(clinicDenied().message);
    expect(notListed?.message).not.toContain(CLINIC);
  });

  it("the development principal's '*' stands for every clinic, but still needs the role", () => {
    const development = principal({ subject: 'development', clinics: ['*'], roles: ['staff', 'admin'] });
    expect(thrown(() => requireClinicRole(development, CLINIC, 'admin'))).toBeUndefined();
    expect(thrown(() => requireClinicRole(development, OTHER, 'staff'))).toBeUndefined();
    expect(thrown(() => requireClinicRole(principal({ clinics: ['*'], roles: ['staff'] }), CLINIC, 'admin'))?.code).toBe(
      'PERMISSION_DENIED',
    );
  });

  it("'*' is a wildcard only as a whole entry", () => {
    expect(thrown(() => requireClinicRole(principal({ clinics: ['SE*'] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
  });
});

describe('requireEntitlementsScope', () => {
  it('passes with the entitlements scope', () => {
    expect(ENTITLEMENTS_SCOPE).toBe('resident-access:entitlements');
    expect(thrown(() => requireEntitlementsScope(principal({ scopes: ['openid', ENTITLEMENTS_SCOPE] })))).toBeUndefined();
  });

  it('denies without it, whatever clinics and roles the caller has', () => {
    const error = thrown(() => requireEntitlementsScope(principal({ clinics: ['*'], roles: ['staff', 'admin'], scopes: ['openid'] })));
    expect(error?.code).toBe('PERMISSION_DENIED');
    expect(error?.message).toContain(ENTITLEMENTS_SCOPE);
    expect(thrown(() => requireEntitlementsScope(principal({ scopes: [] })))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireEntitlementsScope(principal({ scopes: [`${ENTITLEMENTS_SCOPE}:extra`] })))?.code).toBe('PERMISSION_DENIED');
  });
});
