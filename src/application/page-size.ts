import type { Violations } from '../domain/errors/domain-error';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** AIP-158 page size: 0 means the default; above the maximum is an error, not a silent cap. */
export function readPageSize(pageSize: number, violations: Violations): number {
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
    violations.add({ field: 'page_size', reason: 'INVALID_PAGE_SIZE', description: `must be 0 to ${MAX_PAGE_SIZE}` });
  }
  return pageSize || DEFAULT_PAGE_SIZE;
}
