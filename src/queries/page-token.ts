import { createHash } from 'node:crypto';

/**
 * Page tokens (AIP-158) carry the last resident shown and a digest of the listing's clinic and
 * filters, so a token cannot be replayed against another listing. They are opaque to clients, but
 * not secret: the resident number inside is base64url-encoded, and only staff of that clinic, who
 * were just shown it, receive the token.
 */
export function encodePageToken(afterResident: string, listing: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ a: afterResident, l: digest(listing) })).toString('base64url');
}

/** The resident to continue after, or undefined if the token does not belong to this listing. */
export function decodePageToken(token: string, listing: Record<string, unknown>): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown; l?: unknown };
    if (typeof parsed.a !== 'string' || !/^\d{12}$/.test(parsed.a) || parsed.l !== digest(listing)) return undefined;
    return parsed.a;
  } catch {
    return undefined;
  }
}

function digest(listing: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(listing)).digest('base64url').slice(0, 16);
}
