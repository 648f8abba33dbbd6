import { readCsv } from '../../test/support/csv-reader';
import { csvField, csvRecord } from './csv';

describe('CSV records (RFC 4180)', () => {
  it('leaves plain fields as they are, empty ones empty', () => {
    expect(csvRecord(['191212121212', 'Anna Lindqvist', 'true', '', 'diabetes-team'])).toBe('191212121212,Anna Lindqvist,true,,diabetes-team\r\n');
  });

  it.each([
    ['a comma', 'Lindqvist, Anna', '"Lindqvist, Anna"'],
    ['a quote', 'Anna "Annie" Ek', '"Anna ""Annie"" Ek"'],
    ['a line feed', 'Anna\nEk', '"Anna\nEk"'],
    ['a carriage return', 'Anna\rEk', '"Anna\rEk"'],
    ['only a quote', '"', '""""'],
  ])('quotes a field with %s, doubling its quotes', (_what, value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('every field reads back as written, whatever it holds', () => {
    const records = [['Lindqvist, Anna', 'Anna "Annie"\r\nEk', '', ',', '""', 'å ä ö', ' padded '], ['', '', ''], ['plain']];
    expect(readCsv(records.map(csvRecord).join(''))).toEqual(records);
  });
});
