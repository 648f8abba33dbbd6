/**
 * Example consumer of the access-changed events: keeps, per resident, what each clinic lets them
 * use, from the events alone. Safe with at-least-once delivery: an event id seen before is a
 * duplicate, and a version not newer than the one held for its key is stale; both are dropped.
 */
export interface AccessEvent {
  /** Kafka key: clinic plus the resident's pseudonym. */
  key: string;
  /** CloudEvents attributes from the `ce_*` headers. */
  headers: Record<string, string>;
  /** The event data: AccessChangedEvent in the protobuf JSON mapping. */
  value: {
    eventId: string;
    cause: string;
    version: number | string;
    access: {
      clinicId: string;
      personalIdentityNumber: string;
      approval?: unknown;
      grants?: { caseTypeId: string; untilDate?: string; pending?: boolean }[];
    };
  };
}

export interface ClinicView {
  approved: boolean;
  /** Granted restricted case types and their last valid day ('' = until further notice); pending grants wait for their GRANT_STARTED event. */
  grants: Record<string, string>;
  version: number;
}

export type ApplyResult = 'applied' | 'duplicate' | 'stale';

export class AccessView {
  private readonly versions = new Map<string, number>();
  private readonly seenIds = new Set<string>();
  private readonly residents = new Map<string, Map<string, ClinicView>>();

  apply(event: AccessEvent): ApplyResult {
    const id = event.headers.ce_id ?? event.value.eventId;
    if (this.seenIds.has(id)) return 'duplicate';
    this.seenIds.add(id);
    const version = Number(event.value.version);
    if (version <= (this.versions.get(event.key) ?? 0)) return 'stale';
    this.versions.set(event.key, version);

    const { clinicId, personalIdentityNumber, approval, grants = [] } = event.value.access;
    const clinics = this.residents.get(personalIdentityNumber) ?? new Map<string, ClinicView>();
    if (!approval && grants.length === 0) clinics.delete(clinicId);
    else clinics.set(clinicId, { approved: Boolean(approval), grants: Object.fromEntries(grants.filter((g) => !g.pending).map((g) => [g.caseTypeId, g.untilDate ?? ''])), version });
    if (clinics.size === 0) this.residents.delete(personalIdentityNumber);
    else this.residents.set(personalIdentityNumber, clinics);
    return 'applied';
  }

  /** What one resident has, per clinic (by approval or grant; service areas are not in events). */
  of(personalIdentityNumber: string): Record<string, ClinicView> {
    return Object.fromEntries(this.residents.get(personalIdentityNumber) ?? []);
  }
}
