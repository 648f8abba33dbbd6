import { randomInt } from 'node:crypto';
import { personalIdentityNumberFor } from '../../src/domain/identity/personal-identity-number.arbitrary';
import { recordIdentityNumbers } from '../support/test-logs';

/** A fresh clinic HSA-id per test, so tests never share data. */
export function aClinicId(): string {
  return `SE${String(randomInt(1e9, 1e10))}-${randomInt(1e3, 1e9).toString(36).toUpperCase()}`;
}

/** A valid, random 12-digit personal identity number (test data only). */
export function aResident(overrides: { birthDate?: string; serial?: number; kind?: 'personnummer' | 'samordningsnummer' } = {}): string {
  const birthDate = overrides.birthDate ?? `${randomInt(1930, 2008)}-${pad(randomInt(1, 13))}-${pad(randomInt(1, 29))}`;
  const resident = personalIdentityNumberFor(birthDate, overrides.serial ?? randomInt(1, 1000), overrides.kind);
  recordIdentityNumbers([resident]);
  return resident;
}

/** The same number written YYMMDD-NNNC, as staff often type it. */
export function tenDigitForm(twelveDigits: string): string {
  return `${twelveDigits.slice(2, 8)}-${twelveDigits.slice(8)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
