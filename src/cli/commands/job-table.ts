import { enumText, table, timeText } from '../table';

export interface JobMessage {
  id: string;
  kind: string;
  clinicId: string;
  state: string;
  changedCount: number;
  unchangedCount: number;
  actor: string;
  startTime: { seconds: number; nanos: number } | null;
  finishTime: { seconds: number; nanos: number } | null;
  scope: string;
}

export function jobTable(jobs: readonly JobMessage[]): string {
  return table(
    ['ID', 'KIND', 'CLINIC', 'SCOPE', 'STATE', 'CHANGED', 'UNCHANGED', 'ACTOR', 'STARTED', 'FINISHED'],
    jobs.map((j) => [
      j.id,
      enumText(j.kind, 'JOB_KIND_'),
      j.clinicId || '*',
      j.scope,
      enumText(j.state, 'JOB_STATE_'),
      String(j.changedCount),
      String(j.unchangedCount),
      j.actor,
      timeText(j.startTime),
      timeText(j.finishTime),
    ]),
  );
}
