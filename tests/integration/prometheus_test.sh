#!/usr/bin/env bash
# The operator's port, as Prometheus sees it: a real safeguardd with the demo loaded, and
# Debian's real Prometheus server scraping it on loopback. Checks that
#  - promtool accepts the exposition (format and naming conventions);
#  - Prometheus scrapes it (up == 1) and answers queries of calls by method and code, the
#    consumer's lag per topic and partition, the group-commit counters, build info and
#    disk use through its HTTP API;
#  - no demo person's name, date of birth or reference is in any metric or log line;
#  - /livez and /readyz answer, and anything else is 404;
#  - the alert rules shipped in deploy/prometheus load (promtool check rules) and the
#    rules' own tests pass (promtool test rules).
#   usage: prometheus_test.sh SAFEGUARDD SOURCE_DIR
set -euo pipefail
safeguardd=$1
source_dir=$2
command -v prometheus >/dev/null || { echo "FAIL: prometheus is not installed (./safeguard.sh test installs it)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- safeguardd log (last 40 lines):" >&2; tail -40 "$work/log" >&2 || true
  echo "--- prometheus log (last 20 lines):" >&2; tail -20 "$work/prometheus.log" >&2 || true
  exit 1
}

"$safeguardd" --data_dir="$work/data" --police_port=0 --mappa_port=0 --probation_port=0 --childrens_port=0 \
  --metrics_port=0 --demo --endpoints_file="$work/endpoints" >"$work/out" 2>"$work/log" &
pids+=($!)
for _ in $(seq 1 300); do [ -f "$work/endpoints" ] && break; sleep 0.1; done
[ -f "$work/endpoints" ] || fail "safeguardd did not start"
metrics=$(sed -n 's/^metrics=//p' "$work/endpoints")
[ -n "$metrics" ] || fail "the endpoints file names no metrics port: $(cat "$work/endpoints")"

# The probes, and nothing else.
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$metrics/livez")" = 200 ] || fail "/livez"
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$metrics/readyz")" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$metrics/readyz")" = 200 ] || fail "/readyz: $(curl -s "http://$metrics/readyz")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$metrics/admin")" = 404 ] || fail "an unknown path is not 404"

curl -sf "http://$metrics/metrics" >"$work/metrics.txt" || fail "GET /metrics"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.txt" 2>&1 \
  || fail "promtool check metrics: $(cat "$work/promtool.txt")"

# Nothing personal: the demo's people, their dates of birth and their references.
for needle in WOOD Garry "O'CONNOR" OConnor 1969-02-03 CS-PE-30981 PNC; do
  if grep -qi -- "$needle" "$work/metrics.txt"; then fail "the metrics hold '$needle'"; fi
  if grep -qi -- "$needle" "$work/log"; then fail "the log holds '$needle': $(grep -i -- "$needle" "$work/log" | head -3)"; fi
done
# The log: one JSON object per line, each with time, level, component and message.
python3 - "$work/log" <<'EOF' || fail "the log is not one JSON object per line"
import json, sys
calls = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    record = json.loads(line)
    for field in ("time", "level", "component", "message"):
        assert field in record, f"line {n} has no {field}: {line}"
    if record["message"] == "call":
        calls += 1
        for field in ("method", "status", "duration_ms", "caller_role", "correlation_id"):
            assert field in record, f"call record {n} has no {field}: {line}"
assert calls >= 70, f"only {calls} call records"
EOF

# Prometheus itself, on a loopback port the OS gave (found free, then handed over).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $source_dir/deploy/prometheus/safeguard-alerts.yaml
scrape_configs:
  - job_name: safeguard
    static_configs:
      - targets: ["$metrics"]
EOF
promtool check config "$work/prometheus.yml" >"$work/promtool.txt" 2>&1 || fail "promtool check config: $(cat "$work/promtool.txt")"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$port" >"$work/prometheus.log" 2>&1 &
pids+=($!)

# query EXPR: the first sample's value, or empty.
query() {
  curl -sf --get "http://127.0.0.1:$port/api/v1/query" --data-urlencode "query=$1" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
value=
for _ in $(seq 1 120); do
  value=$(query 'up{job="safeguard"}' 2>/dev/null || true)
  [ "$value" = 1 ] && break
  sleep 0.5
done
[ "$value" = 1 ] || fail "Prometheus did not scrape safeguardd (up = '$value')"

expect_at_least() {  # EXPR MIN WHAT
  local v
  v=$(query "$1")
  [ -n "$v" ] || fail "$3: no result for $1"
  python3 -c "import sys; sys.exit(0 if float('$v') >= $2 else 1)" || fail "$3: $1 = $v, expected at least $2"
}
# The demo records three convictions through police-service.
expect_at_least 'sum(safeguard_grpc_server_handled_total{grpc_service="safeguard.v1.PoliceService",grpc_method="RecordConviction",grpc_code="OK"})' 3 "calls by method and code"
expect_at_least 'sum(safeguard_grpc_server_handling_seconds_count{grpc_method="RecordConviction"})' 3 "latency histogram"
expect_at_least 'count(safeguard_consumer_lag_events{service="mappa-service",topic="police.events",partition="0"})' 1 "consumer lag per topic and partition"
expect_at_least 'sum(safeguard_store_events_written_total{service="police-service"}) / sum(safeguard_store_synced_writes_total{service="police-service"})' 1 "group-commit factor"
expect_at_least 'safeguard_build_info{component="safeguardd"}' 1 "build info"
expect_at_least 'sum(safeguard_store_disk_bytes)' 1 "disk use"
expect_at_least 'sum(safeguard_access_records_total{outcome="recorded"})' 1 "access records"
expect_at_least 'count(safeguard_alerts_open)' 1 "alerts open by rule"
expect_at_least 'min(safeguard_ready)' 1 "readiness"

# The shipped alert rules load, and their own tests pass.
promtool check rules "$source_dir/deploy/prometheus/safeguard-alerts.yaml" >"$work/promtool.txt" 2>&1 \
  || fail "promtool check rules: $(cat "$work/promtool.txt")"
(cd "$source_dir/deploy/prometheus" && promtool test rules safeguard-alerts.test.yaml) >"$work/promtool.txt" 2>&1 \
  || fail "promtool test rules: $(cat "$work/promtool.txt")"
# Loaded into the running server too, and none firing on a healthy system.
rules=$(curl -sf "http://127.0.0.1:$port/api/v1/rules" | python3 -c 'import json,sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))')
[ "$rules" -ge 6 ] || fail "Prometheus loaded $rules alert rules"
sleep 3  # a few evaluations of every rule
firing=$(curl -sf "http://127.0.0.1:$port/api/v1/alerts" | python3 -c 'import json,sys; print(" ".join(a["labels"]["alertname"] for a in json.load(sys.stdin)["data"]["alerts"] if a["state"] == "firing"))')
[ -z "$firing" ] || fail "alerts firing on a healthy system: $firing"
echo "PASS: Prometheus scraped safeguardd and answered each query; $rules alert rules loaded"
