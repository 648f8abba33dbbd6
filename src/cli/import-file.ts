import type { ImportGrant, ImportRow } from '../gen/residentaccess/v1/resident_access_service';

/** A line the CLI could not read as a row: reported like a row the service refused, never with its text. */
export interface UnreadableLine {
  line: number;
  reason: string;
  description: string;
}

export interface ImportFile {
  format: 'csv' | 'ndjson';
  rows: ImportRow[];
  unreadable: UnreadableLine[];
}

/**
 * Reads an import file: NDJSON (one JSON object per line) when the name ends in .ndjson, .jsonl or
 * .json, CSV with a header when it ends in .csv, otherwise by content (a first non-blank character
 * `{` is NDJSON). Rows keep their line in the file (the header is line 1); blank lines are skipped.
 * The service validates the values; here only the shape of each line is read.
 */
export function readImportFile(name: string, text: string): ImportFile {
  const body = text.replace(/^\uFEFF/, '');
  const format = formatOf(name, text);
  return format === 'ndjson' ? { format, ...readNdjson(body.split(/\r?\n/)) } : { format, ...readCsv(csvRecords(body)) };
}

function formatOf(name: string, text: string): 'csv' | 'ndjson' {
  if (/\.(ndjson|jsonl|json)$/i.test(name)) return 'ndjson';
  if (/\.csv$/i.test(name)) return 'csv';
  return text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

type Read = Pick<ImportFile, 'rows' | 'unreadable'>;

const unreadable = (line: number, reason: string, description: string): UnreadableLine => ({ line, reason, description });

// ---- NDJSON: {"personal_identity_number": "...", "approved": true, "grants": [{"case_type_id": "...", "first_day": "YYYY-MM-DD", "until_date": "YYYY-MM-DD"}]}

function readNdjson(lines: string[]): Read {
  const read: Read = { rows: [], unreadable: [] };
  lines.forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      read.unreadable.push(unreadable(line, 'INVALID_JSON', 'the line is not one JSON object'));
      return;
    }
    const row = rowFromObject(line, value);
    if ('reason' in row) read.unreadable.push(row);
    else read.rows.push(row);
  });
  return read;
}

function rowFromObject(line: number, value: unknown): ImportRow | UnreadableLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return unreadable(line, 'INVALID_JSON', 'the line is not one JSON object');
  const o = value as Record<string, unknown>;
  const number = o.personal_identity_number;
  if (typeof number !== 'string') return unreadable(line, 'INVALID_FIELD', 'personal_identity_number must be a string');
  const approved = o.approved ?? false;
  if (typeof approved !== 'boolean') return unreadable(line, 'INVALID_FIELD', 'approved must be true or false');
  const grants = o.grants ?? [];
  if (!Array.isArray(grants)) return unreadable(line, 'INVALID_FIELD', 'grants must be a list');
  const read: ImportGrant[] = [];
  for (const [k, g] of grants.entries()) {
    const grant = grantFromObject(g);
    if (!grant) return unreadable(line, 'INVALID_FIELD', `grants[${k}] must be {"case_type_id": string, "first_day"?: string, "until_date"?: string}`);
    read.push(grant);
  }
  return { line, personalIdentityNumber: number, approved, grants: read };
}

function grantFromObject(value: unknown): ImportGrant | null {
  if (typeof value !== 'object' || value === null) return null;
  const { case_type_id: caseTypeId, until_date: untilDate, first_day: firstDay } = value as Record<string, unknown>;
  const optionalString = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';
  if (typeof caseTypeId !== 'string' || !optionalString(untilDate) || !optionalString(firstDay)) return null;
  return importGrant(caseTypeId, firstDay ?? undefined, untilDate || undefined);
}

/** A grant as the service takes it: until its last day, or until further notice; from its first day when given. */
function importGrant(caseTypeId: string, firstDay: string | undefined, untilDate: string | undefined): ImportGrant {
  const end = untilDate ? { untilDate } : { untilFurtherNotice: true };
  return firstDay === undefined ? { caseTypeId, ...end } : { caseTypeId, firstDay, ...end };
}

// ---- CSV (RFC 4180): header personal_identity_number[,approved][,grants]; grants separated by ";",
// each "type", "type:LAST", "type:FIRST..LAST" or "type:FIRST.." (dates YYYY-MM-DD)

const REQUIRED_COLUMN = 'personal_identity_number';

function readCsv(records: CsvRecord[]): Read {
  const read: Read = { rows: [], unreadable: [] };
  const [head, ...body] = records.filter((r) => !isBlank(r));
  if (!head) return read;
  const header = head.fields?.map((h) => h.trim().toLowerCase());
  if (!header?.includes(REQUIRED_COLUMN)) {
    read.unreadable.push(unreadable(head.line, 'INVALID_HEADER', `the header must name the columns, ${REQUIRED_COLUMN} among them (approved, grants optional)`));
    return read;
  }
  const column = (name: string) => header.indexOf(name);
  const [numberAt, approvedAt, grantsAt] = [column(REQUIRED_COLUMN), column('approved'), column('grants')];
  for (const { line, fields } of body) {
    if (!fields) {
      read.unreadable.push(unreadable(line, 'INVALID_CSV', 'a quote opened here is never closed'));
      continue;
    }
    if (fields.length !== header.length) {
      read.unreadable.push(unreadable(line, 'INVALID_CSV', `expected ${header.length} fields as in the header`));
      continue;
    }
    const approved = approvedAt < 0 ? false : yesOrNo(fields[approvedAt]!);
    if (approved === null) {
      read.unreadable.push(unreadable(line, 'INVALID_FIELD', 'approved must be true/false, yes/no, 1/0 or empty'));
      continue;
    }
    const grants = grantsAt < 0 ? [] : grantsFromCell(fields[grantsAt]!);
    read.rows.push({ line, personalIdentityNumber: fields[numberAt]!.trim(), approved, grants });
  }
  return read;
}

function yesOrNo(cell: string): boolean | null {
  const v = cell.trim().toLowerCase();
  if (['true', 'yes', '1', 'ja'].includes(v)) return true;
  if (['false', 'no', '0', 'nej', ''].includes(v)) return false;
  return null;
}

/**
 * "diabetes-team:2026-12-31; psychotherapy; lab:2027-01-10..2027-06-30; x-ray:2027-01-10..": until
 * that day, until further notice, from a first day until a last, from a first day until further
 * notice. Only the shape is read here; the service checks the dates (a bad one is its row's violation).
 */
function grantsFromCell(cell: string): ImportGrant[] {
  return cell
    .split(';')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((g) => {
      const colon = g.indexOf(':');
      if (colon < 0) return importGrant(g, undefined, undefined);
      const caseTypeId = g.slice(0, colon).trim();
      const days = g.slice(colon + 1);
      const range = days.indexOf('..');
      if (range < 0) return importGrant(caseTypeId, undefined, days.trim() || undefined);
      return importGrant(caseTypeId, days.slice(0, range).trim(), days.slice(range + 2).trim() || undefined);
    });
}

/** A CSV record: its fields (null when a quote is never closed) and the file line where it starts. */
interface CsvRecord {
  line: number;
  fields: string[] | null;
  /** Had a quoted field: `""` alone is a record, not a blank line. */
  quoted: boolean;
}

const isBlank = (r: CsvRecord) => !r.quoted && r.fields !== null && r.fields.length === 1 && r.fields[0]!.trim() === '';

/**
 * Splits the file into RFC 4180 records: a record ends at a line break (LF or CRLF) outside quotes;
 * inside quotes a line break is the field's own (a name exported with one reads back whole).
 */
function csvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let start = 1;
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoted = false;
  const endRecord = () => {
    fields.push(field);
    records.push({ line: start, fields, quoted });
    [fields, field, quoted] = [[], '', false];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') inQuotes = false;
      else field += c;
    } else if (c === '"') inQuotes = quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') {
        i++;
        line++;
      }
      endRecord();
      start = line;
    } else field += c;
  }
  if (inQuotes) records.push({ line: start, fields: null, quoted: true });
  else if (field !== '' || fields.length > 0 || quoted) endRecord();
  return records;
}
