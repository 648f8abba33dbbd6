import type { makeRepublish } from '../../commands/republish/republish';
import { toInspectionMessage, toJobMessage, toOutboxStatusMessage } from '../../contract/admin-mapping';
import type { AdminServiceService } from '../../gen/residentaccess/v1/admin_service';
import type { InspectResident } from '../../queries/admin-inspect';
import { fromRepublishJob, type JobQueries } from '../../queries/admin-jobs';
import type { OutboxStatus } from '../../queries/admin-outbox';
import type { UseCaseHandlers } from '../use-case-handlers';

export interface AdminUseCases {
  inspectResident: InspectResident;
  republish: ReturnType<typeof makeRepublish>;
  jobs: JobQueries;
  outboxStatus: OutboxStatus;
}

/** One handler per RPC of the service, typed from its generated definition. */
export type AdminHandlers = UseCaseHandlers<AdminServiceService>;

export function adminHandlers(u: AdminUseCases): AdminHandlers {
  return {
    inspectResident: async (r, { principal, signal }) => toInspectionMessage(await u.inspectResident(principal, r, signal)),
    republish: async (r, { principal, signal }) => ({ job: toJobMessage(fromRepublishJob(await u.republish({ principal, ...r, signal }))) }),
    getRepublishJob: async (r, { principal }) => ({ job: toJobMessage(await u.jobs.getRepublishJob(principal, r)) }),
    listJobs: async (r, { principal, signal }) => {
      const page = await u.jobs.listJobs(principal, r, signal);
      return { jobs: page.jobs.map(toJobMessage), nextPageToken: page.nextPageToken };
    },
    getOutboxStatus: async (_r, { principal }) => ({ outboxes: (await u.outboxStatus(principal)).map(toOutboxStatusMessage) }),
  };
}
