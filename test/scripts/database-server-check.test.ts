import { checkDatabaseServer } from '../../scripts/database-server-check';

// Shapes of real buildInfo replies, trimmed to what matters.
const mongodb = { version: '7.0.14', gitVersion: 'ce59cfc6a3c5e5c067dca0d30697edd68d4f5188', modules: [], ok: 1 };
const stockFerret = { version: '7.0.42', gitVersion: 'unknown', ferretdbVersion: 'v1.24.2', ferretdbFeatures: { aggregationStages: [] }, ok: 1 };
const patchedFerret = { ...stockFerret, residentAccessPatch: 'atomic-writes-and-id-pushdown-3' };

describe('checkDatabaseServer', () => {
  it('passes MongoDB (no ferretdbVersion)', () => {
    expect(checkDatabaseServer(mongodb)).toEqual({ ok: true, server: 'MongoDB 7.0.14' });
  });

  it('passes FerretDB built with the resident-access patch, naming the patch', () => {
    expect(checkDatabaseServer(patchedFerret)).toEqual({ ok: true, server: 'FerretDB v1.24.2 (patch atomic-writes-and-id-pushdown-3)' });
  });

  it('refuses FerretDB without the patch, in one line that says why and what to do', () => {
    const result = checkDatabaseServer(stockFerret);
    expect(result).toEqual({
      ok: false,
      reason:
        'MONGODB_URI points at FerretDB v1.24.2 without the resident-access patch: its conditional updates are not atomic ' +
        'and writes would be lost; run `npm run stack -- down` and `up` to rebuild it',
    });
    expect(result.ok || result.reason.includes('\n')).toBe(false);
  });

  it('refuses FerretDB whose marker is empty or not a string', () => {
    expect(checkDatabaseServer({ ...stockFerret, residentAccessPatch: '' }).ok).toBe(false);
    expect(checkDatabaseServer({ ...stockFerret, residentAccessPatch: true }).ok).toBe(false);
  });

  it('refuses a FerretDB whose version is not a string, still in one readable line', () => {
    const result = checkDatabaseServer({ ferretdbVersion: 42 });
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('FerretDB (version unknown) without the resident-access patch') as unknown });
  });
});
