import { createHash } from 'node:crypto';

/** A digest of what a request means, to tell a true retry from a reused request id (AIP-155). */
export function fingerprint(operation: string, meaning: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, meaning]))
    .digest('base64url');
}
