// `npm run settings-docs`: writes the README's settings table and the chart's `env` schema
// (deploy/helm/resident-access/values.schema.json) from the parts' settings modules
// (src/<part>/settings.ts). test/scripts/settings-docs.test.ts fails when either is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { settingsParts } from '../src/config/config';

const root = join(__dirname, '..');
export const README_PATH = join(root, 'README.md');
export const VALUES_SCHEMA_PATH = join(root, 'deploy/helm/resident-access/values.schema.json');
export const TABLE_START = '<!-- settings table: generated from src/<part>/settings.ts by `npm run settings-docs`; edit those, not this -->';
export const TABLE_END = '<!-- end of the generated settings table -->';

export interface DocumentedSetting {
  name: string;
  description: string;
  /** Markdown: the default, `unset`, `**required**`, or what the schema's meta says instead. */
  shownDefault: string;
}

/** Every part's variables in declaration order, with their descriptions and defaults. */
export function documentedParts(): { title: string; module: string; settings: DocumentedSetting[] }[] {
  return settingsParts.map(({ title, module, env }) => ({
    title,
    module,
    settings: Object.entries(env.shape as Record<string, z.ZodType>).map(([name, schema]) => {
      const meta = schema.meta();
      if (typeof meta?.description !== 'string') throw new Error(`${name} (${module}) has no description`);
      if (/[|\n]/.test(meta.description)) throw new Error(`${name} (${module}): a description may hold no | and no line break (it is a table cell)`);
      return { name, description: meta.description, shownDefault: typeof meta.shownDefault === 'string' ? meta.shownDefault : defaultOf(schema) };
    }),
  }));
}

/** The value an unset variable gets, as the table shows it. */
function defaultOf(schema: z.ZodType): string {
  const unset = schema.safeParse(undefined);
  if (!unset.success) return '**required**';
  const value: unknown = unset.data;
  if (value === undefined) return 'unset';
  if (Array.isArray(value)) return `\`${value.join(',')}\``;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return `\`${value}\``;
  throw new Error(`a default the table cannot show: ${JSON.stringify(value)}`);
}

/** The README's table, one per part, between the markers. */
export function settingsTable(): string {
  const tables = documentedParts().map(({ title, module, settings }) =>
    [
      `**${title}** ([\`${module}\`](${module}))`,
      '',
      '| variable | default | meaning |',
      '|---|---|---|',
      ...settings.map((s) => `| \`${s.name}\` | ${s.shownDefault} | ${s.description} |`),
    ].join('\n'),
  );
  return [TABLE_START, ...tables, TABLE_END].join('\n\n');
}

/** The README with its settings table regenerated. */
export function readmeWithSettingsTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the settings table's markers (${TABLE_START} ... ${TABLE_END})`);
  return readme.slice(0, start) + settingsTable() + readme.slice(end + TABLE_END.length);
}

/** Markdown to the plain text of a JSON schema description. */
const plain = (markdown: string) => markdown.replace(/\*\*/g, '').replace(/\[([^\]]+)\]\([^)]+\)/g, '$1');

/** The chart's `env` value: free-form, but each known variable described (editors and `helm lint` show it). */
export function envValuesSchema(): Record<string, unknown> {
  const value = { type: ['string', 'number', 'boolean'] };
  const properties = Object.fromEntries(
    documentedParts().flatMap(({ settings }) => settings.map((s) => [s.name, { ...value, description: `${plain(s.description)}. Default: ${plain(s.shownDefault)}.` }])),
  );
  return {
    type: 'object',
    description: 'The service\'s configuration variables (README, "Configuration"), as strings; the chart refuses the ones it sets itself.',
    propertyNames: { pattern: '^[A-Z][A-Z0-9_]*$' },
    properties,
    additionalProperties: value,
  };
}

async function write(): Promise<void> {
  writeFileSync(README_PATH, readmeWithSettingsTable(readFileSync(README_PATH, 'utf8')));
  const schema = JSON.parse(readFileSync(VALUES_SCHEMA_PATH, 'utf8')) as { properties: Record<string, unknown> };
  schema.properties.env = envValuesSchema();
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(VALUES_SCHEMA_PATH);
  writeFileSync(VALUES_SCHEMA_PATH, await prettier.format(JSON.stringify(schema, null, 2), { ...options, filepath: VALUES_SCHEMA_PATH }));
  process.stdout.write('settings-docs: wrote README.md and deploy/helm/resident-access/values.schema.json\n');
}

if (require.main === module) {
  write().catch((error: unknown) => {
    process.stderr.write(`settings-docs: ${String(error)}\n`);
    process.exit(1);
  });
}
