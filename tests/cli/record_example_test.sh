#!/usr/bin/env bash
# record_example_test.sh MOCKSERVE SCENARIOS SESSION
# Makes scenarios/record-example.ini the way scenarios/README.md shows: a
# recorder in front of scenarios/rest-api.ini while SESSION
# (tests/cli/record_session.sh) runs through it. The file written must be
# the shipped one (but for the time and the upstream's port in its first
# lines), with the same body files; replaying the shipped file must give
# SESSION the responses it got through the recorder, byte for byte but for
# Date. MOCKSERVE_UPDATE_EXAMPLE=1 writes the shipped file instead.
set -euo pipefail
mockserve=$(realpath "$1")
scenarios=$2
session=$3
work=$(mktemp -d)
upstream_pid=
trap '[ -n "$upstream_pid" ] && kill "$upstream_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

# The documents' commands, as a reader types them.
PATH=$(cd "$(dirname "$mockserve")" && pwd):$PATH
cp "$session" record_session.sh
ln -s "$scenarios" scenarios

# The upstream: the users API, until this script ends.
mkfifo up.out
"$mockserve" "$scenarios/rest-api.ini" --quiet > up.out &
upstream_pid=$!
exec 3< up.out
read -r _ upstream <&3
read -r ready <&3
[ "$ready" = ready ] || { echo "the upstream did not start"; exit 1; }

# README:begin record-session
mockserve record --target "$upstream" --out record-example.ini --match-headers Authorization \
  -- ./record_session.sh recorded
# README:end record-session

test -s record-example.ini || { echo "mockserve record wrote no file"; exit 1; }

# The time and the upstream's port change from run to run.
normal() { sed -E -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' -e 's/ at [0-9T:.-]+Z:/ at TIME:/' "$1"; }
if [ "${MOCKSERVE_UPDATE_EXAMPLE:-}" = 1 ]; then
  cp record-example.ini "$scenarios/record-example.ini"
  rm -rf "$scenarios/record-example-bodies"
  cp -r record-example-bodies "$scenarios/"
  echo "wrote $scenarios/record-example.ini and its bodies"
  exit 0
fi
if ! diff <(normal "$scenarios/record-example.ini") <(normal record-example.ini); then
  echo "the recorder wrote another file than scenarios/record-example.ini (above; MOCKSERVE_UPDATE_EXAMPLE=1 rewrites it)"
  exit 1
fi
diff -r "$scenarios/record-example-bodies" record-example-bodies || { echo "the body files differ"; exit 1; }

# The shipped file replays the session: each response as it came through the recorder, but Date.
# README:begin record-replay
mockserve scenarios/record-example.ini -- ./record_session.sh replayed
# README:end record-replay
for response in recorded/*; do
  if ! diff <(grep -v '^Date: ' "$response") <(grep -v '^Date: ' "replayed/$(basename "$response")"); then
    echo "response $(basename "$response") differs between the recording and its replay (above)"
    exit 1
  fi
done
grep -q "REDACTED" record-example.ini || { echo "no REDACTED note in the file"; exit 1; }
if grep -q "s3cret" record-example.ini; then echo "a secret was written"; exit 1; fi
echo "the recorder wrote scenarios/record-example.ini, and it replays the session's $(ls recorded | wc -l) responses"
