import { ResidentAccessServiceClient, type ListResidentsRequest, type ListResidentsResponse } from '../gen/residentaccess/v1/resident_access_service';
import type { ConnectionOptions } from './connection-options';
import { channelCredentials, unaryWithToken } from './grpc-channel';

/** The clinic staff's ResidentAccessService, as far as the CLI uses it (export): one promise per call. */
export interface StaffClient {
  listResidents(request: ListResidentsRequest): Promise<ListResidentsResponse>;
  close(): void;
}

export function connectStaff(o: ConnectionOptions): StaffClient {
  const client = new ResidentAccessServiceClient(o.address, channelCredentials(o));
  const unary = unaryWithToken(o);
  return {
    listResidents: unary(client.listResidents.bind(client)),
    close: () => client.close(),
  };
}
