import { requireOperatorScope } from '../domain/authorization/policy';
import type { Principal } from '../domain/authorization/principal';
import type { OutboxBacklog, OutboxBacklogs } from '../domain/ports/outbox-backlog';

/** The backlog of every outbox, read now (the documents are the truth, whichever instance wrote them). */
export function makeOutboxStatus(outboxes: OutboxBacklogs) {
  return async (principal: Principal): Promise<{ name: string; backlog: OutboxBacklog }[]> => {
    requireOperatorScope(principal);
    return Promise.all(Object.entries(outboxes).map(async ([name, read]) => ({ name, backlog: await read() })));
  };
}

export type OutboxStatus = ReturnType<typeof makeOutboxStatus>;
