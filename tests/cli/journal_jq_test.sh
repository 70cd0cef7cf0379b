#!/usr/bin/env bash
# journal_jq_test.sh MOCKSERVE SCENARIOS
# The journal's jq one-liners of scenarios/README.md, run on a real journal:
# the regions marked README:begin/end are the documents' text, line for line
# (tests/readme/check_copies.sh compares them).
set -euo pipefail
mockserve=$1
scenarios=$2
work=$(mktemp -d)
# mktemp's folder is 0700: a root mockserve runs the scenario's CGI scripts as
# nobody, who must be able to enter it (the scenario is refused otherwise).
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"
# As from the root of the source tree: scenarios/ and the fixtures it uses.
ln -s "$scenarios" scenarios
ln -s "$scenarios/../fixtures" fixtures
PATH=$(cd "$(dirname "$mockserve")" && pwd):$PATH
status=0
expect() {  # expect NAME ACTUAL EXPECTED
  if [ "$2" != "$3" ]; then
    echo "$1: got"; echo "$2"; echo "expected"; echo "$3"; status=1
  fi
}

# README:begin journal-ci
mockserve scenarios/checkout.ini --quiet --journal journal.jsonl -- sh -c '
  curl -s -o /dev/null -H "Content-Type: application/json" -H "X-Request-Id: a1" -H "x-request-id: a2" \
       -d "{\"amount\": 1200, \"currency\": \"EUR\"}" "$MOCKSERVE_API_URL/v1/payments"
  curl -s -o /dev/null "$MOCKSERVE_API_URL/v1/refunds?id=7"'
# README:end journal-ci
[ -s journal.jsonl ] || { echo "no journal was written"; exit 1; }

unmatched=$(
# README:begin jq-unmatched
jq -c 'select(.route == null) | {seq, method, target, status}' journal.jsonl
# README:end jq-unmatched
)
expect unmatched "$unmatched" '{"seq":2,"method":"GET","target":"/v1/refunds?id=7","status":404}'

bodies=$(
# README:begin jq-bodies
jq -r 'select(.method == "POST" and .path == "/v1/payments") | .body' journal.jsonl
# README:end jq-bodies
)
expect bodies "$bodies" '{"amount": 1200, "currency": "EUR"}'

header=$(
# README:begin jq-header
jq -r '.headers_by_name["x-request-id"] // empty' journal.jsonl
# README:end jq-header
)
expect header "$header" 'a1, a2'

per_route=$(
# README:begin jq-per-route
jq -s -c 'group_by(.route) | map({route: .[0].route, requests: length})' journal.jsonl
# README:end jq-per-route
)
expect per-route "$per_route" '[{"route":null,"requests":1},{"route":"create-payment","requests":1}]'

[ $status -eq 0 ] && echo "the journal's jq examples give what the README says"
exit $status
