/**
 * The domain as a SpiceDB schema, and the reads' seed (bench/reads-seed.ts) as its relationships.
 *
 * A resident may use a clinic's unrestricted case type when approved at the clinic, and a
 * restricted one when it was granted to them, while the grant is in force (src/domain/access/
 * entitlements.ts). In the schema a case type is one clinic's (object id "<clinic>/<case type>");
 * an unrestricted one is open to the clinic's approved residents, a restricted one is not, and
 * grants are direct relationships: those "until further notice" without a caveat, those until a
 * date with the caveat `grant_in_force` holding the instant the grant ends (the next Stockholm
 * midnight after its last day), so each call passes `now`. What the schema leaves to the writer: a
 * case type made unrestricted (or removed) must lose its grants and gain (or lose) `open_to`, where the
 * service decides that from the clinic's settings at read time. Not modelled, since no seeded
 * resident or clinic has them: the service area (residents of an area using a clinic without
 * approval, from the resident register) and the case types' names that ListEntitlements answers with.
 */
import { residentNumber } from '../common';
import { clinicsOf, READS_BLOCK, readsClinicId } from '../reads-seed';
import { GENERAL_CASE_TYPE, RESTRICTED_CASE_TYPE } from '../writes';
import type { ObjectRef, Relationship, Struct } from './client';

export const SPICEDB_SCHEMA = `
/** A resident; object id: the 12-digit personal identity number. */
definition resident {}

definition clinic {
    /** Approved for communication at the clinic. */
    relation approved: resident
}

/** A grant until a date is in force until the midnight (Europe/Stockholm) that ends its last day. */
caveat grant_in_force(ends timestamp, now timestamp) {
    now < ends
}

/** One clinic's case type; object id: "<clinic>/<case type>". */
definition case_type {
    /** Only on an unrestricted case type: the clinic's approved residents. */
    relation open_to: clinic#approved
    /** Only on a restricted case type: the residents it was granted to. */
    relation granted: resident | resident with grant_in_force
    permission use = open_to + granted
}
`;

export const USE = 'use';
export const CASE_TYPE = 'case_type';
export const residentObject = (number: string): ObjectRef => ({ object_type: 'resident', object_id: number });
export const caseTypeObject = (clinicId: string, caseTypeId: string): ObjectRef => ({ object_type: CASE_TYPE, object_id: `${clinicId}/${caseTypeId}` });

/** The caveat's context of a call made now. */
export const nowContext = (): Struct => ({ fields: [{ key: 'now', value: { string_value: new Date().toISOString() } }] });

const relationship = (resource: ObjectRef, relation: string, subject: ObjectRef, subjectRelation = ''): Relationship => ({
  resource,
  relation,
  subject: { object: subject, optional_relation: subjectRelation },
});

/**
 * What bench/reads-seed.ts seeds, as relationships: every clinic's general case type open to its
 * approved residents; resident i approved at clinicsOf(i), and every 4th holding the restricted
 * case type at each of those clinics until further notice.
 */
export function* relationshipsOfReadsSeed(residents: number, clinics: number): Generator<Relationship> {
  for (let c = 0; c < clinics; c++) {
    yield relationship(caseTypeObject(readsClinicId(c), GENERAL_CASE_TYPE.id), 'open_to', { object_type: 'clinic', object_id: readsClinicId(c) }, 'approved');
  }
  for (let i = 0; i < residents; i++) {
    const resident = residentObject(residentNumber(i, READS_BLOCK));
    for (const c of clinicsOf(i, clinics)) {
      yield relationship({ object_type: 'clinic', object_id: readsClinicId(c) }, 'approved', resident);
      if (i % 4 === 0) yield relationship(caseTypeObject(readsClinicId(c), RESTRICTED_CASE_TYPE.id), 'granted', resident);
    }
  }
}

/** The case types (object ids) resident i of the reads' seed may use. */
export function caseTypesOf(i: number, clinics: number): string[] {
  return clinicsOf(i, clinics).flatMap((c) => [
    caseTypeObject(readsClinicId(c), GENERAL_CASE_TYPE.id).object_id,
    ...(i % 4 === 0 ? [caseTypeObject(readsClinicId(c), RESTRICTED_CASE_TYPE.id).object_id] : []),
  ]);
}
