import { readFileSync } from 'node:fs';
import { credentials, Metadata, type CallOptions, type ChannelCredentials, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import {
  AdminServiceClient,
  type GetOutboxStatusRequest,
  type GetOutboxStatusResponse,
  type GetRepublishJobRequest,
  type GetRepublishJobResponse,
  type InspectResidentRequest,
  type InspectResidentResponse,
  type ListJobsRequest,
  type ListJobsResponse,
  type RepublishRequest,
  type RepublishResponse,
} from '../gen/residentaccess/v1/admin_service';
import { ResidentAccessServiceClient, type ImportAccessesRequest, type ImportAccessesResponse } from '../gen/residentaccess/v1/resident_access_service';
import type { ConnectionOptions } from './connection-options';
import { InputError } from './exit-codes';

/** The operator-only AdminService, typed from the generated client, one promise per call. */
export interface AdminClient {
  inspectResident(request: InspectResidentRequest): Promise<InspectResidentResponse>;
  republish(request: RepublishRequest): Promise<RepublishResponse>;
  getRepublishJob(request: GetRepublishJobRequest): Promise<GetRepublishJobResponse>;
  listJobs(request: ListJobsRequest): Promise<ListJobsResponse>;
  getOutboxStatus(request: GetOutboxStatusRequest): Promise<GetOutboxStatusResponse>;
  close(): void;
}

const CALL_TIMEOUT_MS = 30_000;

type UnaryCall<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Res) => void) => ClientUnaryCall;

function readCredentialFile(path: string | undefined, flag: string): Buffer | null {
  if (!path) return null;
  try {
    return readFileSync(path);
  } catch {
    throw new InputError(`cannot read ${flag} ${path}`);
  }
}

function channelCredentials(o: ConnectionOptions): ChannelCredentials {
  if (o.insecure) return credentials.createInsecure();
  return credentials.createSsl(readCredentialFile(o.ca, '--ca'), readCredentialFile(o.key, '--key'), readCredentialFile(o.cert, '--cert'));
}

/** One promise per call, with the token and the call's deadline. */
function unaryWith(o: ConnectionOptions) {
  return <Req, Res>(method: UnaryCall<Req, Res>) =>
    (request: Req): Promise<Res> => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${o.token}`);
      return new Promise((resolve, reject) =>
        method(request, metadata, { deadline: new Date(Date.now() + CALL_TIMEOUT_MS) }, (error, response) => (error ? reject(error) : resolve(response))),
      );
    };
}

export function connectAdmin(o: ConnectionOptions): AdminClient {
  const client = new AdminServiceClient(o.address, channelCredentials(o));
  const unary = unaryWith(o);
  return {
    inspectResident: unary(client.inspectResident.bind(client)),
    republish: unary(client.republish.bind(client)),
    getRepublishJob: unary(client.getRepublishJob.bind(client)),
    listJobs: unary(client.listJobs.bind(client)),
    getOutboxStatus: unary(client.getOutboxStatus.bind(client)),
    close: () => client.close(),
  };
}

/** ImportAccesses of the clinic staff's service: `import` runs with a clinic administrator's token. */
export interface ImportClient {
  importAccesses(request: ImportAccessesRequest): Promise<ImportAccessesResponse>;
  close(): void;
}

export function connectImport(o: ConnectionOptions): ImportClient {
  const client = new ResidentAccessServiceClient(o.address, channelCredentials(o));
  return { importAccesses: unaryWith(o)(client.importAccesses.bind(client)), close: () => client.close() };
}
