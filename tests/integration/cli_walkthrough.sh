#!/usr/bin/env bash
# The README's walkthrough, as a new user would type it: start safeguardd, record a
# conviction and a register notification with safeguardctl, and read both back, with
# provenance, in the subject's risk view and timeline; confirm a proposed identity link
# and see the combined picture, its alerts listed and watched; walk a disclosure scheme
# case through every step, with a MAPPA meeting, and read it back with its deadlines. Also checks the run command's demo
# load is idempotent, that errors are readable, that every call is mutual TLS with the
# certificates safeguardd made on its first start (a role the access policy refuses is
# refused; a client without a certificate does not get in), and that an independent gRPC
# client (Python grpcio, over the same mutual TLS) sees the health service and server
# reflection.
# Then a platform's certificate is issued with safeguard-pki, used, revoked in the
# access policy file while safeguardd runs, and refused from the SIGHUP on; and the
# police's data protection officer restricts, then erases, a demo subject.
#   usage: cli_walkthrough.sh SAFEGUARDD SAFEGUARDCTL SAFEGUARD-PKI SAFEGUARD-AUDIT
set -euo pipefail
safeguardd=$1
ctl=$2
pki_tool=$3
audit_tool=$4
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- safeguardd log:" >&2; cat "$work/log" >&2 || true; exit 1; }

start() {
  rm -f "$work/endpoints"
  "$safeguardd" --data_dir="$work/data" --police_port=0 --mappa_port=0 --probation_port=0 --childrens_port=0 --metrics_port=0 --demo \
      --endpoints_file="$work/endpoints" "$@" >>"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do [ -f "$work/endpoints" ] && break; sleep 0.1; done
  [ -f "$work/endpoints" ] || fail "safeguardd did not start"
  export SAFEGUARD_POLICE=$(sed -n 's/^police=//p' "$work/endpoints")
  export SAFEGUARD_MAPPA=$(sed -n 's/^mappa=//p' "$work/endpoints")
  export SAFEGUARD_PROBATION=$(sed -n 's/^probation=//p' "$work/endpoints")
}
stop() { kill -INT "$pid"; wait "$pid" || true; pid=; }

export SAFEGUARD_PKI=$work/data/pki
start
grep -q "Demo data: 78 events recorded, 0 already present" "$work/log" || fail "first demo load"
grep -q "Callers: mutual TLS, client certificate required" "$work/log" || fail "not mutual TLS by default"
grep -q "Created 16 certificates in $work/data/pki" "$work/log" || fail "no local certificate authority"
[ -f "$work/data/pki/clients/police-officer.pem" ] || fail "no client certificate for police-officer"
[ "$(stat -c %a "$work/data/pki/ca-key.pem")" = 600 ] || fail "the CA key is readable by others"

# The demo's "Garry WOOD", known to children's services by their own case only: proposed as
# Gary Wood, with the reasons; the membership keyed against the wrong child shows its
# correction on the timeline.
for _ in $(seq 1 100); do
  "$ctl" identity list-identity-links purpose.code=mappa-meeting purpose.detail="walkthrough" >"$work/demo-links" \
    && grep -q "childrens:CS-PE-30981" "$work/demo-links" && break
  sleep 0.1
done
grep -q "childrens:CS-PE-30981 (Garry WOOD, born 1969-02-03)" "$work/demo-links" || fail "demo candidate: $(cat "$work/demo-links")"
grep -q "given names: first names nearly agree (a spelling difference) \[GARRY ~ GARY\]" "$work/demo-links" \
  || fail "demo candidate's reasons: $(cat "$work/demo-links")"
"$ctl" mappa get-timeline childrens_case_id=CS-PE-30981 purpose.code=mappa-meeting purpose.detail="walkthrough" \
  >"$work/demo-timeline"
grep -q "AMENDED on 2026-09-24 by Team manager S. Okafor" "$work/demo-timeline" || fail "demo correction: $(cat "$work/demo-timeline")"
grep -q "now: Household: REGULARLY_VISITS child CS-PE-30982" "$work/demo-timeline" || fail "demo correction: $(cat "$work/demo-timeline")"

pnc=2021/0000777Q
"$ctl" police record-conviction pnc_id=$pnc given_name=Dan family_name=Walker date_of_birth=1984-07-19 \
  disposal=conviction offence="Sexual assault of a child under 13" classification=child-sexual \
  offence_date=2020-06-01 disposal_date=2021-03-04 court="Leeds Crown Court" \
  sentence="5 years imprisonment" command_id=walkthrough-conviction-1 >"$work/out1"
grep -q "^Recorded." "$work/out1" || fail "conviction not recorded: $(cat "$work/out1")"
conviction_event=$(sed -n 's/^  event_id: *//p' "$work/out1")

"$ctl" police record-register-notification pnc_id=$pnc notification_date=2025-01-10 \
  'addresses[0].kind=home' 'addresses[0].line1=2 Park Lane' 'addresses[0].town=Leeds' \
  'addresses[0].postcode=ls2 9jt' household_with_child=true indefinite=true \
  next_due_date=2026-01-10 command_id=walkthrough-notification-1 >"$work/out2"
notification_event=$(sed -n 's/^  event_id: *//p' "$work/out2")
[ -n "$notification_event" ] || fail "notification not recorded"

# The same command again is not recorded twice.
"$ctl" police record-conviction pnc_id=$pnc given_name=Dan family_name=Walker date_of_birth=1984-07-19 \
  disposal=conviction offence="Sexual assault of a child under 13" classification=child-sexual \
  offence_date=2020-06-01 disposal_date=2021-03-04 court="Leeds Crown Court" \
  sentence="5 years imprisonment" command_id=walkthrough-conviction-1 >"$work/out3"
grep -q "Already recorded" "$work/out3" || fail "repeat was not recognised"

# Bad input: a readable error naming the field, exit status 1.
if "$ctl" police record-conviction pnc_id=$pnc disposal=conviction offence=x \
     classification=child-sexual offence_date=2020-02-30 disposal_date=2021-01-01 court=c \
     sentence=s 2>"$work/err" >/dev/null; then fail "bad date accepted"; fi
grep -q "INVALID_ARGUMENT: conviction.offence_date" "$work/err" || fail "error does not name the field: $(cat "$work/err")"
# Every problem at once, one line each, from the status's rich details.
if "$ctl" police record-conviction pnc_id=$pnc disposal=conviction 2>"$work/err" >/dev/null; then fail "incomplete conviction accepted"; fi
grep -q "INVALID_ARGUMENT: 6 problems with the request" "$work/err" || fail "not every problem reported: $(cat "$work/err")"
for field in offence classification offence_date disposal_date court sentence; do
  grep -q "^  conviction.$field: is required" "$work/err" || fail "conviction.$field not reported: $(cat "$work/err")"
done
# A command's --help says which fields are required, and their formats.
"$ctl" police record-conviction --help >"$work/help"
grep -q "conviction.offence_date  <string>  REQUIRED; date YYYY-MM-DD" "$work/help" || fail "help: $(cat "$work/help")"
grep -q "conviction.court  <string>  required when disposal is CONVICTION" "$work/help" || fail "help: $(cat "$work/help")"
# A read without a purpose is refused.
if "$ctl" mappa get-risk-view pnc_id=$pnc 2>"$work/err" >/dev/null; then fail "read without purpose"; fi
grep -q "purpose.code" "$work/err" || fail "purpose error: $(cat "$work/err")"

view() { "$ctl" mappa get-risk-view pnc_id=$pnc purpose.code=risk-management purpose.detail="walkthrough"; }
for _ in $(seq 1 100); do view >"$work/view" 2>/dev/null && grep -q "2 event(s) applied" "$work/view" && break; sleep 0.1; done
grep -q "2 event(s) applied" "$work/view" || fail "view incomplete: $(cat "$work/view")"
grep -q "DUTY TO CONSIDER DISCLOSURE" "$work/view" || fail "s.327A flag missing"
grep -q "lives with a child under 18" "$work/view" || fail "household flag missing"
grep -q "police.ConvictionRecorded $conviction_event" "$work/view" || fail "conviction provenance missing"
grep -q "police.RegisterNotificationRecorded $notification_event" "$work/view" || fail "notification provenance missing"
grep -q "by local-police-officer" "$work/view" || fail "recording officer (the certificate's CN) missing"

"$ctl" mappa get-timeline pnc_id=$pnc purpose.code=risk-management purpose.detail="walkthrough" >"$work/timeline"
[ "$(grep -c '^20' "$work/timeline")" = 2 ] || fail "timeline: $(cat "$work/timeline")"
grep -q "event $conviction_event" "$work/timeline" || fail "timeline provenance"
"$ctl" --output=json mappa get-risk-view pnc_id=$pnc purpose.code=audit purpose.detail=json \
  | /usr/bin/python3 -c 'import json,sys; v=json.load(sys.stdin); assert v["flags"]["duty_to_consider_disclosure"]' \
  || fail "JSON output"

# The access policy: a probation officer may not read the consolidated view, nor a
# platform anything but screening; the police read their own record back.
if "$ctl" --as=probation-officer mappa get-risk-view pnc_id=$pnc purpose.code=risk-management \
     purpose.detail=x >/dev/null 2>"$work/err"; then fail "probation read a consolidated view"; fi
grep -q "PERMISSION_DENIED: role 'probation-officer' may not call MappaService.GetRiskView" "$work/err" \
  || fail "refusal: $(cat "$work/err")"
if "$ctl" --as=platform police get-record pnc_id=$pnc purpose.code=case-management \
     purpose.detail=x >/dev/null 2>"$work/err"; then fail "a platform read a police record"; fi
grep -q "PERMISSION_DENIED" "$work/err" || fail "platform refusal: $(cat "$work/err")"
"$ctl" police get-record pnc_id=$pnc purpose.code=case-management purpose.detail="walkthrough" >"$work/record"
grep -q "police.ConvictionRecorded" "$work/record" || fail "police record: $(cat "$work/record")"

# A platform's screening check: a variant of the demo subject's registered address.
"$ctl" screening check-identifier kind=email \
  value=johnsmith1975+anything@googlemail.com check_ref=T-1 >"$work/screen"
grep -q "^HELD" "$work/screen" || fail "screening: $(cat "$work/screen")"
"$ctl" screening check-identifier kind=email value=nobody@example.org >"$work/screen"
grep -q "^Not held" "$work/screen" || fail "screening miss: $(cat "$work/screen")"

# Identity: probation know the same man by their own case reference only. The same name
# and date of birth is proposed as a link; a MAPPA user confirms it; the picture combines.
"$ctl" probation start-supervision probation_case_ref=Y765432 given_name=DAN family_name="WALKER " \
  date_of_birth=1984-07-19 supervision_ref=LIC-9 kind=licence start_date=2025-02-01 \
  expected_end_date=2028-02-01 probation_region="Yorkshire and the Humber" offender_manager="K. Ahmed" \
  command_id=walkthrough-supervision-1 >/dev/null || fail "supervision not recorded"
links() { "$ctl" identity list-identity-links purpose.code=mappa-meeting purpose.detail="walkthrough"; }
for _ in $(seq 1 100); do links >"$work/links" && grep -q "probation:Y765432" "$work/links" && break; sleep 0.1; done
grep -q "match weight" "$work/links" || fail "no candidate: $(cat "$work/links")"
grep -q "date of birth: agrees \[1984-07-19 ~ 1984-07-19\]" "$work/links" || fail "no reasons: $(cat "$work/links")"
link_id=$(grep -B3 "probation:Y765432" "$work/links" | sed -n 's/^  \(link-[0-9a-f]*\)  CANDIDATE$/\1/p')
[ -n "$link_id" ] || fail "candidate link id: $(cat "$work/links")"
"$ctl" --timeout=30 mappa watch-alerts purpose.code=mappa-meeting purpose.detail="walkthrough" >"$work/watch" 2>&1 &
watcher=$!
"$ctl" identity confirm-identity-link link_id="$link_id" reason="Same man: confirmed at MAPPA meeting W-1" \
  >"$work/confirm"
grep -q "^Recorded." "$work/confirm" || fail "confirm: $(cat "$work/confirm")"
for _ in $(seq 1 100); do view >"$work/view" 2>/dev/null && grep -q "Combines:" "$work/view" && break; sleep 0.1; done
grep -q "Combines:    pnc:$pnc, probation:Y765432" "$work/view" || fail "not combined: $(cat "$work/view")"
grep -q "under probation supervision" "$work/view" || fail "probation facts missing from the combined view"
"$ctl" mappa list-alerts purpose.code=mappa-meeting purpose.detail="walkthrough" >"$work/alerts"
grep -q "pnc:$pnc  RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD" "$work/alerts" || fail "alerts: $(cat "$work/alerts")"
for _ in $(seq 1 50); do grep -q "RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD" "$work/watch" && break; sleep 0.1; done
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null || true
grep -q "pnc:$pnc  RESTRICTED_PERSON_IN_CONTACT_WITH_CHILD" "$work/watch" || fail "watch: $(cat "$work/watch")"

# A look-up by name and date of birth, as a disclosure officer starts a Right to Ask
# enquiry: Danny is Dan; one person, both records, the reasons shown.
"$ctl" --as=police-disclosure mappa find-person given_name=Danny family_name=Walker date_of_birth=1984-07-19 \
  purpose.code=disclosure-scheme-assessment purpose.detail="walkthrough enquiry" >"$work/found" || fail "find-person"
grep -q "^People who compare (1), best first" "$work/found" || fail "find-person: $(cat "$work/found")"
grep -q "records: pnc:$pnc, probation:Y765432" "$work/found" || fail "find-person records: $(cat "$work/found")"
grep -q "given names: first names are forms of one name" "$work/found" || fail "find-person reasons: $(cat "$work/found")"

# A correction: intelligence withdrawn leaves the picture; the timeline keeps it, marked.
"$ctl" police record-intelligence pnc_id=$pnc intelligence_ref=INT-W1 received_date=2025-03-03 \
  source_evaluation=source-untested assessment=not-known handling=lawful-sharing-permitted \
  summary="Reported near a school gate" concerns_children=true command_id=walkthrough-intel-1 >"$work/intel"
intel_event=$(sed -n 's/^  event_id: *//p' "$work/intel")
[ -n "$intel_event" ] || fail "intelligence not recorded: $(cat "$work/intel")"
"$ctl" police record-correction pnc_id=$pnc corrected_event_id="$intel_event" kind=retracted \
  reason=intelligence-withdrawn decided_by="DI J. Patel, FIB" decided_on=2025-03-10 \
  explanation="The source withdrew the report" >"$work/corrected" || fail "correction: $(cat "$work/corrected")"
for _ in $(seq 1 100); do view >"$work/view" 2>/dev/null && grep -q "Corrections (1" "$work/view" && break; sleep 0.1; done
grep -q "RETRACTED on 2025-03-10 by DI J. Patel, FIB (INTELLIGENCE_WITHDRAWN)" "$work/view" || fail "view: $(cat "$work/view")"
"$ctl" mappa get-timeline pnc_id=$pnc purpose.code=mappa-meeting purpose.detail="walkthrough" >"$work/timeline"
grep -q "INT-W1" "$work/timeline" || fail "timeline lost the fact: $(cat "$work/timeline")"
grep -q "RETRACTED on 2025-03-10" "$work/timeline" || fail "timeline: $(cat "$work/timeline")"

# The disclosure scheme: a Right to Ask case through every step, as a disclosure officer
# would type it, with a MAPPA meeting recommending the disclosure.
case=CSODS/CAMBS/0099
purpose=(purpose.code=disclosure-scheme-assessment purpose.detail="case $case")
step() { "$ctl" disclosure "$@" case_ref=$case >>"$work/steps" 2>&1 || fail "disclosure $1: $(tail -3 "$work/steps")"; }
day() { date -u -d "$1 days ago" +%Y-%m-%dT%H:%M; }
step receive-enquiry at="$(day 20)" route=right-to-ask handled_by.force=cambridgeshire \
  enquirer.party_ref=A1 enquirer.given_name=Kim enquirer.family_name=Walsh enquirer.relationship_to_child=mother \
  concern="My new partner Dan wants to babysit my son" subject.given_name=Dan subject.family_name=Walker \
  subject.pnc_id=$pnc 'children[0].child_ref=C1' 'children[0].given_name=Leo' 'children[0].date_of_birth=2019-02-02'
step complete-initial-checks at="$(day 19)" in_scope=true reason="A child is in contact with the subject"
step make-safeguarding-referral at="$(day 19)" urgent=true referred_to="Cambridgeshire MASH" \
  reason="Subject has unsupervised access to the child" child_refs=C1
# An illegal step is refused, naming the field, and changes nothing.
if "$ctl" disclosure record-risk-assessment case_ref=$case at="$(day 18)" nothing_held=true \
     agencies_consulted=agency-police summary=x >"$work/out" 2>&1; then fail "assessment before interview accepted"; fi
grep -q "FAILED_PRECONDITION: assessment: case $case is INITIAL_CHECKS_COMPLETE" "$work/out" || fail "illegal step: $(cat "$work/out")"
step record-application at="$(day 18)" applicant.party_ref=A1 applicant.given_name=Kim applicant.family_name=Walsh \
  applicant.relationship_to_child=mother applicant.lives_in.force=cambridgeshire \
  'children[0].child_ref=C1' 'children[0].given_name=Leo' 'children[0].date_of_birth=2019-02-02' \
  'children[0].lives_in.force=cambridgeshire' subject.given_name=Dan subject.family_name=Walker subject.pnc_id=$pnc \
  declaration_signed=true declaration_signed_on="$(date -u -d '18 days ago' +%Y-%m-%d)"
step record-interview at="$(day 15)" identity_verified=true documents_seen=passport documents_seen="driving licence"
"$ctl" mappa get-risk-view pnc_id=$pnc "${purpose[@]}" --output=json >"$work/csods-view" || fail "assessment view"
applied=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["events_applied"])' <"$work/csods-view")
step record-risk-assessment at="$(day 12)" view.person_key="pnc:$pnc" view.events_applied="$applied" \
  view.read_at="$(day 12)" agencies_consulted=agency-police agencies_consulted=agency-probation \
  summary="Conviction for sexual assault of a child under 13; registered"
meeting=MAPPA/CAMBS/0099
"$ctl" meetings schedule-meeting meeting_ref=$meeting meeting_at="$(day 11)" level=2 force=cambridgeshire \
  chair="DCI Rowe" >>"$work/steps" 2>&1 || fail "schedule meeting"
"$ctl" meetings record-attendance meeting_ref=$meeting 'attendees[0].name=DCI Rowe' 'attendees[0].role=chair' \
  'attendees[0].agency=police' >>"$work/steps" 2>&1 || fail "attendance"
for _ in $(seq 1 50); do
  "$ctl" meetings add-agenda-item meeting_ref=$meeting item_ref=1 case_ref=$case command_id=walk-agenda-0099 \
    >>"$work/steps" 2>&1 && break; sleep 0.1; done
"$ctl" meetings record-case-discussion header.meeting_ref=$meeting item_ref=1 recommendation=disclose \
  rationale="Presumption to disclose" recommended_wording="Dan Walker has a conviction for a sexual offence against a child." \
  recommended_recipients="the mother" >>"$work/steps" 2>&1 || fail "discussion: $(tail -3 "$work/steps")"
"$ctl" meetings record-minutes meeting_ref=$meeting at="$(day 11)" minutes.minutes="Disclosure recommended" \
  >>"$work/steps" 2>&1 || fail "minutes: $(tail -3 "$work/steps")"
step record-decision at="$(day 10)" outcome=disclose forum=forum-mappa-meeting meeting_ref=$meeting \
  rationale="Presumption to disclose; risk of serious harm" \
  approved_wording="Dan Walker has a conviction for a sexual offence against a child." \
  'recipients[0].party.party_ref=A1' 'recipients[0].party.given_name=Kim' 'recipients[0].party.family_name=Walsh' \
  'recipients[0].party.relationship_to_child=mother' 'recipients[0].why_best_placed=The child lives with her'
step record-delivery at="$(day 9)" recipient_ref=A1 in_person=true undertaking_signed=true \
  onward_disclosure_conditions="Only to protect the child" delivered_by="DC Evans" \
  wording_delivered="Dan Walker has a conviction for a sexual offence against a child."
step record-protective-action at="$(day 9)" action.action=protective-advice detail="Safety plan agreed"
step close-case at="$(day 8)" closure.closure=case-completed
for _ in $(seq 1 100); do
  "$ctl" cases get-disclosure-case case_ref=$case "${purpose[@]}" >"$work/case" 2>/dev/null && grep -q "CLOSED" "$work/case" && break
  sleep 0.1
done
grep -q "Case $case: CLOSED (10 steps)" "$work/case" || fail "case: $(cat "$work/case")"
grep -q "Decision: .* DISCLOSE by FORUM_MAPPA_MEETING $meeting" "$work/case" || fail "decision: $(cat "$work/case")"
grep -q "Referral: .* URGENT to Cambridgeshire MASH" "$work/case" || fail "referral: $(cat "$work/case")"
grep -q "Deadline: *STAGE_WHOLE_CASE due .*, met " "$work/case" || fail "deadlines: $(cat "$work/case")"
"$ctl" cases get-disclosure-statistics >"$work/mi"
grep -Eq "^cambridgeshire +11 +1 +7 +3 " "$work/mi" || fail "statistics: $(cat "$work/mi")"
"$ctl" cases list-disclosure-cases force=cambridgeshire "${purpose[@]}" --output=json >"$work/cases"
for state in ENQUIRY_RECEIVED INITIAL_CHECKS_COMPLETE OUT_OF_SCOPE APPLICATION_RECEIVED INELIGIBLE \
             APPLICANT_INTERVIEWED RISK_ASSESSED DECIDED DISCLOSURE_DELIVERED NON_DISCLOSURE_LETTER_SENT CLOSED; do
  grep -q "\"$state\"" "$work/cases" || fail "no demo case in state $state"
done

# Each service signs checkpoints of its own log (docs/audit.md).
"$ctl" audit get-checkpoint >"$work/checkpoint" || fail "police checkpoint"
grep -q '"origin": "safeguard/police"' "$work/checkpoint" || fail "checkpoint: $(cat "$work/checkpoint")"
"$ctl" audit get-public-key --server="$SAFEGUARD_MAPPA" >"$work/key" || fail "mappa key"
grep -q '"origin": "safeguard/mappa-events"' "$work/key" || fail "key: $(cat "$work/key")"

# The auditor records police's public key while it runs (docs/audit.md).
"$ctl" audit get-public-key >"$work/police-key.json" || fail "police key"
/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["public_key_pem"], end="")' \
  "$work/police-key.json" >"$work/police.pub.pem"
grep -q "BEGIN PUBLIC KEY" "$work/police.pub.pem" || fail "public key: $(cat "$work/police-key.json")"

# An independent gRPC client over mutual TLS: standard health service and server
# reflection; without a client certificate, or with plaintext, it does not get in.
/usr/bin/python3 - "$work/data/pki" "$SAFEGUARD_POLICE" "$SAFEGUARD_MAPPA" <<'PY' || fail "health/reflection"
import sys, grpc
pki = sys.argv[1]
read = lambda name: open(f"{pki}/{name}", "rb").read()
operator = grpc.ssl_channel_credentials(read("ca.pem"), read("clients/operator-key.pem"), read("clients/operator.pem"))
no_certificate = grpc.ssl_channel_credentials(read("ca.pem"))
for address in sys.argv[2:]:
    ch = grpc.secure_channel(address, operator)
    health = ch.unary_unary("/grpc.health.v1.Health/Check")
    assert health(b"", timeout=5) == b"\x08\x01", "not SERVING"
    reflect = ch.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
    reply = b"".join(reflect(iter([b"\x3a\x00"]), timeout=5))  # list_services
    assert b"safeguard.v1." in reply, reply
    for credentials in (no_certificate, None):
        ch = grpc.secure_channel(address, credentials) if credentials else grpc.insecure_channel(address)
        try:
            ch.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=5)
            raise AssertionError("a client without a certificate was let in")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.UNAVAILABLE, e
PY

# An accredited platform's own certificate, issued by the local CA with safeguard-pki.
"$pki_tool" issue "$work/data/pki" --role=platform --user=examplechat >"$work/issued" || fail "issue: $(cat "$work/issued")"
platform=(--cert="$work/data/pki/issued/examplechat.pem" --key="$work/data/pki/issued/examplechat-key.pem"
          --ca="$work/data/pki/ca.pem")
"$ctl" "${platform[@]}" screening check-identifier kind=email value=nobody@example.org >"$work/screen"
grep -q "^Not held" "$work/screen" || fail "the platform's own certificate: $(cat "$work/screen")"
fingerprint=$("$pki_tool" show "$work/data/pki/issued/examplechat.pem" | sed -n 's/^sha256 *//p')
[ ${#fingerprint} = 64 ] || fail "fingerprint: $fingerprint"

# Restart with an access policy file: the data survives, the demo load adds nothing, and
# the platform's certificate still works.
cp "$(dirname "$0")/../../deploy/config/access-policy.conf" "$work/policy.conf"
stop
start --access_policy="$work/policy.conf"
grep -q "Demo data: 0 events recorded, 78 already present" "$work/log" || fail "demo load duplicated"
grep -q "access policy $work/policy.conf" "$work/log" || fail "policy file not in use"
"$ctl" "${platform[@]}" screening check-identifier kind=email value=nobody@example.org >/dev/null \
  || fail "the platform before its revocation"

# Revoke it while safeguardd runs, and tell it with SIGHUP: refused at once, no restart.
echo "revoke $fingerprint  # contract ended" >>"$work/policy.conf"
kill -HUP "$pid"
refused=
for _ in $(seq 1 50); do
  if ! "$ctl" "${platform[@]}" screening check-identifier kind=email value=nobody@example.org >/dev/null 2>"$work/err"; then
    refused=1; break
  fi
  sleep 0.1
done
[ -n "$refused" ] || fail "a revoked certificate was let in 5 s after SIGHUP"
grep -q "PERMISSION_DENIED: certificate $fingerprint of examplechat has been revoked" "$work/err" \
  || fail "revocation: $(cat "$work/err")"
grep -q "access policy reloaded from $work/policy.conf (.*newly revoked: ${fingerprint:0:16}" "$work/log" \
  || fail "the reload is not in the log"
# SIGHUP with nothing changed is acknowledged in the log, and changes nothing.
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q "access policy re-read from $work/policy.conf (SIGHUP): unchanged" "$work/log" && break; sleep 0.1; done
grep -q "access policy re-read from $work/policy.conf (SIGHUP): unchanged" "$work/log" || fail "SIGHUP not taken"
"$ctl" --as=operator ops get-status --output=json >"$work/status" || fail "status: $(cat "$work/status")"
grep -q '"reloads": "1"' "$work/status" || fail "the reload is not in the status: $(cat "$work/status")"
"$ctl" screening check-identifier kind=email value=nobody@example.org >/dev/null || fail "the local platform"
view >"$work/view2"
grep -q "5 event(s) applied" "$work/view2" || fail "view lost on restart: $(cat "$work/view2")"
grep -q "Combines:    pnc:$pnc, probation:Y765432" "$work/view2" || fail "link lost on restart"

# The police's data protection officer: a restriction hides the demo's Peter Jones from
# the officers' own reads until lifted; an erasure, approved by a second person, leaves
# police-service and mappa-service saying when and why he was erased.
jones=2016/0078234B
dpo=(--as=police-data-protection)
decide() { "$ctl" "${dpo[@]}" data-protection "$1" command_id="$2" subject.pnc_id=$jones basis="$3" \
             reason="Walkthrough decision $2" approved_by=dpo-2; }
# The local certificate names its holder local-police-data-protection.
if "$ctl" "${dpo[@]}" data-protection record-erasure command_id=walk-erasure-0000 subject.pnc_id=$jones \
     basis=erasure-court-order reason=x approved_by=local-police-data-protection >/dev/null 2>"$work/err"; then
  fail "an officer approved their own erasure"
fi
grep -q "approved_by: must name someone other than the officer recording the decision (local-police-data-protection)" "$work/err" \
  || fail "self-approval refusal: $(cat "$work/err")"
decide record-restriction walk-restrict-0001 restriction-accuracy-contested >"$work/out" || fail "restriction: $(cat "$work/out")"
if "$ctl" police get-record pnc_id=$jones purpose.code=case-management purpose.detail=walkthrough \
     >/dev/null 2>"$work/err"; then fail "a restricted record was read"; fi
grep -q "PERMISSION_DENIED: the record under pnc:$jones is restricted under DPA 2018 s.47(3) since" "$work/err" \
  || fail "restricted read: $(cat "$work/err")"
"$ctl" "${dpo[@]}" data-protection get-record subject.pnc_id=$jones purpose.code=case-management \
  purpose.detail=walkthrough >"$work/record" || fail "the officer's read: $(cat "$work/record")"
grep -q "police.ConvictionRecorded" "$work/record" || fail "the officer's read: $(cat "$work/record")"
decide lift-restriction walk-restrict-0002 restriction-accuracy-contested >/dev/null || fail "lift"
decide record-erasure walk-erasure-0001 erasure-court-order >"$work/out" || fail "erasure: $(cat "$work/out")"
if "$ctl" police get-record pnc_id=$jones purpose.code=case-management purpose.detail=walkthrough \
     >/dev/null 2>"$work/err"; then fail "an erased record was read"; fi
grep -q "NOT_FOUND: the record under pnc:$jones was erased under a court order on $(date -u +%F)" "$work/err" \
  || fail "erased read: $(cat "$work/err")"
# Children's services still hold him (a concern, a household): their picture stays, and
# says what the police erased; nothing of the police's is in it.
erased=
for _ in $(seq 1 100); do
  "$ctl" mappa get-risk-view pnc_id=$jones purpose.code=risk-management purpose.detail=walkthrough >"$work/view3" \
    2>&1 || true
  if grep -q "DATA PROTECTION: police's record of pnc:$jones was erased under a court order on $(date -u +%F)" \
       "$work/view3"; then
    erased=1; break
  fi
  sleep 0.1
done
[ -n "$erased" ] || fail "mappa-service does not say what was erased: $(cat "$work/view3")"
if grep -q "police.ConvictionRecorded\|police.IntelligenceRecorded" "$work/view3"; then
  fail "an erased fact is still in the picture: $(cat "$work/view3")"
fi
stop
# The process's log, every line of it since the first start, names him nowhere: not by his
# PNC id, name or date of birth (nothing personal is logged; docs/operations.md, "Logs").
if grep -nw "$jones\|Peter\|Jones\|1982-11-30" "$work/log" >"$work/named"; then
  fail "the log names the erased subject: $(head -3 "$work/named")"
fi

# Stopped, each store is checked whole against its tree and the checkpoints it signed last:
# every event against its Merkle leaf and place (docs/audit.md).
"$audit_tool" verify --store="$work/data/police" --public_key="$work/police.pub.pem" >"$work/scrub" \
  || fail "store verify: $(cat "$work/scrub")"
grep -q "^OK: every event matches" "$work/scrub" || fail "store verify: $(cat "$work/scrub")"
grep -q "signatures checked with the key recorded in $work/police.pub.pem" "$work/scrub" || fail "key: $(cat "$work/scrub")"
"$audit_tool" verify --store="$work/data/mappa-events/" >"$work/scrub" || fail "mappa-events verify: $(cat "$work/scrub")"
grep -q "signatures checked with the service's own key" "$work/scrub" || fail "own key: $(cat "$work/scrub")"
if "$audit_tool" verify --store="$work/data/nothing" >"$work/scrub" 2>&1; then fail "a missing store verified"; fi
grep -q "no event store here" "$work/scrub" || fail "missing store: $(cat "$work/scrub")"
echo "cli walkthrough: 1 passed, 0 failed"
