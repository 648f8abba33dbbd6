import type { CaseType, ClinicSettings, ServiceArea } from '../domain/clinic/clinic-settings';
import type { ClinicSettingsChanged } from '../domain/clinic/settings-changed';
import type { PendingWithdrawal, SettingsOutcome } from '../domain/ports/clinic-settings-repository';
import type { OutboxDocument } from './outbox-document';

/** One document per clinic: its settings, recent request outcomes and pending withdrawals. */
export interface ClinicDocument extends OutboxDocument<ClinicSettingsChanged> {
  _id: string;
  caseTypes: CaseType[];
  serviceArea: ServiceArea | null;
  /** True when serviceArea is set: lets MongoDB index the (small) set of area clinics. */
  hasServiceArea: boolean;
  /** Absent (0, off) on clinics stored before reminders came. */
  grantEndingSoonDays?: number;
  version: number;
  revision: number;
  /** Who made the last write, when, and its request id. */
  lastChange?: { actor: string; at: Date; requestId: string };
  recentRequests: SettingsOutcome[];
  pendingWithdrawals: PendingWithdrawal[];
}

export const CLINICS_COLLECTION = 'clinics';

export function toSettings(doc: ClinicDocument): ClinicSettings {
  return { clinicId: doc._id, caseTypes: doc.caseTypes ?? [], serviceArea: doc.serviceArea ?? null, grantEndingSoonDays: doc.grantEndingSoonDays ?? 0, version: doc.version };
}
