// The shipped Prometheus and Grafana files, held to the real promtool (Debian package prometheus): the
// alert rules load and their unit tests pass, the example configuration is valid, /metrics lints
// clean, and every metric the rules and the Grafana dashboard read is one a running shopkeep exports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';

const PROMETHEUS = path.resolve(import.meta.dirname, '../../deploy/prometheus');
const DASHBOARD = path.resolve(import.meta.dirname, '../../deploy/grafana/dashboards/shopkeep.json');
const PROMTOOL = '/usr/bin/promtool';

/** The backup figures the ops module exports once a backup module is built (docs/backups.md). */
const BACKUP_METRICS = [
  'shopkeep_backup_last_success_timestamp_seconds',
  'shopkeep_backup_last_verified_timestamp_seconds',
  'shopkeep_backup_last_failure_timestamp_seconds',
  'shopkeep_backup_restore_duration_seconds',
  'shopkeep_backup_bytes',
];
/** Made by Prometheus itself for every target it scrapes. */
const PROMETHEUS_OWN = ['up'];

let server: TestServer;
before(async () => {
  if (!existsSync(PROMTOOL)) throw new Error('promtool not found: apt-get install prometheus (see .ci/run)');
  server = await startTestServer();
});
after(() => server.close());

/** promtool's output; a failure shows what it printed. */
function promtool(args: string[], input?: string): string {
  try {
    return execFileSync(PROMTOOL, args, { cwd: PROMETHEUS, encoding: 'utf8', input, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

async function scrape(): Promise<string> {
  const response = await server.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' });
  assert.equal(response.statusCode, 200, response.body);
  return response.body;
}

/** Every series name /metrics declares, with a histogram's _bucket, _sum and _count. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

const NOT_METRICS = new Set(['and', 'or', 'unless', 'bool', 'group_left', 'group_right', 'inf', 'nan']);

/** The metric names a PromQL expression reads: not functions, label names, keywords or numbers. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[\dsmhdwy]+/g, ' ')
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, ' ');
  return [...bare.matchAll(/[a-zA-Z_:][\w:]*/g)]
    .filter((m) => !NOT_METRICS.has(m[0].toLowerCase()))
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index + m[0].length)))
    .map((m) => m[0]);
}

/** The `expr:` of each rule in our rules file, one line or a folded block (`>-`). */
function ruleExpressions(yaml: string): string[] {
  const lines = yaml.split('\n');
  const exprs: string[] = [];
  lines.forEach((line, index) => {
    const match = /^(\s*)expr: (.*)$/.exec(line);
    if (!match) return;
    if (match[2] !== '>-') return void exprs.push(match[2]!);
    const block: string[] = [];
    for (const next of lines.slice(index + 1)) {
      if (!next.startsWith(`${match[1]}  `)) break;
      block.push(next.trim());
    }
    exprs.push(block.join(' '));
  });
  return exprs;
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: { panels?: unknown[]; targets?: { expr: string }[] }[];
  };
  const panels = dashboard.panels.flatMap((panel) => [
    panel,
    ...((panel.panels ?? []) as typeof dashboard.panels),
  ]);
  return panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

test('promtool finds the alert rules valid and their unit tests pass', () => {
  assert.match(promtool(['check', 'rules', 'shopkeep-rules.yml']), /SUCCESS: \d+ rules found/);
  const tested = promtool(['test', 'rules', 'shopkeep-rules.test.yml', 'shopkeep-rules-weekly.test.yml']);
  assert.equal(tested.match(/SUCCESS/g)?.length, 2, tested);
});

test('promtool finds the example configuration valid, with the rules it loads', () => {
  const checked = promtool(['check', 'config', 'prometheus.yml']);
  assert.match(checked, /SUCCESS: 1 rule files found/);
  assert.match(checked, /prometheus\.yml is valid prometheus config file syntax/);
});

test('every metric the rules and the dashboard read is one shopkeep exports', async () => {
  const exported = exportedNames(await scrape());
  const rulesYaml = readFileSync(path.join(PROMETHEUS, 'shopkeep-rules.yml'), 'utf8');
  const rules = ruleExpressions(rulesYaml);
  assert.equal(rules.length, rulesYaml.match(/- alert: /g)?.length, 'an expression for every rule');
  const dashboard = dashboardExpressions();
  assert.ok(dashboard.length > 30, 'the dashboard has its panels');
  const used = new Set([...rules, ...dashboard].flatMap(metricNames));
  const known = new Set([...exported, ...BACKUP_METRICS, ...PROMETHEUS_OWN]);
  assert.deepEqual(
    [...used].filter((name) => !known.has(name)),
    [],
    'read by the rules or the dashboard, exported by nothing',
  );
  // The list of names not exported yet stays honest: each is read somewhere.
  assert.deepEqual(
    BACKUP_METRICS.filter((name) => !used.has(name)),
    [],
  );
  for (const name of ['node_cpu_seconds_total', 'node_filesystem_avail_bytes', 'shopkeep_jobs_dead_letters'])
    assert.ok(used.has(name) && exported.has(name), name);
});

test('the metric name reader takes what a PromQL expression reads, and nothing else', () => {
  assert.deepEqual(
    metricNames(
      'sum by (job, le) (rate(a_bucket{status=~"5..", le!="x"}[$__rate_interval])) / on(job) group_left b > 2e9 and bool time() - c offset 5m',
    ),
    ['a_bucket', 'b', 'c'],
  );
});

test("/metrics has the host's figures under node_exporter's names, and promtool lints it clean", async () => {
  const text = await scrape();
  assert.match(text, /^node_cpu_seconds_total\{cpu="0",mode="idle",app="shopkeep"\} \d/m);
  assert.match(text, /^node_memory_MemAvailable_bytes\{app="shopkeep"\} \d+/m);
  assert.match(
    text,
    /^node_filesystem_size_bytes\{mountpoint="[^"]+",fstype="[^"]+",device="[^"]+",app="shopkeep"\} \d+/m,
  );
  assert.match(text, /^node_time_seconds\{app="shopkeep"\} \d+/m);
  let problems: string[] = [];
  try {
    execFileSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { status, stdout, stderr } = error as { status: number; stdout: string; stderr: string };
    assert.equal(status, 3, `not a list of lint problems: ${stdout}${stderr}`);
    problems = `${stdout}${stderr}`.split('\n').filter(Boolean);
  }
  // node_exporter's own names (node_memory_MemTotal_bytes) and prom-client's Node.js gauges are kept as they are.
  const ours = problems.filter(
    (line) =>
      !/^node_memory_\w+ metric names should be written in 'snake_case'/.test(line) &&
      !/^shopkeep_nodejs_active_\w+_total non-counter metrics/.test(line),
  );
  assert.deepEqual(ours, []);
});
