/** A response for --json: timestamps as ISO text, unset messages as null, everything else as the protobuf fields are named. */
export function plain(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

export interface Output {
  json: boolean;
  write(text: string): void;
}

/** Enums must already be named (the generated `...ToJSON` functions): the typed messages hold their numbers. */
export function printJson(out: Output, value: unknown): void {
  out.write(JSON.stringify(plain(value), null, 2) + '\n');
}
