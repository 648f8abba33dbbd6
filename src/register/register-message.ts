import { parsePersonalIdentityNumber } from '../domain/identity/personal-identity-number';
import type { RegisteredResident } from '../domain/identity/registered-resident';
import { isExistingDate } from '../domain/time/calendar-date';
import { stockholmDate } from '../domain/time/stockholm';

/** The population register's topic (see docs/register.md). */
export const DEFAULT_REGISTER_TOPIC = 'population-register.residents.v1';

/** A resident as the register stated them at `registeredAt`. */
export interface RegisterState extends RegisteredResident {
  registeredAt: Date;
}

/** Field names only: a reason is logged, so it must never carry a value from the message. */
export type SkipReason = 'missing-key' | 'invalid-key' | 'invalid-json' | 'not-an-object' | 'number-does-not-match-key' | 'invalid-field';

export type RegisterField = 'givenName' | 'familyName' | 'protectedIdentity' | 'regionCode' | 'municipalityCode' | 'registeredAt' | 'deregistered';

export type RegisterMessage =
  | { kind: 'state'; state: RegisterState }
  /** `registeredAt` is null for a tombstone (null value), which removes whatever is stored. */
  | { kind: 'removal'; personalIdentityNumber: string; registeredAt: Date | null }
  | { kind: 'skip'; reason: SkipReason; field?: RegisterField };

type Bytes = Buffer | string | null | undefined;

const TWELVE_DIGITS = /^\d{12}$/;
const REGION_CODE = /^(0[1-9]|1\d|2[0-5])$/;
const MUNICIPALITY_CODE = /^\d{4}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const MAX_NAME_LENGTH = 200;

const skip = (reason: SkipReason, field?: RegisterField): RegisterMessage => (field ? { kind: 'skip', reason, field } : { kind: 'skip', reason });

const text = (bytes: Bytes): string | null => (bytes == null ? null : bytes.toString());

/** The stored 12-digit form only: the register's own topic never writes the short forms. */
function validNumber(candidate: unknown, now: Date): string | null {
  if (typeof candidate !== 'string' || !TWELVE_DIGITS.test(candidate)) return null;
  return parsePersonalIdentityNumber(candidate, stockholmDate(now)).ok ? candidate : null;
}

function validName(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_NAME_LENGTH;
}

function validTime(value: unknown): Date | null {
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  // Date would roll 30 February over into March rather than refuse it.
  if (!match || !isExistingDate(Number(match[1]), Number(match[2]), Number(match[3]))) return null;
  const time = new Date(match[0].toUpperCase().replace(' ', 'T'));
  return Number.isNaN(time.getTime()) ? null : time;
}

/** Reads one message of the register topic; `now` decides which birth dates lie in the future. */
export function parseRegisterMessage(key: Bytes, value: Bytes, now: Date): RegisterMessage {
  const keyText = text(key);
  if (keyText === null) return skip('missing-key');
  const pin = validNumber(keyText, now);
  if (pin === null) return skip('invalid-key');

  const valueText = text(value);
  if (valueText === null) return { kind: 'removal', personalIdentityNumber: pin, registeredAt: null };

  let body: unknown;
  try {
    body = JSON.parse(valueText);
  } catch {
    return skip('invalid-json');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return skip('not-an-object');
  const fields = body as Record<string, unknown>;

  // The key decides the partition, so a value about someone else would break per-resident order.
  if (fields.personalIdentityNumber !== pin) return skip('number-does-not-match-key');
  const registeredAt = validTime(fields.registeredAt);
  if (registeredAt === null) return skip('invalid-field', 'registeredAt');
  if (fields.deregistered !== undefined && typeof fields.deregistered !== 'boolean') {
    return skip('invalid-field', 'deregistered');
  }
  if (fields.deregistered === true) return { kind: 'removal', personalIdentityNumber: pin, registeredAt };

  const { givenName, familyName, protectedIdentity, regionCode, municipalityCode } = fields;
  if (typeof protectedIdentity !== 'boolean') return skip('invalid-field', 'protectedIdentity');
  // A protected resident's name is not needed (never shown), so it is neither required nor kept.
  if (!protectedIdentity && !validName(givenName)) return skip('invalid-field', 'givenName');
  if (!protectedIdentity && !validName(familyName)) return skip('invalid-field', 'familyName');
  if (typeof regionCode !== 'string' || !REGION_CODE.test(regionCode)) return skip('invalid-field', 'regionCode');
  // A Swedish municipality code starts with its county's code.
  if (typeof municipalityCode !== 'string' || !MUNICIPALITY_CODE.test(municipalityCode) || !municipalityCode.startsWith(regionCode)) {
    return skip('invalid-field', 'municipalityCode');
  }
  return {
    kind: 'state',
    state: {
      personalIdentityNumber: pin,
      givenName: protectedIdentity ? '' : (givenName as string),
      familyName: protectedIdentity ? '' : (familyName as string),
      protectedIdentity,
      regionCode,
      municipalityCode,
      registeredAt,
    },
  };
}
