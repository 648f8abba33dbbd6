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
    const text = `personal_identity_number,approved\n${A},perhaps\n"${B},yes\n${A},yes,extra\n`;
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
});
