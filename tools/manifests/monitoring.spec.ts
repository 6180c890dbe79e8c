// Checks deploy/monitoring/ against the bridge and its docs: every metric the alerts and the dashboard
// query is one the bridge exports (a renamed metric fails the build, not a dashboard at night), the
// PrometheusRule carries the same alerts as the plain rules file, and every alert says what and where
// and links a runbook section that exists. The PromQL itself is checked by the real promtool
// (tools/monitoring/promtool-check.sh, run in CI).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { BridgeMetrics } from '../../apps/bridge/src/ops/bridge-metrics';

const ROOT = join(__dirname, '..', '..');
const MONITORING = join(ROOT, 'deploy', 'monitoring');
const RUNBOOK = 'https://git.example.com/kafka-ncp-bridge/blob/main/docs/operations.md#';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleGroups {
  groups: { name: string; rules: Rule[] }[];
}
interface Panel {
  id: number;
  type: string;
  gridPos: { x: number; w: number };
  datasource?: { uid: string };
  targets?: { expr: string; datasource: { uid: string } }[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string }[] };
}

const read = (...path: string[]) => readFileSync(join(...path), 'utf8');
const rules = parse(read(MONITORING, 'alerts.rules.yaml')) as RuleGroups;
const alerts = rules.groups.flatMap((g) => g.rules);
const [prometheusRule] = parseAllDocuments(read(MONITORING, 'prometheus-rule.yaml')).map((d) => d.toJS());
const [podMonitor] = parseAllDocuments(read(MONITORING, 'pod-monitor.yaml')).map((d) => d.toJS());
const dashboard = JSON.parse(read(MONITORING, 'grafana-dashboard.json')) as Dashboard;
const dashboardQueries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const operations = read(ROOT, 'docs', 'operations.md');

/** Metric names in PromQL expressions (the bridge's own and Node's standard process metrics). */
const metricNames = (exprs: string[]) =>
  new Set(exprs.flatMap((e) => [...e.matchAll(/\b(?:bridge|process|nodejs)_[a-z0-9_]+\b/g)].map((m) => m[0])));

/** GitHub's anchor of a Markdown heading. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

async function exportedSeriesNames(): Promise<{ metrics: string[]; series: Set<string> }> {
  const json = await new BridgeMetrics().registry.getMetricsAsJSON();
  const series = new Set<string>();
  for (const { name, type } of json) {
    series.add(name);
    if (String(type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) series.add(name + suffix);
  }
  return { metrics: json.map((m) => m.name), series };
}

describe('deploy/monitoring/', () => {
  it('queries only metrics that the bridge exports, in the alerts and in the dashboard', async () => {
    const { series } = await exportedSeriesNames();
    const queried = metricNames([...alerts.map((a) => a.expr), ...dashboardQueries]);
    expect(queried.size).toBeGreaterThan(15);
    expect([...queried].filter((name) => !series.has(name))).toEqual([]);
  });

  it('shows every bridge metric on the dashboard and describes it in docs/operations.md', async () => {
    const { metrics } = await exportedSeriesNames();
    const bridgeMetrics = metrics.filter((m) => m.startsWith('bridge_'));
    const onDashboard = [...metricNames(dashboardQueries)].map((n) => n.replace(/_(bucket|sum|count)$/, ''));
    expect(bridgeMetrics.filter((m) => !onDashboard.includes(m))).toEqual([]);
    expect(bridgeMetrics.filter((m) => !operations.includes(`\`${m}`))).toEqual([]);
  });

  it('ships the same alerts as a PrometheusRule, valid for the Prometheus Operator', () => {
    expect(prometheusRule.spec).toEqual(rules);
    expect(() => new PrometheusRule(prometheusRule).validate()).not.toThrow();
    const broken = structuredClone(prometheusRule);
    broken.spec.groups[0].rules = 'BridgeTargetPaused';
    expect(() => new PrometheusRule(broken).validate()).toThrow();
  });

  it('gives every alert a severity, a summary, a description naming where, and a runbook section', () => {
    const headings = [...operations.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]));
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    for (const { alert, labels, annotations } of alerts) {
      expect({ alert, severity: labels?.severity }).toEqual({
        alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(Object.keys(annotations ?? {}).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(annotations!.description).toMatch(/\$labels\.(target|group|partition)/);
      expect(annotations!.runbook_url.startsWith(RUNBOOK)).toBe(true);
      expect(headings).toContain(annotations!.runbook_url.slice(RUNBOOK.length));
      expect(operations).toContain(`\`${alert}\``);
    }
  });

  it('unit-tests every alert with promtool: once firing, once silent', () => {
    const tests = (
      parse(read(MONITORING, 'alerts.test.yaml')) as {
        tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
      }
    ).tests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of alerts) {
      const cases = tests.filter((t) => t.alertname === alert);
      expect({ alert, fires: cases.some((c) => c.exp_alerts.length > 0) }).toEqual({ alert, fires: true });
      expect({ alert, silent: cases.some((c) => c.exp_alerts.length === 0) }).toEqual({ alert, silent: true });
    }
  });

  it('builds the dashboard on a data source variable, with unique panels in a 24-column grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const variables = dashboard.templating.list.map((v) => v.name);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(panel.datasource?.uid).toBe('${datasource}');
      for (const target of panel.targets ?? []) {
        expect(target.datasource.uid).toBe('${datasource}');
        const used = [...target.expr.matchAll(/\$(\w+)/g)].map((m) => m[1]).filter((v) => !v.startsWith('__'));
        expect(used.filter((v) => !variables.includes(v))).toEqual([]);
      }
    }
  });

  it('applies the PodMonitor, the PrometheusRule and the dashboard (for Grafana’s sidecar) with kustomize', () => {
    const kustomization = parse(read(MONITORING, 'kustomization.yaml')) as {
      resources: string[];
      configMapGenerator: { files: string[]; options: { labels: Record<string, string> } }[];
    };
    expect(kustomization.resources.sort()).toEqual(['pod-monitor.yaml', 'prometheus-rule.yaml']);
    expect(kustomization.configMapGenerator).toEqual([
      expect.objectContaining({
        files: ['grafana-dashboard.json'],
        options: expect.objectContaining({ labels: expect.objectContaining({ grafana_dashboard: '1' }) }),
      }),
    ]);
  });

  it('scrapes the bridge pods on their http port, validly for the Prometheus Operator', () => {
    expect(() => new PodMonitor(podMonitor).validate()).not.toThrow();
    const deployments = ['datastream', 'cloudinsight', 'guance'].map(
      (t) =>
        parseAllDocuments(read(ROOT, 'deploy', `${t}.yaml`))
          .map((d) => d.toJS())
          .find((m) => m.kind === 'Deployment').spec.template,
    );
    for (const pod of deployments) {
      expect(pod.metadata.labels).toMatchObject(podMonitor.spec.selector.matchLabels);
      expect(pod.spec.containers[0].ports.map((p: { name: string }) => p.name)).toContain(
        podMonitor.spec.podMetricsEndpoints[0].port,
      );
      expect(podMonitor.spec.podMetricsEndpoints[0].path).toBe(pod.metadata.annotations['prometheus.io/path']);
    }
  });
});
