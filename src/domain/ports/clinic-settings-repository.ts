import type { ClinicSettings } from '../clinic/clinic-settings';
import type { ClinicSettingsChanged } from '../clinic/settings-changed';
import type { SaveResult } from './access-repository';

/** What a settings command answered, kept for AIP-155 retries. */
export interface SettingsOutcome {
  requestId: string;
  fingerprint: string;
  changed: boolean;
  settings: ClinicSettings;
  /** From then on the outcome is no longer replayed (the request id's retention). */
  expiresAt?: Date;
}

/** A case type whose grants are still to be withdrawn, recorded with the change that caused it. */
export interface PendingWithdrawal {
  caseTypeId: string;
  actor: string;
  requestId: string;
  at: Date;
}

export interface StoredSettings {
  settings: ClinicSettings;
  recentRequests: readonly SettingsOutcome[];
  pendingWithdrawals: readonly PendingWithdrawal[];
  revision: number;
}

/** One document per clinic; writes are single-document compare-and-set on `revision`. */
export interface ClinicSettingsRepository {
  find(clinicId: string): Promise<StoredSettings | null>;
  findMany(clinicIds: readonly string[]): Promise<Map<string, ClinicSettings>>;
  /** Every clinic's settings (for the in-memory copy each instance keeps). */
  findAll(): Promise<ClinicSettings[]>;
  /** A value that changes whenever any clinic's settings changed (null: never marked). */
  changeMarker(): Promise<string | null>;
  /** Sets a new change marker: other instances see it and reload. */
  markChanged(): Promise<void>;
  save(
    settings: ClinicSettings,
    /** The read the change was decided on (compare-and-set on its revision); null: insert. */
    stored: Pick<StoredSettings, 'recentRequests' | 'revision'> | null,
    /** Recorded with the change; the document keeps the last RECENT_REQUESTS_KEPT. */
    outcome: SettingsOutcome,
    pendingWithdrawals: readonly PendingWithdrawal[],
    /** The change's event (its outbox entry), or null for a no-op, which keeps the last change. */
    event: ClinicSettingsChanged | null,
  ): Promise<SaveResult>;
  /** Drops a finished withdrawal. */
  withdrawalDone(clinicId: string, caseTypeId: string, requestId: string): Promise<void>;
  /** Clinics with withdrawals left (after a restart). */
  findPendingWithdrawals(): Promise<{ clinicId: string; withdrawals: PendingWithdrawal[] }[]>;
}
