import { Writable } from 'node:stream';
import type { ListResidentsRequest, ListResidentsResponse, ResidentListEntry } from '../../gen/residentaccess/v1/resident_access_service';
import { ProgressBar } from '../progress-bar';
import type { StaffClient } from '../staff-client';
import { exportClinic } from './export';

const entry = (n: number): ResidentListEntry => ({
  name: `Resident ${n}`,
  access: { clinicId: 'SE2321000016-1234', personalIdentityNumber: String(191212121200 + n), approval: undefined, version: 1, etag: 'W/"1"', grants: [] },
});

/** A listing of `pages` pages of `size` residents, recording each request. */
function listing(pages: number, size: number) {
  const requests: ListResidentsRequest[] = [];
  const client: StaffClient = {
    listResidents: async (request) => {
      requests.push(request);
      const index = request.pageToken === '' ? 0 : Number(request.pageToken);
      const residents = Array.from({ length: size }, (_, i) => entry(index * size + i));
      return { residents, nextPageToken: index + 1 < pages ? String(index + 1) : '' } satisfies ListResidentsResponse;
    },
    close: () => undefined,
  };
  return { client, requests };
}

/** A reader that takes nothing until `release()`: its buffer fills after the first write. */
function stalledReader() {
  const written: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString());
      void gate.then(() => done());
    },
  });
  return { stream, written, release };
}

const noProgress = new ProgressBar({ isTTY: false } as NodeJS.WriteStream);

describe('export streams page by page', () => {
  it('asks for the next page only once the last one is written: a slow reader holds the listing back', async () => {
    const { client, requests } = listing(5, 3);
    const reader = stalledReader();

    const exported = exportClinic(client, reader.stream, { clinicId: 'SE2321000016-1234', pageSize: 3 }, noProgress);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toHaveLength(1);
    expect(reader.written).toHaveLength(1);

    reader.release();
    expect(await exported).toEqual({ residents: 15 });
    expect(requests.map((r) => r.pageToken)).toEqual(['', '1', '2', '3', '4']);
    expect(requests.every((r) => r.clinicId === 'SE2321000016-1234' && r.pageSize === 3 && !r.approvedOnly && r.caseTypeId === '')).toBe(true);
    expect(reader.written.join('').split('\r\n')).toHaveLength(1 + 15 + 1); // header, rows, and after the last CRLF nothing
  });
});
