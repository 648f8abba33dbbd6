import { Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  EntitlementReason,
  EntitlementServiceService,
  type CheckEntitlementResponse,
  type EntitlementServiceServer,
  type ListEntitlementsRequest,
} from '../gen/residentaccess/v1/entitlement_service';
import { AuditServiceService } from '../gen/residentaccess/v1/audit_service';
import type { EntitlementHandlers } from './handlers/entitlement-handlers';
import { implement } from './implement-service';
import type { Middleware } from './middleware/pipeline';
import type { UseCaseHandlers } from './use-case-handlers';

const denied: CheckEntitlementResponse = { allowed: false, reason: EntitlementReason.ENTITLEMENT_REASON_UNSPECIFIED, untilDate: '' };

/** Authenticates everyone as `caller` and records the order the middleware ran in. */
function recordingMiddleware(ran: string[]): Middleware[] {
  return [
    async (_call, next) => {
      ran.push('outer');
      return next();
    },
    async (call, next) => {
      ran.push('inner');
      call.principal = { subject: 'caller' } as NonNullable<typeof call.principal>;
      return next();
    },
  ];
}

function callOf<Req>(request: Req): ServerUnaryCall<Req, unknown> {
  return { request, metadata: new Metadata(), getDeadline: () => Infinity, on: () => undefined } as unknown as ServerUnaryCall<Req, unknown>;
}

describe('a generated service implemented by use-case handlers', () => {
  it('calls the handler of each RPC behind the middleware, in the order listed, with the caller and the call signal', async () => {
    const ran: string[] = [];
    const seen: unknown[] = [];
    const handlers: EntitlementHandlers = {
      listEntitlements: async () => ({ clinics: [] }),
      checkEntitlement: async (request, { principal, signal }) => {
        seen.push(request.clinicId, principal.subject, signal.aborted);
        return denied;
      },
    };
    const server: EntitlementServiceServer = implement(EntitlementServiceService, handlers, recordingMiddleware(ran));

    const answer = await new Promise<Parameters<sendUnaryData<CheckEntitlementResponse>>>((resolve) =>
      server.checkEntitlement(callOf({ personalIdentityNumber: '', clinicId: 'SE1', caseTypeId: 'general', consistencyToken: '' }), (...args) => resolve(args)),
    );

    expect(answer).toEqual([null, denied]);
    expect(ran).toEqual(['outer', 'inner']);
    expect(seen).toEqual(['SE1', 'caller', false]);
    expect(Object.keys(server).sort()).toEqual(Object.keys(EntitlementServiceService).sort());
  });
});

// Compile-time checks (`tsc --noEmit` fails if any of these errors goes away).
const listEntitlements = async (_r: ListEntitlementsRequest) => ({ clinics: [] });

// @ts-expect-error -- a handler object missing one RPC (checkEntitlement) does not compile
const missingOne: EntitlementHandlers = { listEntitlements };

const misTyped: UseCaseHandlers<EntitlementServiceService> = {
  listEntitlements,
  // @ts-expect-error -- a handler answering with the wrong message does not compile
  checkEntitlement: async () => ({ clinics: [] }),
};

// @ts-expect-error -- one service's handlers cannot implement another service
const wrongService = () => implement(AuditServiceService, { listEntitlements, checkEntitlement: async () => denied }, []);

void [missingOne, misTyped, wrongService];
