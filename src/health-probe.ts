import { probeHealth } from './transport-grpc/health-probe';

const TIMEOUT_MS = 5000;

/**
 * `node dist/health-probe.js <host:port> [entry]` in the image (`helm test`'s pod runs it): asks the
 * plaintext health port for an entry ("" by default: the service overall). Exit 0 when SERVING,
 * 1 when it answers otherwise or not at all, 2 on a wrong command line; one line either way.
 */
async function main(argv: string[]): Promise<number> {
  const [address, entry = '', ...rest] = argv;
  if (!address || rest.length > 0) {
    process.stderr.write('usage: health-probe <host:port> [entry]\n');
    return 2;
  }
  const result = await probeHealth(address, entry, TIMEOUT_MS);
  const name = JSON.stringify(entry);
  if (result.answered && result.status === 'SERVING') {
    process.stdout.write(`health ${name} at ${address}: SERVING\n`);
    return 0;
  }
  process.stderr.write(`health ${name} at ${address}: ${result.answered ? result.status : `no answer (${result.reason})`}\n`);
  return 1;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
