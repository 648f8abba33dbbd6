import { personalIdentityNumberFor } from '../domain/identity/personal-identity-number.arbitrary';
import { parseRegisterMessage } from './register-message';

const now = new Date('2025-06-01T10:00:00Z');
const pin = personalIdentityNumberFor('1985-03-14', 123);
const coordination = personalIdentityNumberFor('1990-12-01', 456, 'samordningsnummer');

const valueOf = (overrides: Record<string, unknown> = {}, number = pin) =>
  JSON.stringify({
    personalIdentityNumber: number,
    givenName: 'Anna',
    familyName: 'Lindqvist',
    protectedIdentity: false,
    regionCode: '01',
    municipalityCode: '0180',
    registeredAt: '2025-05-30T08:15:00.123+02:00',
    ...overrides,
  });

describe('parseRegisterMessage', () => {
  it('reads a register state', () => {
    expect(parseRegisterMessage(Buffer.from(pin), Buffer.from(valueOf()), now)).toEqual({
      kind: 'state',
      state: {
        personalIdentityNumber: pin,
        givenName: 'Anna',
        familyName: 'Lindqvist',
        protectedIdentity: false,
        regionCode: '01',
        municipalityCode: '0180',
        registeredAt: new Date('2025-05-30T06:15:00.123Z'),
      },
    });
  });

  it('accepts a samordningsnummer and a protected identity, and deregistered: false', () => {
    const result = parseRegisterMessage(coordination, valueOf({ protectedIdentity: true, deregistered: false }, coordination), now);
    expect(result).toMatchObject({ kind: 'state', state: { personalIdentityNumber: coordination, protectedIdentity: true } });
  });

  it("drops a protected resident's name at once, and does not need one", () => {
    for (const names of [{}, { givenName: undefined, familyName: undefined }, { givenName: '', familyName: 42 }]) {
      const result = parseRegisterMessage(pin, valueOf({ protectedIdentity: true, ...names }), now);
      expect(result).toMatchObject({ kind: 'state', state: { givenName: '', familyName: '', protectedIdentity: true } });
    }
    expect(JSON.stringify(parseRegisterMessage(pin, valueOf({ protectedIdentity: true }), now))).not.toContain('Anna');
  });

  it('reads deregistered: true as a removal at its time, needing no other fields', () => {
    const value = JSON.stringify({ personalIdentityNumber: pin, registeredAt: '2025-05-31T00:00:00Z', deregistered: true });
    expect(parseRegisterMessage(pin, value, now)).toEqual({
      kind: 'removal',
      personalIdentityNumber: pin,
      registeredAt: new Date('2025-05-31T00:00:00Z'),
    });
  });

  it('reads a tombstone (null value) as a removal of whatever is stored', () => {
    expect(parseRegisterMessage(pin, null, now)).toEqual({ kind: 'removal', personalIdentityNumber: pin, registeredAt: null });
  });

  it.each([
    ['no key', null, 'missing-key'],
    ['a short form', `${pin.slice(2, 8)}-${pin.slice(8)}`, 'invalid-key'],
    ['a wrong check digit', pin.slice(0, 11) + ((Number(pin[11]) + 1) % 10), 'invalid-key'],
    ['a birth date after today', personalIdentityNumberFor('2025-06-02', 1), 'invalid-key'],
  ])('skips a message with %s as key', (_, key, reason) => {
    expect(parseRegisterMessage(key, valueOf(), now)).toEqual({ kind: 'skip', reason });
  });

  it.each([
    ['text that is not JSON', 'not json', 'invalid-json'],
    ['a JSON array', '[]', 'not-an-object'],
    ['JSON null', 'null', 'not-an-object'],
    ['another number than the key', valueOf({}, coordination), 'number-does-not-match-key'],
  ])('skips a value that is %s', (_, value, reason) => {
    expect(parseRegisterMessage(pin, value, now)).toEqual({ kind: 'skip', reason });
  });

  it.each([
    ['givenName', { givenName: '' }],
    ['givenName', { givenName: 42 }],
    ['familyName', { familyName: undefined }],
    ['familyName', { familyName: 'x'.repeat(201) }],
    ['protectedIdentity', { protectedIdentity: 'no' }],
    ['regionCode', { regionCode: '1' }],
    ['regionCode', { regionCode: '26' }],
    ['regionCode', { regionCode: '00' }],
    ['municipalityCode', { municipalityCode: '180' }],
    ['municipalityCode', { municipalityCode: '1280' }],
    ['registeredAt', { registeredAt: '2025-05-30' }],
    ['registeredAt', { registeredAt: '2025-02-30T00:00:00Z' }],
    ['registeredAt', { registeredAt: 1748592000000 }],
    ['deregistered', { deregistered: 'yes' }],
  ])('skips an invalid %s, naming only the field', (field, overrides) => {
    expect(parseRegisterMessage(pin, valueOf(overrides), now)).toEqual({ kind: 'skip', reason: 'invalid-field', field });
  });

  it('never puts the number in a skip result', () => {
    const results = [
      parseRegisterMessage(pin, `{"personalIdentityNumber":"${pin}"`, now),
      parseRegisterMessage(pin.slice(0, 11) + '0', valueOf(), now),
      parseRegisterMessage(pin, valueOf({ regionCode: pin }), now),
    ];
    expect(JSON.stringify(results)).not.toContain(pin.slice(2, 8));
  });
});
