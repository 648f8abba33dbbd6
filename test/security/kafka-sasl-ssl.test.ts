import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config';
import { buildKafka } from '../../src/publishing-kafka/kafka-client';
import { anApproveResidentRequest } from '../builders/requests';
import { startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { freePort, ownKafka } from '../support/stack-instance';
import { serviceEnv, uniqueName } from '../support/test-env';
import { testAuthEnv } from '../support/tokens';
import { brokerKeystore } from './kafka-keystore';
import { certificateFolder } from './test-certificates';

/** A broker of the test's own with a SASL_SSL listener (SCRAM-SHA-512); the service reaches it only there. */
describe('Kafka over SASL_SSL with SCRAM-SHA-512', () => {
  let broker: Awaited<ReturnType<typeof ownKafka>>;
  let sut: ServiceUnderTest | undefined;
  let secureEnv: Record<string, string>;
  const user = { name: 'resident-access', password: randomBytes(16).toString('hex') };

  beforeAll(async () => {
    const folder = await certificateFolder();
    const keystore = await brokerKeystore(folder);
    const saslPort = await freePort();
    broker = await ownKafka(uniqueName('kafka-sasl'), {
      saslSsl: { port: saslPort, keystoreFile: keystore.keystoreFile, keystorePassword: keystore.keystorePassword, users: [user] },
    });
    await broker.start();
    const passwordFile = join(folder, 'kafka-password');
    await writeFile(passwordFile, `${user.password}\n`);
    secureEnv = {
      KAFKA_BROKERS: `127.0.0.1:${saslPort}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: keystore.trustedCertFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: user.name,
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    };
  });
  afterAll(async () => {
    await sut?.stop();
    await broker?.destroy();
  });

  it('an approval made through the service is published over SASL_SSL and consumed from that broker', async () => {
    sut = await startServiceUnderTest({ env: secureEnv, consumerBrokers: broker.brokers });
    const clinicId = await sut.givenClinic();
    const request = anApproveResidentRequest({ clinicId });
    await (await sut.staff(clinicId)).approveResident(request);

    const [event] = await sut.events.waitFor((e) => e.value.requestId === request.requestId);
    expect(event!.value.requestId).toBe(request.requestId);
  });

  it('a wrong password is refused by the broker', async () => {
    const settings = loadConfig(serviceEnv({ ...(await testAuthEnv()), ...secureEnv, KAFKA_SASL_PASSWORD_FILE: '', KAFKA_SASL_PASSWORD: 'not-the-password' }));
    const admin = buildKafka(settings.kafka, pino({ level: 'silent' })).admin({ retry: { retries: 0 } });
    await expect(admin.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
    await admin.disconnect();
  });
});
