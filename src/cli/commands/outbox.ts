import type { AdminClient } from '../admin-client';
import { printJson, type Output } from '../output';
import { ageText, table, timeText } from '../table';

/** `outbox`: each outbox's backlog. */
export async function outbox(client: AdminClient, out: Output): Promise<void> {
  const response = await client.getOutboxStatus({});
  if (out.json) return printJson(out, response);
  const now = Date.now();
  out.write(
    table(
      ['OUTBOX', 'PENDING DOCUMENTS', 'OLDEST PENDING', 'AGE'],
      response.outboxes.map((o) => [o.name, String(o.pendingDocuments), timeText(o.oldestPendingTime), ageText(o.oldestPendingTime, now)]),
    ),
  );
}
