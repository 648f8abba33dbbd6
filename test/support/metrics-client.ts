import { get } from 'node:http';

/** Reads the service's Prometheus text and returns it, with a helper to read one sample's value. */
export async function scrapeMetrics(port: number): Promise<{ text: string; value(name: string, labels?: string): number | undefined }> {
  const text = await new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
    }).on('error', reject);
  });
  return {
    text,
    value(name, labels) {
      const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    },
  };
}
