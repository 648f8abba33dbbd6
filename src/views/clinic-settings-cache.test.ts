import pino from 'pino';
import type { ClinicSettings } from '../domain/clinic/clinic-settings';
import type { ClinicSettingsRepository } from '../domain/ports/clinic-settings-repository';
import { ClinicSettingsCache } from './clinic-settings-cache';

const clinic = (clinicId: string, grantEndingSoonDays: number, version = 1): ClinicSettings => ({
  clinicId,
  caseTypes: [],
  serviceArea: null,
  grantEndingSoonDays,
  version,
});

/** A settings store held in memory, whose change marker moves on every write. */
function storeOf(...initial: ClinicSettings[]): Pick<ClinicSettingsRepository, 'find' | 'findAll' | 'changeMarker'> & { write(s: ClinicSettings): void } {
  const stored = new Map(initial.map((s) => [s.clinicId, s]));
  let marker = 0;
  return {
    write(settings: ClinicSettings) {
      stored.set(settings.clinicId, settings);
      marker++;
    },
    find: async (clinicId: string) => {
      const settings = stored.get(clinicId);
      return settings ? { settings, recentRequests: [], pendingWithdrawals: [], revision: settings.version } : null;
    },
    findAll: async () => [...stored.values()],
    changeMarker: async () => String(marker),
  };
}

describe('the clinic settings copy: clinics that want reminders', () => {
  const caches: ClinicSettingsCache[] = [];
  afterEach(async () => {
    for (const cache of caches.splice(0)) await cache.stop();
  });
  const started = async (store: ReturnType<typeof storeOf>) => {
    const cache = new ClinicSettingsCache(store, 60_000, pino({ enabled: false }));
    caches.push(cache);
    await cache.start();
    return cache;
  };

  it('holds every stored clinic with days above 0, with its days, and none that is off', async () => {
    const cache = await started(storeOf(clinic('c-14', 14), clinic('c-off', 0), clinic('c-90', 90)));
    expect([...cache.reminderDays()].sort()).toEqual([
      ['c-14', 14],
      ['c-90', 90],
    ]);
  });

  it('follows a change made on this instance at once, turning on and off', async () => {
    const cache = await started(storeOf(clinic('c-1', 0, 1)));
    expect(cache.reminderDays().size).toBe(0);
    cache.put(clinic('c-1', 7, 2));
    expect([...cache.reminderDays()]).toEqual([['c-1', 7]]);
    cache.put(clinic('c-1', 0, 3));
    expect(cache.reminderDays().size).toBe(0);
  });

  it('follows a change made elsewhere once the copy is refreshed from the store', async () => {
    const store = storeOf(clinic('c-1', 0, 1));
    const cache = await started(store);
    store.write(clinic('c-1', 21, 2));
    await cache.refreshClinic('c-1');
    expect([...cache.reminderDays()]).toEqual([['c-1', 21]]);
  });
});
