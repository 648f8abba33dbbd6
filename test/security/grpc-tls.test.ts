import { credentials, status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { createHash, X509Certificate } from 'node:crypto';
import { copyFile, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { aClinicId } from '../builders/identity';
import { apiOf, connectClients, errorDetails, failureOf } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { checkHealth, healthClient } from '../support/health-client';
import { freePort } from '../support/stack-instance';
import { signTestToken } from '../support/tokens';
import { eventually } from '../support/eventually';
import { certificateFolder, issue, makeCa, type CertificateFiles } from './test-certificates';

/**
 * An administrator's call that succeeds only when the TLS handshake does (and the token is
 * accepted): put a case type, read it back. `claims` go into the token as they are.
 */
async function callOverTls(port: number, trustedCa: string, client?: CertificateFiles, claims: Record<string, unknown> = {}): Promise<string[]> {
  const root = await readFile(trustedCa);
  const channel = client ? credentials.createSsl(root, await readFile(client.keyFile), await readFile(client.certFile)) : credentials.createSsl(root);
  // A subchannel pool of its own: every call here opens a new connection and so a new handshake.
  const clients = connectClients(port, channel, { 'grpc.use_local_subchannel_pool': 1, 'grpc.ssl_target_name_override': 'localhost' });
  try {
    const clinicId = aClinicId();
    const api = apiOf(clients, await signTestToken({ sub: 'admin-1', clinics: [clinicId], roles: ['staff', 'admin'], claims }));
    await api.putCaseType({ clinicId, caseType: { id: 'general', name: 'General', restricted: false }, requestId: randomUUID(), etag: '' });
    return (await api.getClinicSettings({ clinicId })).settings!.caseTypes.map((c) => c.id);
  } finally {
    clients.close();
  }
}

async function codeOf(call: Promise<unknown>): Promise<number> {
  return (await failureOf(call)).code;
}

describe('gRPC over TLS with a certificate from files', () => {
  let sut: ServiceUnderTest;
  let folder: string;
  let serverCa: CertificateFiles;
  let otherCa: CertificateFiles;
  let serving: CertificateFiles;
  let healthPort: number;

  beforeAll(async () => {
    healthPort = await freePort();
    folder = await certificateFolder();
    serverCa = await makeCa(folder, 'server');
    otherCa = await makeCa(folder, 'other');
    const first = await issue(serverCa, folder, 'server-first', 'server');
    serving = { certFile: join(folder, 'serving.pem'), keyFile: join(folder, 'serving.key') };
    await copyFile(first.certFile, serving.certFile);
    await copyFile(first.keyFile, serving.keyFile);
    sut = await startServiceUnderTest({
      env: { GRPC_TLS_CERT_FILE: serving.certFile, GRPC_TLS_KEY_FILE: serving.keyFile, GRPC_TLS_RELOAD_INTERVAL_MS: '200', GRPC_HEALTH_PORT: String(healthPort) },
    });
  });
  afterAll(() => sut?.stop());

  it('a client that trusts the CA calls successfully', async () => {
    expect(await callOverTls(sut.service.port, serverCa.certFile)).toEqual(['general']);
  });

  it('a plaintext client and a client that trusts another CA get no answer (UNAVAILABLE)', async () => {
    const plaintext = apiOf(connectClients(sut.service.port), await signTestToken({ clinics: [aClinicId()], roles: ['staff'] }));
    expect(await codeOf(plaintext.getClinicSettings({ clinicId: aClinicId() }))).toBe(status.UNAVAILABLE);
    expect(await codeOf(callOverTls(sut.service.port, otherCa.certFile))).toBe(status.UNAVAILABLE);
  });

  it('health (and nothing else) is also served in plaintext on GRPC_HEALTH_PORT, for probes that cannot speak TLS', async () => {
    const probe = healthClient(healthPort);
    expect(await checkHealth(probe)).toBe('SERVING');
    probe.close();
    const onHealthPort = connectClients(healthPort);
    const api = apiOf(onHealthPort, await signTestToken({ clinics: [aClinicId()], roles: ['staff'] }));
    expect(await codeOf(api.getClinicSettings({ clinicId: aClinicId() }))).toBe(status.UNIMPLEMENTED);
    onHealthPort.close();
  });

  it('a certificate replaced in its files serves new connections without a restart', async () => {
    const renewedCa = await makeCa(folder, 'renewed');
    const renewed = await issue(renewedCa, folder, 'server-renewed', 'server');
    expect(await codeOf(callOverTls(sut.service.port, renewedCa.certFile))).toBe(status.UNAVAILABLE);

    // As a Kubernetes secret volume does it: each file swapped whole, never half-written.
    await copyFile(renewed.keyFile, `${serving.keyFile}.new`);
    await copyFile(renewed.certFile, `${serving.certFile}.new`);
    await rename(`${serving.keyFile}.new`, serving.keyFile);
    await rename(`${serving.certFile}.new`, serving.certFile);

    await eventually(
      () =>
        callOverTls(sut.service.port, renewedCa.certFile).then(
          () => true,
          () => false,
        ),
      { what: 'a new connection to present the renewed certificate', timeoutMs: 15_000 },
    );
    expect(await codeOf(callOverTls(sut.service.port, serverCa.certFile))).toBe(status.UNAVAILABLE);
  });
});

describe('gRPC with client certificates (GRPC_TLS_CLIENT_CA_FILE)', () => {
  let sut: ServiceUnderTest;
  let serverCa: CertificateFiles;
  let callerCa: CertificateFiles;
  let folder: string;

  beforeAll(async () => {
    folder = await certificateFolder();
    serverCa = await makeCa(folder, 'server');
    callerCa = await makeCa(folder, 'callers');
    const server = await issue(serverCa, folder, 'server', 'server');
    sut = await startServiceUnderTest({
      env: { GRPC_TLS_CERT_FILE: server.certFile, GRPC_TLS_KEY_FILE: server.keyFile, GRPC_TLS_CLIENT_CA_FILE: callerCa.certFile },
    });
  });
  afterAll(() => sut?.stop());

  it('a caller with a certificate the callers CA signed succeeds', async () => {
    const caller = await issue(callerCa, folder, 'caller', 'client');
    expect(await callOverTls(sut.service.port, serverCa.certFile, caller)).toEqual(['general']);
  });

  it('a caller without a certificate, or with one another CA signed, is refused', async () => {
    const strangerCa = await makeCa(folder, 'stranger');
    const stranger = await issue(strangerCa, folder, 'stranger', 'client');
    expect(await codeOf(callOverTls(sut.service.port, serverCa.certFile))).toBe(status.UNAVAILABLE);
    expect(await codeOf(callOverTls(sut.service.port, serverCa.certFile, stranger))).toBe(status.UNAVAILABLE);
  });

  it('a token bound to a certificate (RFC 8705 cnf) passes only with that certificate; an unbound token passes too', async () => {
    const caller = await issue(callerCa, folder, 'bound-caller', 'client');
    const otherCaller = await issue(callerCa, folder, 'other-caller', 'client');
    const thumbprint = createHash('sha256')
      .update(new X509Certificate(await readFile(caller.certFile)).raw)
      .digest('base64url');
    const boundToCaller = { cnf: { 'x5t#S256': thumbprint } };

    expect(await callOverTls(sut.service.port, serverCa.certFile, caller, boundToCaller)).toEqual(['general']);
    const stolen = await failureOf(callOverTls(sut.service.port, serverCa.certFile, otherCaller, boundToCaller));
    expect({ code: stolen.code, reason: errorDetails(stolen).reason }).toEqual({ code: status.UNAUTHENTICATED, reason: 'TOKEN_INVALID' });
    expect(sut.logs.entries.filter((e) => e.msg === 'call refused: token').map((e) => e.detail)).toContain('token is bound to another client certificate (cnf)');
    // AUTH_REQUIRE_CERTIFICATE_BOUND_TOKENS is false by default: mTLS alone admits the caller.
    expect(await callOverTls(sut.service.port, serverCa.certFile, otherCaller)).toEqual(['general']);
  });
});
