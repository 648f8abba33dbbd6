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
import { channelCredentials, unaryWithToken } from './grpc-channel';

/** The operator-only AdminService, typed from the generated client, one promise per call. */
export interface AdminClient {
  inspectResident(request: InspectResidentRequest): Promise<InspectResidentResponse>;
  republish(request: RepublishRequest): Promise<RepublishResponse>;
  getRepublishJob(request: GetRepublishJobRequest): Promise<GetRepublishJobResponse>;
  listJobs(request: ListJobsRequest): Promise<ListJobsResponse>;
  getOutboxStatus(request: GetOutboxStatusRequest): Promise<GetOutboxStatusResponse>;
  close(): void;
}

export function connectAdmin(o: ConnectionOptions): AdminClient {
  const client = new AdminServiceClient(o.address, channelCredentials(o));
  const unary = unaryWithToken(o);
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
  return { importAccesses: unaryWithToken(o)(client.importAccesses.bind(client)), close: () => client.close() };
}
