import { createHmac } from 'node:crypto';

/**
 * A keyed pseudonym of a resident: stable for one secret, so a compacted topic keeps one latest
 * event per resident and clinic, yet the personal identity number never appears in keys or headers.
 */
export function residentPseudonym(secret: string, resident: string): string {
  return createHmac('sha256', secret).update(resident).digest('base64url');
}

export function eventKey(secret: string, clinicId: string, resident: string): string {
  return `${clinicId}|${residentPseudonym(secret, resident)}`;
}
