/**
 * Loads the reads' seed into SpiceDB (the schema, then WriteRelationships of 1 000 relationships a
 * call, SpiceDB's default maximum, four calls at a time) and checks that it answers as the seed
 * means before anything is measured: a model that answered wrongly would be measured for nothing.
 */
import { residentNumber, sleep } from '../common';
import { READS_BLOCK, readsClinicId } from '../reads-seed';
import { GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE } from '../writes';
import type { Relationship, SpicedbClient } from './client';
import { CASE_TYPE, caseTypeObject, caseTypesOf, nowContext, relationshipsOfReadsSeed, residentObject, SPICEDB_SCHEMA, USE } from './model';

const PER_CALL = 1000;
const CALLS_IN_FLIGHT = 4;
/** Residents whose answers are checked after loading, spread over the seed. */
const SAMPLES = 40;
/** How long after loading SpiceDB may take to answer at a revision that has it all. */
const SEEN_WITHIN_MS = 30_000;

export async function loadReadsSeed(client: SpicedbClient, residents: number, clinics: number): Promise<{ relationships: number; loadS: number }> {
  const started = Date.now();
  await client.writeSchema(SPICEDB_SCHEMA);
  const all = relationshipsOfReadsSeed(residents, clinics);
  let relationships = 0;
  const writer = async () => {
    for (;;) {
      const batch: Relationship[] = [];
      // The workers share one generator: each takes the next 1 000 at once (no await in between).
      while (batch.length < PER_CALL) {
        const next = all.next();
        if (next.done) break;
        batch.push(next.value);
      }
      if (batch.length === 0) return;
      relationships += batch.length;
      await client.touchRelationships(batch);
    }
  };
  await Promise.all(Array.from({ length: CALLS_IN_FLIGHT }, writer));
  const loadS = (Date.now() - started) / 1000;
  await checkAnswers(client, residents, clinics);
  return { relationships, loadS };
}

/** The case types resident i may use, as the measured calls ask (minimize_latency), in order. */
const lookupOf = async (client: SpicedbClient, i: number) => (await client.lookupResources(CASE_TYPE, USE, residentObject(residentNumber(i, READS_BLOCK)), nowContext())).sort();

async function checkAnswers(client: SpicedbClient, residents: number, clinics: number): Promise<void> {
  const wrong = (what: string) => new Error(`peer: SpiceDB answered ${what} otherwise than the reads' seed means: update bench/peer-spicedb/model.ts`);
  // minimize_latency reads at a revision SpiceDB quantizes (5 s by default): wait until the last
  // resident written is seen, so that every call measured sees the whole seed.
  const last = residents - 1;
  const deadline = Date.now() + SEEN_WITHIN_MS;
  while ((await lookupOf(client, last)).join(',') !== caseTypesOf(last, clinics).sort().join(',')) {
    if (Date.now() > deadline) throw wrong(`LookupResources ${SEEN_WITHIN_MS / 1000} s after loading`);
    await sleep(250);
  }
  for (let k = 0; k < SAMPLES; k++) {
    const i = Math.floor((k * residents) / SAMPLES);
    const resident = residentObject(residentNumber(i, READS_BLOCK));
    const expected = caseTypesOf(i, clinics).sort();
    if ((await lookupOf(client, i)).join(',') !== expected.join(',')) throw wrong('LookupResources');
    const clinicId = readsClinicId(i % clinics);
    for (const caseType of [GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE]) {
      const allowed = await client.checkPermission(caseTypeObject(clinicId, caseType.id), USE, resident, nowContext());
      if (allowed !== expected.includes(caseTypeObject(clinicId, caseType.id).object_id)) throw wrong('CheckPermission');
    }
  }
}
