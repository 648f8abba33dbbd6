import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { Health } from '../background/health-monitor';
import { descriptorFiles } from './descriptor-files';

export const SERVICE_NAME = 'residentaccess.v1.ResidentAccessService';
/** A separately named health entry: Kafka's state, which does not stop commands being accepted. */
export const PUBLISHING_HEALTH_NAME = 'residentaccess.v1.EventPublishing';
/** For liveness probes: SERVING while the process runs and is not stopping, whatever MongoDB and Kafka do. */
export const LIVENESS_HEALTH_NAME = 'liveness';

export interface HealthEntries {
  setService(health: Health): void;
  setPublishing(health: Health): void;
  setLiveness(health: Health): void;
  /** Serves the same entries on another server too (the plaintext health-only listener). */
  alsoOn(server: Server): void;
}

/** Adds grpc.health.v1 and server reflection, so generic clients such as grpcurl can list and call. */
export function addHealthAndReflection(server: Server): HealthEntries {
  const health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING', [PUBLISHING_HEALTH_NAME]: 'NOT_SERVING', [LIVENESS_HEALTH_NAME]: 'NOT_SERVING' });
  health.addToServer(server);

  // Reflection reads only `fileDescriptorProtos`; giving it buf's exact descriptors avoids
  // proto-loader's re-encoding, which drops imported well-known types.
  const descriptors = { residentaccess: { fileDescriptorProtos: descriptorFiles() } } as unknown as PackageDefinition;
  const services = [SERVICE_NAME, 'residentaccess.v1.ClinicSettingsService', 'residentaccess.v1.EntitlementService', 'residentaccess.v1.AuditService', 'grpc.health.v1.Health'];
  new ReflectionService(descriptors, { services }).addToServer(server);

  return {
    setService(status) {
      health.setStatus('', status);
      health.setStatus(SERVICE_NAME, status);
    },
    setPublishing(status) {
      health.setStatus(PUBLISHING_HEALTH_NAME, status);
    },
    setLiveness(status) {
      health.setStatus(LIVENESS_HEALTH_NAME, status);
    },
    alsoOn(other) {
      health.addToServer(other);
    },
  };
}
