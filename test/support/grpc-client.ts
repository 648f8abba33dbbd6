import { credentials, Metadata, type ChannelCredentials, type ChannelOptions, type Client, type ServiceError } from '@grpc/grpc-js';
import { BadRequest, ErrorInfo, RetryInfo } from '../../src/gen/google/rpc/error_details';
import { Status } from '../../src/gen/google/rpc/status';
import * as audit from '../../src/gen/residentaccess/v1/audit_service';
import * as settings from '../../src/gen/residentaccess/v1/clinic_settings_service';
import * as entitlements from '../../src/gen/residentaccess/v1/entitlement_service';
import * as access from '../../src/gen/residentaccess/v1/resident_access_service';

/** Real gRPC clients of the three services, on one address. */
export interface Clients {
  residentAccess: InstanceType<typeof access.ResidentAccessServiceClient>;
  clinicSettings: InstanceType<typeof settings.ClinicSettingsServiceClient>;
  entitlements: InstanceType<typeof entitlements.EntitlementServiceClient>;
  audit: InstanceType<typeof audit.AuditServiceClient>;
  close(): void;
}

/** Plaintext by default; TLS tests pass their own credentials (and options such as a subchannel pool of their own). */
export function connectClients(port: number, channel: ChannelCredentials = credentials.createInsecure(), options: ChannelOptions = {}): Clients {
  const address = `127.0.0.1:${port}`;
  const clients = {
    residentAccess: new access.ResidentAccessServiceClient(address, channel, options),
    clinicSettings: new settings.ClinicSettingsServiceClient(address, channel, options),
    entitlements: new entitlements.EntitlementServiceClient(address, channel, options),
    audit: new audit.AuditServiceClient(address, channel, options),
  };
  return { ...clients, close: () => Object.values(clients).forEach((c) => c.close()) };
}

function unary<Req, Res>(client: Client, method: string, token: string | null) {
  return (request: Req): Promise<Res> =>
    new Promise((resolve, reject) => {
      const metadata = new Metadata();
      if (token !== null) metadata.set('authorization', `Bearer ${token}`);
      const fn = (client as unknown as Record<string, (r: Req, m: Metadata, cb: (e: ServiceError | null, r: Res) => void) => void>)[method]!;
      fn.call(client, request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
    });
}

/** Typed promise-returning calls of every RPC, made with `token` (null: no authorization header). */
export function apiOf(clients: Clients, token: string | null) {
  const a = clients.residentAccess;
  const s = clinicsOf(clients);
  const e = clients.entitlements;
  return {
    lookupResident: unary<access.LookupResidentRequest, access.LookupResidentResponse>(a, 'lookupResident', token),
    approveResident: unary<access.ApproveResidentRequest, access.ApproveResidentResponse>(a, 'approveResident', token),
    removeApproval: unary<access.RemoveApprovalRequest, access.RemoveApprovalResponse>(a, 'removeApproval', token),
    removeApprovals: unary<access.RemoveApprovalsRequest, access.RemoveApprovalsResponse>(a, 'removeApprovals', token),
    getBulkRemoval: unary<access.GetBulkRemovalRequest, access.GetBulkRemovalResponse>(a, 'getBulkRemoval', token),
    grantCaseType: unary<access.GrantCaseTypeRequest, access.GrantCaseTypeResponse>(a, 'grantCaseType', token),
    changeGrant: unary<access.ChangeGrantRequest, access.ChangeGrantResponse>(a, 'changeGrant', token),
    removeGrant: unary<access.RemoveGrantRequest, access.RemoveGrantResponse>(a, 'removeGrant', token),
    getResidentAccess: unary<access.GetResidentAccessRequest, access.GetResidentAccessResponse>(a, 'getResidentAccess', token),
    listResidents: unary<access.ListResidentsRequest, access.ListResidentsResponse>(a, 'listResidents', token),
    importAccesses: unary<access.ImportAccessesRequest, access.ImportAccessesResponse>(a, 'importAccesses', token),
    getClinicSettings: unary<settings.GetClinicSettingsRequest, settings.GetClinicSettingsResponse>(s, 'getClinicSettings', token),
    putCaseType: unary<settings.PutCaseTypeRequest, settings.PutCaseTypeResponse>(s, 'putCaseType', token),
    removeCaseType: unary<settings.RemoveCaseTypeRequest, settings.RemoveCaseTypeResponse>(s, 'removeCaseType', token),
    setServiceArea: unary<settings.SetServiceAreaRequest, settings.SetServiceAreaResponse>(s, 'setServiceArea', token),
    clearServiceArea: unary<settings.ClearServiceAreaRequest, settings.ClearServiceAreaResponse>(s, 'clearServiceArea', token),
    setGrantEndingSoonDays: unary<settings.SetGrantEndingSoonDaysRequest, settings.SetGrantEndingSoonDaysResponse>(s, 'setGrantEndingSoonDays', token),
    listEntitlements: withEmptyToken(unary<entitlements.ListEntitlementsRequest, entitlements.ListEntitlementsResponse>(e, 'listEntitlements', token)),
    checkEntitlement: withEmptyToken(unary<entitlements.CheckEntitlementRequest, entitlements.CheckEntitlementResponse>(e, 'checkEntitlement', token)),
    listClinicAuditEntries: unary<audit.ListClinicAuditEntriesRequest, audit.ListClinicAuditEntriesResponse>(clients.audit, 'listClinicAuditEntries', token),
    listResidentAuditEntries: unary<audit.ListResidentAuditEntriesRequest, audit.ListResidentAuditEntriesResponse>(clients.audit, 'listResidentAuditEntries', token),
    listResidentAccessLog: unary<audit.ListResidentAccessLogRequest, audit.ListResidentAccessLogResponse>(clients.audit, 'listResidentAccessLog', token),
  };
}

function clinicsOf(clients: Clients): Client {
  return clients.clinicSettings;
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

/** The google.rpc.ErrorInfo metadata of a failed call ({} when it carries none). */
export function errorInfoMetadataOf(error: ServiceError): Record<string, string> {
  const raw = error.metadata.get('grpc-status-details-bin')[0];
  if (!raw) return {};
  const detail = Status.decode(raw as Buffer).details.find((d) => d.typeUrl.endsWith('google.rpc.ErrorInfo'));
  return detail ? ErrorInfo.decode(detail.value).metadata : {};
}

/** The google.rpc.RetryInfo delay of a failed call; null when it carries none. */
export function retryDelayOf(error: ServiceError): { seconds: number; nanos: number } | null {
  const raw = error.metadata.get('grpc-status-details-bin')[0];
  if (!raw) return null;
  const detail = Status.decode(raw as Buffer).details.find((d) => d.typeUrl.endsWith('google.rpc.RetryInfo'));
  return detail ? (RetryInfo.decode(detail.value).retryDelay ?? null) : null;
}

/** Entitlement queries take a consistency token only when a test means to. */
function withEmptyToken<Req extends { consistencyToken: string }, Res>(call: (request: Req) => Promise<Res>) {
  return (request: Omit<Req, 'consistencyToken'> & { consistencyToken?: string }): Promise<Res> => call({ consistencyToken: '', ...request } as Req);
}
