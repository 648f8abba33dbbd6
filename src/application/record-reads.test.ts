import type { Principal } from '../domain/authorization/principal';
import type { AccessLogEntry } from '../domain/ports/access-log';
import { BY_ENTITLEMENTS_SCOPE, BY_OPERATOR_SCOPE, byRole, makeReadRecorder } from './record-reads';

const NOW = new Date('2026-05-01T10:00:00Z');
const staff: Principal = { subject: 'staff-1', clinicRoles: new Map(), scopes: [] };

function recorder(retentionDays = 30, refusal?: Error) {
  const stored: AccessLogEntry[][] = [];
  const recordReads = makeReadRecorder({
    log: {
      record: async (entries) => {
        if (refusal) throw refusal;
        stored.push([...entries]);
      },
      list: async () => [],
    },
    pseudonymOf: (resident) => `p(${resident})`,
    clock: { now: () => NOW },
    retentionDays,
  });
  return { recordReads, stored };
}

describe('recordReads', () => {
  it('stores one entry per distinct resident read, by pseudonym, kept for the retention', async () => {
    const { recordReads, stored } = recorder(30);
    await recordReads(staff, 'ListResidents', byRole('staff'), 'SE2321000016-1234', ['191212121212', '200001012384', '191212121212']);
    const expiresAt = new Date('2026-05-31T10:00:00Z');
    const entry = { at: NOW, subject: 'staff-1', clinicId: 'SE2321000016-1234', read: 'ListResidents', authority: 'role:staff', expiresAt };
    expect(stored).toEqual([
      [
        { ...entry, residentPseudonym: 'p(191212121212)' },
        { ...entry, residentPseudonym: 'p(200001012384)' },
      ],
    ]);
  });

  it('names the authority of a scope, and records reads made for no clinic', async () => {
    const { recordReads, stored } = recorder(1);
    await recordReads(staff, 'CheckEntitlement', BY_ENTITLEMENTS_SCOPE, null, ['191212121212']);
    await recordReads(staff, 'InspectResident', BY_OPERATOR_SCOPE, null, ['191212121212']);
    expect(stored.flat().map((e) => [e.authority, e.clinicId, e.expiresAt.toISOString()])).toEqual([
      ['scope:resident-access:entitlements', null, '2026-05-02T10:00:00.000Z'],
      ['scope:resident-access:operator', null, '2026-05-02T10:00:00.000Z'],
    ]);
  });

  it('fails when the log refuses, so the read is not answered', async () => {
    const { recordReads } = recorder(30, new Error('log unavailable'));
    await expect(recordReads(staff, 'LookupResident', byRole('admin'), 'SE2321000016-1234', ['191212121212'])).rejects.toThrow('log unavailable');
  });
});
