#!/usr/bin/env bash
# The README's HTTPS quick start, run as written from a folder laid out as
# the source tree is after `ci/serve` (build/release/mockserver/mockserve,
# scenarios/): the shipped HTTPS scenario, called with curl trusting the
# run's authority.
set -euo pipefail
binary=$1
scenarios=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/build/release/mockserver"
ln -s "$binary" "$work/build/release/mockserver/mockserve"
ln -s "$scenarios" "$work/scenarios"
cd "$work"
output=$(
# README:begin https-quickstart
build/release/mockserver/mockserve scenarios/https-api.ini -- sh -c 'curl -sS --cacert "$MOCKSERVE_CA_FILE" "$MOCKSERVE_API_URL/v1/status"'
# README:end https-quickstart
)
echo "$output"
grep -q '^api https://127.0.0.1:[0-9]*$' <<<"$output"
grep -q '{"status": "ok", "secure": true}' <<<"$output"
grep -q 'expectations: 1 passed, 0 failed' <<<"$output"
echo "the README's HTTPS quick start works as written"
