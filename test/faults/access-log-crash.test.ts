import { randomUUID } from 'node:crypto';
import { aResident } from '../builders/identity';
import { crashTestServers } from '../support/crash-workload';
import { eventually } from '../support/eventually';
import { apiOf, connectClients } from '../support/grpc-client';
import { spawnService, type ServiceProcess } from '../support/service-process';
import { signTestToken } from '../support/tokens';

const READERS = 8;
/** Reads answered before the kill: enough that some surely ended within the last moments. */
const ANSWERED_BEFORE_KILL = 400;

/**
 * The service is killed with SIGKILL while staff read residents' access, then the access log is
 * counted: every read that was answered must have its entry, since an entry is stored before its
 * read answers. Each reader has its own token subject, so its answered reads and its stored
 * entries can be counted apart; a read cut off by the kill may or may not have its entry.
 */
describe('SIGKILL under read load', () => {
  let child: ServiceProcess | undefined;
  let servers: Awaited<ReturnType<typeof crashTestServers>> | undefined;
  afterAll(async () => {
    if (child && child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
    await servers?.stop();
  });

  it('leaves an access-log entry for every read that was answered', async () => {
    servers = await crashTestServers();
    const { env, db, clinicId, token } = servers;
    child = spawnService(env);
    const clients = connectClients(await child.started);
    await apiOf(clients, token).putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });

    const readers = await Promise.all(
      Array.from({ length: READERS }, async () => {
        const subject = `reader-${randomUUID()}`;
        return { subject, api: apiOf(clients, await signTestToken({ sub: subject, clinics: [clinicId], roles: ['staff'] })), answered: 0 };
      }),
    );
    let cutOff = 0;
    const load = readers.map(async (reader) => {
      for (;;) {
        try {
          await reader.api.getResidentAccess({ clinicId, personalIdentityNumber: aResident() });
          reader.answered += 1;
        } catch {
          cutOff += 1; // the connection died with the service: this read may or may not have its entry
          return;
        }
      }
    });
    const answered = () => readers.reduce((sum, r) => sum + r.answered, 0);
    await eventually(() => answered() >= ANSWERED_BEFORE_KILL, { what: `${ANSWERED_BEFORE_KILL} answered reads`, timeoutMs: 60_000 });
    child.child.kill('SIGKILL');
    await child.exited;
    await Promise.all(load);

    const stored = await Promise.all(readers.map((r) => db.collection('access_log').countDocuments({ subject: r.subject, read: 'GetResidentAccess' })));
    console.log(`answered ${answered()} reads, cut off ${cutOff}; stored entries ${stored.reduce((a, b) => a + b, 0)}`);
    expect(cutOff).toBe(READERS);
    // Each reader had one read at a time: it has an entry for each answered read, and maybe one for the read the kill cut off.
    const storedLessAnswered = readers.map((reader, i) => stored[i]! - reader.answered);
    expect(storedLessAnswered.filter((extra) => extra !== 0 && extra !== 1)).toEqual([]);
  });
});
