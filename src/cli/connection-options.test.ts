import { connectionOptions, isLoopbackTarget } from './connection-options';
import { UsageError } from './exit-codes';

const token = { RESIDENT_ACCESS_TOKEN: 'operator-token-not-to-echo' };
const refusal = '--insecure would send the operator token in clear to a host that is not loopback: use TLS, or add --allow-insecure-remote';

describe('--insecure (plaintext, the token in clear)', () => {
  it.each([
    'localhost:50051',
    '127.0.0.1:50051',
    '127.8.0.1:50051',
    '[::1]:50051',
    'LOCALHOST',
    'dns:localhost:50051',
    'dns:///localhost:50051',
    'ipv4:127.0.0.1:1,127.0.0.2:2',
    'unix:/run/ra.sock',
  ])('is allowed to the loopback target %s', (address) => {
    expect(isLoopbackTarget(address)).toBe(true);
    expect(connectionOptions({ address, insecure: true }, token)).toMatchObject({ address, insecure: true });
  });

  it.each([
    'resident-access.care.svc:50051',
    '10.0.0.7:50051',
    '0.0.0.0:50051',
    '[2001:db8::1]:50051',
    'localhost.example.se:50051',
    'dns:///ra.example.se:443',
    'ipv4:127.0.0.1:1,10.0.0.1:2',
    '',
  ])('is refused to %j, as a wrong command line that names the way out and not the token', (address) => {
    expect(isLoopbackTarget(address)).toBe(false);
    const attempt = () => connectionOptions({ address, insecure: true }, token);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(refusal);
  });

  it('is refused when it comes from the environment too', () => {
    expect(() => connectionOptions({}, { ...token, RESIDENT_ACCESS_ADDRESS: 'ra.example.se:443', RESIDENT_ACCESS_INSECURE: 'true' })).toThrow(refusal);
  });

  it('reaches a remote host only with --allow-insecure-remote on the command line', () => {
    expect(connectionOptions({ address: 'ra.example.se:443', insecure: true, 'allow-insecure-remote': true }, token)).toMatchObject({ address: 'ra.example.se:443', insecure: true });
  });

  it('leaves TLS to any host as it was', () => {
    expect(connectionOptions({ address: 'ra.example.se:443' }, token)).toMatchObject({ address: 'ra.example.se:443', insecure: false });
  });
});
