import type { Logger } from 'pino';
import type { RemindEndingGrants } from '../commands/access/remind-ending-grants';
import type { TimedStep } from './expiry-worker';

export interface ReminderObserver {
  grantRemindersStored(count: number): void;
}

/** The grant reminders as a step of the expiry worker's scan: reminder days begin at Stockholm midnights too. */
export function endingSoonStep(remind: RemindEndingGrants, observer: ReminderObserver, logger: Logger): TimedStep {
  return {
    async run(now, batchSize) {
      const { due, reminded, more } = await remind(now, batchSize);
      if (reminded > 0) {
        observer.grantRemindersStored(reminded);
        logger.info({ reminders: reminded, accesses: due }, 'grant reminders published');
      }
      return { more: more || due === batchSize };
    },
  };
}
