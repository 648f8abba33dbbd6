import type { Logger } from 'pino';
import type { ClinicSettings } from '../domain/clinic/clinic-settings';
import type { ReminderDays } from '../domain/ports/ending-soon-grants';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import { BackgroundLoop } from '../shared/retry';

type SettingsSource = Pick<ClinicSettingsRepository, 'find' | 'findAll' | 'changeMarker'>;

/**
 * Every clinic's settings in memory, with the clinics whose service area lies in a region indexed
 * by region code. It reloads when the change marker moves (any instance's settings change marks it,
 * and so does the settings relay before it publishes the change), checked every `refreshMs`: a
 * change made on another instance is served here within refreshMs plus one reload. A change made
 * on this instance is served at once (`put`).
 */
export class ClinicSettingsCache {
  private byId = new Map<string, ClinicSettings>();
  private byRegion = new Map<string, ClinicSettings[]>();
  private remindingClinics: ReminderDays = new Map();
  private marker: string | null = null;
  private loaded = false;
  private readonly following: BackgroundLoop;

  constructor(
    private readonly source: SettingsSource,
    private readonly refreshMs: number,
    private readonly logger: Logger,
  ) {
    this.following = new BackgroundLoop(async () => (await this.refresh(), refreshMs), {
      // A failed reload is tried again within the same interval.
      backoff: { initialMs: refreshMs, maxMs: refreshMs },
      onError: (error) => this.logger.warn({ err: error }, 'clinic settings refresh failed; serving the last copy'),
    });
  }

  /** Loads everything once, then follows changes until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.following.start(this.refreshMs);
  }

  async stop(): Promise<void> {
    await this.following.stop();
  }

  get(clinicId: string): ClinicSettings | undefined {
    return this.byId.get(clinicId);
  }

  /** Clinics whose service area is in this region (the area's other conditions still apply). */
  servingRegion(regionCode: string): readonly ClinicSettings[] {
    return this.byRegion.get(regionCode) ?? [];
  }

  /** Clinics that want reminders before a grant ends, with their days (the expiry worker's reminder step). */
  reminderDays(): ReminderDays {
    return this.remindingClinics;
  }

  /** A newer state of one clinic (a change made here, or read for a consistency token). */
  put(settings: ClinicSettings): void {
    if ((this.byId.get(settings.clinicId)?.version ?? -1) >= settings.version) return;
    this.byId.set(settings.clinicId, settings);
    this.index();
  }

  /** Reads one clinic by `_id` into the copy (a query with a consistency token may need a clinic created or changed elsewhere moments ago). */
  async refreshClinic(clinicId: string): Promise<void> {
    const stored = await this.source.find(clinicId);
    if (stored) this.put(stored.settings);
  }

  /** Makes sure the copy holds at least `version` of the clinic, reading it by `_id` if not; false if storage is behind too. */
  async atLeast(clinicId: string, version: number): Promise<boolean> {
    if ((this.byId.get(clinicId)?.version ?? 0) >= version) return true;
    await this.refreshClinic(clinicId);
    return (this.byId.get(clinicId)?.version ?? 0) >= version;
  }

  private async refresh(): Promise<void> {
    const marker = await this.source.changeMarker();
    if (this.loaded && marker === this.marker) return;
    // The marker is read first: whatever changed after it moves it again, and the next round reloads.
    const all = await this.source.findAll();
    const next = new Map(all.map((s) => [s.clinicId, s]));
    // A change put here while the reload ran is newer than what the reload read.
    for (const [id, kept] of this.byId) if ((next.get(id)?.version ?? -1) < kept.version) next.set(id, kept);
    this.byId = next;
    this.index();
    this.marker = marker;
    this.loaded = true;
    this.logger.debug({ clinics: next.size }, 'clinic settings reloaded');
  }

  private index(): void {
    const byRegion = new Map<string, ClinicSettings[]>();
    const reminding = new Map<string, number>();
    for (const settings of this.byId.values()) {
      const region = settings.serviceArea?.regionCode;
      if (region) byRegion.set(region, [...(byRegion.get(region) ?? []), settings]);
      if (settings.grantEndingSoonDays > 0) reminding.set(settings.clinicId, settings.grantEndingSoonDays);
    }
    this.byRegion = byRegion;
    this.remindingClinics = reminding;
  }
}
