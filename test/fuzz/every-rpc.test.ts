import { status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { ENTITLEMENTS_SCOPE, OPERATOR_SCOPE } from '../../src/domain/authorization/principal';
import { checkHealth, healthClient } from '../support/health-client';
import { RESTRICTED_AND_GENERAL, startServiceUnderTest, type ServiceUnderTest } from '../support/service-under-test';
import { aResident } from '../builders/identity';
import { residentEserviceClaims, signTestToken } from '../support/tokens';
import { RawClient } from '../support/raw-client';
import { everyUnaryRpc } from './rpc-catalogue';
import { identityNumbersIn, malformedBytes, messageBytes, type FuzzContext } from './wire-arbitraries';

/**
 * Every unary RPC of the API, fed arbitrary well-typed messages and bytes that are no valid message
 * at all, by callers who pass authentication. Each answer must be a status the caller can act on:
 * never INTERNAL or UNKNOWN, never no answer at all, never a number that was sent, never a stack
 * trace; and the service stays healthy. The RPCs come from the descriptor set, so new ones are fuzzed too.
 */
const rpcs = everyUnaryRpc();
// residentEservice: the e-service acting for one resident (an exchanged token), which reads that resident's own logs.
type Caller = 'admin' | 'staff' | 'eservice' | 'residentEservice' | 'operator';
const callers = fc.constantFrom<Caller>('admin', 'staff', 'eservice', 'residentEservice', 'operator');
// Enough runs per RPC to hit every kind of bad input a few times, in well under a minute on two
// cores; FUZZ_RUNS_PER_RPC asks for a longer hunt.
const RUNS_PER_RPC = Number(process.env.FUZZ_RUNS_PER_RPC ?? 40);
// Printed first, so a run that never reports (a hang, a process killed for its memory) can be
// replayed with FUZZ_SEED.
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
fc.configureGlobal({ seed: SEED });
process.stdout.write(`every-rpc fuzz: FUZZ_SEED=${SEED}\n`);

describe('every RPC, fuzzed', () => {
  let sut: ServiceUnderTest;
  let raw: RawClient;
  let health: ReturnType<typeof healthClient>;
  let context: FuzzContext;
  let tokens: Record<Caller, string>;

  beforeAll(async () => {
    sut = await startServiceUnderTest();
    const clinicId = await sut.givenClinic({ caseTypes: RESTRICTED_AND_GENERAL });
    context = { clinicId, caseTypeIds: RESTRICTED_AND_GENERAL.map((c) => c.id) };
    tokens = {
      admin: await signTestToken({ sub: 'fuzz-admin', clinics: [clinicId], roles: ['staff', 'admin'] }),
      staff: await signTestToken({ sub: 'fuzz-staff', clinics: [clinicId], roles: ['staff'] }),
      eservice: await signTestToken({ sub: 'fuzz-eservice', scope: ENTITLEMENTS_SCOPE }),
      residentEservice: await signTestToken(residentEserviceClaims(aResident(), 'fuzz-resident')),
      operator: await signTestToken({ sub: 'fuzz-operator', scope: OPERATOR_SCOPE }),
    };
    raw = new RawClient(sut.service.port);
    health = healthClient(sut.service.port);
  });

  afterAll(async () => {
    raw?.close();
    health?.close();
    await sut?.stop();
  });

  it('finds the RPCs in the descriptor set', () => {
    expect(rpcs.map((r) => r.path)).toEqual(expect.arrayContaining(['/residentaccess.v1.ResidentAccessService/LookupResident']));
    expect(rpcs.map((r) => r.path)).toEqual(expect.arrayContaining(['/residentaccess.v1.AdminService/InspectResident']));
    expect(new Set(rpcs.map((r) => r.path.split('/')[1])).size).toBeGreaterThanOrEqual(5);
  });

  describe.each(rpcs.map((rpc) => [rpc.path, rpc] as const))('%s', (_path, rpc) => {
    it('answers arbitrary well-typed messages cleanly', async () => {
      await fc.assert(
        fc.asyncProperty(messageBytes(rpc.input, context), callers, async (request, caller) => {
          expectClean(rpc.path, request, await raw.call(rpc.path, request, tokens[caller]));
        }),
        { numRuns: RUNS_PER_RPC },
      );
      await expect(checkHealth(health)).resolves.toBe('SERVING');
    });

    it('answers bytes that are no valid message cleanly', async () => {
      await fc.assert(
        fc.asyncProperty(malformedBytes(rpc.input, context), callers, async (request, caller) => {
          expectClean(rpc.path, request, await raw.call(rpc.path, request, tokens[caller]));
        }),
        { numRuns: RUNS_PER_RPC },
      );
      await expect(checkHealth(health)).resolves.toBe('SERVING');
    });
  });
});

// DEADLINE_EXCEEDED here is the client's own 30 s deadline: the service never answered.
// UNIMPLEMENTED: an RPC of the API that the service does not serve.
const UNCLEAN = new Set([status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED, status.UNIMPLEMENTED]);

/** Fails with a description that names the status, never the number that leaked. */
function expectClean(path: string, request: Uint8Array, outcome: { ok: true } | { ok: false; error: ServiceError }): void {
  if (outcome.ok) return;
  const { code, details } = outcome.error;
  if (UNCLEAN.has(code)) throw new Error(`${path} answered ${status[code]}: ${details}`);
  const answered = [details, decodedDetails(outcome.error)];
  for (const text of answered) {
    if (identityNumbersIn(request).some((n) => text.includes(n))) throw new Error(`${path} (${status[code]}) echoed an identity number it was sent`);
    if (/\n\s+at |\.[jt]s:\d+/.test(text)) throw new Error(`${path} (${status[code]}) answered with a stack trace`);
  }
}

/** The google.rpc.Status details as text: their strings are readable in it. */
function decodedDetails(error: ServiceError): string {
  const raw = error.metadata.get('grpc-status-details-bin')[0];
  return raw ? Buffer.from(raw).toString('latin1') : '';
}
