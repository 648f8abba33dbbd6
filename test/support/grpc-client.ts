import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  ResidentAccessServiceClient,
  type ApproveResidentRequest,
  type ApproveResidentResponse,
} from '../../src/gen/residentaccess/v1/resident_access_service';
import { BadRequest, ErrorInfo } from '../../src/gen/google/rpc/error_details';
import { Status } from '../../src/gen/google/rpc/status';

export type Client = InstanceType<typeof ResidentAccessServiceClient>;

export function connectClient(port: number): Client {
  return new ResidentAccessServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
}

type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** Calls a unary method and returns its response, or rejects with the ServiceError. */
export function call<Req, Res>(client: Client, method: UnaryMethod<Req, Res>, request: Req, metadata = new Metadata()): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Typed promise-returning calls of the service, one per RPC. */
export function apiOf(client: Client) {
  return {
    approveResident: (r: ApproveResidentRequest) => call<ApproveResidentRequest, ApproveResidentResponse>(client, client.approveResident, r),
  };
}

export type Api = ReturnType<typeof apiOf>;

/** Awaits a call that must fail; returns its ServiceError. */
export async function failureOf(pending: Promise<unknown>): Promise<ServiceError> {
  try {
    await pending;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Decodes the google.rpc.Status details (AIP-193) of a failed call. */
export function errorDetails(error: ServiceError): { reason?: string; domain?: string; violations: { field: string; reason: string; description: string }[] } {
  const raw = error.metadata.get('grpc-status-details-bin')[0];
  if (!raw) return { violations: [] };
  const status = Status.decode(raw as Buffer);
  let info: ErrorInfo | undefined;
  let violations: { field: string; reason: string; description: string }[] = [];
  for (const detail of status.details) {
    if (detail.typeUrl.endsWith('google.rpc.ErrorInfo')) info = ErrorInfo.decode(detail.value);
    if (detail.typeUrl.endsWith('google.rpc.BadRequest')) violations = BadRequest.decode(detail.value).fieldViolations;
  }
  return { reason: info?.reason, domain: info?.domain, violations };
}
