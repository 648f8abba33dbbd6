import type { Logger } from 'pino';
import type { RemindEndingGrants } from '../commands/access/remind-ending-grants';
import type { TimedStep } from './expiry-worker';

/** The grant reminders as a step of the expiry worker's scan: reminder days begin at Stockholm midnights too. */
export function endingSoonStep(remind: RemindEndingGrants, logger: Logger): TimedStep {
  return {
    async run(now, batchSize) {
      const { due, reminded, more } = await remind(now, batchSize);
      if (reminded > 0) logger.info({ reminders: reminded, accesses: due }, 'grant reminders published');
      return { more: more || due === batchSize };
    },
  };
}
