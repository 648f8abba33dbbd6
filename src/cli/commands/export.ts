import { once } from 'node:events';
import { UsageError } from '../exit-codes';
import { csvRecord } from '../csv';
import type { ProgressBar } from '../progress-bar';
import { withRetries } from '../retry-info';
import type { StaffClient } from '../staff-client';
import { EXPORT_COLUMNS, residentRow } from './export-rows';

/** The listing's largest page: the fewest calls against the listings' rate limit. */
const MAX_PAGE_SIZE = 1000;
/** Tries of one page while the service answers with a RetryInfo (rate limit, storage briefly down). */
const PAGE_ATTEMPTS = 10;

export interface ExportFlags {
  clinic?: string;
  'page-size'?: string;
  json?: boolean;
}

/** Checks the command line before anything is read or sent: the clinic and the page size. */
export function exportScope(flags: ExportFlags): { clinicId: string; pageSize: number } {
  if (flags.json) throw new UsageError('export writes CSV: --json is not an option of export');
  if (!flags.clinic) throw new UsageError('export needs --clinic C');
  const pageSize = flags['page-size'] === undefined ? MAX_PAGE_SIZE : Number(flags['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new UsageError(`--page-size must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  return { clinicId: flags.clinic, pageSize };
}

/** Writes and waits while the stream's buffer is full, so a slow reader holds the listing back instead of memory filling. */
async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * `export`: the clinic's residents as CSV, one page of ListResidents at a time (each page written
 * before the next is asked for, so memory holds one page whatever the clinic's size). The header
 * goes out with the first page, so a refused clinic writes nothing. Every resident listed is a read
 * in the access log, recorded by the service as it answers the page.
 */
export async function exportClinic(client: StaffClient, out: NodeJS.WritableStream, scope: { clinicId: string; pageSize: number }, progress: ProgressBar): Promise<{ residents: number }> {
  let residents = 0;
  let pageToken = '';
  try {
    do {
      const request = { clinicId: scope.clinicId, pageSize: scope.pageSize, pageToken, approvedOnly: false, caseTypeId: '' };
      const page = await withRetries(() => client.listResidents(request), PAGE_ATTEMPTS);
      let text = pageToken === '' ? csvRecord(EXPORT_COLUMNS) : ''; // only the first request has no token
      for (const entry of page.residents) text += csvRecord(residentRow(entry));
      await write(out, text);
      residents += page.residents.length;
      progress.update('residents exported', residents, null);
      pageToken = page.nextPageToken;
    } while (pageToken);
  } finally {
    progress.finish(); // an error's line starts on a line of its own
  }
  return { residents };
}
