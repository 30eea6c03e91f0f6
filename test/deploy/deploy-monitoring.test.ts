import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import 'reflect-metadata';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import type { Service } from 'kubernetes-models/v1/Service';
import { parse, stringify } from 'yaml';
import { MetricsController } from '../../src/metrics/metrics.controller.js';
import { Category } from '../../src/gellish/gellish-uids.js';
import { readRepoFile, readYamlDocuments, repoPath } from '../support/deploy-files.js';
import { databaseEnv, mintToken, startClarityProcess, type ClarityProcess } from '../support/clarity-process.js';
import { connect, request } from '../support/socket-client.js';
import {
  familyName,
  grafanaVariableExpression,
  parseExposition,
  promqlSelectors,
  type MetricFamily,
} from '../support/promql-names.js';

/**
 * k8s/monitoring: the ServiceMonitor, the PrometheusRule (checked and unit-tested
 * with promtool) and the Grafana dashboard, whose metric names are compared with
 * a live /metrics.
 */

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}
interface ServiceMonitor {
  apiVersion: string;
  kind: 'ServiceMonitor';
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    namespaceSelector?: { matchNames?: string[]; any?: boolean };
    selector: { matchLabels?: Record<string, string> };
    endpoints: Array<{ port?: string; path?: string; scheme?: string; interval?: string; scrapeTimeout?: string }>;
  };
}
interface PrometheusRule {
  apiVersion: string;
  kind: 'PrometheusRule';
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { groups: RuleGroup[] };
}
interface GrafanaTarget {
  expr?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
}
interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}
interface GrafanaDashboard {
  uid: string;
  title: string;
  panels: GrafanaPanel[];
  templating: { list: Array<{ name: string; type: string; query?: string | { query: string } }> };
}

/**
 * Metrics of kube-state-metrics the pod-level alerts use; they are not Clarity's,
 * so /metrics does not have them. Nothing else may come from outside Clarity.
 */
const KUBE_STATE_METRICS = ['kube_pod_status_ready', 'kube_pod_container_status_restarts_total'];
/** Labels Prometheus adds to every scraped series from the ServiceMonitor's discovery. */
const TARGET_LABELS = new Set(['namespace', 'pod', 'job', 'instance', 'service', 'endpoint', 'container']);
const WS_MAX_CONNECTIONS = 250;

const monitoringDir = repoPath('k8s', 'monitoring');
const promtoolTestFile = join(monitoringDir, 'promtool', 'clarity-alerts.test.yml');
const docs = readdirSync(monitoringDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => readYamlDocuments(join(monitoringDir, f)).map((doc) => ({ file: f, doc })));
const k8sDocs = readdirSync(repoPath('k8s'))
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => readYamlDocuments(repoPath('k8s', f)));

function only<T>(docsOfKind: Array<{ doc: Record<string, unknown> }>, kind: string): T {
  const found = docsOfKind.filter((d) => d.doc.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}`);
  return found[0]!.doc as unknown as T;
}

const serviceMonitor = only<ServiceMonitor>(docs, 'ServiceMonitor');
const prometheusRule = only<PrometheusRule>(docs, 'PrometheusRule');
const dashboardMap = only<ConfigMap>(docs, 'ConfigMap');
const service = only<Service>(
  k8sDocs.map((doc) => ({ doc })),
  'Service',
);
const deployment = only<Deployment>(
  k8sDocs.map((doc) => ({ doc })),
  'Deployment',
);
const dashboardJson = Object.entries(dashboardMap.data ?? {}).find(([key]) => key.endsWith('.json'));
const dashboard = JSON.parse(dashboardJson?.[1] ?? '{}') as GrafanaDashboard;
const alerts = prometheusRule.spec.groups.flatMap((g) => g.rules).filter((r) => r.alert);

function flatPanels(panels: GrafanaPanel[]): GrafanaPanel[] {
  return panels.flatMap((p) => [p, ...flatPanels(p.panels ?? [])]);
}

/** Every PromQL expression of the dashboard, with where it is. */
function dashboardExpressions(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const panel of flatPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      if (target.expr) out.push({ where: `panel "${panel.title}" ${target.refId ?? ''}`, expr: target.expr });
    }
  }
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query' || !variable.query) continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
    const expr = grafanaVariableExpression(query);
    if (expr) out.push({ where: `variable $${variable.name}`, expr });
  }
  return out;
}

function ruleExpressions(): Array<{ where: string; expr: string }> {
  return prometheusRule.spec.groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr })),
  );
}

/** GitHub's anchor of a Markdown heading. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}

function promtoolMissing(): string | undefined {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0
    ? 'promtool not installed (Debian package prometheus; .ci/run installs it)'
    : undefined;
}

describe('PromQL metric names', () => {
  test('are found in selectors, not in functions, keywords, labels, durations or Grafana variables', () => {
    const names = (expr: string) => promqlSelectors(expr).map((s) => s.name);
    assert.deepEqual(
      names('histogram_quantile(0.99, sum by (namespace, le) (rate(a_bucket{x="b{c}", y=~"$pod"}[$__rate_interval])))'),
      ['a_bucket'],
    );
    assert.deepEqual(names('sum(rate(a[5m])) by (le) / ignoring (level) group_left () b offset 5m > bool 1e3'), [
      'a',
      'b',
    ]);
    assert.deepEqual(names('max_over_time(c[1m:10s]) == 2 and on (pod) d unless e or vector(1) > +Inf'), [
      'c',
      'd',
      'e',
    ]);
    assert.deepEqual(names('label_replace(up, "dst", "$1", "src", "(.*)")'), ['up']);
    assert.deepEqual(promqlSelectors('x{a="1", b!="2",c=~"3"} / y'), [
      { name: 'x', labels: ['a', 'b', 'c'] },
      { name: 'y', labels: [] },
    ]);
    assert.equal(grafanaVariableExpression('label_values(m{a="$b"}, pod)'), 'm{a="$b"}');
    assert.equal(grafanaVariableExpression('label_values(namespace)'), undefined);
  });
});

describe('monitoring manifests (k8s/monitoring)', () => {
  test('everything lives in the relica namespace, like the service', () => {
    for (const { file, doc } of docs) {
      assert.equal((doc.metadata as { namespace?: string }).namespace, service.metadata!.namespace, file);
    }
    assert.equal(serviceMonitor.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(prometheusRule.apiVersion, 'monitoring.coreos.com/v1');
  });

  test('the ServiceMonitor selects the clarity Service and scrapes /metrics on its port', () => {
    const { spec } = serviceMonitor;
    assert.deepEqual(spec.namespaceSelector?.matchNames, [service.metadata!.namespace]);
    const wanted = Object.entries(spec.selector.matchLabels ?? {});
    assert.ok(wanted.length > 0, 'an empty selector selects every Service');
    const selected = k8sDocs.filter(
      (doc) =>
        doc.kind === 'Service' &&
        wanted.every(([k, v]) => (doc.metadata as { labels?: Record<string, string> }).labels?.[k] === v),
    );
    assert.deepEqual(
      selected.map((s) => (s.metadata as { name: string }).name),
      [service.metadata!.name],
    );

    assert.equal(spec.endpoints.length, 1);
    const endpoint = spec.endpoints[0]!;
    const port = service.spec!.ports!.find((p) => p.name === endpoint.port);
    assert.ok(port, `the Service has no port named ${endpoint.port}`);
    const container = deployment.spec!.template.spec!.containers[0]!;
    assert.ok(
      container.ports!.some((p) => p.containerPort === port.targetPort || p.name === port.targetPort),
      'the port reaches the container',
    );
    assert.equal(endpoint.path, `/${Reflect.getMetadata(PATH_METADATA, MetricsController) as string}`);
    assert.equal(endpoint.scheme ?? 'http', 'http');
    // the pods' own prometheus.io annotations name the same path and port
    const annotations = deployment.spec!.template.metadata!.annotations ?? {};
    assert.equal(annotations['prometheus.io/path'], endpoint.path);
    assert.equal(Number(annotations['prometheus.io/port']), port.targetPort);
  });

  test('the ServiceMonitor and the PrometheusRule carry the same selector labels for Prometheus', () => {
    assert.deepEqual(prometheusRule.metadata.labels, serviceMonitor.metadata.labels);
    assert.equal(serviceMonitor.metadata.labels?.app, 'clarity');
  });

  test('every alert has for, a severity, summary, description and a runbook section in docs/failure-modes.md', () => {
    assert.ok(alerts.length >= 6);
    const headings = new Set(
      readRepoFile('docs', 'failure-modes.md')
        .split('\n')
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => anchorOf(l.replace(/^#+ /, ''))),
    );
    const names = new Set<string>();
    for (const rule of alerts) {
      const name = rule.alert!;
      assert.ok(!names.has(name), `${name} twice`);
      names.add(name);
      assert.match(rule.for ?? '', /^\d+[smh]$/, `${name}: for`);
      assert.ok(['warning', 'critical'].includes(rule.labels?.severity ?? ''), `${name}: severity`);
      assert.ok(rule.annotations?.summary, `${name}: summary`);
      assert.ok(rule.annotations?.description, `${name}: description`);
      const runbook = rule.annotations?.runbook_url ?? '';
      const [path, anchor] = runbook.split('#');
      assert.equal(path, 'docs/failure-modes.md', `${name}: runbook_url`);
      assert.equal(anchor, anchorOf(name), `${name}: runbook anchor`);
      assert.ok(headings.has(anchor!), `${name}: docs/failure-modes.md has no section ${name}`);
    }
  });

  test('the dashboard ConfigMap is valid and labelled for the Grafana sidecar', () => {
    assert.doesNotThrow(() => new ConfigMap(dashboardMap as never).validate());
    assert.equal(dashboardMap.metadata?.labels?.grafana_dashboard, '1');
    assert.ok(dashboardJson, 'a *.json key');
    assert.ok(dashboard.uid && dashboard.title);
  });

  test('the dashboard panels are laid out on the grid and query the chosen Prometheus data source', () => {
    const datasource = dashboard.templating.list.find((v) => v.type === 'datasource');
    assert.ok(datasource, 'a data source variable');
    const panels = flatPanels(dashboard.panels);
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    const wanted = [
      /request rate/i,
      /error ratio/i,
      /p50.*p95.*p99/i,
      /open sockets/i,
      /connections by status/i,
      /archivist requests/i,
      /archivist latency/i,
      /cache hit ratio/i,
      /breaker/i,
      /event-loop lag/i,
      /heap.*rss/i,
    ];
    for (const title of wanted)
      assert.ok(
        panels.some((p) => title.test(p.title)),
        `a panel ${title}`,
      );
    for (const panel of panels) {
      assert.ok(panel.gridPos.x >= 0 && panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title}: gridPos`);
      if (panel.type === 'row') continue;
      assert.ok((panel.targets ?? []).length > 0, `${panel.title}: no query`);
      for (const target of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]) {
        assert.equal(target?.uid, `\${${datasource.name}}`, `${panel.title}: data source`);
      }
    }
  });
});

describe('alert rules under promtool', { skip: promtoolMissing() }, () => {
  let dir: string;
  let rulesFile: string;

  before(() => {
    // The PrometheusRule is the one source: its spec is a plain Prometheus rule file.
    dir = mkdtempSync(join(tmpdir(), 'clarity-rules-'));
    rulesFile = join(dir, 'clarity-alerts.rules.yml');
    writeFileSync(rulesFile, stringify(prometheusRule.spec));
    copyFileSync(promtoolTestFile, join(dir, basename(promtoolTestFile)));
  });

  test('promtool check rules accepts them', () => {
    const run = spawnSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`SUCCESS: ${ruleExpressions().length} rules found`));
  });

  test('promtool test rules passes, with a firing and a quiet case for every alert', () => {
    const tests = parse(readFileSync(promtoolTestFile, 'utf8')) as {
      rule_files: string[];
      tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
    };
    assert.deepEqual(tests.rule_files, [basename(rulesFile)]);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const rule of alerts) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${rule.alert}: no case where it fires`,
      );
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${rule.alert}: no case where it stays quiet`,
      );
    }
    const run = spawnSync('promtool', ['test', 'rules', basename(promtoolTestFile)], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS/);
  });
});

describe('metric names in the rules and the dashboard exist on a live /metrics', () => {
  let clarity: ClarityProcess;
  let cleanup: () => Promise<void>;
  let families: Map<string, MetricFamily>;
  let metricsText: string;

  before(async () => {
    const db = await databaseEnv();
    cleanup = db.cleanup;
    clarity = await startClarityProcess({ ...db.env, WS_MAX_CONNECTIONS: String(WS_MAX_CONNECTIONS) });
    const socket = await connect(clarity.url, { token: await mintToken('monitoring') });
    try {
      // labelled series: successful and failed requests, Archivist calls, a cache hit
      for (const uid of [Category.ROLE, Category.ASPECT]) {
        const answer = await request(socket, 'clarity.model/get', { uid });
        assert.equal(answer.success, true, JSON.stringify(answer));
      }
      assert.equal((await request(socket, 'clarity.model/get', {})).code, 'BAD_REQUEST');
      // the engine memoises models and facts; a fact read twice (unknown, so nothing
      // is written) is answered from the Archivist cache the second time
      for (let i = 0; i < 2; i++) {
        const unknownFact = { fact_uid: 987654321, collection_uid: 987654322, collection_name: 'none' };
        const answer = await request(socket, 'clarity.model/update-collection', unknownFact);
        assert.equal(answer.code, 'NOT_FOUND', JSON.stringify(answer));
      }
      metricsText = await (await fetch(`${clarity.url}/metrics`)).text();
    } finally {
      socket.close();
    }
    families = parseExposition(metricsText);
  });
  after(async () => {
    if (clarity && clarity.child.exitCode === null) await clarity.stop();
    await cleanup?.();
  });

  test('clarity_websocket_connections_max is WS_MAX_CONNECTIONS', () => {
    assert.match(metricsText, new RegExp(`^clarity_websocket_connections_max ${WS_MAX_CONNECTIONS}$`, 'm'));
  });

  test('every metric of the dashboard and the rules is on /metrics, with the labels its matchers use', () => {
    const used = new Set<string>();
    const external = new Set<string>();
    for (const { where, expr } of [...ruleExpressions(), ...dashboardExpressions()]) {
      const selectors = promqlSelectors(expr);
      assert.ok(selectors.length > 0, `${where}: no metric found in ${expr}`);
      for (const { name, labels } of selectors) {
        if (KUBE_STATE_METRICS.includes(name)) {
          assert.ok(where.startsWith('rule '), `${where}: ${name} is not Clarity's`);
          external.add(name);
          continue;
        }
        const family = familyName(name, families);
        assert.ok(family, `${where}: ${name} is not on /metrics`);
        used.add(family);
        const { labels: seen, samples } = families.get(family)!;
        assert.ok(samples > 0, `${where}: ${family} has no series yet`);
        for (const label of labels) {
          assert.ok(seen.has(label) || TARGET_LABELS.has(label), `${where}: ${name} has no label ${label}`);
        }
      }
    }
    // the list of outside metrics is exact, and /metrics does not have them
    assert.deepEqual([...external].sort(), [...KUBE_STATE_METRICS].sort());
    for (const name of KUBE_STATE_METRICS) assert.equal(familyName(name, families), undefined);
    // each Clarity family is shown somewhere
    const clarityFamilies = [...families.keys()].filter((f) => f.startsWith('clarity_'));
    assert.deepEqual(
      clarityFamilies.filter((f) => !used.has(f)),
      [],
      'Clarity metrics that neither the dashboard nor the rules use',
    );
  });

  test('the label values the rules and panels match on are the ones Clarity writes', () => {
    const exposed = (series: string) => metricsText.split('\n').some((l) => l.startsWith(series));
    assert.ok(exposed('clarity_request_duration_seconds_count{operation="clarity.model/get",category="error"}'));
    assert.ok(exposed('clarity_websocket_connections_total{status="rejected_capacity"}'));
    assert.match(metricsText, /^clarity_archivist_circuit_state 0$/m);
    assert.match(metricsText, /^# HELP clarity_archivist_circuit_state .*0 closed, 1 half-open, 2 open/m);
    const matched = [...ruleExpressions(), ...dashboardExpressions()].flatMap(({ expr }) => [
      ...expr.matchAll(/\b(category|status|outcome|level)\s*=\s*"([^"$]*)"/g),
    ]);
    for (const [, label, value] of matched) {
      assert.ok(metricsText.includes(`${label}="${value}"`), `${label}="${value}" never appears on /metrics`);
    }
  });
});
