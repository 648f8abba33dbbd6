import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, RepublishRequest } from '../../gen/residentaccess/v1/admin_service';
import type { AdminClient } from '../admin-client';
import { UsageError } from '../exit-codes';
import { printJson, type Output } from '../output';
import type { ProgressBar } from '../progress-bar';
import { isRunning, jobTable, namedJob } from './job-table';

const POLL_EVERY_MS = 500;

export interface RepublishFlags {
  clinic?: string;
  all?: boolean;
  'request-id'?: string;
  'no-wait'?: boolean;
}

/** Checks the scope before anything is read: `resident` is whether a resident was named (argument or file). */
export function checkRepublishScope(flags: RepublishFlags, resident: boolean): void {
  if (flags.all && (flags.clinic || resident)) throw new UsageError('--all goes alone, without --clinic or a resident');
  if (!flags.all && !flags.clinic) throw new UsageError('republish needs --clinic C (optionally with a resident) or --all');
}

function request(flags: RepublishFlags, resident: string | undefined): RepublishRequest {
  return { clinicId: flags.clinic ?? '', personalIdentityNumber: resident ?? '', allClinics: flags.all === true, requestId: flags['request-id'] ?? randomUUID() };
}

const jobOf = (response: { job: Job | undefined }): Job => {
  if (!response.job) throw new Error('the service answered without the job');
  return response.job;
};

/** `republish`: starts the job, then follows it to its end (progress on stderr when a TTY). */
export async function republish(client: AdminClient, out: Output, flags: RepublishFlags, resident: string | undefined, progress: ProgressBar): Promise<void> {
  let job = jobOf(await client.republish(request(flags, resident)));
  while (!flags['no-wait'] && isRunning(job)) {
    progress.update('republished', job.changedCount, null);
    await sleep(POLL_EVERY_MS);
    job = jobOf(await client.getRepublishJob({ jobId: job.id }));
  }
  progress.finish();
  if (out.json) printJson(out, { job: namedJob(job) });
  else out.write(jobTable([job]));
}
