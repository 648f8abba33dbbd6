/** A Timestamp as proto-loader gives it. */
type Timestamp = { seconds: number | string; nanos: number };

const isTimestamp = (v: unknown): v is Timestamp => typeof v === 'object' && v !== null && Object.keys(v).length === 2 && 'seconds' in v && 'nanos' in v;

/** The response for --json: timestamps as ISO text, everything else as the protobuf fields are named. */
export function plain(value: unknown): unknown {
  if (isTimestamp(value)) return new Date(Number(value.seconds) * 1000 + Math.floor(value.nanos / 1e6)).toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

export interface Output {
  json: boolean;
  write(text: string): void;
}

export function printJson(out: Output, value: unknown): void {
  out.write(JSON.stringify(plain(value), null, 2) + '\n');
}
