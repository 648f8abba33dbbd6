import { z } from 'zod';

/**
 * Building blocks of the settings modules (`src/<part>/settings.ts`): each part declares its
 * environment variables as a zod schema with a description and a default, and the configuration
 * (src/config/config.ts) validates them all once at start-up. Values arrive as strings.
 */
export const port = z.coerce.number().int().min(0).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const flag = z
  .enum(['true', 'false'], 'must be true or false')
  .default('false')
  .transform((v) => v === 'true');
export const filePath = z.string().min(1).optional();

/** A comma-separated list (blanks around and between items dropped). */
export const commaSeparated = (s: string): string[] =>
  s
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
