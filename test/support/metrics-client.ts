import { get } from 'node:http';

export interface Scrape {
  text: string;
  /** The value of the sample `name` without labels, or whose labels start with exactly `labels` as written. */
  value(name: string, labels?: string): number | undefined;
  /** The sum of the samples of `name` whose labels include every pair of `labels` (undefined when none). */
  sum(name: string, labels?: Record<string, string>): number | undefined;
  /** Every metric name with at least a HELP line or a sample. */
  names(): Set<string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Reads the service's Prometheus text and returns it, with helpers to read samples. */
export async function scrapeMetrics(port: number): Promise<Scrape> {
  const text = await new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c: string) => (body += c))
        .on('end', () => resolve(body));
    }).on('error', reject);
  });
  const samples = text
    .split('\n')
    .map((line) => SAMPLE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, labels: Object.fromEntries([...(m[2] ?? '').matchAll(LABEL)].map((l) => [l[1]!, l[2]!])), value: Number(m[3]) }));
  return {
    text,
    value(name, labels) {
      const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}` : `${name} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    },
    sum(name, labels = {}) {
      const matching = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      return matching.length === 0 ? undefined : matching.reduce((n, s) => n + s.value, 0);
    },
    names() {
      const help = [...text.matchAll(/^# HELP (\S+)/gm)].map((m) => m[1]!);
      return new Set([...help, ...samples.map((s) => s.name)]);
    },
  };
}
