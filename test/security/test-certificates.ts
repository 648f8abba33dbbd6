import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of one certificate and its key. */
export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

/** A folder of this test's own for certificates and keys. */
export function certificateFolder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'resident-access-tls-'));
}

/**
 * A certificate authority made by the test with openssl (node has no certificate-signing API):
 * an EC P-256 key and a self-signed CA certificate valid for a day.
 */
export async function makeCa(folder: string, name: string): Promise<CertificateFiles> {
  const files = { certFile: join(folder, `${name}-ca.pem`), keyFile: join(folder, `${name}-ca.key`) };
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name} test CA`,
    '-keyout',
    files.keyFile,
    '-out',
    files.certFile,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return files;
}

/** A certificate the CA signed: for a server on 127.0.0.1/localhost, or for a client (service caller). */
export async function issue(ca: CertificateFiles, folder: string, name: string, use: 'server' | 'client'): Promise<CertificateFiles> {
  const files = { certFile: join(folder, `${name}.pem`), keyFile: join(folder, `${name}.key`) };
  const csr = join(folder, `${name}.csr`);
  const extensions = join(folder, `${name}.ext`);
  await writeFile(extensions, use === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', files.keyFile, '-out', csr]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', '1', '-extfile', extensions, '-out', files.certFile]);
  return files;
}
