import fc from 'fast-check';
import { personalIdentityNumberArbitrary } from '../domain/identity/personal-identity-number.arbitrary';
import { scrubDeep, scrubString } from './personal-data-scrub';

/** Separators people and systems put between the date and the serial ('+': 100 years or older). */
const BEFORE_SERIAL = ['', '-', '+', '.', '_', ' ', '/', ':', ' - ', '\u2013', '\t', '  '];
/** Separators inside the date (1948-09-12, 48.09.12, 48 09 12). */
const IN_DATE = ['', '-', '.', '_', ' ', '/'];

/** A number written in one of its forms: with or without the century, any separators. */
const writtenNumber = fc
  .record({
    number: personalIdentityNumberArbitrary({ today: '2026-11-25' }),
    century: fc.boolean(),
    inDate: fc.constantFrom(...IN_DATE),
    beforeSerial: fc.constantFrom(...BEFORE_SERIAL),
  })
  .map(({ number, century, inDate, beforeSerial }) => {
    const [cc, yy, mm, dd, serial] = [0, 2, 4, 6, 8].map((at, i) => number.value.slice(at, i === 4 ? 12 : at + 2)) as [string, string, string, string, string];
    return { digits: number.value, written: `${century ? cc + inDate : ''}${[yy, mm, dd].join(inDate)}${beforeSerial}${serial}` };
  });

/** Text around the number that cannot itself continue its digits. */
const surrounding = fc.constantFrom('', ' ', 'request ', 'id=', '"', '(', 'req-', 'x', '|', 'SE2321000016-1234|', '/residents/');

const hex = (length: number, digitHeavy = true) =>
  fc.string({ unit: digitHeavy ? fc.constantFrom(...'01234567890123456789abcdef') : fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

describe('scrubString', () => {
  it('removes every written form of a number (century or not, any separators, +, coordination numbers), wherever it stands', () => {
    fc.assert(
      fc.property(writtenNumber, surrounding, surrounding, fc.string(), ({ digits, written }, before, after, rest) => {
        const scrubbed = scrubString(`${rest} ${before}${written}${after.replace(/^[0-9]/, '')} ${rest}`);
        expect(scrubbed).not.toContain(written);
        // No run of the number's digits survives, whatever separated them.
        expect(scrubbed.replace(/[^0-9]/g, '')).not.toContain(digits.slice(2, 8) + digits.slice(8));
        expect(scrubbed).toContain('[redacted]');
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['a request id with a dot', 'request 19480912.7584 retried', 'request [redacted] retried'],
    ['with an underscore', 'id req_19480912_7584', 'id req_[redacted]'],
    ['with spaces', 'resident 1948 09 12 7584', 'resident [redacted]'],
    ['dashes in the date', 'born 1948-09-12-7584', 'born [redacted]'],
    ['over 100 years old', '480912+7584', '[redacted]'],
    ['a coordination number (day + 60)', '19480972-7584 and 480972 7584', '[redacted] and [redacted]'],
    ['in a document key', 'duplicate key { _id: "SE2321000016-1234|194809127584" }', 'duplicate key { _id: "SE2321000016-1234|[redacted]" }'],
  ])('%s', (_what, text, expected) => {
    expect(scrubString(text)).toBe(expected);
  });

  it('leaves ISO timestamps and dates, epoch milliseconds and HSA-ids readable', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), (at) => {
        const text = `at ${at.toISOString()} on ${at.toISOString().slice(0, 10)}`;
        expect(scrubString(text)).toBe(text);
      }),
    );
    // Epoch milliseconds have 13 digits since 2001, one too many for a number.
    fc.assert(
      fc.property(fc.date({ min: new Date('2001-09-09T01:46:40Z'), max: new Date('2200-01-01'), noInvalidDate: true }), (at) => {
        expect(scrubString(`"time":${at.getTime()}`)).toBe(`"time":${at.getTime()}`);
      }),
    );
    const text = 'clinic SE2321000016-1234 at 2026-11-25T20:57:51.311Z, 2026-11-25 20:57:51, time 1795986115123';
    expect(scrubString(text)).toBe(text);
  });

  it('leaves UUIDs, ObjectIds, trace and span ids whole, even where their digits look like a number', () => {
    fc.assert(
      fc.property(fc.uuid({ version: [4, 7] }), hex(24), hex(32), hex(16), (uuid, objectId, traceId, spanId) => {
        const text = `request ${uuid} doc ${objectId} {"trace_id":"${traceId}","span_id":"${spanId}"} traceparent 00-${traceId}-${spanId}-01`;
        expect(scrubString(text)).toBe(text);
      }),
      { numRuns: 500 },
    );
    // Such ids made of digits that read as a number: still ids.
    const ids = 'request 19480912-7584-4982-a2e8-6b69b9ed262b doc 65a1b2c3194809127584abcd trace 194809127584000000000000000000ab';
    expect(scrubString(ids)).toBe(ids);
  });
});

describe('scrubDeep', () => {
  it('scrubs keys as well as values, errors included', () => {
    const error = new Error('duplicate key 19480912.7584');
    expect(scrubDeep({ byResident: { '480912-7584': { requestId: '19480912_7584' } }, err: error })).toEqual({
      byResident: { '[redacted]': { requestId: '[redacted]' } },
      err: expect.objectContaining({ message: 'duplicate key [redacted]' }) as unknown,
    });
  });
});
