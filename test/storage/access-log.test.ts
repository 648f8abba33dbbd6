import { MongoClient } from 'mongodb';
import { DomainError } from '../../src/domain/errors/domain-error';
import type { AccessLogEntry } from '../../src/domain/ports/access-log';
import { MongoAccessLog } from '../../src/storage-mongo/mongo-access-log';
import { integrationServers, uniqueName } from '../support/test-env';

const limits = { batchSize: 500, maxWritesInFlight: 2, maxWaitingPerCaller: 5000 };

function anEntry(subject: string): AccessLogEntry {
  const at = new Date();
  return { at, subject, clinicId: null, residentPseudonym: `pseudonym-${subject}`, read: 'GetResidentAccess', authority: 'role:staff', expiresAt: new Date(at.getTime() + 60_000) };
}

describe('the access log store', () => {
  it('refuses a read whose entry cannot be written with STORAGE_UNAVAILABLE naming the access log', async () => {
    const client = await MongoClient.connect(integrationServers().mongoUri, { serverSelectionTimeoutMS: 2000 });
    const db = client.db(uniqueName('access_log').replace(/-/g, '_'));
    const log = await MongoAccessLog.in(db, limits);
    await log.record([anEntry('before')]);
    await db.dropDatabase();
    await client.close();

    const refusal = await log.record([anEntry('after')]).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(DomainError);
    expect({ code: (refusal as DomainError).code, message: (refusal as DomainError).message }).toEqual({
      code: 'STORAGE_UNAVAILABLE',
      message: 'the access log cannot be written, so nothing is read; retry later',
    });
  });
});
