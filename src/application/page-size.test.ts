import { DomainError, Violations } from '../domain/errors/domain-error';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, readPageSize } from './page-size';

/** The page size read, and the violations it added (thrown as one validation error). */
function read(pageSize: number): { size: number; fields: string[] } {
  const violations = new Violations();
  const size = readPageSize(pageSize, violations);
  try {
    violations.throwIfAny();
    return { size, fields: [] };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { size, fields: error.violations.map((v) => `${v.field} ${v.reason}: ${v.description}`) };
  }
}

describe('readPageSize (AIP-158)', () => {
  it('reads 0 as the default', () => {
    expect(read(0)).toEqual({ size: DEFAULT_PAGE_SIZE, fields: [] });
    expect(DEFAULT_PAGE_SIZE).toBe(100);
  });

  it('keeps a size from 1 to the maximum as asked', () => {
    expect(read(1)).toEqual({ size: 1, fields: [] });
    expect(read(MAX_PAGE_SIZE)).toEqual({ size: 1000, fields: [] });
  });

  it('refuses a size above the maximum instead of capping it, and a negative or fractional one', () => {
    for (const size of [MAX_PAGE_SIZE + 1, -1, 2.5]) {
      expect(read(size).fields).toEqual(['page_size INVALID_PAGE_SIZE: must be 0 to 1000']);
    }
  });
});
