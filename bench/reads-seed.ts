/**
 * The reads' seed (measures how long seeding takes and how soon the service serves the cloned
 * clinics): `residents` residents spread over `clinics` clinics in the service's database, cloned
 * from one clinic and one resident's access made through the API.
 *
 * Every resident has an approval at one clinic (resident i at clinic i mod clinics), every 5th
 * also at a second clinic, and every 4th access holds a grant of the restricted case type until
 * further notice; each resident has its view document with an entry per such clinic. Nobody is in
 * the resident register and no clinic has a service area.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Document } from 'mongodb';
import type { Api } from '../test/support/grpc-client';
import { residentNumber, sleep } from './common';
import { accessLike, clinicLike, insertInBatches, RESIDENT_VIEWS, viewLike } from './seed';
import { GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE } from './writes';

export const READS_BLOCK = 1;
/** Residents per generated batch (each batch: their access documents, then their view documents). */
const SEED_RESIDENTS_PER_BATCH = 1000;

export const readsClinicId = (n: number) => `SE2321000016-RD${String(n).padStart(4, '0')}`;
/** The clinic made through the API, whose document the others are cloned from. */
export const READS_TEMPLATE_CLINIC = readsClinicId(0);

/** The clinics resident i has an access at. */
export const clinicsOf = (i: number, clinics: number): number[] => (i % 5 === 0 ? [i % clinics, (i * 7 + 1) % clinics] : [i % clinics]).filter((c, k, all) => all.indexOf(c) === k);

/** The documents the service wrote through the API, which the seeding clones. */
export interface ReadsTemplates {
  access: Document;
  view: Document;
}

export interface ReadsSeed {
  seedS: number;
  accessDocuments: number;
  viewDocuments: number;
  /** Seconds from moving the settings marker until the service served a cloned clinic. */
  settingsServedS: number;
  templates: ReadsTemplates;
}

export async function seedReads(opts: {
  db: Db;
  /** Staff and administrator of READS_TEMPLATE_CLINIC. */
  admin: Api;
  /** An e-service client: the seeding waits until it is served the cloned clinics. */
  eservice: Api;
  residents: number;
  clinics: number;
}): Promise<ReadsSeed> {
  const started = Date.now();
  // Templates: one clinic and one resident's access made through the API.
  const templateClinic = READS_TEMPLATE_CLINIC;
  const admin = opts.admin;
  for (const caseType of [GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE]) {
    await admin.putCaseType({ clinicId: templateClinic, caseType: { ...caseType }, requestId: randomUUID(), etag: '' });
  }
  const staff = admin;
  const templateResident = residentNumber(0, READS_BLOCK);
  await staff.approveResident({ clinicId: templateClinic, personalIdentityNumber: templateResident, requestId: randomUUID(), etag: '' });
  await staff.grantCaseType({
    clinicId: templateClinic,
    personalIdentityNumber: templateResident,
    caseTypeId: RESTRICTED_CASE_TYPE.id,
    untilFurtherNotice: true,
    requestId: randomUUID(),
    etag: '',
  });
  const clinicDoc = await opts.db.collection('clinics').findOne({ _id: templateClinic } as Document);
  const accessDoc = await opts.db.collection('access').findOne({ _id: `${templateClinic}|${templateResident}` } as Document);
  // The command writes the view before it answers (src/views/resident-view-projection.ts).
  const viewDoc = await opts.db.collection(RESIDENT_VIEWS).findOne({ _id: templateResident } as Document);
  if (!clinicDoc || !accessDoc) throw new Error('reads: the template documents were not found');
  if (!viewDoc) throw new Error(`reads: no ${RESIDENT_VIEWS} document for the template resident after its commands answered: update bench/reads-seed.ts and bench/seed.ts`);
  if (accessDoc.resident !== templateResident) throw new Error('reads: the access document no longer stores the number as given: update bench/reads-seed.ts');
  const templates = { access: accessDoc, view: viewDoc };

  const clinics = Array.from({ length: opts.clinics - 1 }, (_, n) => clinicLike(clinicDoc, readsClinicId(n + 1)));
  await insertInBatches(opts.db.collection('clinics'), clinics);
  const seeded = await seedResidents(opts.db, templates, 0, opts.residents, opts.clinics);

  // The service holds the clinics' settings in memory and reloads them when the change marker
  // moves (src/views/clinic-settings-cache.ts): move it, as a settings change would.
  const markedAt = Date.now();
  await opts.db.collection('projections').replaceOne({ _id: 'clinic_settings' } as Document, { marker: randomUUID(), at: new Date() }, { upsert: true });
  // Served once a seeded resident is allowed at the last cloned clinic (approved there: general case type).
  const probe = opts.clinics - 1;
  const served = await waitUntilAllowed(opts.eservice, residentNumber(probe, READS_BLOCK), readsClinicId(clinicsOf(probe, opts.clinics)[0]!), 20_000);
  if (!served) throw new Error('reads: the service did not serve the cloned clinics within 20 s of moving the clinic settings marker: update bench/reads-seed.ts');
  return {
    seedS: (Date.now() - started) / 1000,
    accessDocuments: seeded.access + 1,
    viewDocuments: seeded.views,
    settingsServedS: (Date.now() - markedAt) / 1000,
    templates,
  };
}

/** Polls CheckEntitlement (general case type) until allowed or `timeoutMs` passed. */
async function waitUntilAllowed(eservice: Api, resident: string, clinicId: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await eservice.checkEntitlement({ personalIdentityNumber: resident, clinicId, caseTypeId: GENERAL_CASE_TYPE.id, consistencyToken: '' }).catch(() => null);
    if (answer?.allowed) return true;
    await sleep(100);
  }
  return false;
}

/**
 * Residents [from, to) of READS_BLOCK: their access documents and their view documents, generated
 * and inserted a batch of residents at a time (memory stays flat at 100 000 residents). Resident 0
 * is the template: its access at the template clinic exists, and its view (written by the service)
 * is replaced by one with all of its clinics.
 */
export async function seedResidents(db: Db, templates: ReadsTemplates, from: number, to: number, clinics: number): Promise<{ access: number; views: number }> {
  let accessCount = 0;
  let viewCount = 0;
  for (let start = from; start < to; start += SEED_RESIDENTS_PER_BATCH) {
    const access: Document[] = [];
    const views: Document[] = [];
    for (let i = start; i < Math.min(to, start + SEED_RESIDENTS_PER_BATCH); i++) {
      const resident = residentNumber(i, READS_BLOCK);
      const mine = clinicsOf(i, clinics).map((c) => (i === 0 && c === 0 ? templates.access : accessLike(templates.access, readsClinicId(c), resident, i % 4 === 0 ? {} : { grants: [] })));
      access.push(...mine.filter((a) => a !== templates.access));
      const view = viewLike(templates.view, templates.access, resident, mine);
      if (i === 0) {
        const { _id, ...replacement } = view;
        await db.collection(RESIDENT_VIEWS).replaceOne({ _id }, replacement);
      } else {
        views.push(view);
      }
    }
    await insertInBatches(db.collection('access'), access);
    await insertInBatches(db.collection(RESIDENT_VIEWS), views);
    accessCount += access.length;
    viewCount += views.length + (start === 0 ? 1 : 0);
  }
  return { access: accessCount, views: viewCount };
}
