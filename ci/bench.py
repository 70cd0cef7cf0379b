#!/usr/bin/env python3
"""mockserve side by side with the servers people would use instead.

Run through ci/bench, which installs the tools and builds mockserve first.
Every server runs on 127.0.0.1 on a free port, from configs and a fixture tree
written to a temporary folder, and is stopped by the PID this script started.
Every wrk run is bounded by --seconds; every wait has a deadline. Each
workload runs in --rounds rounds, the servers taking turns in each; a row is
the median of its rounds.

Prints one Markdown table per workload, the targets of issue 6 with what was
measured, and writes the raw figures as JSON (--json).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "release")
MOCKSERVE = os.path.join(BUILD, "mockserver", "mockserve")
MICRO = os.path.join(BUILD, "tests", "benchmarks", "mockserve_micro_benchmarks")
WIREMOCK_DIR = os.path.join(ROOT, "build", "bench-tools")
CANNED_BODY = '{"id": "pay_1234", "status": "pending"}'
# The journal keeps at most 64 MiB (JournalLimits::max_total_bytes, counted
# by its own estimate of each entry); the process around it stays within this.
JOURNAL_BOUND_MIB = 96
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_TLS_CLIENT = []


def unverified_tls_client():
    """One client context for every readiness check: making one costs Python
    milliseconds, which are not the server's start-up."""
    if not _TLS_CLIENT:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        _TLS_CLIENT.append(context)
    return _TLS_CLIENT[0]


def http_status(port, path, timeout=1.0, tls=False):
    """The status of one GET (over TLS, unverified, when `tls`), or None when
    nothing answers (yet)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            if tls:
                s = unverified_tls_client().wrap_socket(s, server_hostname="localhost")
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
            match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
            return int(match.group(1)) if match else None
    except (OSError, ssl.SSLError):
        return None


# ---------------------------------------------------------------------------
# Processes: started here, measured through /proc, stopped by their PID.

def stat_fields(pid):
    """/proc/PID/stat after the command name (field 3 onwards), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None  # the process ended meanwhile


def tree(pid):
    """pid and its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        fields = stat_fields(entry) if entry.isdigit() else None
        if fields:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def cpu_ticks(pid):
    """User + system time of the tree, reaped children included."""
    fields = [stat_fields(p) for p in tree(pid)]
    return sum(sum(int(x) for x in f[11:15]) for f in fields if f)  # utime stime cutime cstime


def machine_busy_ticks():
    """Every CPU's time outside idle and I/O wait, in clock ticks."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]


def wait_until_quiet(limit=5.0, window=0.1):
    """Waits until the machine is quiet: less than a tenth of a core busy over
    `window` seconds, for at most `limit` seconds. A server that works on
    after its run (a JVM compiling and collecting, a threaded Python server
    draining its backlog) would otherwise take CPU from the run after it,
    which is always the same server's (take_turns keeps the order)."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        before = machine_busy_ticks()
        time.sleep(window)
        if machine_busy_ticks() - before < 0.1 * window * CLOCK_TICKS:
            return
    log(f"  the machine stayed busy for {limit:.0f} s; measuring anyway")


def own_cpu_ticks(pid):
    """User + system time of the process alone: no child, reaped or not (a
    CGI script's time is the script's, not the server's)."""
    fields = stat_fields(pid)
    return sum(int(x) for x in fields[11:13]) if fields else 0


def rss_kib(pid):
    """Resident memory of the tree (pages shared by its processes count in each)."""
    fields = [stat_fields(p) for p in tree(pid)]
    return sum(int(f[21]) * PAGE_KIB for f in fields if f)  # rss, in pages


class Server:
    def __init__(self, name, argv, port, cwd=None, env=None, ready_path="/", tls=False, h2c_only=False):
        self.name, self.argv, self.port = name, argv, port
        self.cwd, self.env, self.ready_path, self.tls = cwd, env, ready_path, tls
        self.h2c_only = h2c_only  # answers HTTP/2 with prior knowledge only (nginx's `listen ... http2`)
        self.process = None
        self.startup_seconds = None

    def url(self, path):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"

    def start(self, deadline_seconds=60):
        began = time.perf_counter()
        self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        while time.perf_counter() - began < deadline_seconds:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {' '.join(self.argv)}")
            if self.ready():
                self.startup_seconds = time.perf_counter() - began
                return self
            time.sleep(0.0002)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {self.ready_path} within {deadline_seconds} s")

    def ready(self):
        if not self.h2c_only:
            return http_status(self.port, self.ready_path, tls=self.tls) == 200
        done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1",
                               "--http2-prior-knowledge", self.url(self.ready_path)], capture_output=True, text=True)
        return done.stdout == "200"

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    @property
    def pid(self):
        return self.process.pid


# ---------------------------------------------------------------------------
# wrk

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
SIZES = {"B": 1 / 2**20, "KB": 1 / 2**10, "MB": 1.0, "GB": 2**10}


def parse_wrk(text):
    def latency(percent):
        m = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        return float(m.group(1)) * UNITS[m.group(2)] if m else None

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    transfer = re.search(r"^Transfer/sec:\s+([\d.]+)(B|KB|MB|GB)", text, re.M)
    total = re.search(r"^\s+(\d+) requests in", text, re.M)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "requests_per_second": float(rps.group(1)) if rps else 0.0,
        "mib_per_second": float(transfer.group(1)) * SIZES[transfer.group(2)] if transfer else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": latency(50),
        "p99_ms": latency(99),
        "errors": (sum(int(x) for x in socket_errors.groups()) if socket_errors else 0) +
                  (int(non_2xx.group(1)) if non_2xx else 0),
        "error_detail": " ".join(m.group(0) for m in [socket_errors, non_2xx] if m),
    }


def run_wrk(server, path, connections, seconds, extra=()):
    threads = 1 if connections == 1 else 2
    before, own_before = cpu_ticks(server.pid), own_cpu_ticks(server.pid)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
               *extra, server.url(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    result = parse_wrk(done.stdout)
    used = (cpu_ticks(server.pid) - before) / CLOCK_TICKS
    own = (own_cpu_ticks(server.pid) - own_before) / CLOCK_TICKS
    result["server_cpu_percent"] = 100.0 * used / seconds
    # The server's CPU time (user and system, its children's included) per
    # request, and its main process's alone (without CGI scripts).
    result["server_cpu_us_per_request"] = 1e6 * used / result["requests"] if result["requests"] else None
    result["server_own_cpu_us_per_request"] = 1e6 * own / result["requests"] if result["requests"] else None
    result["connections"] = connections
    return result


def run_h2load(server, path, connections, streams, seconds):
    """h2load over h2c with prior knowledge: `connections` connections with
    `streams` concurrent streams each, for `seconds`."""
    before = cpu_ticks(server.pid)
    command = ["h2load", f"-t{1 if connections == 1 else 2}", f"-c{connections}", f"-m{streams}", f"-D{seconds}",
               server.url(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    used = (cpu_ticks(server.pid) - before) / CLOCK_TICKS
    finished = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", done.stdout)
    counts = re.search(r"requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored",
                       done.stdout)
    succeeded = int(counts.group(2)) if counts else 0
    return {"connections": connections, "streams": streams,
            "requests_per_second": float(finished.group(3)) if finished else 0.0,
            "requests": succeeded, "errors": (int(counts.group(3)) + int(counts.group(4))) if counts else None,
            "server_cpu_percent": 100.0 * used / seconds,
            "server_cpu_us_per_request": 1e6 * used / succeeded if succeeded else None}


def measure_h2_workload(servers, path, connections, stream_counts, seconds, rounds):
    """As measure_workload, with h2load: the servers take turns at each
    number of streams per connection."""
    return take_turns(servers, lambda server: ["h2load", "-c4", "-m10", "-D1", server.url(path)], stream_counts,
                      lambda server, streams: run_h2load(server, path, connections, streams, seconds),
                      lambda streams: f"{connections} connections × {streams} streams", rounds)


# ---------------------------------------------------------------------------
# The fixture tree and each server's configuration

def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def make_tree(work):
    www = os.path.join(work, "www")
    os.makedirs(os.path.join(www, "list"))
    with open(os.path.join(www, "file-1k.bin"), "wb") as f:
        f.write(bytes(range(256)) * 4)
    # The same file two folders down, as a real tree has it (an outside run
    # served its files from a subfolder, and found mockserve further behind).
    os.makedirs(os.path.join(www, "assets", "v1"))
    shutil.copy(os.path.join(www, "file-1k.bin"), os.path.join(www, "assets", "v1", "file-1k.bin"))
    with open(os.path.join(www, "file-1m.bin"), "wb") as f:
        f.write(bytes(range(256)) * 4096)
    write(os.path.join(www, "canned.json"), CANNED_BODY)
    for i in range(200):
        write(os.path.join(www, "list", f"file-{i:03}.txt"), f"file {i}\n")
    write(os.path.join(www, "cgi-bin", "hello.sh"),
          "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nhello from sh\\n'\n", 0o755)
    # Servers started as root run CGI scripts (and nginx its workers) as nobody.
    for folder, dirs, files in os.walk(work):
        os.chmod(folder, 0o755)
    return www


def make_certificates(work):
    """An ECDSA P-256 authority and a leaf for 127.0.0.1 and localhost, made
    with openssl: the same kind of certificate mockserve makes, given to nginx
    and to mockserve alike. Returns (certificate, key) paths."""
    folder = os.path.join(work, "tls")
    os.makedirs(folder)
    run = lambda *argv: subprocess.run(argv, cwd=folder, check=True, capture_output=True, timeout=60)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=bench authority",
        "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    run("openssl", "req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost")
    write(os.path.join(folder, "leaf.ext"), "subjectAltName = DNS:localhost, IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-sha256", "-extfile", "leaf.ext", "-out", "leaf.pem")
    for name in os.listdir(folder):
        os.chmod(os.path.join(folder, name), 0o644)  # nginx's workers run as nobody
    return os.path.join(folder, "leaf.pem"), os.path.join(folder, "leaf.key")


def mockserve_scenario(work, www, port, routes, journal=True, tls=None, behaviours=False, http2=False, threads=None):
    """`tls`: None (plain HTTP), "generate" (a certificate made at start), or
    (certificate, key) paths. `behaviours`: the canned route also counts its
    answers (`times`), checks and moves a state machine, and is a template
    (the same body), so that what these cost can be compared."""
    tls_lines = [] if tls is None else ["tls = on"] if tls == "generate" else \
        ["tls = on", f"tls.cert = {tls[0]}", f"tls.key = {tls[1]}"]
    lines = ["[scenario]", "name = bench", f"journal = {'on' if journal else 'off'}", "",
             # No cap on requests per connection, as nginx's keepalive_requests
             # below: h2load does not reconnect after a GOAWAY.
             "[server api]", f"port = {port}", "max_requests_per_connection = 0", *tls_lines,
             *(["http2 = on"] if http2 else []),
             *([f"threads = {threads}"] if threads else []), ""]
    for i in range(routes - 1):
        lines += [f"[route api filler-{i}]", f"request = GET /filler/{i}", "response = 204", ""]
    canned = ["[route api canned]", "request = GET /canned", "response = 200",
              "response.header = Content-Type: application/json", f"response.body = {CANNED_BODY}"]
    if behaviours:
        canned += ["times = 1000000000000", "state = start", "next_state = start", "response.template = on"]
    lines += canned + ["",
              "[route api scripts]", "request = /cgi-bin/*", f"cgi = {www}/cgi-bin", "",
              "[route api files]", "request = GET|HEAD /*", f"static = {www}", ""]
    path = os.path.join(work, f"mockserve-{routes}-routes-{port}.ini")
    write(path, "\n".join(lines))
    return path


def mockserve_server(work, www, routes=1, journal=True, tls=None, behaviours=False, http2=False, threads=None):
    port = free_port()
    return Server("mockserve", [MOCKSERVE, mockserve_scenario(work, www, port, routes, journal, tls, behaviours, http2,
                                                              threads),
                                "--quiet"], port, ready_path="/canned", tls=tls is not None)


STREAM_EVENTS = 5
STREAM_PAUSE_MS = 200
IDLE_CONNECTIONS = 10_000


def measure_streams(work, streams):
    """`streams` clients at once, each reading a server-sent event stream of
    STREAM_EVENTS events STREAM_PAUSE_MS apart: whether all complete, how
    long it takes, and the threads, CPU and memory mockserve uses meanwhile."""
    import asyncio
    port = free_port()
    path = os.path.join(work, "streams.ini")
    write(path, "\n".join(["[scenario]", "name = streams", "", "[server api]", f"port = {port}", "",
                            "[route api ready]", "request = /ready", "response = 200", "",
                            "[route api events]", "request = /events", "response = 200",
                            *[f"response.event = update {i}" for i in range(STREAM_EVENTS)],
                            f"response.event_delay = {STREAM_PAUSE_MS}ms", ""]))
    server = Server("mockserve", [MOCKSERVE, path, "--quiet"], port, ready_path="/ready").start()
    expected = b"".join(f"data: update {i}\n\n".encode() for i in range(STREAM_EVENTS))

    async def one():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /events HTTP/1.1\r\nHost: bench\r\n\r\n")
        data = b""
        while not data.endswith(b"\r\n0\r\n\r\n"):
            chunk = await reader.read(65536)
            if not chunk:
                break
            data += chunk
        writer.close()
        body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
        # De-chunk: size line, data, CRLF.
        events, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            events, rest = events + rest[:size], rest[size + 2:]
        return events == expected

    async def run():
        peak_threads = 0

        async def sample():
            nonlocal peak_threads
            while True:
                with open(f"/proc/{server.pid}/status") as f:
                    for line in f:
                        if line.startswith("Threads:"):
                            peak_threads = max(peak_threads, int(line.split()[1]))
                await asyncio.sleep(0.05)
        sampler = asyncio.ensure_future(sample())
        results = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(streams))), timeout=120)
        sampler.cancel()
        return results, peak_threads

    try:
        idle_threads = int([l for l in open(f"/proc/{server.pid}/status") if l.startswith("Threads:")][0].split()[1])
        ticks, began = cpu_ticks(server.pid), time.perf_counter()
        results, peak_threads = asyncio.run(run())
        seconds = time.perf_counter() - began
        return {"streams": streams, "complete": sum(results), "seconds": seconds,
                "shortest_possible_seconds": (STREAM_EVENTS - 1) * STREAM_PAUSE_MS / 1000,
                "idle_threads": idle_threads, "peak_threads": peak_threads,
                "cpu_seconds": (cpu_ticks(server.pid) - ticks) / CLOCK_TICKS, "rss_kib": rss_kib(server.pid)}
    finally:
        server.stop()


def nginx_server(work, www, tls=None, http2=False, workers=2):
    """`tls`: (certificate, key) paths for an HTTPS server (TLS 1.2 and 1.3,
    keep-alive connections never closed for their number of requests).
    `http2`: h2c with prior knowledge (nginx 1.22 then speaks nothing else on
    the port), streams never capped per connection, and sendfile off: with
    it, nginx 1.22's HTTP/2 sends a small file's DATA after its frame head in
    a second packet that Nagle holds for the client's delayed ACK, 40 ms per
    response (365 req/s at 16 connections), which would flatter mockserve."""
    port = free_port()
    folder = os.path.join(work, f"nginx-{port}")
    os.makedirs(folder)
    listen = f"listen 127.0.0.1:{port};"
    if http2:
        listen = f"listen 127.0.0.1:{port} http2; http2_max_requests 100000000; keepalive_requests 100000000;"
    if tls:
        listen = (f"listen 127.0.0.1:{port} ssl; ssl_certificate {tls[0]}; ssl_certificate_key {tls[1]}; "
                  "ssl_protocols TLSv1.2 TLSv1.3; keepalive_requests 100000000;")
    conf = f"""worker_processes {workers};
worker_rlimit_nofile {IDLE_CONNECTIONS + 4096};
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections {IDLE_CONNECTIONS + 2048}; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    keepalive_requests 100000000;
    sendfile {'off' if http2 else 'on'};
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        {listen}
        root {www};
        location = /canned {{ default_type application/json; return 200 '{CANNED_BODY}'; }}
        location /list/ {{ autoindex on; }}
    }}
}}
"""
    write(os.path.join(folder, "nginx.conf"), conf)
    return Server("nginx", ["nginx", "-c", os.path.join(folder, "nginx.conf"), "-e", os.path.join(folder, "error.log")],
                  port, ready_path="/canned", tls=tls is not None, h2c_only=http2)


def lighttpd_server(work, www):
    port = free_port()
    folder = os.path.join(work, f"lighttpd-{port}")
    os.makedirs(folder)
    conf = f"""server.document-root = "{www}"
server.bind = "127.0.0.1"
server.port = {port}
server.pid-file = "{folder}/lighttpd.pid"
server.errorlog = "{folder}/error.log"
server.modules = ("mod_cgi", "mod_dirlisting")
mimetype.assign = (".json" => "application/json", ".txt" => "text/plain", "" => "application/octet-stream")
dir-listing.activate = "enable"
$HTTP["url"] =~ "^/cgi-bin/" {{ cgi.assign = (".sh" => "/bin/sh") }}
"""
    write(os.path.join(folder, "lighttpd.conf"), conf)
    return Server("lighttpd", ["lighttpd", "-D", "-f", os.path.join(folder, "lighttpd.conf")], port,
                  ready_path="/canned.json")


def python_server(www, cgi=False):
    port = free_port()
    argv = [sys.executable, "-m", "http.server", "-b", "127.0.0.1", "-d", www, str(port)]
    if cgi:
        argv.insert(3, "--cgi")
    return Server("python --cgi" if cgi else "python", argv, port, cwd=www, ready_path="/canned.json")


PYTHON_CANNED = f'''import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b'{CANNED_BODY}'


class Canned(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Head and body are two writes: with Nagle's algorithm on, each response
    # waits for a delayed ACK (40 ms). Python's best case is measured.
    disable_nagle_algorithm = True

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Canned).serve_forever()
'''


def python_canned_server(work):
    port = free_port()
    script = os.path.join(work, "python_canned.py")
    write(script, PYTHON_CANNED)
    return Server("python subclass", [sys.executable, script, str(port)], port, ready_path="/canned")


def wiremock_jar():
    for folder, _, files in os.walk(os.path.join(WIREMOCK_DIR, "node_modules", "wiremock")):
        for f in files:
            if f.startswith("wiremock-standalone") and f.endswith(".jar"):
                return os.path.join(folder, f)
    return None


def wiremock_server(work):
    jar = wiremock_jar()
    if not jar or not shutil.which("java"):
        return None
    port = free_port()
    root = os.path.join(work, f"wiremock-{port}")
    stub = {"request": {"method": "GET", "url": "/canned"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": CANNED_BODY}}
    write(os.path.join(root, "mappings", "canned.json"), json.dumps(stub))
    os.makedirs(os.path.join(root, "__files"), exist_ok=True)
    return Server("WireMock", ["java", "-jar", jar, "--port", str(port), "--bind-address", "127.0.0.1",
                               "--root-dir", root, "--disable-banner"], port, ready_path="/canned")


# ---------------------------------------------------------------------------
# Measurements

def median_of_rounds(rounds):
    """One row from a point's rounds: each figure's median across them
    (drift over a run moves one round, not the median), but the counts of
    requests and of errors summed (an error in any round is an error), and
    every round's req/s kept, so that the spread can be read."""
    row = {}
    for key in rounds[0]:
        values = [r[key] for r in rounds if r.get(key) is not None]
        if key in ("requests", "errors"):
            row[key] = sum(values) if values else rounds[0][key]
        elif values and len(values) == len(rounds) and all(v == values[0] for v in values):
            row[key] = values[0]  # the same in every round (connections, streams)
        elif values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            row[key] = statistics.median(values)
        else:
            row[key] = " ".join(sorted({str(v) for v in values if v})) if isinstance(rounds[0][key], str) \
                else rounds[0][key]
    row["rounds_requests_per_second"] = [r["requests_per_second"] for r in rounds]
    return row


def take_turns(servers, warm_command, points, run, label, rounds):
    """Starts every server, warms each (`warm_command(server)`), then takes
    turns: at each point (a number of connections, of streams), `rounds`
    rounds, and in each round each server in turn, so that whatever else the
    machine does touches all of them alike; a point's row is the median of
    its rounds (median_of_rounds). Stops them all."""
    running, results = {}, {}
    try:
        for name, make in servers.items():
            results[name] = None
            try:
                server = make()
                if server is None:
                    continue
                server.start()
                running[name] = server
                subprocess.run(warm_command(server), capture_output=True, timeout=120)
                results[name] = []
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                log(f"{name} failed: {e}")
        for point in points:
            measured = {name: [] for name in running}
            for round_number in range(rounds):
                for name, server in running.items():
                    log(f"  {name}, {label(point)}" + (f", round {round_number + 1} of {rounds}" if rounds > 1 else ""))
                    wait_until_quiet()
                    measured[name].append(run(server, point))
            for name in running:
                results[name].append(median_of_rounds(measured[name]))
    finally:
        for server in running.values():
            server.stop()
    return results


def measure_workload(servers, path, connections, seconds, rounds, warmup, extra=()):
    """wrk at each number of connections, the servers taking turns."""
    return take_turns(servers, lambda server: ["wrk", "-t1", "-c4", f"-d{warmup}s", *extra, server.url(path)],
                      connections, lambda server, c: run_wrk(server, path, c, seconds, extra),
                      lambda c: f"{c} connections", rounds)


def measure_startup(make, runs):
    """Launch to the first successful response, and the idle memory then."""
    times, idle = [], []
    for _ in range(runs):
        server = make()
        if server is None:
            return None
        server.start()
        times.append(server.startup_seconds * 1000)
        idle.append(rss_kib(server.pid))
        server.stop()
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
            "runs": runs, "idle_rss_kib": statistics.median(idle)}


def measure_memory_after_load(make, path, requests, time_cap):
    """Resident memory after `requests` requests (or as many as time_cap seconds allow)."""
    server = make()
    if server is None:
        return None
    server.start()
    try:
        idle = rss_kib(server.pid)
        done, began = 0, time.perf_counter()
        while done < requests and time.perf_counter() - began < time_cap:
            step = max(1, min(10, int(time_cap - (time.perf_counter() - began))))
            done += run_wrk(server, path, 64, step)["requests"]
        return {"requests": done, "idle_rss_kib": idle, "rss_kib": rss_kib(server.pid),
                "seconds": time.perf_counter() - began}
    finally:
        server.stop()


def hold_idle_connections(port, count, deadline):
    """Opens up to `count` keep-alive connections, each after one answered
    request (an idle client as a browser or a pool leaves it), until
    `deadline`. Returns the sockets, for the caller to close."""
    request = b"GET /canned HTTP/1.1\r\nHost: bench\r\n\r\n"
    held = []
    try:
        for _ in range(count):
            if time.perf_counter() > deadline:
                break
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(request)
            held.append(s)
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.endswith(CANNED_BODY.encode()):
                chunk = s.recv(4096)
                if not chunk:
                    raise OSError("the server closed an idle connection")
                reply += chunk
    except OSError as e:
        log(f"  holding connections stopped at {len(held):,}: {e}")
    return held


def still_open(s):
    s.setblocking(False)  # a socket with a timeout would wait for it first
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True  # nothing to read, and not closed
    except OSError:
        return False


def measure_idle_connections(make, count, seconds):
    """Resident memory per idle keep-alive connection, and a lone client's
    latency (wrk, 1 connection) before and while `count` of them are held."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    count = min(count, hard - 256)
    server = make()
    if server is None:
        return None
    server.start()
    held = []
    try:
        subprocess.run(["wrk", "-t1", "-c4", "-d1s", server.url("/canned")], capture_output=True, timeout=60)
        before = run_wrk(server, "/canned", 1, seconds)
        idle = rss_kib(server.pid)
        held = hold_idle_connections(server.port, count, time.perf_counter() + 60)
        holding = rss_kib(server.pid)
        during = run_wrk(server, "/canned", 1, seconds)
        alive = sum(1 for s in held if still_open(s))
        return {"connections": len(held), "still_open": alive, "idle_rss_kib": idle, "holding_rss_kib": holding,
                "kib_per_connection": (holding - idle) / len(held) if held else None,
                "p50_ms_before": before["p50_ms"], "p99_ms_before": before["p99_ms"],
                "p50_ms_during": during["p50_ms"], "p99_ms_during": during["p99_ms"],
                "rps_before": before["requests_per_second"], "rps_during": during["requests_per_second"]}
    finally:
        for s in held:
            s.close()
        server.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def measure_run_command(scenario, runs):
    """hyperfine: `mockserve scenario.ini -- curl ...`, launch to exit."""
    if not shutil.which("hyperfine") or not shutil.which("curl"):
        return None
    out = os.path.join(os.path.dirname(scenario), "hyperfine.json")
    command = f"{MOCKSERVE} {scenario} --quiet -- sh -c 'curl -sf \"$MOCKSERVE_API_URL/canned\" >/dev/null'"
    subprocess.run(["hyperfine", "--warmup", "2", "--runs", str(runs), "--export-json", out, "-N", command],
                   capture_output=True, timeout=600, check=True)
    with open(out) as f:
        result = json.load(f)["results"][0]
    return {"median_ms": result["median"] * 1000, "mean_ms": result["mean"] * 1000, "runs": runs}


def micro_benchmarks(seconds):
    if not os.path.exists(MICRO):
        return None
    done = subprocess.run([MICRO, "--benchmark_format=json", f"--benchmark_min_time={seconds}"],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return None
    kept = ("name", "real_time", "time_unit", "bytes_per_entry")
    return [{key: b[key] for key in kept if key in b} for b in json.loads(done.stdout)["benchmarks"]]


# ---------------------------------------------------------------------------
# Report

def fmt(value, digits=0):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def print_workload(workload):
    rows = workload["results"]
    base_name = workload.get("base", "mockserve")
    base = {r["connections"]: r for r in rows.get(base_name) or []}
    print(f"### {workload['title']}\n")
    mb = workload.get("show_mb", False)
    header = "| server | conns | req/s |" + (" MiB/s |" if mb else "") + \
             f" p50 ms | p99 ms | errors | server CPU | CPU µs/req | {base_name} ÷ server |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name, results in rows.items():
        if results is None:
            print(f"| {name} | | not available | | | | | | | |")
            continue
        for r in results:
            ours = base.get(r["connections"])
            key = "mib_per_second" if mb else "requests_per_second"
            ratio = ours[key] / r[key] if ours and r[key] else None
            cells = [name, str(r["connections"]), fmt(r["requests_per_second"])]
            if mb:
                cells.append(fmt(r["mib_per_second"], 1))
            cells += [fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2), str(r["errors"]),
                      f"{r['server_cpu_percent']:.0f} %", fmt(r.get("server_cpu_us_per_request"), 1),
                      "—" if name == base_name else (f"{fmt(ratio, 2)}×" if ratio else "n/a")]
            print("| " + " | ".join(cells) + " |")
    print()


H2_CONNECTIONS = 16
H2_STREAMS = [1, 100]


def print_h2_workload(workload):
    rows = workload["results"]
    base = {r["streams"]: r for r in rows.get("mockserve") or []}
    print(f"### {workload['title']}\n")
    print("| server | conns × streams | req/s | errors | server CPU | CPU µs/req | mockserve ÷ server |")
    print("|---|---|---|---|---|---|---|")
    for name, results in rows.items():
        if results is None:
            print(f"| {name} | | not available | | | | |")
            continue
        for r in results:
            ours = base.get(r["streams"])
            ratio = ours["requests_per_second"] / r["requests_per_second"] if ours and r["requests_per_second"] else None
            print(f"| {name} | {r['connections']} × {r['streams']} | {fmt(r['requests_per_second'])} | {r['errors']} | "
                  f"{r['server_cpu_percent']:.0f} % | {fmt(r.get('server_cpu_us_per_request'), 1)} | "
                  f"{'—' if name == 'mockserve' else (f'{fmt(ratio, 2)}×' if ratio else 'n/a')} |")
    print()


def at(results, server, connections, key="requests_per_second"):
    for r in results.get(server) or []:
        if r["connections"] == connections:
            return r[key]
    return None


def check(targets, name, measured, goal, met):
    targets.append({"target": name, "measured": measured, "goal": goal, "met": bool(met)})


def evaluate(report):
    targets = []
    w = {x["name"]: x["results"] for x in report["workloads"]}
    for c in (16, 64):
        ours, nginx = at(w.get("canned", {}), "mockserve", c), at(w.get("canned", {}), "nginx", c)
        if ours and nginx:
            check(targets, f"canned, {c} conns: req/s ≥ nginx", f"{ours / nginx:.2f}× nginx", "≥ 1.00×", ours >= nginx)
            cpu = at(w.get("canned", {}), "mockserve", c, "server_cpu_us_per_request")
            ncpu = at(w.get("canned", {}), "nginx", c, "server_cpu_us_per_request")
            if cpu and ncpu:
                check(targets, f"canned, {c} conns: server CPU per request ≤ nginx's", f"{cpu:.1f} vs {ncpu:.1f} µs",
                      "≤ 1.00×", cpu <= ncpu)
            p99, np99 = at(w.get("canned", {}), "mockserve", c, "p99_ms"), at(w.get("canned", {}), "nginx", c, "p99_ms")
            if p99 and np99:
                check(targets, f"canned, {c} conns: p99 ≤ 2× nginx", f"{p99 / np99:.2f}× nginx", "≤ 2.00×",
                      p99 <= 2 * np99)
        many = at(w.get("canned", {}), "mockserve, 1,000 routes", c)
        if ours and many:
            check(targets, f"1,000 routes, {c} conns: at most 20 % slower", f"{many / ours:.2f}× one route",
                  "≥ 0.80×", many >= 0.8 * ours)
    for name, key, goal, label in (("static-1k", "requests_per_second", 1.0, "req/s"),
                                   ("static-1k-subfolder", "requests_per_second", 1.0, "req/s"),
                                   ("static-1m", "mib_per_second", 0.9, "MiB/s"),
                                   ("listing", "requests_per_second", 1.0, "req/s")):
        for c in (16, 64):
            ours, nginx = at(w.get(name, {}), "mockserve", c, key), at(w.get(name, {}), "nginx", c, key)
            if ours and nginx:
                check(targets, f"{name}, {c} conns: {label} ≥ {goal}× nginx", f"{ours / nginx:.2f}× nginx",
                      f"≥ {goal:.2f}×", ours >= goal * nginx)
            cpu = at(w.get(name, {}), "mockserve", c, "server_cpu_us_per_request")
            ncpu = at(w.get(name, {}), "nginx", c, "server_cpu_us_per_request")
            if name.startswith("static") and cpu and ncpu:
                # The same goal by CPU: a request may cost at most nginx's ÷ goal.
                check(targets, f"{name}, {c} conns: server CPU per request ≤ nginx's ÷ {goal}",
                      f"{cpu:.1f} vs {ncpu:.1f} µs ({cpu / ncpu:.2f}×)", f"≤ {1 / goal:.2f}×", cpu * goal <= ncpu)
    for name, label in (("tls-canned", "HTTPS keep-alive canned"), ("tls-connect", "new TLS connections")):
        for c in (16, 64):
            ours, nginx = at(w.get(name, {}), "mockserve", c), at(w.get(name, {}), "nginx", c)
            if ours and nginx:
                check(targets, f"{label}, {c} conns: ≥ 0.8× nginx", f"{ours / nginx:.2f}× nginx", "≥ 0.80×",
                      ours >= 0.8 * nginx)
    for h2 in report.get("h2") or []:
        for streams in H2_STREAMS:
            pick = lambda server: next((r["requests_per_second"] for r in h2["results"].get(server) or []
                                        if r["streams"] == streams), None)
            ours, nginx = pick("mockserve"), pick("nginx")
            if ours and nginx:
                check(targets, f"{h2['name']}, {H2_CONNECTIONS} conns × {streams} streams: ≥ 0.8× nginx http2",
                      f"{ours / nginx:.2f}× nginx", "≥ 0.80×", ours >= 0.8 * nginx)
    for c in (16, 64):
        ours, lighttpd = at(w.get("cgi", {}), "mockserve", c), at(w.get("cgi", {}), "lighttpd", c)
        errors = at(w.get("cgi", {}), "mockserve", c, "errors")
        if ours and lighttpd:
            check(targets, f"CGI, {c} conns: ≥ 1.2× lighttpd, no errors",
                  f"{ours / lighttpd:.2f}× lighttpd, {errors} errors", "≥ 1.20×, 0", ours >= 1.2 * lighttpd and errors == 0)
        own = at(w.get("cgi", {}), "mockserve", c, "server_own_cpu_us_per_request")
        lown = at(w.get("cgi", {}), "lighttpd", c, "server_own_cpu_us_per_request")
        if own and lown:
            check(targets, f"CGI, {c} conns: the server's own CPU per request (scripts apart) ≤ 0.5× lighttpd's",
                  f"{own:.1f} vs {lown:.1f} µs ({own / lown:.2f}×)", "≤ 0.50×", own <= 0.5 * lown)
    for name, python in (("canned", "python subclass"), ("static-1k", "python"), ("static-1m", "python"),
                         ("listing", "python"), ("cgi", "python --cgi")):
        for c in (16, 64):
            ours, theirs = at(w.get(name, {}), "mockserve", c), at(w.get(name, {}), python, c)
            if ours and theirs:
                check(targets, f"{name}, {c} conns: ≥ 10× Python", f"{ours / theirs:.1f}× Python", "≥ 10×",
                      ours >= 10 * theirs)
    start = report["startup"].get("mockserve, HTTPS")
    if start:
        check(targets, "start-up, launch to first HTTPS response, certificates made at start (median)",
              f"{start['median_ms']:.1f} ms", "≤ 20 ms", start["median_ms"] <= 20)
    start = report["startup"].get("mockserve")
    if start:
        check(targets, "start-up, launch to first response (median)", f"{start['median_ms']:.1f} ms", "≤ 10 ms",
              start["median_ms"] <= 10)
        check(targets, "idle resident memory", f"{start['idle_rss_kib'] / 1024:.1f} MiB", "< 4 MiB",
              start["idle_rss_kib"] < 4096)
    for b in report.get("micro") or []:
        if b["name"] in ("BM_RunnerStart", "BM_RunnerStop"):
            micros = b["real_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3}.get(b["time_unit"], 1e6)
            what = "starts" if b["name"].endswith("Start") else "stops"
            check(targets, f"in-process runner {what} a server", f"{micros:.0f} µs", "< 1 ms", micros < 1000)
    memory = report["memory"].get("mockserve")
    if memory:
        bound = report["journal_bound_mib"]
        check(targets, "resident memory after a million requests or more, journal on",
              f"{memory['rss_kib'] / 1024:.0f} MiB after {memory['requests']:,}", f"≤ {bound} MiB",
              memory["rss_kib"] / 1024 <= bound)
    for c in (16, 64):
        plain = at(w.get("canned", {}), "mockserve", c)
        stateful = at(w.get("canned", {}), "mockserve, times + state + template", c)
        if plain and stateful:
            check(targets, f"times + state + template, {c} conns: ≤ 15 % slower than a plain canned route",
                  f"{stateful / plain:.2f}× plain", "≥ 0.85×", stateful >= 0.85 * plain)
    st = report.get("streams")
    if st:
        check(targets, f"{st['streams']:,} slow streams at once: all complete, no thread per stream",
              f"{st['complete']:,} complete, {st['peak_threads']} threads",
              f"{st['streams']:,}, ≤ {st['idle_threads'] + 2} threads",
              st["complete"] == st["streams"] and st["peak_threads"] <= st["idle_threads"] + 2)
    for c in (16, 64):
        on, off = at(w.get("canned", {}), "mockserve", c), at(w.get("canned", {}), "mockserve, journal off", c)
        if on and off:
            check(targets, f"the journal's cost, canned at {c} conns", f"{(1 - on / off) * 100:.0f} % of throughput",
                  "≤ 10 %", on >= 0.9 * off)
    return targets


def print_idle_connections(rows):
    print(f"\n### Idle keep-alive connections held open (each after one request), and a lone client meanwhile\n")
    print("| server | held | still open | resident memory, idle → holding | per connection | "
          "lone client p50 / p99, before | while held | req/s before → while held |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        if not r:
            print(f"| {name} | not available | | | | | | |")
            continue
        print(f"| {name} | {r['connections']:,} | {r['still_open']:,} | {r['idle_rss_kib'] / 1024:.1f} → "
              f"{r['holding_rss_kib'] / 1024:.1f} MiB | {fmt(r['kib_per_connection'], 1)} KiB | "
              f"{r['p50_ms_before']:.3f} / {r['p99_ms_before']:.3f} ms | {r['p50_ms_during']:.3f} / "
              f"{r['p99_ms_during']:.3f} ms | {fmt(r['rps_before'])} → {fmt(r['rps_during'])} |")


def micro_time(b, unit):
    """A micro-benchmark's time in `unit` (ns, us, ms)."""
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    return b["real_time"] * scale.get(b["time_unit"], 1.0) / scale[unit]


def print_journal_growth(micro):
    rows = {}
    for b in micro:
        name, _, size = b["name"].partition("/")
        if name in ("BM_JournalReadAll", "BM_JournalReadNewest", "BM_JournalWaitForNewest") and size.isdigit():
            rows.setdefault(int(size), {})[name] = b
    if not rows:
        return
    print("\n### The journal as it grows (in-process, one reader)\n")
    print("| entries | read all (`requests()`) | per entry | the newest ten (`?since=`) | "
          "`WaitForRequest`, the newest | memory per entry |")
    print("|---|---|---|---|---|---|")
    for size in sorted(rows):
        r = rows[size]
        every, newest, wait = r.get("BM_JournalReadAll"), r.get("BM_JournalReadNewest"), r.get("BM_JournalWaitForNewest")
        print(f"| {size:,} | {fmt(every and micro_time(every, 'ms'), 1)} ms | "
              f"{fmt(every and micro_time(every, 'ns') / size)} ns | {fmt(newest and micro_time(newest, 'us'), 1)} µs | "
              f"{fmt(wait and micro_time(wait, 'ms'), 1)} ms | {fmt(every and every.get('bytes_per_entry'))} B |")


def figures(report):
    """Every figure of a report, by a name that says what it is: {name:
    (value, higher_is_better)}."""
    out = {}
    for w in report.get("workloads", []):
        for server, rows in (w.get("results") or {}).items():
            for r in rows or []:
                at = f"{w['name']} · {server} · {r['connections']} conns"
                out[f"{at} · req/s"] = (r.get("requests_per_second"), True)
                if w.get("show_mb"):
                    out[f"{at} · MiB/s"] = (r.get("mib_per_second"), True)
                out[f"{at} · p99 ms"] = (r.get("p99_ms"), False)
                out[f"{at} · CPU µs/req"] = (r.get("server_cpu_us_per_request"), False)
    for h2 in report.get("h2", []):
        for server, rows in (h2.get("results") or {}).items():
            for r in rows or []:
                at = f"{h2['name']} · {server} · {r['connections']} × {r['streams']} streams"
                out[f"{at} · req/s"] = (r.get("requests_per_second"), True)
                out[f"{at} · CPU µs/req"] = (r.get("server_cpu_us_per_request"), False)
    for server, st in (report.get("startup") or {}).items():
        if st:
            out[f"start-up · {server} · median ms"] = (st["median_ms"], False)
            out[f"start-up · {server} · idle MiB"] = (st["idle_rss_kib"] / 1024, False)
    for server, m in (report.get("memory") or {}).items():
        if m:
            out[f"memory after load · {server} · MiB"] = (m["rss_kib"] / 1024, False)
    if report.get("streams"):
        st = report["streams"]
        out["1,000 event streams · wall s"] = (st["seconds"], False)
        out["1,000 event streams · peak threads"] = (st["peak_threads"], False)
        out["1,000 event streams · MiB"] = (st["rss_kib"] / 1024, False)
    for server, r in (report.get("idle_connections") or {}).items():
        if r:
            out[f"idle connections · {server} · KiB per connection"] = (r["kib_per_connection"], False)
            out[f"idle connections · {server} · lone client p99 ms while held"] = (r["p99_ms_during"], False)
    for b in report.get("micro") or []:
        out[f"micro · {b['name']} · {b['time_unit']}"] = (b["real_time"], False)
    return out


def print_comparison(report, old_path):
    """Every figure beside the same figure of an earlier run, with new ÷ old,
    and a word where it moved more than run-to-run noise (10 %)."""
    with open(old_path) as f:
        old = json.load(f)
    now, then = figures(report), figures(old)
    print(f"\n### Compared with {old_path} ({old.get('date', 'undated')}, {old.get('seconds_per_run', '?')} s per run, {old.get('rounds', 1)} round(s))\n")
    print("| figure | before | now | now ÷ before | |")
    print("|---|---|---|---|---|")
    for name, (value, higher_is_better) in now.items():
        previous = then.get(name, (None, higher_is_better))[0]
        if value is None or previous is None:
            print(f"| {name} | {fmt(previous, 2)} | {fmt(value, 2)} | | {'new' if previous is None else ''} |")
            continue
        ratio = value / previous if previous else None
        verdict = ""
        if ratio is not None and abs(ratio - 1) > 0.10:
            verdict = "better" if (ratio > 1) == higher_is_better else "**worse**"
        print(f"| {name} | {fmt(previous, 2)} | {fmt(value, 2)} | {fmt(ratio, 2)}× | {verdict} |")
    gone = [name for name in then if name not in now]
    if gone:
        print(f"\nNot measured this time: {len(gone)} figures of the earlier run ({', '.join(gone[:5])}"
              f"{', …' if len(gone) > 5 else ''}).")


def print_report(report):
    print(f"## mockserve and its peers, {report['date']}: {report['cores']} cores, wrk on the same machine, "
          f"{report['seconds_per_run']} s per run, the median of {report.get('rounds', 1)} round(s)\n")
    for workload in report["workloads"]:
        print_workload(workload)
    for workload in report["h2"]:
        print_h2_workload(workload)
    print("### Start-up (launch to the first successful response) and idle memory\n")
    print("| server | median ms | min ms | max ms | runs | idle resident memory |")
    print("|---|---|---|---|---|---|")
    for name, s in report["startup"].items():
        if s:
            print(f"| {name} | {s['median_ms']:.1f} | {s['min_ms']:.1f} | {s['max_ms']:.1f} | {s['runs']} | "
                  f"{s['idle_rss_kib'] / 1024:.1f} MiB |")
    if report.get("run_command"):
        r = report["run_command"]
        print(f"\n`mockserve scenario.ini -- curl …` (start, one request, stop, report), hyperfine: "
              f"median {r['median_ms']:.1f} ms over {r['runs']} runs.")
    print("\n### Resident memory after load (canned route, 64 connections)\n")
    print("| server | requests | idle | after |")
    print("|---|---|---|---|")
    for name, m in report["memory"].items():
        if m:
            print(f"| {name} | {m['requests']:,} | {m['idle_rss_kib'] / 1024:.1f} MiB | {m['rss_kib'] / 1024:.1f} MiB |")
    if report.get("streams"):
        st = report["streams"]
        print(f"\n### {st['streams']:,} server-sent event streams at once ({STREAM_EVENTS} events "
              f"{STREAM_PAUSE_MS} ms apart)\n")
        print("| complete | wall time | shortest possible | mockserve threads, idle / during | mockserve CPU | "
              "resident memory |")
        print("|---|---|---|---|---|---|")
        print(f"| {st['complete']:,} of {st['streams']:,} | {st['seconds']:.2f} s | "
              f"{st['shortest_possible_seconds']:.2f} s | {st['idle_threads']} / {st['peak_threads']} | "
              f"{st['cpu_seconds']:.2f} s | {st['rss_kib'] / 1024:.1f} MiB |")
    if report.get("idle_connections"):
        print_idle_connections(report["idle_connections"])
    if report.get("micro"):
        print_journal_growth(report["micro"])
    if report.get("micro"):
        print("\n### Micro-benchmarks (Google Benchmark)\n")
        print("| benchmark | time |")
        print("|---|---|")
        for b in report["micro"]:
            print(f"| {b['name']} | {b['real_time']:,.1f} {b['time_unit']} |")
    print("\n### Targets (issues 6, 13, 14, 17 and 18)\n")
    print("| target | measured | goal | met |")
    print("|---|---|---|---|")
    for t in report["targets"]:
        print(f"| {t['target']} | {t['measured']} | {t['goal']} | {'yes' if t['met'] else '**no**'} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="about a minute: 1 s runs, fewer repeats")
    parser.add_argument("--seconds", type=int, help="seconds per wrk run (default 2; 1 with --quick)")
    parser.add_argument("--rounds", type=int, help="rounds per workload, the servers taking turns in each, a row "
                                                   "being the median of its rounds (default 3; 1 with --quick)")
    parser.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "results.json"),
                        help="where the raw figures go (default build/bench/results.json)")
    parser.add_argument("--no-wiremock", action="store_true", help="leave WireMock out")
    parser.add_argument("--only", help="comma-separated parts to run: workload names (canned, static-1k, static-1m, "
                                       "static-1k-subfolder, listing, cgi, tls-canned, tls-connect, h2-canned, h2-static-1k, "
                                       "threads), "
                                       "startup, memory, streams, idle, micro")
    parser.add_argument("--compare", metavar="OLD.json",
                        help="also print every figure beside OLD.json's (an earlier run's results.json), with the ratio")
    parser.add_argument("--results", metavar="NEW.json",
                        help="measure nothing: print the report of NEW.json (with --compare: compare two runs)")
    args = parser.parse_args()
    if args.results:
        with open(args.results) as f:
            report = json.load(f)
        report["targets"] = evaluate(report)  # today's targets, on the stored figures
        print_report(report)
        if args.compare:
            print_comparison(report, args.compare)
        return
    wanted = lambda part: not args.only or part in args.only.split(",")
    seconds = args.seconds or (1 if args.quick else 2)
    rounds = args.rounds or (1 if args.quick else 3)
    warmup = 1
    connections = [1, 16, 64]
    startup_runs = 5 if args.quick else 20
    load_requests = 100_000 if args.quick else 1_000_000
    if not os.access(MOCKSERVE, os.X_OK):
        sys.exit(f"ci/bench: {MOCKSERVE} is missing; run bash ci/bench (it builds it)")

    work = tempfile.mkdtemp(prefix="mockserve-bench-")
    try:
        www = make_tree(work)
        ours = lambda: mockserve_server(work, www)
        nginx = lambda: nginx_server(work, www)
        lighttpd = lambda: lighttpd_server(work, www)
        python = lambda: python_server(www)
        wiremock = (lambda: wiremock_server(work)) if not args.no_wiremock else (lambda: None)
        journal_off = lambda: mockserve_server(work, www, journal=False)
        certificate = make_certificates(work)
        ours_tls = lambda: mockserve_server(work, www, tls=certificate)
        nginx_tls = lambda: nginx_server(work, www, tls=certificate)
        close = ("-H", "Connection: close")

        workloads = [
            ("canned", "Canned route: 40-byte JSON body and one header (journal on)", "/canned", False,
             {"mockserve": ours, "mockserve, 1,000 routes": lambda: mockserve_server(work, www, 1000),
              "mockserve, journal off": journal_off,
              "mockserve, times + state + template": lambda: mockserve_server(work, www, behaviours=True),
              "nginx": nginx, "python subclass": lambda: python_canned_server(work), "WireMock": wiremock}),
            ("static-1k", "Static file, 1 KiB", "/file-1k.bin", False,
             {"mockserve": ours, "nginx": nginx, "lighttpd": lighttpd, "python": python}),
            ("static-1k-subfolder", "Static file, 1 KiB, two folders down (/assets/v1/)", "/assets/v1/file-1k.bin",
             False, {"mockserve": ours, "nginx": nginx, "lighttpd": lighttpd}),
            ("static-1m", "Static file, 1 MiB", "/file-1m.bin", True,
             {"mockserve": ours, "nginx": nginx, "lighttpd": lighttpd, "python": python}),
            ("listing", "Directory listing, 200 files", "/list/", False,
             {"mockserve": ours, "nginx": nginx, "lighttpd": lighttpd, "python": python}),
            ("cgi", "CGI: a /bin/sh script printing a short body", "/cgi-bin/hello.sh", False,
             {"mockserve": ours, "lighttpd": lighttpd, "python --cgi": lambda: python_server(www, cgi=True)}),
            ("tls-canned", "HTTPS, canned route, keep-alive (the same ECDSA P-256 certificate for both)", "/canned",
             False, {"mockserve": ours_tls, "nginx": nginx_tls}),
            ("tls-connect", "HTTPS, a new TLS connection per request (full handshake; Connection: close)", "/canned",
             False, {"mockserve": ours_tls, "nginx": nginx_tls}, close),
        ]
        report = {"date": datetime.date.today().isoformat(), "cores": os.cpu_count(), "machine": platform.platform(),
                  "seconds_per_run": seconds, "rounds": rounds, "quick": args.quick, "workloads": [], "startup": {}, "memory": {},
                  "journal_bound_mib": JOURNAL_BOUND_MIB, "h2": []}
        for name, title, path, show_mb, servers, *extra in workloads:
            if not wanted(name):
                continue
            log(name)
            results = measure_workload(servers, path, connections, seconds, rounds, warmup, *extra)
            report["workloads"].append({"name": name, "title": title, "path": path, "show_mb": show_mb,
                                        "results": results})

        # How the canned route scales with I/O threads (nginx: worker processes).
        if wanted("threads"):
            log("threads")
            servers = {}
            for n in (1, 2, 4):
                servers[f"mockserve, {n} thread{'s' if n > 1 else ''}"] = \
                    (lambda n=n: mockserve_server(work, www, threads=n))
            for n in (1, 2, 4):
                servers[f"nginx, {n} worker{'s' if n > 1 else ''}"] = (lambda n=n: nginx_server(work, www, workers=n))
            results = measure_workload(servers, "/canned", [16, 64], seconds, rounds, warmup)
            report["workloads"].append({"name": "threads", "title": "Canned route by I/O threads (nginx: by worker "
                                        "processes), journal on", "path": "/canned", "show_mb": False,
                                        "results": results, "base": "mockserve, 2 threads"})

        # HTTP/2: h2load over h2c, 16 connections, 1 and 100 streams each.
        ours_h2 = lambda: mockserve_server(work, www, http2=True)
        nginx_h2 = lambda: nginx_server(work, www, http2=True)
        for name, title, path in (("h2-canned", "HTTP/2 (h2c, h2load), canned route, journal on", "/canned"),
                                  ("h2-static-1k", "HTTP/2 (h2c, h2load), static file, 1 KiB", "/file-1k.bin")):
            if not wanted(name):
                continue
            log(name)
            results = measure_h2_workload({"mockserve": ours_h2, "nginx": nginx_h2}, path, H2_CONNECTIONS,
                                          H2_STREAMS, seconds, rounds)
            report["h2"].append({"name": name, "title": title, "path": path, "results": results})

        startup_servers = (("mockserve", ours), ("mockserve, HTTPS", lambda: mockserve_server(work, www, tls="generate")),
                           ("nginx", nginx), ("lighttpd", lighttpd), ("python", python), ("WireMock", wiremock))
        for server_name, make in startup_servers if wanted("startup") else ():
            log(f"start-up: {server_name}")
            try:
                report["startup"][server_name] = measure_startup(make, startup_runs if server_name != "WireMock" else 3)
            except (RuntimeError, OSError) as e:
                log(f"{server_name} failed: {e}")
        if wanted("startup"):
            log("mockserve SCENARIO -- COMMAND (hyperfine)")
            report["run_command"] = measure_run_command(mockserve_scenario(work, www, 0, 1), startup_runs)

        for server_name, make in (("mockserve", ours), ("nginx", nginx), ("WireMock", wiremock)) if wanted("memory") else ():
            log(f"memory after {load_requests:,} requests: {server_name}")
            try:
                report["memory"][server_name] = measure_memory_after_load(make, "/canned", load_requests,
                                                                          30 if args.quick else 120)
            except (RuntimeError, OSError) as e:
                log(f"{server_name} failed: {e}")
        if wanted("idle"):
            report["idle_connections"] = {}
            for server_name, make in (("mockserve", ours), ("nginx", nginx)):
                log(f"{IDLE_CONNECTIONS:,} idle keep-alive connections: {server_name}")
                try:
                    report["idle_connections"][server_name] = measure_idle_connections(make, IDLE_CONNECTIONS, seconds)
                except (RuntimeError, OSError) as e:
                    log(f"{server_name} failed: {e}")
        if wanted("streams"):
            log("1,000 event streams at once")
            report["streams"] = measure_streams(work, 1000)
        if wanted("micro"):
            log("micro-benchmarks")
            report["micro"] = micro_benchmarks(0.05 if args.quick else 0.5)
        report["targets"] = evaluate(report)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_report(report)
    if args.compare:
        print_comparison(report, args.compare)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(report, f, indent=2)
    print(f"\nRaw figures: {os.path.relpath(args.json, ROOT)}")


if __name__ == "__main__":
    main()
