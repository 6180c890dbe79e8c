#!/usr/bin/env bash
# Checks deploy/monitoring with Prometheus's own promtool: the alert rules (plain file and
# PrometheusRule), their unit tests (alerts.test.yaml) and the dashboard's queries.
# promtool comes from PATH, or from Debian's prometheus package: only the promtool binary is
# unpacked into .cache (nothing installed, no Prometheus server started).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.cache/monitoring
mkdir -p "$out"

promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
  promtool="$out/usr/bin/promtool"
  if [ ! -x "$promtool" ]; then
    command -v apt-get >/dev/null || { echo 'promtool not found: install Prometheus (its promtool) and retry' >&2; exit 1; }
    deb=$(mktemp -d)
    trap 'rm -rf "$deb"' EXIT
    # A fresh machine may have no package lists yet.
    (cd "$deb" && { apt-get download prometheus 2>/dev/null || { apt-get update -qq && apt-get download prometheus; }; })
    dpkg-deb --fsys-tarfile "$deb"/prometheus_*.deb | tar -x -C "$out" ./usr/bin/promtool
  fi
fi
"$promtool" --version | head -1

npx ts-node --transpile-only tools/monitoring/promtool-inputs.ts "$out"
"$promtool" check rules deploy/monitoring/alerts.rules.yaml "$out/prometheus-rule.rules.yaml" "$out/grafana-dashboard.rules.yaml"
"$promtool" test rules deploy/monitoring/alerts.test.yaml
