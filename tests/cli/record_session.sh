#!/bin/sh
# A client's session with the users API (scenarios/rest-api.ini), as
# scenarios/README.md records and replays it: each response, head and body,
# goes to a file in the folder given ("session" by default). It talks to
# MOCKSERVE_RECORDED_URL: the recorder (`mockserve record`) and the recorded
# file's server are both named "recorded".
set -eu
url=$MOCKSERVE_RECORDED_URL
out=${1:-session}
mkdir -p "$out"
curl -si "$url/users" > "$out/1"
curl -si "$url/users/search?name=Ada" > "$out/2"
curl -si "$url/users/42" > "$out/3"
curl -si -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer s3cret' \
  -d '{"name": "Linus"}' "$url/users" > "$out/4"
curl -si -X POST -H 'Content-Type: application/json' -d '{"name": "Linus"}' "$url/users" > "$out/5"
curl -si -X DELETE "$url/users/42" > "$out/6"
curl -si "$url/nowhere" > "$out/7"
