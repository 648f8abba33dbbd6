import { readFileSync } from 'node:fs';
import { parseKeyRing, PseudonymKeyRing, SINGLE_SECRET_KEY_ID } from './pseudonym-key-ring';

type Present = Record<string, string | undefined>;

/** A secret given inline or as a mounted file (`<NAME>_FILE`); the file's final newline is not part of it. */
export function secret(present: Present, name: string, problems: string[]): string | undefined {
  const file = present[`${name}_FILE`];
  if (!file) return present[name];
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    problems.push(`${name}_FILE cannot be read`);
    return undefined;
  }
}

/** The key ring from its file, or RESIDENT_PSEUDONYM_SECRET as a ring of one key (local use, tests). */
export function pseudonymKeys(present: Present, problems: string[]): PseudonymKeyRing | undefined {
  const file = present.RESIDENT_PSEUDONYM_KEYRING_FILE;
  if (!file === !present.RESIDENT_PSEUDONYM_SECRET) {
    problems.push('RESIDENT_PSEUDONYM_KEYRING_FILE or RESIDENT_PSEUDONYM_SECRET: set exactly one');
    return undefined;
  }
  if (!file) return new PseudonymKeyRing({ id: SINGLE_SECRET_KEY_ID, secret: present.RESIDENT_PSEUDONYM_SECRET! });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push('RESIDENT_PSEUDONYM_KEYRING_FILE cannot be read');
    return undefined;
  }
  const ring = parseKeyRing(text);
  if (ring instanceof PseudonymKeyRing) return ring;
  problems.push(`RESIDENT_PSEUDONYM_KEYRING_FILE ${ring.problem}`);
  return undefined;
}
