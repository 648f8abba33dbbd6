import { emptyAccess, type ResidentAccess } from './resident-access';
import { republish } from './republish';

const stamp = { actor: 'operator-1', at: new Date('2026-01-02T03:04:05Z'), requestId: 'job-1' };

describe('republish', () => {
  it('keeps the state, one version on, with a REPUBLISHED event from the operator', () => {
    const current: ResidentAccess = { ...emptyAccess('SE2321000016-1234', '191212121212'), approval: { actor: 'staff-1', at: new Date(0), requestId: 'r' }, version: 4 };
    const decision = republish(current, stamp, 'ev-1');
    expect(decision).toEqual({
      changed: true,
      access: { ...current, version: 5 },
      event: { eventId: 'ev-1', cause: 'REPUBLISHED', access: { ...current, version: 5 }, before: current, version: 5, actor: 'operator-1', requestId: 'job-1', occurredAt: stamp.at },
    });
  });

  it('has nothing to republish for an access never stored', () => {
    const never = emptyAccess('SE2321000016-1234', '191212121212');
    expect(republish(never, stamp, 'ev-1')).toEqual({ changed: false, access: never });
  });
});
