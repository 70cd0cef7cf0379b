#!/usr/bin/env bash
# control_api_curl_test.sh MOCKSERVE SCENARIOS
# The control API's curl examples of scenarios/README.md, run against a real
# mockserve: the regions marked README:begin/end are the document's text,
# line for line (tests/readme/check_copies.sh compares them). They run as
# they would in a CI script: as the COMMAND of
# `mockserve scenarios/rest-api.ini --control 0 -- ...`, which gives them
# MOCKSERVE_CONTROL_URL and MOCKSERVE_USERS_URL.
set -euo pipefail
mockserve=$1
scenarios=$2

if [ "${3:-}" != steps ]; then
  self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  ln -s "$scenarios" scenarios
  # The run's own verdict is not this test's: its expectations are left unmet on purpose.
  set +e
  "$mockserve" scenarios/rest-api.ini --quiet --control 0 -- bash "$self" "$mockserve" "$scenarios" steps > out.txt
  status=$?
  set -e
  if grep -q '^STEPS FAILED' out.txt || ! grep -q '^STEPS PASSED' out.txt; then cat out.txt; exit 1; fi
  grep -q '^STEPS PASSED' out.txt && echo "every control API example ran as documented"
  [ $status -eq 1 ] || { echo "mockserve exited with $status (1 expected: created-once is unmet)"; exit 1; }
  exit 0
fi

failures=0
expect() {  # expect NAME ACTUAL EXPECTED
  if [ "$2" != "$3" ]; then
    echo "$1: got"; echo "$2"; echo "expected"; echo "$3"; failures=$((failures + 1))
  fi
}
finished=0
trap 'if [ $failures -eq 0 ] && [ $finished -eq 1 ]; then echo "STEPS PASSED"; else echo "STEPS FAILED: $failures failed, finished: $finished"; fi' EXIT

curl -s -o /dev/null "$MOCKSERVE_USERS_URL/users"
curl -s -o /dev/null "$MOCKSERVE_USERS_URL/nowhere"

listed=$(
# README:begin control-requests
curl -s "$MOCKSERVE_CONTROL_URL/requests?server=users&path=/users" | jq -c '.[] | {seq, method, path, status, route}'
# README:end control-requests
)
expect requests "$listed" '{"seq":1,"method":"GET","path":"/users","status":200,"route":"list"}'

unmatched=$(
# README:begin control-unmatched
curl -s "$MOCKSERVE_CONTROL_URL/requests?unmatched=1" | jq -r '.[].explanation'
# README:end control-unmatched
)
expect unmatched "$(echo "$unmatched" | head -1)" 'No route matched GET /nowhere. Closest routes:'

# A client that sends later, in the background: the wait ends when it does.
( curl -s -o /dev/null -X DELETE "$MOCKSERVE_USERS_URL/users/7" ) &
waited=$(
# README:begin control-wait
curl -s "$MOCKSERVE_CONTROL_URL/requests?method=DELETE&path=/users/*&wait=5s" | jq -r '.target'
# README:end control-wait
)
wait
expect wait "$waited" '/users/7'

timed_out=$(
# README:begin control-timeout
curl -s -o /dev/null -w '%{http_code}\n' "$MOCKSERVE_CONTROL_URL/requests?path=/never&wait=200ms"
# README:end control-timeout
)
expect wait-timeout "$timed_out" '408'

added=$(
# README:begin control-add-route
curl -s -X POST -H 'X-Mockserve: 1' --data-binary @- "$MOCKSERVE_CONTROL_URL/routes" <<'INI'
[route users maintenance]
request = GET /users
response = 503
response.header = Retry-After: 30
response.body = down for maintenance
INI
# README:end control-add-route
)
expect add-route "$added" '{"added":true}'
expect added-route-answers "$(curl -s "$MOCKSERVE_USERS_URL/users")" 'down for maintenance'

removed=$(
# README:begin control-remove-route
curl -s -X DELETE -H 'X-Mockserve: 1' "$MOCKSERVE_CONTROL_URL/routes/users/maintenance"
# README:end control-remove-route
)
expect remove-route "$removed" '{"removed":true}'

refused=$(
# README:begin control-add-static
printf '[route users files]\nrequest = GET /files/*\nstatic = /etc\n' |
  curl -s -X POST -H 'X-Mockserve: 1' --data-binary @- "$MOCKSERVE_CONTROL_URL/routes" | jq -r '.errors[]'
# README:end control-add-static
)
expect add-static "$refused" "request body:3: static cannot be given to a route added at run time: the control API never reads files, runs programs or reaches other servers (give the body inline with response.body, or put the route in the scenario file)"

verdicts=$(
# README:begin control-expectations
curl -s "$MOCKSERVE_CONTROL_URL/expectations" | jq -r '.[] | "\(.name): \(if .passed then "ok" else "FAILED" end), \(.count) of \(.expected)"'
# README:end control-expectations
)
expect expectations "$verdicts" 'created-once: FAILED, 0 of exactly 1
listed: ok, 2 of at least 1'

report=$(
# README:begin control-report
curl -s "$MOCKSERVE_CONTROL_URL/report" | head -2
# README:end control-report
)
expect report "$report" 'expectations: 1 passed, 1 failed
  FAILED users created-once (line 49): exactly 1 request(s) matching POST /users, got 0'

events=$(
# README:begin control-events
curl -sN --max-time 1 "$MOCKSERVE_CONTROL_URL/events?since=0" | grep '^id:' | head -3
# README:end control-events
) || true  # curl ends the endless stream after --max-time, with its code 28
expect events "$events" 'id: 1
id: 2
id: 3'

scenario=$(
# README:begin control-scenario
curl -s "$MOCKSERVE_CONTROL_URL/scenario" | grep '^\[' | head -3
# README:end control-scenario
)
expect scenario "$scenario" '[scenario]
[server users]
[route users list]'

reset=$(
# README:begin control-reset
curl -s -X POST -H 'X-Mockserve: 1' "$MOCKSERVE_CONTROL_URL/reset"
# README:end control-reset
)
expect reset "$reset" '{"reset":true}'
expect after-reset "$(curl -s "$MOCKSERVE_CONTROL_URL/requests")" '[]'

curl -s -o /dev/null "$MOCKSERVE_USERS_URL/users"
cleared=$(
# README:begin control-clear
curl -s -X DELETE -H 'X-Mockserve: 1' "$MOCKSERVE_CONTROL_URL/requests"
# README:end control-clear
)
expect clear "$cleared" '{"cleared":1}'

reloaded=$(
# README:begin control-reload
curl -s -X POST -H 'X-Mockserve: 1' "$MOCKSERVE_CONTROL_URL/reload"
# README:end control-reload
)
expect reload "$reloaded" '{"reloaded":true}'

forbidden=$(
# README:begin control-refusals
curl -s -o /dev/null -w '%{http_code}\n' -X POST "$MOCKSERVE_CONTROL_URL/reset"
curl -s -o /dev/null -w '%{http_code}\n' -H 'Host: attacker.example' "$MOCKSERVE_CONTROL_URL/requests"
# README:end control-refusals
)
expect refusals "$forbidden" '403
403'
finished=1
