import { z } from 'zod';

/** The population register's environment variables (docs/register.md). */
export const registerEnv = z.object({
  REGISTER_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/)
    .default('population-register.residents.v1')
    .describe('the population-register topic ([`docs/register.md`](docs/register.md))'),
  REGISTER_CONSUMER_GROUP: z.string().min(1).default('resident-access.register').describe('consumer group for it'),
});

export interface RegisterSettings {
  register: { topic: string; consumerGroup: string };
}

export function registerSettings(e: z.infer<typeof registerEnv>): RegisterSettings {
  return { register: { topic: e.REGISTER_TOPIC, consumerGroup: e.REGISTER_CONSUMER_GROUP } };
}

/** The register consumer's fixed numbers (not read from the environment). */
export const REGISTER_TUNING = {
  /** Joining the register topic while Kafka is unreachable or the topic is missing. */
  registerJoinRetry: { initialMs: 500, maxMs: 30_000 },
};
