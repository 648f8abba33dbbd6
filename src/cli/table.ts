/** A plain text table: a header row, then one row per item, columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** A timestamp as ISO text ('' when unset). */
export function timeText(t: Date | undefined): string {
  return t ? t.toISOString() : '';
}

/** How long ago, in whole seconds ('' when unset). */
export function ageText(t: Date | undefined, now: number): string {
  if (!t) return '';
  return `${Math.max(0, Math.round((now - t.getTime()) / 1000))}s`;
}

/** An enum name without its type prefix: JOB_KIND_REPUBLISH -> REPUBLISH. */
export function enumText(value: string, prefix: string): string {
  return value.startsWith(prefix) ? value.slice(prefix.length) : value;
}
