import { hasAnyAccess, type AccessChanged, type ChangeStamp, type Grant, type ResidentAccess } from '../domain/access/resident-access';
import type { RequestOutcome } from '../domain/ports/access-repository';
import { endingSoonFields, type EndingSoonFields } from './ending-soon-fields';

/**
 * One document per resident per clinic: the state that changes together lives together, so every
 * command is one atomic single-document write (no multi-document transactions needed).
 */
export interface AccessDocument {
  _id: string;
  clinicId: string;
  resident: string;
  approval: ChangeStamp | null;
  grants: Grant[];
  /** Earliest end of a dated grant, for the expiry worker; null when none. */
  nextEndsAt: Date | null;
  /** Earliest start of a pending grant, for the same scheduler; null when none (absent on older documents). */
  nextStartsAt?: Date | null;
  /** Absent on documents not written since reminders came. */
  endingSoonPending?: EndingSoonFields['endingSoonPending'];
  version: number;
  /** Counts every write (also request-only ones): the compare-and-set token. */
  revision: number;
  /** Events not yet acknowledged by Kafka, in version order. */
  outbox: AccessChanged[];
  /** True while `outbox` is not empty: an indexable flag for the relay's recovery scan. */
  outboxPending: boolean;
  /** When the oldest unpublished event was written; absent when none waits (metrics). */
  outboxSince?: Date;
  /** Bounded list of recent request outcomes, for AIP-155 retries. */
  recentRequests: RequestOutcome[];
  /** A relay instance's lease on publishing this document's events. */
  relayLease: { owner: string; until: Date } | null;
  updatedAt: Date;
  /** When a change left the resident with no approval and no grant here (null while any is held; absent on older documents). */
  endedAt?: Date | null;
}

export function accessDocumentId(clinicId: string, resident: string): string {
  return `${clinicId}|${resident}`;
}

/** The instant of a change as the end of every access, or null while the change leaves some. */
export function endedAtAfter(access: ResidentAccess, at: Date): Date | null {
  return hasAnyAccess(access) ? null : at;
}

export function toResidentAccess(doc: Pick<AccessDocument, 'clinicId' | 'resident' | 'approval' | 'grants' | 'version'>): ResidentAccess {
  return { clinicId: doc.clinicId, resident: doc.resident, approval: doc.approval ?? null, grants: doc.grants ?? [], version: doc.version };
}

function earliest(instants: readonly (Date | null | undefined)[]): Date | null {
  const present = instants.filter((d): d is Date => d instanceof Date);
  return present.length > 0 ? new Date(Math.min(...present.map((d) => d.getTime()))) : null;
}

/** The state fields of a document, as one `$set`: with the instants the scheduler finds it by. */
export function stateFields(access: ResidentAccess): Pick<AccessDocument, 'approval' | 'grants' | 'nextEndsAt' | 'nextStartsAt' | 'version'> & EndingSoonFields {
  return {
    approval: access.approval,
    grants: access.grants,
    nextEndsAt: earliest(access.grants.map((g) => g.endsAt)),
    nextStartsAt: earliest(access.grants.map((g) => g.startsAt)),
    version: access.version,
    ...endingSoonFields(access),
  };
}
