#!/usr/bin/env bash
# Check the monitoring configuration: rules, rule unit tests, Prometheus config, dashboard.
set -euo pipefail
cd "$(dirname "$0")/../monitoring"

promtool check rules alerts.yml
promtool test rules tests/alerts_test.yml

# prometheus.yml names in-container paths; check it against local copies.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp alerts.yml "$tmp/"
echo "placeholder-token" > "$tmp/metrics_token"
sed "s#/etc/prometheus/#$tmp/#g" prometheus.yml > "$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml"

# The dashboard must be valid JSON and use only series or rules that exist.
python3 - <<'PY'
import json, re
dashboard = json.load(open("grafana/dashboards/inkwell.json"))
rules = open("alerts.yml").read()
records = set(re.findall(r"record: (\S+)", rules))
# Rows have no queries; a collapsed row holds its panels inside it.
panels = [p for top in dashboard["panels"] for p in [top, *top.get("panels", [])]]
for panel in panels:
    for target in panel.get("targets", []):
        for name in re.findall(r"\b([a-z_]+:[a-z0-9_:]+)\b", target["expr"]):
            assert name in records, f"panel {panel['title']!r} uses unknown rule {name}"
print(f"dashboard: {len(panels)} panels, recording rules resolved")
PY
