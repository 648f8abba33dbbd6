import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

/** What `grpc.health.v1.Health/Check` answered for one entry, or why it did not answer. */
export type ProbeResult = { answered: true; status: string } | { answered: false; reason: string };

/**
 * Asks the plaintext health-only port (GRPC_HEALTH_PORT) for one entry's status, as kubelet's
 * probes do: `helm test`'s pod runs it from the service's own image (src/health-probe.ts).
 */
export function probeHealth(address: string, entry: string, timeoutMs: number): Promise<ProbeResult> {
  const check = healthService.Check!;
  const client = new Client(address, credentials.createInsecure());
  return new Promise<ProbeResult>((resolve) => {
    client.makeUnaryRequest(
      check.path,
      check.requestSerialize,
      check.responseDeserialize,
      { service: entry },
      { deadline: Date.now() + timeoutMs },
      (error: ServiceError | null, response?: { status?: string | number }) => {
        if (error) resolve({ answered: false, reason: `${error.code} ${error.details}` });
        else resolve({ answered: true, status: String(response?.status ?? 'UNKNOWN') });
      },
    );
  }).finally(() => client.close());
}
