import { byCodeUnits } from '../order';
import type { CaseType, ClinicSettings, ServiceArea } from './clinic-settings';

/**
 * A settings change. `withdrawn` names a case type whose grants must be withdrawn: one that was
 * restricted and is now removed or unrestricted (decision recorded in docs/domain.md).
 */
export interface SettingsDecision {
  changed: boolean;
  settings: ClinicSettings;
  withdrawn: string | null;
}

function next(current: ClinicSettings, changes: Partial<ClinicSettings>, withdrawn: string | null = null): SettingsDecision {
  return { changed: true, settings: { ...current, ...changes, version: current.version + 1 }, withdrawn };
}

const same = (current: ClinicSettings): SettingsDecision => ({ changed: false, settings: current, withdrawn: null });

export function putCaseType(current: ClinicSettings, caseType: CaseType): SettingsDecision {
  const existing = current.caseTypes.find((c) => c.id === caseType.id);
  if (existing && existing.name === caseType.name && existing.restricted === caseType.restricted) return same(current);
  const caseTypes = [...current.caseTypes.filter((c) => c.id !== caseType.id), caseType].sort((a, b) => byCodeUnits(a.id, b.id));
  const lostRestriction = existing?.restricted === true && !caseType.restricted;
  return next(current, { caseTypes }, lostRestriction ? caseType.id : null);
}

export function removeCaseType(current: ClinicSettings, caseTypeId: string): SettingsDecision {
  const existing = current.caseTypes.find((c) => c.id === caseTypeId);
  if (!existing) return same(current);
  const caseTypes = current.caseTypes.filter((c) => c.id !== caseTypeId);
  return next(current, { caseTypes }, existing.restricted ? caseTypeId : null);
}

export function setServiceArea(current: ClinicSettings, area: ServiceArea): SettingsDecision {
  if (current.serviceArea && sameArea(current.serviceArea, area)) return same(current);
  return next(current, { serviceArea: area });
}

export function clearServiceArea(current: ClinicSettings): SettingsDecision {
  if (!current.serviceArea) return same(current);
  return next(current, { serviceArea: null });
}

export function setGrantEndingSoonDays(current: ClinicSettings, days: number): SettingsDecision {
  if (current.grantEndingSoonDays === days) return same(current);
  return next(current, { grantEndingSoonDays: days });
}

function sameArea(a: ServiceArea, b: ServiceArea): boolean {
  return JSON.stringify(normalised(a)) === JSON.stringify(normalised(b));
}

function normalised(area: ServiceArea): ServiceArea {
  return { ...area, municipalityCodes: [...area.municipalityCodes].sort() };
}
