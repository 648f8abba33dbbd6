import { createHmac } from 'node:crypto';
import { emptyAccess, type ResidentAccess } from '../domain/access/resident-access';
import type { ClinicSettings } from '../domain/clinic/clinic-settings';
import { ConsistencyTokens, tokenForOtherResident, type ConsistencyToken } from './consistency-token';

const CLINIC = 'SE2321000016-1234';
const RESIDENT = '197005172384';
const OTHER_RESIDENT = '198503149876';
/** Tags under a key ring of these secrets, the current one first. */
const keyedTags =
  (...secrets: string[]) =>
  (resident: string) =>
    secrets.map((secret) => createHmac('sha256', secret).update(resident).digest('base64url').slice(0, 16));
const tokens = new ConsistencyTokens(keyedTags('secret-1'));

const access = (version: number, resident = RESIDENT): ResidentAccess => ({ ...emptyAccess(CLINIC, resident), version });
const settings = (version: number): ClinicSettings => ({ clinicId: CLINIC, caseTypes: [], serviceArea: null, grantEndingSoonDays: 0, version });
const written = (text: string) => Buffer.from(text).toString('base64url');
const INVALID = { field: 'consistency_token', reason: 'INVALID_CONSISTENCY_TOKEN' };

/** The token `text` reads as; fails the test when it reads as none or as a violation. */
function tokenOf(reader: ConsistencyTokens, text: string): ConsistencyToken {
  const read = reader.read(text);
  if (!('token' in read) || read.token === null) throw new Error(`expected a token, got ${JSON.stringify(read)}`);
  return read.token;
}

describe('ConsistencyTokens', () => {
  it('an access token reads back as the clinic and version it was made for, and belongs to its resident only', () => {
    const token = tokenOf(tokens, tokens.forAccess(access(7)));

    expect(token).toEqual({ kind: 'access', clinicId: CLINIC, version: 7, residentTag: expect.any(String) });
    expect(tokens.belongsTo(token, RESIDENT)).toBe(true);
    expect(tokens.belongsTo(token, OTHER_RESIDENT)).toBe(false);
  });

  it('a settings token reads back as the clinic and settings version, and serves any resident', () => {
    const token = tokenOf(tokens, tokens.forSettings(settings(3)));

    expect(token).toEqual({ kind: 'settings', clinicId: CLINIC, version: 3 });
    expect(tokens.belongsTo(token, RESIDENT)).toBe(true);
    expect(tokens.belongsTo(token, OTHER_RESIDENT)).toBe(true);
  });

  it('a token holds no personal number, in any form', () => {
    const token = tokens.forAccess(access(1));
    const decoded = Buffer.from(token, 'base64url').toString();
    for (const text of [token, decoded]) {
      expect(text).not.toContain(RESIDENT);
      expect(text).not.toContain(RESIDENT.slice(2));
    }
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('tokens of two residents at the same clinic and version differ', () => {
    expect(tokens.forAccess(access(2, RESIDENT))).not.toBe(tokens.forAccess(access(2, OTHER_RESIDENT)));
  });

  it('a token made with another key belongs to nobody here', () => {
    const foreign = new ConsistencyTokens(keyedTags('secret-2')).forAccess(access(1));
    expect(tokens.belongsTo(tokenOf(tokens, foreign), RESIDENT)).toBe(false);
  });

  it('after a key rotation, a token made with the older key still belongs to its resident, and new tokens use the new key', () => {
    const rotated = new ConsistencyTokens(keyedTags('secret-2', 'secret-1'));
    const before = tokenOf(rotated, tokens.forAccess(access(1)));
    expect(rotated.belongsTo(before, RESIDENT)).toBe(true);
    expect(rotated.belongsTo(before, OTHER_RESIDENT)).toBe(false);
    const after = tokenOf(tokens, rotated.forAccess(access(2)));
    expect(tokens.belongsTo(after, RESIDENT)).toBe(false);
  });

  it('no token (empty or absent) is no promise, not an error', () => {
    expect(tokens.read('')).toEqual({ token: null });
    expect(tokens.read(undefined)).toEqual({ token: null });
  });

  it.each([
    ['characters outside base64url', 'not a token!'],
    ['base64 padding', `${written(`ct1~s~${CLINIC}~1`)}==`],
    ['longer than 200 characters (otherwise well formed)', written(`ct1~a~${CLINIC}~1~${'t'.repeat(150)}`)],
    ['another prefix', written(`ct2~s~${CLINIC}~1`)],
    ['an unknown kind', written(`ct1~x~${CLINIC}~1`)],
    ['an invalid clinic id', written('ct1~s~SE12-~1')],
    ['a missing clinic id', written('ct1~s~~1')],
    ['a version that is not a number', written(`ct1~s~${CLINIC}~one`)],
    ['a negative version', written(`ct1~s~${CLINIC}~-1`)],
    ['a version in exponent form', written(`ct1~s~${CLINIC}~1e3`)],
    ['a version of 16 digits', written(`ct1~s~${CLINIC}~${'9'.repeat(16)}`)],
    ['a settings token with a resident tag', written(`ct1~s~${CLINIC}~1~tag`)],
    ['an access token without a resident tag', written(`ct1~a~${CLINIC}~1`)],
    ['an access token with an empty resident tag', written(`ct1~a~${CLINIC}~1~`)],
    ['an access token with an extra part', written(`ct1~a~${CLINIC}~1~tag~more`)],
    ['a token cut short', tokens.forAccess(access(4)).slice(0, 12)],
    ['plain text of a token', `ct1~s~${CLINIC}~1`],
  ])('refuses %s, naming the field', (_, text) => {
    const read = tokens.read(text);
    expect(read).toEqual({ violation: expect.objectContaining(INVALID) });
    expect(JSON.stringify(read)).not.toContain(CLINIC);
  });

  it('the violation for another resident’s token names the field and its own reason', () => {
    expect(tokenForOtherResident()).toEqual({ field: 'consistency_token', reason: 'CONSISTENCY_TOKEN_MISMATCH', description: expect.any(String) });
  });
});
