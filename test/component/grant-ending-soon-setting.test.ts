import { status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { ClinicDocument } from '../../src/storage-mongo/clinic-document';
import { aClinicId } from '../builders/identity';
import { errorDetails, failureOf, type Api } from '../support/grpc-client';
import { EventConsumer } from '../support/event-consumer';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

const general = { id: 'general', name: 'General question', restricted: false };

describe('ClinicSettingsService.SetGrantEndingSoonDays', () => {
  let sut: ServiceUnderTest;
  let settingsEvents: EventConsumer;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
    settingsEvents = await new EventConsumer(sut.env.KAFKA_BROKERS!, sut.env.KAFKA_SETTINGS_TOPIC!).start();
  });
  afterAll(async () => {
    await settingsEvents.stop();
    await sut.stop();
  });

  const setDays = (api: Api, clinicId: string, grantEndingSoonDays: number, more: { requestId?: string; etag?: string } = {}) =>
    api.setGrantEndingSoonDays({ clinicId, grantEndingSoonDays, requestId: more.requestId ?? randomUUID(), etag: more.etag ?? '' });
  const clinicDocument = (clinicId: string) => sut.db.collection<ClinicDocument>('clinics').findOne({ _id: clinicId });

  it('is off (0) by default; sets 1 to 90 days, the same again changes nothing, 0 turns it off; each change is a settings event', async () => {
    const clinicId = await sut.givenClinic();
    const admin = await sut.admin(clinicId);
    expect((await admin.getClinicSettings({ clinicId })).settings).toMatchObject({ version: 1, grantEndingSoonDays: 0 });

    const set = await setDays(admin, clinicId, 14);
    expect(set).toEqual({
      changed: true,
      settings: { clinicId, caseTypes: [general], serviceArea: undefined, grantEndingSoonDays: 14, version: 2, etag: 'W/"2"' },
      consistencyToken: expect.any(String),
    });
    expect(await clinicDocument(clinicId)).toMatchObject({ grantEndingSoonDays: 14, version: 2 });
    await expect(admin.getClinicSettings({ clinicId })).resolves.toEqual({ settings: set.settings });

    const same = await setDays(admin, clinicId, 14);
    expect(same).toMatchObject({ changed: false, settings: { version: 2, grantEndingSoonDays: 14 } });
    expect((await setDays(admin, clinicId, 90)).settings).toMatchObject({ version: 3, grantEndingSoonDays: 90 });
    expect((await setDays(admin, clinicId, 1)).settings).toMatchObject({ version: 4, grantEndingSoonDays: 1 });
    const off = await setDays(admin, clinicId, 0);
    expect(off.settings).toMatchObject({ version: 5, grantEndingSoonDays: 0 });
    expect(await clinicDocument(clinicId)).toMatchObject({ grantEndingSoonDays: 0, version: 5 });

    const events = await settingsEvents.waitFor((e) => e.key === clinicId, 5);
    expect(events.map((e) => [e.value.cause, Number(e.value.version), (e.value.settings as { grantEndingSoonDays?: number }).grantEndingSoonDays ?? 0])).toEqual([
      ['CLINIC_SETTINGS_CHANGE_CAUSE_CASE_TYPE_PUT', 1, 0],
      ['CLINIC_SETTINGS_CHANGE_CAUSE_GRANT_ENDING_SOON_DAYS_SET', 2, 14],
      ['CLINIC_SETTINGS_CHANGE_CAUSE_GRANT_ENDING_SOON_DAYS_SET', 3, 90],
      ['CLINIC_SETTINGS_CHANGE_CAUSE_GRANT_ENDING_SOON_DAYS_SET', 4, 1],
      ['CLINIC_SETTINGS_CHANGE_CAUSE_GRANT_ENDING_SOON_DAYS_SET', 5, 0],
    ]);
  });

  it('creates the settings of a clinic that has none yet', async () => {
    const clinicId = aClinicId();
    const response = await setDays(await sut.admin(clinicId), clinicId, 7);
    expect(response.settings).toMatchObject({ clinicId, caseTypes: [], grantEndingSoonDays: 7, version: 1 });
  });

  it.each([-1, 91, 1000])('refuses %d days with INVALID_ARGUMENT naming grant_ending_soon_days, storing nothing', async (days) => {
    const clinicId = await sut.givenClinic();
    const admin = await sut.admin(clinicId);

    const error = await failureOf(setDays(admin, clinicId, days));

    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const details = errorDetails(error);
    expect(details.violations.map((v) => [v.field, v.reason])).toEqual([['grant_ending_soon_days', 'INVALID_DAYS']]);
    expect(details.violations[0]!.description).toBe('must be 0 (off) or 1 to 90 days');
    expect(await clinicDocument(clinicId)).toMatchObject({ version: 1 });
    expect((await clinicDocument(clinicId))?.grantEndingSoonDays ?? 0).toBe(0);
  });

  it('reports every bad field at once: the request id and the days', async () => {
    const clinicId = await sut.givenClinic();
    const error = await failureOf(setDays(await sut.admin(clinicId), clinicId, 91, { requestId: '' }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetails(error).violations.map((v) => v.field)).toEqual(['request_id', 'grant_ending_soon_days']);
  });

  it('staff without the administrator role, or an administrator of another clinic, get PERMISSION_DENIED; nothing changes', async () => {
    const clinicId = await sut.givenClinic();
    const errors = [await failureOf(setDays(await sut.staff(clinicId), clinicId, 14)), await failureOf(setDays(await sut.admin(await sut.givenClinic()), clinicId, 14))];
    for (const error of errors) expect(errorDetails(error).reason).toBe('PERMISSION_DENIED');
    expect(await clinicDocument(clinicId)).toMatchObject({ version: 1 });
  });

  it('a stale etag is refused with FAILED_PRECONDITION; the current one is accepted', async () => {
    const clinicId = await sut.givenClinic();
    const admin = await sut.admin(clinicId);
    const stale = await failureOf(setDays(admin, clinicId, 14, { etag: 'W/"7"' }));
    expect(stale.code).toBe(status.FAILED_PRECONDITION);
    expect((await setDays(admin, clinicId, 14, { etag: 'W/"1"' })).settings?.grantEndingSoonDays).toBe(14);
  });
});
