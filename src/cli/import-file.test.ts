import { readImportFile } from './import-file';

// Synthetic test numbers (valid checksums); never a real person's.
const A = '191212121212';
const B = '200001012384';

describe('readImportFile', () => {
  it('reads CSV by its header, in any column order, with quotes, a BOM, CRLF and blank lines; rows keep their file lines', () => {
    const text = `\uFEFFgrants,Approved,personal_identity_number,name\r\n"diabetes-team:2026-12-31; psychotherapy",yes,${A},"Svensson, ""Sven"""\r\n\r\n,,${B},\r\n`;
    expect(readImportFile('x.csv', text)).toEqual({
      format: 'csv',
      rows: [
        {
          line: 2,
          personalIdentityNumber: A,
          approved: true,
          grants: [
            { caseTypeId: 'diabetes-team', untilDate: '2026-12-31' },
            { caseTypeId: 'psychotherapy', untilFurtherNotice: true },
          ],
        },
        { line: 4, personalIdentityNumber: B, approved: false, grants: [] },
      ],
      unreadable: [],
    });
  });

  it('reports lines it cannot read by line and reason, never with their text', () => {
    // A quote never closed takes the rest of the file (RFC 4180): it is the last record.
    const text = `personal_identity_number,approved\n${A},perhaps\n${A},yes,extra\n"${B},yes\n${A},yes\n`;
    const read = readImportFile('x.csv', text);
    expect(read.rows).toEqual([]);
    expect(read.unreadable.map((u) => [u.line, u.reason])).toEqual([
      [2, 'INVALID_FIELD'],
      [3, 'INVALID_CSV'],
      [4, 'INVALID_CSV'],
    ]);
    expect(JSON.stringify(read.unreadable)).not.toMatch(/\d{10}/);
    expect(readImportFile('x.csv', `number,approved\n${A},yes\n`).unreadable.map((u) => [u.line, u.reason])).toEqual([[1, 'INVALID_HEADER']]);
  });

  it('reads NDJSON by extension or by content; a grant without until_date lasts until further notice', () => {
    const line = JSON.stringify({ personal_identity_number: A, approved: true, grants: [{ case_type_id: 'x' }, { case_type_id: 'y', until_date: '2026-01-31' }] });
    const expected = {
      format: 'ndjson',
      rows: [
        {
          line: 2,
          personalIdentityNumber: A,
          approved: true,
          grants: [
            { caseTypeId: 'x', untilFurtherNotice: true },
            { caseTypeId: 'y', untilDate: '2026-01-31' },
          ],
        },
      ],
      unreadable: [{ line: 3, reason: 'INVALID_FIELD', description: 'approved must be true or false' }],
    };
    const text = `\n${line}\n${JSON.stringify({ personal_identity_number: B, approved: 'yes' })}\n`;
    expect(readImportFile('rows.jsonl', text)).toEqual(expected);
    expect(readImportFile('rows', text)).toEqual(expected);
  });

  it('reads a CSV grant from its first day: type:FIRST..LAST, and type:FIRST.. until further notice; the old forms stay', () => {
    const text = `personal_identity_number,grants\n${A},"a:2027-01-10..2027-06-30; b:2027-01-10..; c:2027-06-30; d; e:..2027-06-30"\n`;
    expect(readImportFile('x.csv', text).rows[0]!.grants).toEqual([
      { caseTypeId: 'a', firstDay: '2027-01-10', untilDate: '2027-06-30' },
      { caseTypeId: 'b', firstDay: '2027-01-10', untilFurtherNotice: true },
      { caseTypeId: 'c', untilDate: '2027-06-30' },
      { caseTypeId: 'd', untilFurtherNotice: true },
      // An empty first day is sent as it is: the service names it (grants[4].first_day INVALID_DATE).
      { caseTypeId: 'e', firstDay: '', untilDate: '2027-06-30' },
    ]);
  });

  it('reads an NDJSON grant first_day; one that is not a string makes the line unreadable', () => {
    const text = [
      JSON.stringify({
        personal_identity_number: A,
        grants: [
          { case_type_id: 'a', first_day: '2027-01-10', until_date: '2027-06-30' },
          { case_type_id: 'b', first_day: '2027-01-10' },
        ],
      }),
      JSON.stringify({ personal_identity_number: B, grants: [{ case_type_id: 'a', first_day: 20270110 }] }),
    ].join('\n');
    const read = readImportFile('x.ndjson', text);
    expect(read.rows[0]!.grants).toEqual([
      { caseTypeId: 'a', firstDay: '2027-01-10', untilDate: '2027-06-30' },
      { caseTypeId: 'b', firstDay: '2027-01-10', untilFurtherNotice: true },
    ]);
    expect(read.unreadable.map((u) => [u.line, u.reason])).toEqual([[2, 'INVALID_FIELD']]);
  });

  it('keeps a quoted line break in its field (RFC 4180); a row keeps the line where it starts', () => {
    const text = `personal_identity_number,name,approved\r\n${A},"Anna\r\nLindqvist",true\r\n${B},"Bo\nBerg\n""B""",false\n\n${A},,yes\n`;
    const read = readImportFile('x.csv', text);
    expect(read.unreadable).toEqual([]);
    expect(read.rows.map((r) => [r.line, r.personalIdentityNumber, r.approved])).toEqual([
      [2, A, true],
      [4, B, false],
      [8, A, true],
    ]);
  });
});
