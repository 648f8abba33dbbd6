/** PromQL words that are not metric names: operators, modifiers and the label lists of by/without/on/ignoring/group_*. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan', 'atan2']);

/**
 * The metric names a PromQL expression reads: every identifier outside strings, label matchers,
 * ranges and grouping lists that is not a function call or a keyword. Grafana's `$variables` are
 * dropped first. Enough for the expressions of our alerts and dashboards, not a full parser.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/\$\{?\w+\}?/g, '5m')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]!).filter((n) => !KEYWORDS.has(n.toLowerCase()));
  return [...new Set(names)];
}

/** Every `expr` field anywhere in a parsed JSON or YAML document. */
export function exprsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(exprsIn);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (key === 'expr' && typeof value === 'string' ? [value] : exprsIn(value)));
}
