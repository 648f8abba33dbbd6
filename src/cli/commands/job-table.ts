import { jobKindToJSON, jobStateToJSON, JobState, type Job } from '../../gen/residentaccess/v1/admin_service';
import { enumText, table, timeText } from '../table';

/** A job for --json: its enums by name. */
export const namedJob = (j: Job) => ({ ...j, kind: jobKindToJSON(j.kind), state: jobStateToJSON(j.state) });

export const isRunning = (j: Job) => j.state === JobState.JOB_STATE_RUNNING;

export function jobTable(jobs: readonly Job[]): string {
  return table(
    ['ID', 'KIND', 'CLINIC', 'SCOPE', 'STATE', 'CHANGED', 'UNCHANGED', 'ACTOR', 'STARTED', 'FINISHED'],
    jobs.map((j) => [
      j.id,
      enumText(jobKindToJSON(j.kind), 'JOB_KIND_'),
      j.clinicId || '*',
      j.scope,
      enumText(jobStateToJSON(j.state), 'JOB_STATE_'),
      String(j.changedCount),
      String(j.unchangedCount),
      j.actor,
      timeText(j.startTime),
      timeText(j.finishTime),
    ]),
  );
}
