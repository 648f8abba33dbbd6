import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACTED, scrubDeep, scrubString } from './personal-data-scrub';

/** Field names that hold personal identity numbers anywhere in a log object. */
const PERSONAL_FIELDS = ['personalIdentityNumber', 'personal_identity_number', 'resident', 'residents', 'personalIdentityNumbers', 'personal_identity_numbers'];
const redactPaths = PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/**
 * The service's only logger. Two layers keep personal identity numbers out: known fields are
 * censored by path, and every string (message, error text, stack) is scrubbed of number shapes.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'resident-access' },
      redact: { paths: redactPaths, censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubString(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log: (object) => scrubDeep(object) as Record<string, unknown>,
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
