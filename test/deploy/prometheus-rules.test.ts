import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { promtool, promtoolPath } from '../support/go-tools';

const dir = join(__dirname, '..', '..', 'deploy', 'prometheus');
const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
}
const rules: Rule[] = (parse(readFileSync(join(dir, 'alerts.yaml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const ruleTests: RuleTest[] = (parse(readFileSync(join(dir, 'alerts.test.yaml'), 'utf8')) as { tests: RuleTest[] }).tests;

/** GitHub's anchor of a README heading. */
const anchors = new Set(
  [...readme.matchAll(/^#+ (.+)$/gm)].map((m) =>
    m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s-]/gu, '')
      .replace(/\s/g, '-'),
  ),
);

describe('Prometheus alert rules (deploy/prometheus)', () => {
  let bin: string;
  beforeAll(() => {
    bin = promtoolPath(); // builds it on the first run on a machine (minutes); fails the tests when it cannot
  }, 20 * 60_000);

  it('pass `promtool check rules`', () => {
    const run = promtool(bin, ['check', 'rules', 'alerts.yaml'], dir);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('pass their unit tests, `promtool test rules alerts.test.yaml`', () => {
    const run = promtool(bin, ['test', 'rules', 'alerts.test.yaml'], dir);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('whose unit tests fail when a rule changes (the tests hold the rules to their thresholds)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'alerts-'));
    try {
      copyFileSync(join(dir, 'alerts.test.yaml'), join(copy, 'alerts.test.yaml'));
      writeFileSync(join(copy, 'alerts.yaml'), readFileSync(join(dir, 'alerts.yaml'), 'utf8').replace('> 600', '> 6000'));
      const run = promtool(bin, ['test', 'rules', 'alerts.test.yaml'], copy);
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('ResidentAccessOutboxBacklogOld');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('cover backlog age, expiry late, relay stopped and error ratio', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(['ResidentAccessExpiryLate', 'ResidentAccessHighErrorRatio', 'ResidentAccessOutboxBacklogOld', 'ResidentAccessRelayStopped']);
  });

  it.each(rules.map((r) => [r.alert, r] as const))('%s has a for:, a severity, a summary, a description and a runbook section in the README', (_name, rule) => {
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
    const anchor = /^README\.md#(.+)$/.exec(rule.annotations?.runbook_url ?? '')?.[1];
    expect(anchor).toBe(rule.alert.toLowerCase());
    expect(anchors).toContain(anchor);
  });

  it.each(rules.map((r) => [r.alert] as const))('%s is tested both firing and not firing', (alert) => {
    const cases = ruleTests.flatMap((t) => t.alert_rule_test ?? []).filter((c) => c.alertname === alert);
    expect(cases.some((c) => c.exp_alerts.length > 0)).toBe(true);
    expect(cases.some((c) => c.exp_alerts.length === 0)).toBe(true);
  });
});
