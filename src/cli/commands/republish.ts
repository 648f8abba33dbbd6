import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminClient } from '../admin-client';
import { UsageError } from '../exit-codes';
import { printJson, type Output } from '../output';
import type { ProgressBar } from '../progress-bar';
import { jobTable, type JobMessage } from './job-table';

const POLL_EVERY_MS = 500;

export interface RepublishFlags {
  resident?: string;
  clinic?: string;
  all?: boolean;
  'request-id'?: string;
  'no-wait'?: boolean;
}

function request(flags: RepublishFlags) {
  if (flags.all && (flags.clinic || flags.resident)) throw new UsageError('--all goes alone, without --clinic or --resident');
  if (!flags.all && !flags.clinic) throw new UsageError('republish needs --clinic C (optionally with --resident N) or --all');
  return { clinicId: flags.clinic ?? '', personalIdentityNumber: flags.resident ?? '', allClinics: flags.all === true, requestId: flags['request-id'] ?? randomUUID() };
}

/** `republish`: starts the job, then follows it to its end (progress on stderr when a TTY). */
export async function republish(client: AdminClient, out: Output, flags: RepublishFlags, progress: ProgressBar): Promise<void> {
  let job = (await client.call<{ job: JobMessage }>('Republish', request(flags))).job;
  while (!flags['no-wait'] && job.state === 'JOB_STATE_RUNNING') {
    progress.update('republished', job.changedCount, null);
    await sleep(POLL_EVERY_MS);
    job = (await client.call<{ job: JobMessage }>('GetRepublishJob', { jobId: job.id })).job;
  }
  progress.finish();
  if (out.json) printJson(out, { job });
  else out.write(jobTable([job]));
}
