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
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const format = formatOf(name, text);
  return format === 'ndjson' ? { format, ...readNdjson(lines) } : { format, ...readCsv(lines) };
}

function formatOf(name: string, text: string): 'csv' | 'ndjson' {
  if (/\.(ndjson|jsonl|json)$/i.test(name)) return 'ndjson';
  if (/\.csv$/i.test(name)) return 'csv';
  return text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

type Read = Pick<ImportFile, 'rows' | 'unreadable'>;

const unreadable = (line: number, reason: string, description: string): UnreadableLine => ({ line, reason, description });

// ---- NDJSON: {"personal_identity_number": "...", "approved": true, "grants": [{"case_type_id": "...", "until_date": "YYYY-MM-DD"}]}

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
    if (!grant) return unreadable(line, 'INVALID_FIELD', `grants[${k}] must be {"case_type_id": string, "until_date"?: string}`);
    read.push(grant);
  }
  return { line, personalIdentityNumber: number, approved, grants: read };
}

function grantFromObject(value: unknown): ImportGrant | null {
  if (typeof value !== 'object' || value === null) return null;
  const { case_type_id: caseTypeId, until_date: untilDate } = value as Record<string, unknown>;
  if (typeof caseTypeId !== 'string' || (untilDate !== undefined && untilDate !== null && typeof untilDate !== 'string')) return null;
  // A first day (grants that start later) will be read here, beside the end.
  return untilDate ? { caseTypeId, untilDate } : { caseTypeId, untilFurtherNotice: true };
}

// ---- CSV: header personal_identity_number[,approved][,grants]; grants "type[:YYYY-MM-DD]" separated by ";"

const REQUIRED_COLUMN = 'personal_identity_number';

function readCsv(lines: string[]): Read {
  const read: Read = { rows: [], unreadable: [] };
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) return read;
  const header = csvFields(lines[headerAt]!)?.map((h) => h.trim().toLowerCase());
  if (!header?.includes(REQUIRED_COLUMN)) {
    read.unreadable.push(unreadable(headerAt + 1, 'INVALID_HEADER', `the header must name the columns, ${REQUIRED_COLUMN} among them (approved, grants optional)`));
    return read;
  }
  const column = (name: string) => header.indexOf(name);
  const [numberAt, approvedAt, grantsAt] = [column(REQUIRED_COLUMN), column('approved'), column('grants')];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === '') continue;
    const fields = csvFields(lines[i]!);
    if (!fields || fields.length !== header.length) {
      read.unreadable.push(unreadable(line, 'INVALID_CSV', `expected ${header.length} fields as in the header (quotes closed on the same line)`));
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

/** "diabetes-team:2026-12-31; psychotherapy": until that day, and until further notice. */
function grantsFromCell(cell: string): ImportGrant[] {
  return cell
    .split(';')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((g) => {
      const [caseTypeId, untilDate] = g.split(':').map((p) => p.trim());
      // A first day (grants that start later) will be read here, beside the end.
      return untilDate ? { caseTypeId: caseTypeId!, untilDate } : { caseTypeId: caseTypeId!, untilFurtherNotice: true };
    });
}

/** One line's fields (RFC 4180 quoting within the line); null when a quote is left open. */
function csvFields(text: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}
