import { credentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config/config';
import { startService, type RunningService } from '../../src/main';
import { CLINICS_COLLECTION } from '../../src/storage-mongo/clinic-document';
import { connectMongo } from '../../src/storage-mongo/connect';
import { aClinicId } from '../builders/identity';
import { apiOf, connectClients } from '../support/grpc-client';
import { LogCapture } from '../support/log-capture';
import { ownFerretDB } from '../support/own-ferretdb';
import { freePort } from '../support/stack-instance';
import { serviceEnv, uniqueName } from '../support/test-env';
import { signTestToken, testAuthEnv } from '../support/tokens';
import { certificateFolder, issue, makeCa } from './test-certificates';

/** A FerretDB of the test's own with a TLS listener that requires client certificates. */
describe('MongoDB over TLS with a client certificate', () => {
  let ferret: Awaited<ReturnType<typeof ownFerretDB>>;
  let service: RunningService | undefined;
  let tlsEnv: Record<string, string>;

  beforeAll(async () => {
    const folder = await certificateFolder();
    const serverCa = await makeCa(folder, 'database');
    const clientCa = await makeCa(folder, 'database-clients');
    const server = await issue(serverCa, folder, 'ferretdb', 'server');
    const client = await issue(clientCa, folder, 'resident-access', 'client');
    const certKeyFile = join(folder, 'resident-access-cert-key.pem');
    await writeFile(certKeyFile, `${await readFile(client.certFile, 'utf8')}${await readFile(client.keyFile, 'utf8')}`);
    const tlsPort = await freePort();
    ferret = await ownFerretDB(uniqueName('ferret-tls'), { tls: { port: tlsPort, ...server, caFile: clientCa.certFile } });
    await ferret.start();
    tlsEnv = {
      ...serviceEnv(await testAuthEnv()),
      MONGODB_URI: `mongodb://127.0.0.1:${tlsPort}`,
      MONGODB_TLS: 'true',
      MONGODB_TLS_CA_FILE: serverCa.certFile,
      MONGODB_TLS_CERT_KEY_FILE: certKeyFile,
    };
  });
  afterAll(async () => {
    await service?.stop();
    await ferret?.destroy();
  });

  it('the service stores and reads through the TLS listener', async () => {
    service = await startService(loadConfig(tlsEnv), { logDestination: new LogCapture() });
    const clients = connectClients(service.port, credentials.createInsecure());
    const clinicId = aClinicId();
    const api = apiOf(clients, await signTestToken({ clinics: [clinicId], roles: ['staff', 'admin'] }));
    await api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
    expect((await api.getClinicSettings({ clinicId })).settings!.caseTypes.map((c) => c.id)).toEqual(['general']);
    clients.close();

    // The same database, seen through FerretDB's plaintext listener.
    const plain = await new MongoClient(ferret.uri).connect();
    expect(await plain.db(tlsEnv.MONGODB_DATABASE).collection<{ _id: string }>(CLINICS_COLLECTION).countDocuments({ _id: clinicId })).toBe(1);
    await plain.close();
  });

  it('without the client certificate, or without TLS, the connection fails', async () => {
    const { MONGODB_TLS_CERT_KEY_FILE: _, ...withoutCertificate } = tlsEnv;
    await expect(connectMongo(loadConfig(withoutCertificate).mongo, 'tls-test')).rejects.toThrow();
    await expect(connectMongo(loadConfig({ ...withoutCertificate, MONGODB_TLS: 'false', MONGODB_TLS_CA_FILE: '' }).mongo, 'tls-test')).rejects.toThrow();
  });
});
