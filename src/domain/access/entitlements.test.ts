import fc from 'fast-check';
import type { CaseType, ClinicSettings, ServiceArea } from '../clinic/clinic-settings';
import { PersonalIdentityNumber } from '../identity/personal-identity-number';
import { personalIdentityNumberFor } from '../identity/personal-identity-number.arbitrary';
import type { RegisteredResident } from '../identity/registered-resident';
import { addDays, utcMidnightMs } from '../time/calendar-date';
import { calendarDateArbitrary } from '../time/calendar-date.arbitrary';
import { entitlementsAtClinic, type ResidentFacts } from './entitlements';
import { endFields } from './grant-end';
import { emptyAccess, type ChangeStamp, type Grant } from './resident-access';
import { termsOf, type AccessTerms } from './resident-view';

const CLINIC = 'SE2321000016-1234';
const NOW = new Date('2026-05-01T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0: ChangeStamp = { actor: 'staff-0', at: new Date('2026-04-01T08:00:00Z'), requestId: 'req-0' };

// A synthetic number (born 1980-02-10, serial 123 → a man, 46 on 2026-05-01).
const pinResult = PersonalIdentityNumber.fromStored(personalIdentityNumberFor('1980-02-10', 123));
if (!pinResult.ok) throw new Error('test number invalid');
const PIN = pinResult.value;

const home = (regionCode: string, municipalityCode: string): RegisteredResident => ({
  personalIdentityNumber: PIN.value,
  givenName: 'Test',
  familyName: 'Person',
  protectedIdentity: false,
  regionCode,
  municipalityCode,
});
const IN_AREA: ResidentFacts = { number: PIN, registered: home('01', '0180') };
const OUTSIDE: ResidentFacts = { number: PIN, registered: home('03', '0380') };
const UNREGISTERED: ResidentFacts = { number: PIN, registered: null };

const AREA: ServiceArea = { regionCode: '01', municipalityCodes: [], sex: null, minAge: null, maxAge: null };
const BOOK: CaseType = { id: 'book', name: 'Book a visit', restricted: false };
const RENEW: CaseType = { id: 'renew', name: 'Renew a prescription', restricted: false };
const LAB: CaseType = { id: 'lab', name: 'Lab results', restricted: true };
const SECRET: CaseType = { id: 'secret', name: 'Secret', restricted: true };

function clinic(caseTypes: CaseType[], serviceArea: ServiceArea | null = null): ClinicSettings {
  return { clinicId: CLINIC, caseTypes: [...caseTypes].sort((a, b) => (a.id < b.id ? -1 : 1)), serviceArea, grantEndingSoonDays: 0, version: 1 };
}

function grant(caseTypeId: string, until: string | null): Grant {
  return { caseTypeId, ...endFields(until === null ? { untilFurtherNotice: true } : { until }), granted: T0, changed: null };
}

function access(approved: boolean, grants: Grant[] = []): AccessTerms {
  return termsOf({ ...emptyAccess(CLINIC, PIN.value), approval: approved ? T0 : null, grants, version: 1 });
}

const summary = (list: ReturnType<typeof entitlementsAtClinic>) => list.map((e) => `${e.caseTypeId}:${e.reason}:${e.until ?? '-'}`);

describe('entitlementsAtClinic', () => {
  const ALL = clinic([BOOK, RENEW, LAB, SECRET], AREA);

  it('an approved resident gets every unrestricted case type, with name, and no restricted ones', () => {
    const list = entitlementsAtClinic(ALL, access(true), OUTSIDE, NOW);
    expect(list).toEqual([
      { caseTypeId: 'book', name: 'Book a visit', reason: 'APPROVED', until: null },
      { caseTypeId: 'renew', name: 'Renew a prescription', reason: 'APPROVED', until: null },
    ]);
  });

  it('approval comes before the service area as the reason', () => {
    expect(summary(entitlementsAtClinic(ALL, access(true), IN_AREA, NOW))).toEqual(['book:APPROVED:-', 'renew:APPROVED:-']);
  });

  it('a resident of the service area gets the unrestricted case types without approval, even with no stored access', () => {
    expect(summary(entitlementsAtClinic(ALL, null, IN_AREA, NOW))).toEqual(['book:SERVICE_AREA:-', 'renew:SERVICE_AREA:-']);
    expect(summary(entitlementsAtClinic(ALL, access(false), IN_AREA, NOW))).toEqual(['book:SERVICE_AREA:-', 'renew:SERVICE_AREA:-']);
  });

  it('outside the area, unregistered, or with no area, an unapproved resident gets nothing', () => {
    expect(entitlementsAtClinic(ALL, access(false), OUTSIDE, NOW)).toEqual([]);
    expect(entitlementsAtClinic(ALL, null, UNREGISTERED, NOW)).toEqual([]);
    expect(entitlementsAtClinic(clinic([BOOK, RENEW]), null, IN_AREA, NOW)).toEqual([]);
  });

  it('the service area is judged on the Stockholm date of now (age bound on the birthday)', () => {
    // Born 1980-02-10: 46 from 2026-02-10 00:00 Stockholm = 2026-02-09T23:00Z.
    const fortySixAndOver = clinic([BOOK], { ...AREA, minAge: 46 });
    expect(entitlementsAtClinic(fortySixAndOver, null, IN_AREA, new Date('2026-02-09T22:59:59.999Z'))).toEqual([]);
    expect(summary(entitlementsAtClinic(fortySixAndOver, null, IN_AREA, new Date('2026-02-09T23:00:00Z')))).toEqual(['book:SERVICE_AREA:-']);
  });

  it('a restricted case type needs a valid grant; approval and service area do not open it', () => {
    const list = entitlementsAtClinic(ALL, access(true, [grant('lab', '2026-05-31')]), IN_AREA, NOW);
    expect(list).toEqual([
      { caseTypeId: 'book', name: 'Book a visit', reason: 'APPROVED', until: null },
      { caseTypeId: 'lab', name: 'Lab results', reason: 'GRANT', until: '2026-05-31' },
      { caseTypeId: 'renew', name: 'Renew a prescription', reason: 'APPROVED', until: null },
    ]);
  });

  it('a grant alone opens only its case type, and until further notice has until null', () => {
    const list = entitlementsAtClinic(ALL, access(false, [grant('secret', null)]), OUTSIDE, NOW);
    expect(list).toEqual([{ caseTypeId: 'secret', name: 'Secret', reason: 'GRANT', until: null }]);
  });

  it('an expired grant gives nothing', () => {
    // Until 2026-04-30: ended 2026-04-30T22:00Z, before NOW.
    expect(entitlementsAtClinic(ALL, access(false, [grant('lab', '2026-04-30')]), OUTSIDE, NOW)).toEqual([]);
  });

  it('a grant of a case type the clinic lacks gives nothing', () => {
    expect(entitlementsAtClinic(clinic([BOOK, LAB]), access(false, [grant('gone', null)]), OUTSIDE, NOW)).toEqual([]);
  });

  it('a grant of a case type the clinic no longer restricts gives nothing by itself', () => {
    const opened = clinic([BOOK, { ...LAB, restricted: false }]);
    expect(entitlementsAtClinic(opened, access(false, [grant('lab', null)]), OUTSIDE, NOW)).toEqual([]);
    // With an approval it is open as any unrestricted case type, not as a grant.
    expect(summary(entitlementsAtClinic(opened, access(true, [grant('lab', null)]), OUTSIDE, NOW))).toEqual(['book:APPROVED:-', 'lab:APPROVED:-']);
  });

  it('a clinic with no case types gives nothing', () => {
    expect(entitlementsAtClinic(clinic([], AREA), access(true, [grant('lab', null)]), IN_AREA, NOW)).toEqual([]);
  });

  describe('grants across the daylight-saving changes (end 00:00 Europe/Stockholm after the date)', () => {
    const lab = clinic([LAB]);
    const at = (until: string, instant: string) => entitlementsAtClinic(lab, access(false, [grant('lab', until)]), UNREGISTERED, new Date(instant)).length === 1;

    // Clocks go forward 2027-03-28 at 02:00 CET; midnight starting the 28th is still CET (UTC+1).
    it('until 2027-03-27 is valid at 2027-03-27T22:59:59.999Z and not at 23:00Z', () => {
      expect(at('2027-03-27', '2027-03-27T22:59:59.999Z')).toBe(true);
      expect(at('2027-03-27', '2027-03-27T23:00:00.000Z')).toBe(false);
    });

    // Clocks go back 2027-10-31 at 03:00 CEST; midnight starting the 31st is still CEST (UTC+2).
    it('until 2027-10-30 is valid at 2027-10-30T21:59:59.999Z and not at 22:00Z', () => {
      expect(at('2027-10-30', '2027-10-30T21:59:59.999Z')).toBe(true);
      expect(at('2027-10-30', '2027-10-30T22:00:00.000Z')).toBe(false);
    });

    it('until the change day itself ends at the next midnight in the new offset', () => {
      expect(at('2027-03-28', '2027-03-28T21:59:59.999Z')).toBe(true);
      expect(at('2027-03-28', '2027-03-28T22:00:00.000Z')).toBe(false);
      expect(at('2027-10-31', '2027-10-31T22:59:59.999Z')).toBe(true);
      expect(at('2027-10-31', '2027-10-31T23:00:00.000Z')).toBe(false);
    });
  });

  it('property: the grant holds exactly while the Stockholm date is on or before its until date', () => {
    const lab = clinic([LAB]);
    const stockholmDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(
      fc.property(
        calendarDateArbitrary('2026-01-01', '2030-12-31'),
        // Mostly near the end (UTC midnight after the date, minus 1 or 2 hours), sometimes anywhere.
        fc.oneof(fc.constantFrom(-2 * HOUR - 1, -2 * HOUR, -HOUR - 1, -HOUR), fc.integer({ min: -3 * HOUR, max: HOUR }), fc.integer({ min: -400 * DAY, max: 400 * DAY })),
        (until, offset) => {
          const now = new Date(utcMidnightMs(addDays(until, 1)) + offset);
          const valid = entitlementsAtClinic(lab, access(false, [grant('lab', until)]), UNREGISTERED, now).length === 1;
          expect(valid).toBe(stockholmDay.format(now) <= until);
        },
      ),
      { numRuns: 500 },
    );
  });
});
