import { emptyAccess, type ResidentAccess } from '../domain/access/resident-access';
import type { AccessRepository, RequestOutcome } from '../domain/ports/access-repository';
import { replayedAccess } from './change-resident-access';

const approvedAt = (version: number): ResidentAccess => ({
  ...emptyAccess('SE2321000016-1234', '191212121212'),
  approval: { actor: 'staff-1', at: new Date(Date.UTC(2026, 0, version)), requestId: `r${version}` },
  version,
});
const outcomeAt = (version: number): RequestOutcome => ({ requestId: 'r', fingerprint: 'f', changed: true, version });

/** A repository that knows the states of `versions` only. */
function history(...versions: number[]): { repository: Pick<AccessRepository, 'stateAt'>; asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    repository: {
      stateAt: (_clinicId, _resident, version) => {
        asked.push(version);
        return Promise.resolve(versions.includes(version) ? approvedAt(version) : null);
      },
    },
  };
}

describe('the access a replayed request answers with', () => {
  it('is the current access, read from nowhere else, when nothing changed since the request', async () => {
    const { repository, asked } = history();
    expect(await replayedAccess({ repository }, approvedAt(3), outcomeAt(3))).toEqual(approvedAt(3));
    expect(asked).toEqual([]);
  });

  it('is the state its version recorded when the access changed since', async () => {
    const { repository, asked } = history(2);
    expect(await replayedAccess({ repository }, approvedAt(5), outcomeAt(2))).toEqual(approvedAt(2));
    expect(asked).toEqual([2]);
  });

  it('is the current access when no record of its version is kept', async () => {
    const { repository } = history();
    expect(await replayedAccess({ repository }, approvedAt(5), outcomeAt(2))).toEqual(approvedAt(5));
  });
});
