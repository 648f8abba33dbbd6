import { z } from 'zod';
import { filePath, positiveInt } from '../shared/settings';

/** A pseudonym key's secret is at least this long (RESIDENT_PSEUDONYM_SECRET, every key of the ring's file). */
export const MIN_SECRET_LENGTH = 32;

/** The service's own environment variables: the pseudonym keys every part shares, the shutdown, the test failpoint. */
export const serviceEnv = z.object({
  RESIDENT_PSEUDONYM_KEYRING_FILE: filePath.meta({
    description:
      'a JSON file (a mounted Secret) of the pseudonym keys: ids, secrets of 32+ characters, which is current. The current key makes the resident pseudonym in Kafka keys and subjects and in the access log, and the page-token keys (HKDF); older keys keep what they made readable until removed. Every instance must share it; rotation: [`docs/security.md`](docs/security.md#pseudonym-keys-and-their-rotation)',
    shownDefault: '**required**, or `RESIDENT_PSEUDONYM_SECRET`',
  }),
  RESIDENT_PSEUDONYM_SECRET: z
    .string()
    .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
    .optional()
    .meta({
      description: 'a ring of this one key (local use, tests; `npm start` sets a local one)',
      shownDefault: `instead of the file (${MIN_SECRET_LENGTH}+ characters)`,
    }),
  SHUTDOWN_GRACE_MS: positiveInt.default(10000).describe('how long calls in flight may take to finish after SIGTERM'),
  // Test-only: a crash the fault tests provoke (test/faults/crash-after-publish.test.ts).
  RESIDENT_ACCESS_FAILPOINT: z
    .enum(['exit-after-publish'])
    .optional()
    .describe(
      "**test-only, never in a deployment**: `exit-after-publish` kills the process (SIGKILL) once Kafka has acknowledged the access relay's first batch, before the outbox records it published (`test/faults/crash-after-publish.test.ts`)",
    ),
});
