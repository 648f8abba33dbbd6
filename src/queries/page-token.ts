import { createHash } from 'node:crypto';

/**
 * Page tokens (AIP-158) carry the position after the last item shown and a digest of the
 * listing's parameters, so a token cannot be replayed against another listing. They are opaque
 * to clients but not secret: the position inside (a resident number, or a time and event id) is
 * only base64url-encoded, and goes only to callers who were just shown that item.
 */
export function encodePageToken(after: unknown, listing: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ a: after, l: digest(listing) })).toString('base64url');
}

/** The position to continue after, or undefined if the token does not belong to this listing. */
export function decodePageToken<T>(token: string, listing: Record<string, unknown>, isPosition: (a: unknown) => a is T): T | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown; l?: unknown };
    if (!isPosition(parsed.a) || parsed.l !== digest(listing)) return undefined;
    return parsed.a;
  } catch {
    return undefined;
  }
}

export const isResidentNumber = (a: unknown): a is string => typeof a === 'string' && /^\d{12}$/.test(a);

function digest(listing: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(listing)).digest('base64url').slice(0, 16);
}
