import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminClient } from '../admin-client';
import { printJson, type Output } from '../output';
import { jobTable, type JobMessage } from './job-table';

const WATCH_EVERY_MS = 2000;

async function allJobs(client: AdminClient): Promise<JobMessage[]> {
  const jobs: JobMessage[] = [];
  let pageToken = '';
  do {
    const page = await client.call<{ jobs: JobMessage[]; nextPageToken: string }>('ListJobs', { pageSize: 1000, pageToken });
    jobs.push(...page.jobs);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return jobs;
}

/** `jobs [--watch]`: every background job, newest first; --watch lists again until none runs. */
export async function jobs(client: AdminClient, out: Output, watch: boolean): Promise<void> {
  for (;;) {
    const listed = await allJobs(client);
    if (out.json) printJson(out, { jobs: listed });
    else out.write(jobTable(listed));
    if (!watch || !listed.some((j) => j.state === 'JOB_STATE_RUNNING')) return;
    await sleep(WATCH_EVERY_MS);
    if (!out.json) out.write('\n');
  }
}
