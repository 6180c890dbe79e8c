// Writes what promtool checks besides alerts.rules.yaml, as rules files: the PrometheusRule's groups,
// and every query of the Grafana dashboard as a recording rule (Grafana's variables replaced by
// plain values), so that a PromQL error in either fails CI. Usage: promtool-inputs.ts OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const MONITORING = join(__dirname, '..', '..', 'deploy', 'monitoring');
const GRAFANA_VARIABLES: Record<string, string> = {
  $__rate_interval: '5m',
  $__interval: '1m',
  $__range: '6h',
  $namespace: '.*',
  $target: '.*',
};

interface Panel {
  id: number;
  targets?: { expr: string; refId: string }[];
}

export function dashboardRules(dashboard: { panels: Panel[] }): unknown {
  const rules = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map(({ expr, refId }) => ({
      record: `dashboard:panel_${panel.id}_${refId}`,
      expr: expr.replace(/\$\w+/g, (name) => {
        const value = GRAFANA_VARIABLES[name];
        if (value === undefined) throw new Error(`panel ${panel.id}: unknown variable ${name}`);
        return value;
      }),
    })),
  );
  return { groups: [{ name: 'grafana-dashboard', rules }] };
}

if (require.main === module) {
  const out = process.argv[2];
  mkdirSync(out, { recursive: true });
  const rule = parse(readFileSync(join(MONITORING, 'prometheus-rule.yaml'), 'utf8')) as { spec: unknown };
  writeFileSync(join(out, 'prometheus-rule.rules.yaml'), stringify(rule.spec));
  const dashboard = JSON.parse(readFileSync(join(MONITORING, 'grafana-dashboard.json'), 'utf8')) as { panels: Panel[] };
  writeFileSync(join(out, 'grafana-dashboard.rules.yaml'), stringify(dashboardRules(dashboard)));
}
