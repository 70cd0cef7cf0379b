#!/usr/bin/env bash
# http2_clients_test.sh MOCKSERVE SCENARIOS
# Three independent HTTP/2 clients against the shipped scenarios/http2-api.ini:
# curl (prior knowledge, Upgrade with a body, h2 over TLS), nghttp (h2c and
# h2, several streams on one connection) and Python's h2 package (python3-h2,
# its own state machine). The journal must say HTTP/2.0 for every request.
# First the README's HTTP/2 quick start, as written, from a folder laid out
# as the source tree is after `ci/serve`.
set -euo pipefail
mockserve=$1
scenarios=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ln -s "$scenarios" scenarios
mkdir -p build/release/mockserver
ln -s "$mockserve" build/release/mockserver/mockserve

output=$(
# README:begin http2-quickstart
build/release/mockserver/mockserve scenarios/http2-api.ini -- sh -c 'curl -sS --http2-prior-knowledge "$MOCKSERVE_API_URL/v1/status"'
# README:end http2-quickstart
)
echo "$output"
grep -q '^api http://127.0.0.1:[0-9]*$' <<<"$output"
grep -q '^grpc-gateway https://127.0.0.1:[0-9]*$' <<<"$output"
grep -q '^{"status": "ok"}' <<<"$output"
grep -q 'expectations: 1 passed, 0 failed' <<<"$output"

cat > clients.sh <<'CLIENTS'
set -eu
fail() { echo "FAILED: $*"; exit 1; }
tls="$MOCKSERVE_GRPC_GATEWAY_URL"

# curl: prior knowledge, the Upgrade dance with a body, and h2 by ALPN.
out=$(curl -sS --http2-prior-knowledge -w ' %{http_version}' "$MOCKSERVE_API_URL/v1/status")
[ "$out" = '{"status": "ok"} 2' ] || fail "curl --http2-prior-knowledge: $out"
out=$(curl -sS --http2 -w ' %{http_version}' --data-binary 'a body sent before the switch' "$MOCKSERVE_API_URL/v1/uploads")
[ "$out" = '{"received": true} 2' ] || fail "curl --http2 (Upgrade: h2c with a body): $out"
out=$(curl -sS --http2 -w ' %{http_version}' -H 'Transfer-Encoding: chunked' --data-binary @/etc/os-release "$MOCKSERVE_API_URL/v1/uploads")
[ "$out" = '{"received": true} 2' ] || fail "curl --http2 (Upgrade: h2c with a chunked body): $out"
out=$(curl -sS --cacert "$MOCKSERVE_CA_FILE" -w ' %{http_version}' "$tls/v1/status")
[ "$out" = '{"status": "ok", "secure": true} 2' ] || fail "curl over TLS: $out"
out=$(curl -sS --http1.1 --cacert "$MOCKSERVE_CA_FILE" -w ' %{http_version}' "$tls/v1/status")
[ "$out" = '{"status": "ok", "secure": true} 1.1' ] || fail "curl --http1.1 over TLS: $out"

# nghttp: three streams on one connection; the slow one does not hold back the others.
out=$(nghttp -n -s "$MOCKSERVE_API_URL/v1/slow" "$MOCKSERVE_API_URL/v1/status" "$MOCKSERVE_API_URL/v1/events" 2>&1)
echo "$out" | grep -q '200' || fail "nghttp h2c: $out"
[ "$(nghttp "$MOCKSERVE_API_URL/v1/events")" = "$(printf 'data: {"n": 1}\n\ndata: {"n": 2}\n\n')" ] || fail "nghttp events"
out=$(nghttp -v "$tls/v1/status" 2>&1)
echo "$out" | grep -q 'The negotiated protocol: h2' || fail "nghttp h2: $out"
echo "$out" | grep -q '{"status": "ok", "secure": true}' || fail "nghttp h2 body: $out"

# Python's h2 package, prior knowledge.
/usr/bin/python3 - "$MOCKSERVE_API_URL" <<'PY'
import socket, sys, urllib.parse
import h2.connection, h2.events
url = urllib.parse.urlsplit(sys.argv[1])
sock = socket.create_connection((url.hostname, url.port), timeout=10)
conn = h2.connection.H2Connection()
conn.initiate_connection()
conn.send_headers(1, [(":method", "GET"), (":path", "/v1/status"), (":scheme", "http"), (":authority", url.netloc)], end_stream=True)
conn.send_headers(3, [(":method", "POST"), (":path", "/v1/uploads"), (":scheme", "http"), (":authority", url.netloc)])
for piece in range(3):
    conn.send_data(3, b"x" * 16000, end_stream=piece == 2)
sock.sendall(conn.data_to_send())
bodies, statuses, done = {}, {}, set()
while len(done) < 2:
    data = sock.recv(65536)
    if not data:
        sys.exit("python3-h2: the server closed the connection")
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.ResponseReceived):
            statuses[event.stream_id] = dict(event.headers)[b":status"]
        elif isinstance(event, h2.events.DataReceived):
            bodies[event.stream_id] = bodies.get(event.stream_id, b"") + event.data
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            done.add(event.stream_id)
        elif isinstance(event, h2.events.StreamReset):
            sys.exit("python3-h2: stream %d reset" % event.stream_id)
    sock.sendall(conn.data_to_send())
assert statuses == {1: b"200", 3: b"201"}, statuses
assert bodies[1] == b'{"status": "ok"}', bodies
assert bodies[3] == b'{"received": true}', bodies
PY
echo "three clients spoke HTTP/2"
CLIENTS

"$mockserve" scenarios/http2-api.ini --quiet --journal journal.jsonl -- sh clients.sh
versions=$(jq -r '.version' journal.jsonl | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')
echo "journal: $versions"
case "$versions" in
  "HTTP/1.1=1 HTTP/2.0="*) ;;  # the one --http1.1 request, and every other over HTTP/2
  *) echo "the journal should say HTTP/2.0 for every request but the --http1.1 one"; exit 1 ;;
esac
jq -e 'select(.version == "HTTP/2.0") | .stream_id > 0' journal.jsonl > /dev/null
echo "curl, nghttp and python3-h2 spoke HTTP/2 to mockserve"
