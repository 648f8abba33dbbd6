import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from '../../gen/residentaccess/v1/admin_service';
import type { AdminClient } from '../admin-client';
import { printJson, type Output } from '../output';
import { isRunning, jobTable, namedJob } from './job-table';

const WATCH_EVERY_MS = 2000;

async function allJobs(client: AdminClient): Promise<Job[]> {
  const jobs: Job[] = [];
  let pageToken = '';
  do {
    const page = await client.listJobs({ pageSize: 1000, pageToken });
    jobs.push(...page.jobs);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return jobs;
}

/** `jobs [--watch]`: every background job, newest first; --watch lists again until none runs. */
export async function jobs(client: AdminClient, out: Output, watch: boolean): Promise<void> {
  for (;;) {
    const listed = await allJobs(client);
    if (out.json) printJson(out, { jobs: listed.map(namedJob) });
    else out.write(jobTable(listed));
    if (!watch || !listed.some(isRunning)) return;
    await sleep(WATCH_EVERY_MS);
    if (!out.json) out.write('\n');
  }
}
