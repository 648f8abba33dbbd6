import { credentials, loadPackageDefinition, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import { eventually } from './eventually';

type HealthClient = Client & {
  check(req: { service: string }, cb: (e: ServiceError | null, r: { status: string }) => void): void;
  watch(req: { service: string }): ClientReadableStream<{ status: string }>;
};

const definition = loadPackageDefinition(loadSync(protoPath, { enums: String })) as unknown as {
  grpc: { health: { v1: { Health: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => HealthClient } } };
};

/** A plain grpc.health.v1 client, as a load balancer or grpcurl would use. */
export function healthClient(port: number): HealthClient {
  return new definition.grpc.health.v1.Health(`127.0.0.1:${port}`, credentials.createInsecure());
}

export function checkHealth(client: HealthClient, service = ''): Promise<string> {
  return new Promise((resolve, reject) => client.check({ service }, (e, r) => (e ? reject(e) : resolve(r.status))));
}

/** Polls Check until it answers `expected` or the time runs out; returns the last answer (so a test's `toBe` shows it). */
export async function waitForHealth(client: HealthClient, service: string, expected: string, timeoutMs = 30000): Promise<string> {
  let last = '';
  const answers = async () => {
    last = await checkHealth(client, service).catch((e: Error) => `error: ${e.message}`);
    return last === expected;
  };
  await eventually(answers, { what: `${service || 'the service'} ${expected}`, timeoutMs }).catch(() => undefined);
  return last;
}
