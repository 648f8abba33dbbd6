import fc from 'fast-check';
import { aClinicId } from '../builders/identity';
import { everyUnaryRpc } from './rpc-catalogue';
import { malformedBytes, messageBytes, type FuzzContext } from './wire-arbitraries';

/** Well past gRPC's 4 MB limit, far below what would take a test process's memory. */
const MAX_REQUEST_BYTES = 64 << 20;
// 1251903899 made a malformed ImportAccesses request of 2 000 rows of 2 000 long grants (gigabytes:
// the fuzz suite's process was killed for its memory); 42 is any.
const SEEDS = [1251903899, 42];
const context: FuzzContext = { clinicId: aClinicId(), caseTypeIds: ['restricted-1', 'general'] };
const callers = fc.constantFrom('admin', 'staff', 'eservice', 'residentEservice', 'operator');

/** The fuzz suite's requests, drawn as it draws them (the same seeds give the same requests), are of a size a test can send. */
describe.each(everyUnaryRpc().map((rpc) => [rpc.path, rpc] as const))('the fuzzed requests of %s', (_path, rpc) => {
  it.each(SEEDS)('stay under 64 MB with seed %d', (seed) => {
    let largest = 0;
    const arbitraries: fc.Arbitrary<Uint8Array>[] = [messageBytes(rpc.input, context), malformedBytes(rpc.input, context)];
    for (const arbitrary of arbitraries) {
      fc.assert(
        fc.property(arbitrary, callers, (request, _caller) => {
          largest = Math.max(largest, request.length);
        }),
        { seed, numRuns: 120 },
      );
    }
    expect(largest).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });
});
