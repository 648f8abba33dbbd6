import type { ResidentAccess } from '../domain/access/resident-access';
import type { ClinicSettings } from '../domain/clinic/clinic-settings';
import { clinicIdViolation } from '../domain/clinic/clinic-id';
import type { FieldViolation } from '../domain/errors/domain-error';

/**
 * What a consistency token promises: the answer reflects at least this version of one resident's
 * access at one clinic, or of one clinic's settings (compare SpiceDB's ZedTokens; see
 * docs/consistency.md). A token names no resident: it carries a keyed tag of the number, so a
 * token used for another resident is refused instead of being waited for in vain. Tags are made
 * with the pseudonym key ring's current key; one made with an older key still in the ring is taken.
 */
export type ConsistencyToken = { kind: 'access'; clinicId: string; version: number; residentTag: string } | { kind: 'settings'; clinicId: string; version: number };

const PREFIX = 'ct1';
const FIELD = 'consistency_token';

export class ConsistencyTokens {
  /** `residentTags`: the resident's tag under each key of the ring, the current key's first. */
  constructor(private readonly residentTags: (resident: string) => readonly string[]) {}

  forAccess(access: ResidentAccess): string {
    return encode([PREFIX, 'a', access.clinicId, String(access.version), this.residentTags(access.resident)[0]!]);
  }

  forSettings(settings: ClinicSettings): string {
    return encode([PREFIX, 's', settings.clinicId, String(settings.version)]);
  }

  /** The token, null when none was given, or a violation naming the field. */
  read(written: string | undefined): { token: ConsistencyToken | null } | { violation: FieldViolation } {
    if (!written) return { token: null };
    const parts = decode(written);
    const [prefix, kind, clinicId = '', versionText = '', tag] = parts ?? [];
    const version = Number(versionText);
    const wellFormed =
      prefix === PREFIX &&
      clinicIdViolation(clinicId) === null &&
      /^\d{1,15}$/.test(versionText) &&
      ((kind === 'a' && parts!.length === 5 && !!tag) || (kind === 's' && parts!.length === 4));
    if (!wellFormed) return { violation: { field: FIELD, reason: 'INVALID_CONSISTENCY_TOKEN', description: 'must be a consistency_token from a command response' } };
    return { token: kind === 'a' ? { kind: 'access', clinicId, version, residentTag: tag! } : { kind: 'settings', clinicId, version } };
  }

  belongsTo(token: ConsistencyToken, resident: string): boolean {
    return token.kind === 'settings' || this.residentTags(resident).includes(token.residentTag);
  }
}

export function tokenForOtherResident(): FieldViolation {
  return { field: FIELD, reason: 'CONSISTENCY_TOKEN_MISMATCH', description: 'the token is from a change of another resident' };
}

function encode(parts: string[]): string {
  return Buffer.from(parts.join('~')).toString('base64url');
}

function decode(written: string): string[] | null {
  if (written.length > 200 || !/^[A-Za-z0-9_-]+$/.test(written)) return null;
  return Buffer.from(written, 'base64url').toString().split('~');
}
