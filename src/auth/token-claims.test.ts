import { ENTITLEMENTS_SCOPE } from '../domain/authorization/principal';
import { luhnCheckDigitOf } from '../domain/identity/personal-identity-number.arbitrary';
import { AuthError, principalFromClaims } from './token-claims';

const TODAY = '2027-03-01';

/** A valid 12-digit number for YYYYMMDD and a serial. */
const numberOf = (date: string, serial: string) => `${date}${serial}${luhnCheckDigitOf(`${date.slice(2)}${serial}`)}`;
const RESIDENT = numberOf('19121212', '121');
const COORDINATION = numberOf('19121272', '121'); // born on the 12th: day + 60

/** An exchanged e-service token's claims (RFC 8693): the resident's subject, their number, the e-service as actor. */
const exchanged = (extra: Record<string, unknown> = {}) => ({
  sub: 'resident-7f3a',
  scope: ENTITLEMENTS_SCOPE,
  personal_identity_number: RESIDENT,
  act: { sub: 'resident-eservice' },
  ...extra,
});

function refusal(claims: Record<string, unknown>): AuthError {
  try {
    principalFromClaims(claims, TODAY);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('the claims were accepted');
}

describe('the resident an exchanged e-service token acts for', () => {
  it('is read from personal_identity_number, with sub as the caller and the scope kept', () => {
    const principal = principalFromClaims(exchanged(), TODAY);
    expect(principal).toMatchObject({ subject: 'resident-7f3a', scopes: [ENTITLEMENTS_SCOPE] });
    expect(principal.actsForResident?.value).toBe(RESIDENT);
    expect(principalFromClaims(exchanged({ personal_identity_number: COORDINATION }), TODAY).actsForResident?.value).toBe(COORDINATION);
  });

  it('never shows the number when the principal is logged or serialised', () => {
    const principal = principalFromClaims(exchanged(), TODAY);
    expect(JSON.stringify(principal)).not.toContain(RESIDENT);
    expect(String(principal.actsForResident)).not.toContain(RESIDENT);
  });

  it('is absent from a token without the claim (the entitlement queries, staff)', () => {
    expect(principalFromClaims({ sub: 'resident-eservice', scope: ENTITLEMENTS_SCOPE }, TODAY).actsForResident).toBeUndefined();
  });

  it.each([
    ['a 10-digit form (no century)', RESIDENT.slice(2), /must be 12 digits/],
    ['a separator', `${RESIDENT.slice(0, 8)}-${RESIDENT.slice(8)}`, /must be 12 digits/],
    ['a number type', Number(RESIDENT), /must be 12 digits/],
    ['a wrong check digit', `${RESIDENT.slice(0, 11)}${(Number(RESIDENT[11]) + 1) % 10}`, /\(checksum\)/],
    ['a date that does not exist', numberOf('19120231', '121'), /\(date\)/],
    ['serial 000', numberOf('19121212', '000'), /\(serial\)/],
    ['born after today', numberOf('20270302', '121'), /\(future\)/],
  ])('refuses %s as TOKEN_INVALID, naming the claim and never the value', (_, written, detail) => {
    const error = refusal(exchanged({ personal_identity_number: written }));
    expect(error.reason).toBe('TOKEN_INVALID');
    expect(error.detail).toMatch(detail);
    expect(error.detail).toContain('personal_identity_number');
    expect(`${error.message} ${error.detail}`).not.toMatch(/\d{6}/);
  });

  it('refuses a resident without an actor: act.sub must name the e-service (a delegation token)', () => {
    for (const act of [undefined, 'resident-eservice', {}, { sub: '' }, { sub: 7 }]) {
      expect(refusal(exchanged({ act })).detail).toMatch(/act\.sub/);
    }
  });

  it("refuses a sub that is the resident's number, in any written form (sub is recorded and logged)", () => {
    for (const sub of [RESIDENT, RESIDENT.slice(2), `${RESIDENT.slice(0, 8)}-${RESIDENT.slice(8)}`]) {
      expect(refusal(exchanged({ sub })).detail).toBe('malformed claims: sub must not be the personal_identity_number');
    }
  });
});
