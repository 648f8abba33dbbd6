import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A broker keystore made with the JDK's keytool, as a Kafka operator would: a PKCS12 store with a
 * self-signed EC key for 127.0.0.1/localhost, and that certificate in PEM for clients to trust.
 */
export async function brokerKeystore(folder: string): Promise<{ keystoreFile: string; keystorePassword: string; trustedCertFile: string }> {
  const keystoreFile = join(folder, 'broker.p12');
  const trustedCertFile = join(folder, 'broker-cert.pem');
  const keystorePassword = randomBytes(12).toString('hex');
  const store = ['-keystore', keystoreFile, '-storetype', 'PKCS12', '-storepass', keystorePassword];
  await run('keytool', [
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'EC',
    '-groupname',
    'secp256r1',
    '-sigalg',
    'SHA256withECDSA',
    '-dname',
    'CN=localhost',
    '-ext',
    'SAN=ip:127.0.0.1,dns:localhost',
    '-validity',
    '1',
    '-keypass',
    keystorePassword,
    ...store,
  ]);
  await run('keytool', ['-exportcert', '-alias', 'broker', '-rfc', '-file', trustedCertFile, ...store]);
  return { keystoreFile, keystorePassword, trustedCertFile };
}
