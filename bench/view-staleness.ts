/**
 * View staleness: from ApproveResident's answer (a fresh resident at a seeded clinic) to the first
 * CheckEntitlement without consistency token that answers allowed.
 */
import { randomUUID } from 'node:crypto';
import type { Api } from '../test/support/grpc-client';
import { log, residentNumber, round1 } from './common';
import { newHistogram, type LoadResult } from './load';
import { READS_TEMPLATE_CLINIC, readsClinicId } from './reads-seed';
import { GENERAL_CASE_TYPE } from './writes';

/** Fresh residents of the staleness step: never seeded, never among the reads' residents. */
export const STALENESS_BLOCK = 3;

/** Cloned clinics (the template when there is none) at which the staleness step approves. */
export const stalenessClinics = (clinics: number): string[] => (clinics > 1 ? Array.from({ length: Math.min(4, clinics - 1) }, (_, n) => readsClinicId(n + 1)) : [READS_TEMPLATE_CLINIC]);

export interface ViewStaleness {
  /** Approve answer → first allowed check, as a load result (one op per sample; concurrency = workers). */
  load: LoadResult;
  p50Ms: number | null;
  p99Ms: number | null;
  samples: number;
  /** Checks sent in all (the first one of a sample included). */
  checks: number;
  /** Samples whose first check already saw the approval. */
  seenAtFirstCheck: number;
  /** Samples not seen within the per-sample bound: counted with the time waited. */
  notSeen: number;
  note: string | null;
}

/**
 * View staleness: `concurrency` workers, each in turn approving a fresh resident (STALENESS_BLOCK)
 * at one of `clinicIds` through gRPC, then at once and repeatedly sending CheckEntitlement (general
 * case type, no consistency token) until it answers allowed; the time from the approve's answer to
 * that allowed answer. New samples start until `samples` or `maxMs`; a sample not seen within
 * `sampleMaxMs` counts with the time waited (the figure is then a lower bound, and says so).
 */
export async function measureViewStaleness(opts: {
  staff: Api;
  eservice: Api;
  clinicIds: string[];
  samples: number;
  concurrency: number;
  maxMs: number;
  sampleMaxMs: number;
}): Promise<ViewStaleness> {
  const hist = newHistogram();
  const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);
  const started = nowUs();
  const deadline = Date.now() + opts.maxMs;
  let next = 0;
  let checks = 0;
  let seenAtFirstCheck = 0;
  let notSeen = 0;
  let errors = 0;
  let firstError: string | null = null;
  const failed = (error: unknown) => {
    errors++;
    firstError ??= error instanceof Error ? error.message : String(error);
  };
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline && next < opts.samples) {
      const k = next++;
      const resident = residentNumber(k, STALENESS_BLOCK);
      const clinicId = opts.clinicIds[k % opts.clinicIds.length]!;
      try {
        await opts.staff.approveResident({ clinicId, personalIdentityNumber: resident, requestId: randomUUID(), etag: '' });
      } catch (error) {
        failed(error);
        continue;
      }
      const answeredAt = nowUs();
      for (let attempt = 1; ; attempt++) {
        checks++;
        const allowed = await opts.eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: GENERAL_CASE_TYPE.id, consistencyToken: '' }).then(
          (a) => a.allowed,
          (error: unknown) => (failed(error), false),
        );
        const waited = nowUs() - answeredAt;
        if (allowed) {
          if (attempt === 1) seenAtFirstCheck++;
          hist.recordValue(Math.max(1, waited));
          break;
        }
        if (waited >= opts.sampleMaxMs * 1000) {
          notSeen++;
          hist.recordValue(waited);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const durationS = (nowUs() - started) / 1e6;
  const samples = hist.totalCount;
  const ms = (us: number) => Math.round(us) / 1000;
  const load: LoadResult = {
    mode: 'closed',
    concurrency: opts.concurrency,
    targetRate: null,
    ops: samples,
    errors,
    durationS,
    windowStartMs: Date.now() - Math.round(durationS * 1000),
    windowEndMs: Date.now(),
    opsPerS: durationS > 0 ? round1(samples / durationS) : 0,
    p50Ms: ms(hist.getValueAtPercentile(50)),
    p99Ms: ms(hist.getValueAtPercentile(99)),
    p999Ms: ms(hist.getValueAtPercentile(99.9)),
    maxMs: ms(hist.maxValue),
    firstError,
  };
  let note = '';
  if (notSeen > 0) note += `${notSeen} of ${samples} approvals not seen by a check within ${opts.sampleMaxMs} ms: counted with the time waited, so the figure is a lower bound; `;
  if (samples < opts.samples) note += `${samples} of ${opts.samples} samples within the step's ${round1(opts.maxMs / 1000)} s; `;
  log(`view staleness: ${samples} samples, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${checks} checks, ${errors} errors`);
  return {
    load,
    p50Ms: samples > 0 ? load.p50Ms : null,
    p99Ms: samples > 0 ? load.p99Ms : null,
    samples,
    checks,
    seenAtFirstCheck,
    notSeen,
    note: note.trim() || null,
  };
}
