import { importAccess, importRefusals } from '../../domain/access/import';
import { unchanged } from '../../domain/access/decision';
import type { Principal } from '../../domain/authorization/principal';
import type { ImportJobStore } from '../../domain/ports/import-job-store';
import { Violations, type FieldViolation } from '../../domain/errors/domain-error';
import { requestIdViolation } from '../../domain/access/request-id';
import { clinicIdViolation } from '../../domain/clinic/clinic-id';
import { stockholmDate } from '../../domain/time/stockholm';
import { changeEachAccess, type BatchItem } from '../../application/change-many-accesses';
import { fingerprint } from '../../application/fingerprint';
import { clinicForStaff } from '../../application/staff-clinic';
import type { AccessCommandDeps } from './access-command';
import { readImportRow, type ImportRowInput } from './import-row';

export interface ImportAccessesInput {
  principal: Principal;
  clinicId: string;
  importId: string;
  rows: readonly ImportRowInput[];
  /** Aborted when the call ended: no storage step starts after it. */
  signal?: AbortSignal;
}

export type ImportRowOutcome = 'APPLIED' | 'ALREADY_APPLIED' | 'UNCHANGED' | 'FAILED';

export interface ImportRowResult {
  line: number;
  outcome: ImportRowOutcome;
  violations: readonly FieldViolation[];
}

export const MAX_IMPORT_ROWS = 1000;
/** Leaves room in a row's request id (128 characters) for `:` and the line. */
const MAX_IMPORT_ID_LENGTH = 100;

/** The request id of one row: the same row of the same import is the same request (AIP-155). */
export const rowRequestId = (importId: string, line: number) => `${importId}:${line}`;

/**
 * One batch of a clinic administrator's import. The batch itself must be well formed (clinic,
 * import id, 1 to MAX_IMPORT_ROWS rows with distinct lines) or nothing is done; then each row is
 * read as the single commands read theirs, and a bad row fails alone. The good rows are decided on
 * one read (importAccess: the single commands' decisions, one IMPORTED change per row) and stored
 * together, each under its own request id, so a batch or file sent again applies no row twice.
 * The answer holds lines and outcomes only, no resident's data: it is not a logged read.
 */
export function makeImportAccesses(deps: AccessCommandDeps & { importJobs: ImportJobStore }) {
  return async (input: ImportAccessesInput): Promise<ImportRowResult[]> => {
    readBatch(input);
    input.signal?.throwIfAborted();
    const settings = await clinicForStaff(deps.clinics, input.principal, input.clinicId, 'admin');
    const now = deps.clock.now();
    const today = stockholmDate(now);
    const actor = input.principal.subject;
    const results: ImportRowResult[] = input.rows.map((row) => ({ line: row.line, outcome: 'FAILED', violations: [] }));
    const good: GoodRow[] = [];
    input.rows.forEach((row, at) => {
      const read = readImportRow(row, settings, today);
      if ('violations' in read) {
        results[at]!.violations = read.violations;
        return;
      }
      const resident = read.number.value;
      const requestId = rowRequestId(input.importId, row.line);
      const stamp = { actor, at: now, requestId };
      good.push({
        at,
        resident,
        item: {
          request: {
            requestId,
            // What the row means, so another row under the same id is never taken for this one.
            fingerprint: fingerprint('ImportAccesses', { clinicId: input.clinicId, resident, actor, imported: read.imported }),
            decide: (current) => {
              // Decided on the stored access (again after a lost race): the last decision's refusals count.
              const refusals = importRefusals(current, read.imported, now);
              results[at]!.violations = refusals;
              return refusals.length > 0 ? unchanged(current) : importAccess(current, read.imported, stamp, deps.ids.next());
            },
          },
        },
      });
    });
    if (good.length > 0) await applyRows(deps, input, good, results, now);
    // Operators follow imports among the jobs (ListJobs): the batch's counts, once its rows are stored.
    const count = (outcome: ImportRowOutcome) => results.filter((r) => r.outcome === outcome).length;
    await deps.importJobs.recordBatch({ clinicId: input.clinicId, id: input.importId, actor }, now, {
      applied: count('APPLIED'),
      unchanged: count('UNCHANGED') + count('ALREADY_APPLIED'),
      failed: count('FAILED'),
    });
    return results;
  };
}

type GoodRow = { at: number; item: Omit<BatchItem, 'stored'>; resident: string };

/** The good rows decided on one read and stored together; their outcomes written into `results`. */
async function applyRows(deps: AccessCommandDeps, input: ImportAccessesInput, good: GoodRow[], results: ImportRowResult[], now: Date): Promise<void> {
  input.signal?.throwIfAborted();
  const stored = await readAll(
    deps,
    input.clinicId,
    good.map((g) => g.resident),
  );
  input.signal?.throwIfAborted();
  const changed = await changeEachAccess(
    deps,
    good.map((g, k) => ({ ...g.item, stored: stored[k]! })),
    now,
  );
  changed.forEach((result, k) => {
    const row = results[good[k]!.at]!;
    row.outcome = row.violations.length > 0 ? 'FAILED' : !result.changed ? 'UNCHANGED' : result.replayed ? 'ALREADY_APPLIED' : 'APPLIED';
  });
}

/** The batch's own fields: a client's mistake here refuses the whole batch (VALIDATION_FAILED). */
function readBatch(input: ImportAccessesInput): void {
  const violations = new Violations();
  violations.add(clinicIdViolation(input.clinicId));
  violations.add(requestIdViolation(input.importId, 'import_id'));
  if (input.importId.length > MAX_IMPORT_ID_LENGTH) {
    violations.add({ field: 'import_id', reason: 'TOO_LONG', description: `at most ${MAX_IMPORT_ID_LENGTH} characters` });
  }
  if (input.rows.length === 0 || input.rows.length > MAX_IMPORT_ROWS) {
    violations.add({ field: 'rows', reason: input.rows.length === 0 ? 'REQUIRED' : 'TOO_MANY', description: `give 1 to ${MAX_IMPORT_ROWS} rows` });
  }
  const lines = new Set<number>();
  input.rows.forEach((row, i) => {
    if (!Number.isSafeInteger(row.line) || row.line < 1) {
      violations.add({ field: `rows[${i}].line`, reason: 'INVALID_LINE', description: 'must be a whole number from 1' });
    } else if (lines.has(row.line)) {
      violations.add({ field: `rows[${i}].line`, reason: 'DUPLICATE_LINE', description: 'another row of the batch has this line' });
    }
    lines.add(row.line);
  });
  violations.throwIfAny();
}

/** The rows' accesses in one page read (a resident with no document comes as not stored). */
async function readAll(deps: AccessCommandDeps, clinicId: string, residents: string[]) {
  const all = [];
  for await (const page of deps.repository.pages({ clinicId, residents }, residents.length)) all.push(...page);
  return all;
}

export type ImportAccesses = ReturnType<typeof makeImportAccesses>;
