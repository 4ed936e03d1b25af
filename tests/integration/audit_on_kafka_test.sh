#!/usr/bin/env bash
# The auditor on a Kafka deployment: safeguardd on a Kafka cluster (librdkafka's mock
# cluster, in its own process, as a real cluster would be), the demo loaded, a read made
# and a call refused; then every auditor's command reads the logs from the cluster, not
# from a copy of the embedded bus:
#  - verify: police.events against police-service's signed checkpoints;
#  - consultations: the read just made, with its purpose;
#  - refusals: the refused call, who made it, what and why (a security event on
#    audit.access);
#  - view-as-of: a subject's picture as it stood;
#  - replay: mappa-service's views rebuilt from the cluster's topics, each the same.
#   usage: audit_on_kafka_test.sh SAFEGUARDD SAFEGUARDCTL SAFEGUARD-AUDIT SAFEGUARD-KAFKA-MOCK
set -euo pipefail
safeguardd=$1
ctl=$2
audit_tool=$3
kafka_mock=$4
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- safeguardd log (last 30 lines):" >&2; tail -30 "$work/log" >&2 || true
  exit 1
}

"$kafka_mock" --endpoints_file="$work/kafka" >"$work/kafka.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -f "$work/kafka" ] && break; sleep 0.1; done
bootstrap=$(sed -n 's/^bootstrap=//p' "$work/kafka")
[ -n "$bootstrap" ] || fail "the mock cluster did not start: $(cat "$work/kafka.log")"

"$safeguardd" --data_dir="$work/data" --bus=kafka --bootstrap_servers="$bootstrap" --police_port=0 --mappa_port=0 \
  --probation_port=0 --childrens_port=0 --metrics_port=0 --demo --endpoints_file="$work/endpoints" \
  >"$work/out" 2>"$work/log" &
pids+=($!)
for _ in $(seq 1 600); do [ -f "$work/endpoints" ] && break; sleep 0.1; done
[ -f "$work/endpoints" ] || fail "safeguardd did not start on Kafka"
grep -q "Demo data: 78 events recorded" "$work/out" || fail "the demo did not load: $(cat "$work/out")"
export SAFEGUARD_POLICE=$(sed -n 's/^police=//p' "$work/endpoints")
export SAFEGUARD_MAPPA=$(sed -n 's/^mappa=//p' "$work/endpoints")
export SAFEGUARD_PKI=$work/data/pki
metrics=$(sed -n 's/^metrics=//p' "$work/endpoints")

# mappa-service has applied all 78 events and each relay published everything.
applied=0
for _ in $(seq 1 300); do
  applied=$(curl -sf "http://$metrics/metrics" | sed -n 's/^safeguard_events_applied_total{service="mappa-service"} //p')
  [ "${applied:-0}" -ge 78 ] && break
  sleep 0.2
done
[ "${applied:-0}" -ge 78 ] || fail "mappa-service applied $applied of 78 events"

pnc=2011/0045123K
"$ctl" --as=mappa-chair mappa get-risk-view pnc_id=$pnc purpose.code=mappa-meeting \
  purpose.detail="Level 3 meeting MAPPA/2026/77" >"$work/view" || fail "read: $(cat "$work/view")"
# A probation officer may not read police's own record: refused, and recorded.
if "$ctl" --as=probation-officer police get-record pnc_id=$pnc purpose.code=case-management \
  purpose.detail="curious" >"$work/refused" 2>&1; then
  fail "a probation officer read police's record"
fi
grep -q "PERMISSION_DENIED" "$work/refused" || fail "not refused as PERMISSION_DENIED: $(cat "$work/refused")"

kafka=(--bootstrap_servers="$bootstrap")

"$audit_tool" verify "${kafka[@]}" --server="$SAFEGUARD_POLICE" --topic=police.events --pki_dir="$work/data/pki" \
  >"$work/verify" 2>&1 || fail "verify on Kafka: $(cat "$work/verify")"
grep -q "OK: every event up to" "$work/verify" || fail "verify: $(cat "$work/verify")"

for _ in $(seq 1 50); do
  "$audit_tool" consultations "${kafka[@]}" --key_vault="$work/data.vault" --subject=pnc:$pnc >"$work/consultations" 2>&1 \
    || fail "consultations on Kafka: $(cat "$work/consultations")"
  grep -q "Level 3 meeting MAPPA/2026/77" "$work/consultations" && break
  sleep 0.2
done
grep -q "mappa-chair.*MAPPA_MEETING: Level 3 meeting MAPPA/2026/77" "$work/consultations" \
  || fail "the read is not among the consultations: $(cat "$work/consultations")"

for _ in $(seq 1 50); do
  "$audit_tool" refusals "${kafka[@]}" >"$work/refusals" 2>&1 || fail "refusals on Kafka: $(cat "$work/refusals")"
  grep -q "PoliceService/GetRecord" "$work/refusals" && break
  sleep 0.2
done
grep -q "REFUSED  .*(probation-officer, AGENCY_PROBATION)  /safeguard.v1.PoliceService/GetRecord  PERMISSION_DENIED: " \
  "$work/refusals" || fail "the refused call is not recorded: $(cat "$work/refusals")"

"$audit_tool" view-as-of "${kafka[@]}" --key_vault="$work/data.vault" --subject=pnc:$pnc --as_of="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --purpose_detail="complaint C-17" --work_dir="$work/as-of" >"$work/as-of.json" 2>&1 \
  || fail "view-as-of on Kafka: $(cat "$work/as-of.json")"
grep -q '"conviction_recorded"\|"convictions"' "$work/as-of.json" || fail "view-as-of holds no conviction: $(head -c 600 "$work/as-of.json")"

"$audit_tool" replay "${kafka[@]}" --key_vault="$work/data.vault" --state_dir="$work/data/mappa" --work_dir="$work/replay" >"$work/replay.txt" 2>&1 \
  || fail "replay on Kafka: $(cat "$work/replay.txt")"
grep -q "78 events replayed; .* views; 0 different" "$work/replay.txt" || fail "replay: $(tail -3 "$work/replay.txt")"

# The wrong cluster: a clear error, exit 2.
if "$audit_tool" consultations --bootstrap_servers=127.0.0.1:1 --key_vault="$work/data.vault" --subject=pnc:$pnc >"$work/wrong" 2>&1; then
  fail "an unreachable cluster was read"
fi
echo "PASS: verify, consultations, refusals, view-as-of and replay read the logs from Kafka"
