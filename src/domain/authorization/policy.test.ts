import { DomainError } from '../errors/domain-error';
import { parsePersonalIdentityNumber, type PersonalIdentityNumber } from '../identity/personal-identity-number';
import { clinicDenied, requireActingResident, requireClinicRole, requireEntitlementsScope, requireOperatorScope, requireSameResident, rolesAt } from './policy';
import { ENTITLEMENTS_SCOPE, OPERATOR_SCOPE, type Principal, type Role } from './principal';

const CLINIC = 'SE2321000016-1234';
const OTHER = 'SE2321000016-9999';

type Roles = Record<string, Role[]>;

function principal(clinicRoles: Roles = { [CLINIC]: ['staff'] }, scopes: string[] = []): Principal {
  return { subject: 'staff-1', clinicRoles: new Map(Object.entries(clinicRoles)), scopes };
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
  it('passes for a role held at that clinic', () => {
    expect(thrown(() => requireClinicRole(principal(), CLINIC, 'staff'))).toBeUndefined();
    expect(thrown(() => requireClinicRole(principal({ [OTHER]: ['staff'], [CLINIC]: ['staff', 'admin'] }), CLINIC, 'admin'))).toBeUndefined();
  });

  it('denies a clinic the caller holds no role at', () => {
    expect(thrown(() => requireClinicRole(principal({ [OTHER]: ['staff'] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(principal({}), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
  });

  it('matches clinic ids exactly (no prefix or case folding)', () => {
    expect(thrown(() => requireClinicRole(principal({ 'SE2321000016-12': ['staff'] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(principal({ [CLINIC.toLowerCase()]: ['staff'] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
  });

  it('denies a clinic of the caller when the role is missing there', () => {
    expect(thrown(() => requireClinicRole(principal({ [CLINIC]: ['staff'] }), CLINIC, 'admin'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(principal({ [CLINIC]: ['admin'] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(principal({ [CLINIC]: [] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
  });

  it('a role at one clinic gives nothing at another: staff at A and admin at B is not admin at A', () => {
    const mixed = principal({ [CLINIC]: ['staff'], [OTHER]: ['staff', 'admin'] });
    expect(thrown(() => requireClinicRole(mixed, CLINIC, 'admin'))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireClinicRole(mixed, CLINIC, 'staff'))).toBeUndefined();
    expect(thrown(() => requireClinicRole(mixed, OTHER, 'admin'))).toBeUndefined();
    expect(rolesAt(mixed, CLINIC)).toEqual(['staff']);
  });

  it('gives one message for "not yours" and "missing role", which names no clinic', () => {
    const notListed = thrown(() => requireClinicRole(principal({ [OTHER]: ['staff'] }), CLINIC, 'staff'));
    const noRole = thrown(() => requireClinicRole(principal(), CLINIC, 'admin'));
    expect(notListed?.message).toBe(clinicDenied().message);
    expect(noRole?.message).toBe(clinicDenied().message);
    expect(notListed?.message).not.toContain(CLINIC);
  });

  it("the development principal's '*' stands for every clinic, but still needs the role", () => {
    const development = principal({ '*': ['staff', 'admin'] });
    expect(thrown(() => requireClinicRole(development, CLINIC, 'admin'))).toBeUndefined();
    expect(thrown(() => requireClinicRole(development, OTHER, 'staff'))).toBeUndefined();
    expect(thrown(() => requireClinicRole(principal({ '*': ['staff'] }), CLINIC, 'admin'))?.code).toBe('PERMISSION_DENIED');
  });

  it("'*' is a wildcard only as a whole entry", () => {
    expect(thrown(() => requireClinicRole(principal({ 'SE*': ['staff'] }), CLINIC, 'staff'))?.code).toBe('PERMISSION_DENIED');
  });
});

describe('requireEntitlementsScope', () => {
  it('passes with the entitlements scope', () => {
    expect(ENTITLEMENTS_SCOPE).toBe('resident-access:entitlements');
    expect(thrown(() => requireEntitlementsScope(principal(undefined, ['openid', ENTITLEMENTS_SCOPE])))).toBeUndefined();
  });

  it('denies without it, whatever clinics and roles the caller has', () => {
    const error = thrown(() => requireEntitlementsScope(principal({ '*': ['staff', 'admin'] }, ['openid'])));
    expect(error?.code).toBe('PERMISSION_DENIED');
    expect(error?.message).toContain(ENTITLEMENTS_SCOPE);
    expect(thrown(() => requireEntitlementsScope(principal()))?.code).toBe('PERMISSION_DENIED');
    expect(thrown(() => requireEntitlementsScope(principal(undefined, [`${ENTITLEMENTS_SCOPE}:extra`])))?.code).toBe('PERMISSION_DENIED');
  });
});

describe('requireOperatorScope', () => {
  it('passes with the operator scope', () => {
    expect(OPERATOR_SCOPE).toBe('resident-access:operator');
    expect(thrown(() => requireOperatorScope(principal({}, [OPERATOR_SCOPE])))).toBeUndefined();
  });

  it('denies every other caller: staff and admins of every clinic, the e-service', () => {
    for (const caller of [principal({ '*': ['staff', 'admin'] }), principal({}, [ENTITLEMENTS_SCOPE]), principal({}, [`${OPERATOR_SCOPE}:x`])]) {
      const error = thrown(() => requireOperatorScope(caller));
      expect(error?.code).toBe('PERMISSION_DENIED');
      expect(error?.message).toContain(OPERATOR_SCOPE);
    }
  });
});

describe('requireActingResident and requireSameResident: the e-service reads one resident, named by its token', () => {
  const numberOf = (written: string): PersonalIdentityNumber => {
    const parsed = parsePersonalIdentityNumber(written, '2027-03-01');
    if (!parsed.ok) throw new Error('test number invalid');
    return parsed.value;
  };
  const resident = numberOf('191212121212');
  const other = numberOf('191212121220');

  it("gives the token's resident to a caller with the scope", () => {
    expect(requireActingResident({ ...principal({}, [ENTITLEMENTS_SCOPE]), actsForResident: resident })).toBe(resident);
  });

  it('denies the scope without a resident, and a resident without the scope', () => {
    const noResident = thrown(() => requireActingResident(principal({}, [ENTITLEMENTS_SCOPE])));
    expect(noResident?.code).toBe('PERMISSION_DENIED');
    expect(noResident?.message).toContain('personal_identity_number');
    expect(thrown(() => requireActingResident({ ...principal({ '*': ['staff', 'admin'] }), actsForResident: resident }))?.code).toBe('PERMISSION_DENIED');
  });

  it('lets a request leave the resident out or repeat it, in any written form', () => {
    expect(thrown(() => requireSameResident(resident, null))).toBeUndefined();
    expect(thrown(() => requireSameResident(resident, numberOf('19121212-1212')))).toBeUndefined();
  });

  it('denies a request naming another resident, naming the field and never a number', () => {
    const error = thrown(() => requireSameResident(resident, other));
    expect(error?.code).toBe('PERMISSION_DENIED');
    expect(error?.message).toContain('personal_identity_number');
    expect(error?.message).not.toMatch(/\d{6}/);
  });
});
