import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { eventKey, residentPseudonym } from '../../src/publishing-kafka/resident-pseudonym';
import { aClinicId, aResident } from '../builders/identity';
import { EventConsumer, type ConsumedEvent, type ConsumedTombstone } from '../support/event-consumer';
import { apiOf } from '../support/grpc-client';
import { runCli } from '../support/operator-cli';
import { startInstance, type ServiceInstance } from '../support/service-instance';
import { serviceEnv } from '../support/test-env';
import { residentEserviceClaims, signTestToken, testAuthEnv } from '../support/tokens';

const OLD_KEY = { id: '2025-01', secret: 'the-older-pseudonym-secret-of-this-test-0123' };
const NEW_KEY = { id: '2026-01', secret: 'the-newer-pseudonym-secret-of-this-test-4567' };

/** In log order on the key's partition. */
const byOffset = (a: { offset: string }, b: { offset: string }) => Number(BigInt(a.offset) - BigInt(b.offset));

/**
 * A key rotation as docs/security.md describes it: the service runs on one key; an operator adds a
 * new current key and restarts; listings still find what the old key made; a republish of every
 * clinic moves each resident's Kafka key to the new pseudonym and tombstones the old one.
 */
describe('rotating the pseudonym key', () => {
  const started: ServiceInstance[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'keyring-'));
  let mongo: MongoClient | undefined;
  let events: EventConsumer | undefined;
  let env: Record<string, string> = {};
  afterAll(async () => {
    for (const s of started) await s.stop();
    await events?.stop();
    await mongo?.db(env.MONGODB_DATABASE).dropDatabase();
    await mongo?.close();
  });

  const ringFile = (name: string, current: string, keys: (typeof OLD_KEY)[]) => {
    const path = join(folder, name);
    writeFileSync(path, JSON.stringify({ current, keys }));
    return path;
  };
  const start = async (keyringFile: string): Promise<ServiceInstance> => {
    const s = await startInstance({ ...env, RESIDENT_PSEUDONYM_SECRET: '', RESIDENT_PSEUDONYM_KEYRING_FILE: keyringFile }, '');
    started.push(s);
    return s;
  };
  const onKey = (key: string): (ConsumedEvent | ConsumedTombstone)[] => [...events!.events, ...events!.tombstones].filter((m) => m.key === key).sort(byOffset);

  const clinicId = aClinicId();
  const [resident, other] = [aResident(), aResident()];
  let after: ServiceInstance;
  let staffToken: string;
  let eserviceToken: string;
  let firstPage: { nextPageToken: string };
  let oldKeys: string[];

  beforeAll(async () => {
    env = serviceEnv(await testAuthEnv());
    events = await new EventConsumer(env.KAFKA_BROKERS!, env.KAFKA_ACCESS_TOPIC!).start();
    mongo = await new MongoClient(env.MONGODB_URI!).connect();
    staffToken = await signTestToken({ sub: 'staff-1', clinics: [clinicId], roles: ['staff', 'admin'] });
    eserviceToken = await signTestToken(residentEserviceClaims(resident));

    // Before: one key. Two residents approved, one read of the first, a page of its log.
    const before = await start(ringFile('before.json', OLD_KEY.id, [OLD_KEY]));
    const staffBefore = apiOf(before.clients, staffToken);
    await staffBefore.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
    for (const r of [resident, other]) await staffBefore.approveResident({ clinicId, personalIdentityNumber: r, requestId: randomUUID(), etag: '' });
    await staffBefore.getResidentAccess({ clinicId, personalIdentityNumber: resident });
    oldKeys = [resident, other].map((r) => eventKey(OLD_KEY.secret, clinicId, r));
    for (const key of oldKeys) await events.waitFor((e) => e.key === key && e.value.cause === 'ACCESS_CHANGE_CAUSE_APPROVED');
    const page = await apiOf(before.clients, eserviceToken).listResidentAccessLog({ personalIdentityNumber: resident, clinicId: '', pageSize: 1, pageToken: '' });
    expect(page.entries.map((e) => e.read)).toEqual(['GetResidentAccess']);
    firstPage = page;
    await before.stop();

    // The operator adds a new current key and restarts.
    after = await start(ringFile('after.json', NEW_KEY.id, [OLD_KEY, NEW_KEY]));
  });

  it('the access log lists reads made under the old key beside the new ones, and a page token made under the old key continues', async () => {
    const eservice = apiOf(after.clients, eserviceToken);
    await apiOf(after.clients, staffToken).lookupResident({ clinicId, personalIdentityNumber: resident });

    const listed = await eservice.listResidentAccessLog({ personalIdentityNumber: resident, clinicId: '', pageSize: 0, pageToken: '' });
    // The listing before the restart is itself a logged read.
    expect(listed.entries.map((e) => e.read)).toEqual(['LookupResident', 'ListResidentAccessLog', 'GetResidentAccess', 'ApproveResident']);
    const secondPage = await eservice.listResidentAccessLog({ personalIdentityNumber: resident, clinicId: '', pageSize: 1, pageToken: firstPage.nextPageToken });
    expect(secondPage.entries.map((e) => e.read)).toEqual(['ApproveResident']);
  });

  it('republishing every clinic publishes each access under its new key and tombstones its old key', async () => {
    const operatorToken = await signTestToken({ sub: 'operator-1', scope: 'resident-access:operator' });
    const requestId = randomUUID();
    const republished = await runCli(after.service.port, operatorToken, ['republish', '--all', '--request-id', requestId, '--json']);
    expect(republished.code).toBe(0);
    expect(JSON.parse(republished.stdout).job).toMatchObject({ id: requestId, state: 'JOB_STATE_SUCCEEDED' });

    for (const [i, r] of [resident, other].entries()) {
      const newKey = eventKey(NEW_KEY.secret, clinicId, r);
      const [event] = await events!.waitFor((e) => e.key === newKey && e.value.requestId === requestId);
      expect(event!.value).toMatchObject({ cause: 'ACCESS_CHANGE_CAUSE_REPUBLISHED', version: 2, access: { personalIdentityNumber: r, approval: expect.anything() } });
      expect(event!.headers.ce_subject).toBe(`clinics/${clinicId}/residents/${residentPseudonym(NEW_KEY.secret, r)}`);

      // The old key ends with a tombstone naming the key it moved to: compaction drops its records, and with them the number.
      const tombstone = await events!.waitForTombstone(oldKeys[i]!);
      expect(tombstone.headers).toEqual({ 'access-version': '2', 'superseded-by': newKey });
      expect(onKey(oldKeys[i]!).map((m) => ('value' in m ? m.value.cause : 'TOMBSTONE'))).toEqual(['ACCESS_CHANGE_CAUSE_APPROVED', 'TOMBSTONE']);
      // The new key is live: no tombstone follows its event.
      expect(events!.tombstones.filter((t) => t.key === newKey)).toEqual([]);
    }
  });
});
