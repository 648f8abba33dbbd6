import { status } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImportRowOutcome, type ImportRow, type ImportRowViolation } from '../../gen/residentaccess/v1/resident_access_service';
import type { ImportClient } from '../admin-client';
import { InputError } from '../exit-codes';
import { readImportFile } from '../import-file';
import { printJson, type Output } from '../output';
import type { ProgressBar } from '../progress-bar';

/** Rows per ImportAccesses call: well under the service's 1 000 and its 1 MiB request limit. */
export const IMPORT_BATCH_ROWS = 500;
/** A batch that failed on the way (service away, deadline, contention) is sent again: its rows' request ids make that safe. */
const RETRYABLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.ABORTED, status.RESOURCE_EXHAUSTED]);
const ATTEMPTS = 6;
const FIRST_RETRY_MS = 500;

export interface ImportFailure {
  line: number;
  violations: ImportRowViolation[];
}

export interface ImportCounts {
  rows: number;
  applied: number;
  alreadyApplied: number;
  unchanged: number;
  failed: number;
  failures: ImportFailure[];
}

/**
 * The import's default id: a digest of the clinic and the file's bytes. Importing the same file
 * again (after a crash, or by mistake) is then the same import, and applies no row twice; a changed
 * file is a new import.
 */
export function defaultImportId(clinicId: string, bytes: Buffer): string {
  return createHash('sha256').update(clinicId).update('\0').update(bytes).digest('hex').slice(0, 40);
}

/**
 * Sends the rows in batches of IMPORT_BATCH_ROWS, one batch at a time and in file order (so rows of
 * one resident apply in that order), each batch retried on a passing failure; `onBatch` hears how
 * many rows are done. Any other failure (a refused token, a malformed batch) ends the import.
 */
export async function sendImport(
  client: Pick<ImportClient, 'importAccesses'>,
  clinicId: string,
  importId: string,
  rows: readonly ImportRow[],
  onBatch: (done: number) => void = () => undefined,
): Promise<ImportCounts> {
  const counts: ImportCounts = { rows: rows.length, applied: 0, alreadyApplied: 0, unchanged: 0, failed: 0, failures: [] };
  for (let from = 0; from < rows.length; from += IMPORT_BATCH_ROWS) {
    const batch = rows.slice(from, from + IMPORT_BATCH_ROWS);
    const { results } = await withRetries(() => client.importAccesses({ clinicId, importId, rows: batch }));
    for (const result of results) {
      if (result.outcome === ImportRowOutcome.IMPORT_ROW_OUTCOME_APPLIED) counts.applied++;
      else if (result.outcome === ImportRowOutcome.IMPORT_ROW_OUTCOME_ALREADY_APPLIED) counts.alreadyApplied++;
      else if (result.outcome === ImportRowOutcome.IMPORT_ROW_OUTCOME_UNCHANGED) counts.unchanged++;
      else {
        counts.failed++;
        counts.failures.push({ line: result.line, violations: result.violations });
      }
    }
    onBatch(from + batch.length);
  }
  return counts;
}

async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= ATTEMPTS || typeof code !== 'number' || !RETRYABLE.has(code)) throw error;
      await sleep(FIRST_RETRY_MS * 2 ** (attempt - 1));
    }
  }
}

export interface ImportFlags {
  clinic: string;
  'import-id'?: string;
}

/**
 * `import FILE --clinic C`: reads the file (CSV or NDJSON), sends its rows, shows progress on
 * stderr (a bar on a terminal, a line per batch otherwise), then each failed line and the summary.
 * Answers whether every row was applied or unchanged.
 */
export async function importFile(client: ImportClient, out: Output, file: string, flags: ImportFlags, progress: ProgressBar, stderr: NodeJS.WritableStream): Promise<boolean> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new InputError(`cannot read the import file ${file}`);
  }
  const parsed = readImportFile(file, bytes.toString('utf8'));
  const importId = flags['import-id'] ?? defaultImportId(flags.clinic, bytes);
  const total = parsed.rows.length;
  const counts = await sendImport(client, flags.clinic, importId, parsed.rows, (done) => {
    if (progress.enabled) progress.update('rows', done, total);
    else stderr.write(`imported ${done} of ${total} rows\n`);
  });
  progress.finish();
  // Lines the CLI could not read count as failed rows, in line order with the service's.
  const unreadable = parsed.unreadable.map((u) => ({ line: u.line, violations: [{ field: 'line', reason: u.reason, description: u.description }] }));
  const failures = [...counts.failures, ...unreadable].sort((a, b) => a.line - b.line);
  const summary = { ...counts, rows: counts.rows + unreadable.length, failed: failures.length, failures };
  if (out.json) printJson(out, { importId, clinicId: flags.clinic, format: parsed.format, ...summary });
  else {
    for (const f of failures) out.write(`line ${f.line}: ${f.violations.map((v) => `${v.field} ${v.reason} (${v.description})`).join('; ')}\n`);
    out.write(
      `import ${importId} into ${flags.clinic}: ${summary.rows} rows, ${summary.applied} applied, ${summary.alreadyApplied} already applied, ` +
        `${summary.unchanged} unchanged, ${summary.failed} failed\n`,
    );
  }
  return summary.failed === 0;
}
