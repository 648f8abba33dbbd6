import { status } from '@grpc/grpc-js';
import { connect, constants, type ClientHttp2Session, type Settings } from 'node:http2';
import { failureOf } from '../support/grpc-client';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';

/** A bare HTTP/2 connection to the gRPC port, to see what the server tells every connection. */
function rawConnection(port: number): { session: ClientHttp2Session; settings: Promise<Settings>; goaway: Promise<number>; closed: Promise<void> } {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  return {
    session,
    settings: new Promise((resolve) => session.once('remoteSettings', resolve)),
    goaway: new Promise((resolve) => session.once('goaway', (code: number) => resolve(code))),
    closed: new Promise((resolve) => session.once('close', () => resolve())),
  };
}

describe('gRPC server limits, by default', () => {
  let sut: ServiceUnderTest;
  beforeAll(async () => {
    sut = await startServiceUnderTest();
  });
  afterAll(() => sut?.stop());

  it('a request over 1 MiB gets RESOURCE_EXHAUSTED, and the next call on the same connection is answered', async () => {
    const clinicId = await sut.givenClinic();
    const admin = await sut.admin(clinicId);

    const error = await failureOf(admin.getClinicSettings({ clinicId: 'x'.repeat(1024 * 1024 + 1) }));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    await expect(admin.getClinicSettings({ clinicId })).resolves.toMatchObject({ settings: { clinicId } });
  });

  it('every connection is told it may open at most 100 concurrent streams', async () => {
    const connection = rawConnection(sut.service.port);
    expect((await connection.settings).maxConcurrentStreams).toBe(100);
    connection.session.close();
  });
});

describe('gRPC server limits: maximum connection age', () => {
  let sut: ServiceUnderTest;
  beforeAll(async () => {
    sut = await startServiceUnderTest({ env: { GRPC_MAX_CONNECTION_AGE_MS: '1000', GRPC_MAX_CONNECTION_AGE_GRACE_MS: '500' } });
  });
  afterAll(() => sut?.stop());

  it('a connection past its age is told to go away, then closed after the grace; the service answers new ones', async () => {
    const connection = rawConnection(sut.service.port);
    expect(await connection.goaway).toBe(constants.NGHTTP2_NO_ERROR);
    await connection.closed;

    const clinicId = await sut.givenClinic();
    await expect((await sut.admin(clinicId)).getClinicSettings({ clinicId })).resolves.toMatchObject({ settings: { clinicId } });
  });
});
