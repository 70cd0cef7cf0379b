#!/usr/bin/env python3
"""A long mixed load on one mockserve scenario, and the books checked after it.

Run through ci/soak, which builds mockserve first. The scenario (written to a
temporary folder) has canned, delayed, faulty, static and CGI routes. Clients
run on 127.0.0.1 only, each a thread looping until the deadline (and never
more than MAX_ROUNDS times): keep-alive and one-shot, pipelined, slow writers
and slow readers, clients that vanish mid-request or mid-response, large
uploads, and IDLE_CONNECTIONS connections held open. Every request carries a
unique X-Soak-Id.

Printed: resident memory every 30 s, then what was checked:
  - every request a client completed is in the journal exactly once, and the
    journal's sequence numbers have no gap (entries it dropped to stay within
    its budget are the oldest, counted, and allowed for);
  - resident memory after the first minute stays within the journal's bound,
    without a growth trend (judged on runs of 11 minutes or more);
  - descriptors and threads return to their idle numbers once the load stops;
  - no CGI child is left as a zombie;
  - a probe is answered in under 10 ms after the load.
Exit code 0 when every check holds, 1 otherwise.
"""

import argparse
import datetime
import itertools
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOCKSERVE = os.path.join(ROOT, "build", "release", "mockserver", "mockserve")
# The journal's default budget is 64 MiB; the process stays within 1.5 times it.
JOURNAL_BOUND_MIB = 96
IDLE_CONNECTIONS = 1000
MAX_ROUNDS = 10_000_000  # a bound on every client loop besides the deadline
RSS_EVERY_SECONDS = 30

SCENARIO = """\
[scenario]
name = soak

[server api]
# Idle connections are held for the whole run.
keep_alive_timeout = 600m
cgi_user = current

[route api canned]
request = /canned
response = 200
response.header = Content-Type: application/json
response.body = {"id": "pay_1", "status": "pending"}

[route api upload]
request = POST /upload
response = 201

[route api slow]
request = /slow
response = 200
response.delay = 20ms

[route api flaky]
request = /flaky
response.fault = reset

[route api files]
request = /files/*
static = files

[route api scripts]
request = /cgi-bin/*
cgi = cgi-bin
"""

CGI_SCRIPT = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhello from CGI\\n'\n"


class Books:
    """What the clients did, shared between their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.next_id = itertools.count(1)
        self.completed = {}  # soak id -> (kind, when it completed, wall clock)
        self.sent = set()    # ids whose whole request was sent (completed or not)
        self.failures = []   # unexpected answers, with what was expected
        self.vanished = 0

    def new_id(self):
        with self.lock:
            return f"s{next(self.next_id)}"

    def sent_whole(self, soak_id):
        with self.lock:
            self.sent.add(soak_id)

    def complete(self, soak_id, kind):
        with self.lock:
            self.completed[soak_id] = (kind, time.time())

    def fail(self, text):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(text)


def request_bytes(method, path, soak_id, body=b"", close=False):
    head = f"{method} {path} HTTP/1.1\r\nHost: soak\r\nX-Soak-Id: {soak_id}\r\n"
    if body:
        head += f"Content-Length: {len(body)}\r\n"
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + body


class Reader:
    """Reads HTTP/1.1 responses (Content-Length or chunked) from a socket."""

    def __init__(self, sock, pace=None):
        self.sock, self.buffer, self.pace = sock, b"", pace
        # The server ends a connection after max_requests_per_connection
        # (10,000) with "Connection: close": the client then opens another.
        self.closing = False

    def _more(self):
        chunk = self.sock.recv(4096 if self.pace else 65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buffer += chunk
        if self.pace:
            time.sleep(self.pace)

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._more()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.buffer) < n:
            self._more()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def response(self):
        status = int(self._line().split(b" ")[1])
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        self.closing = headers.get(b"connection", b"").lower() == b"close"
        if b"content-length" in headers:
            return status, self._take(int(headers[b"content-length"]))
        body = b""
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            while True:
                size = int(self._line().split(b";")[0], 16)
                body += self._take(size)
                self._take(2)
                if size == 0:
                    return status, body
        return status, body


def connect(port, receive_buffer=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    return sock


def exchange(books, sock, reader, kind, method, path, expected, body=b"", close=False):
    soak_id = books.new_id()
    sock.sendall(request_bytes(method, path, soak_id, body, close))
    books.sent_whole(soak_id)
    status, _ = reader.response()
    if status != expected:
        books.fail(f"{kind}: {method} {path} answered {status}, expected {expected}")
    books.complete(soak_id, kind)


def rounds(deadline):
    """Round numbers until the deadline, and never more than MAX_ROUNDS."""
    for number in range(MAX_ROUNDS):
        if time.monotonic() > deadline:
            return
        yield number


class KeptConnection:
    """A keep-alive connection, opened again when the server ends it."""

    def __init__(self, port):
        self.port = port
        self.open()

    def open(self):
        self.sock = connect(self.port)
        self.reader = Reader(self.sock)

    def renew_if_closing(self):
        if self.reader.closing:
            self.sock.close()
            self.open()

    def close(self):
        self.sock.close()


# The clients: each runs one round at a time until the deadline.

def keep_alive(books, port, deadline):
    connection = KeptConnection(port)
    paths = [("GET", "/canned", 200), ("GET", "/files/small.txt", 200), ("GET", "/slow", 200),
             ("GET", "/nowhere", 404)]
    for number in rounds(deadline):
        method, path, expected = paths[number % len(paths)]
        exchange(books, connection.sock, connection.reader, "keep-alive", method, path, expected)
        connection.renew_if_closing()
    connection.close()


def one_shot(books, port, deadline):
    for number in rounds(deadline):
        path, expected = ("/cgi-bin/hello.sh", 200) if number % 4 == 0 else ("/canned", 200)
        with connect(port) as sock:
            exchange(books, sock, Reader(sock), "one-shot", "GET", path, expected, close=True)


def pipelined(books, port, deadline):
    connection = KeptConnection(port)
    for _ in rounds(deadline):
        ids = [books.new_id() for _ in range(8)]
        connection.sock.sendall(b"".join(request_bytes("GET", "/canned", i) for i in ids))
        for soak_id in ids:
            books.sent_whole(soak_id)
        for soak_id in ids:
            status, _ = connection.reader.response()
            if status != 200:
                books.fail(f"pipelined: answered {status}")
            books.complete(soak_id, "pipelined")
            if connection.reader.closing:
                break  # the rest were sent but will not be read: not completed
        connection.renew_if_closing()
    connection.close()


def slow_writer(books, port, deadline):
    for _ in rounds(deadline):
        with connect(port) as sock:
            soak_id = books.new_id()
            data = request_bytes("GET", "/canned", soak_id)
            for start in range(0, len(data), 12):
                sock.sendall(data[start:start + 12])
                time.sleep(0.02)
            books.sent_whole(soak_id)
            status, _ = Reader(sock).response()
            if status != 200:
                books.fail(f"slow writer: answered {status}")
            books.complete(soak_id, "slow writer")


def slow_reader(books, port, deadline):
    for _ in rounds(deadline):
        with connect(port, receive_buffer=4096) as sock:
            exchange(books, sock, Reader(sock, pace=0.002), "slow reader", "GET", "/files/large.bin", 200)


def vanishing(books, port, deadline):
    for number in rounds(deadline):
        sock = connect(port)
        soak_id = books.new_id()
        if number % 2 == 0:
            # Mid-request: half a head, then gone.
            sock.sendall(request_bytes("GET", "/canned", soak_id)[:20])
        else:
            # Mid-response: a large file asked for, a little read, then a reset.
            sock.sendall(request_bytes("GET", "/files/large.bin", soak_id))
            books.sent_whole(soak_id)
            sock.recv(1024)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        with books.lock:
            books.vanished += 1
        time.sleep(0.01)


def uploads(books, port, deadline):
    body = os.urandom(4 << 20)
    connection = KeptConnection(port)
    for _ in rounds(deadline):
        exchange(books, connection.sock, connection.reader, "upload", "POST", "/upload", 201, body)
        connection.renew_if_closing()
    connection.close()


def faulty(books, port, deadline):
    for _ in rounds(deadline):
        with connect(port) as sock:
            soak_id = books.new_id()
            sock.sendall(request_bytes("GET", "/flaky", soak_id))
            books.sent_whole(soak_id)
            try:
                Reader(sock).response()
                books.fail("flaky: answered instead of reset")
            except (ConnectionError, OSError):
                pass  # the reset the route asks for
        time.sleep(0.01)


CLIENTS = [keep_alive, keep_alive, one_shot, pipelined, slow_writer, slow_reader, vanishing, uploads, faulty]


def run_client(client, books, port, deadline):
    try:
        client(books, port, deadline)
    except Exception as error:  # a client that breaks is a finding, not a crash of the soak
        books.fail(f"{client.__name__}: {type(error).__name__}: {error}")


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def zombies(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def probe_ms(port):
    start = time.monotonic()
    with connect(port) as sock:
        sock.sendall(b"GET /canned HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
        Reader(sock).response()
    return (time.monotonic() - start) * 1000


def settle(pid, baseline_fds, baseline_threads, seconds=10):
    """Polls (bounded) until descriptors and threads are back to their idle numbers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fds, threads = open_fds(pid), proc_status(pid, "Threads")
        if fds <= baseline_fds and threads <= baseline_threads:
            return fds, threads
        time.sleep(0.1)
    return open_fds(pid), proc_status(pid, "Threads")


def check_journal(path, books):
    entries = []
    first_received = None
    with open(path) as journal:
        for line in journal:
            record = json.loads(line)
            entries.append((record["seq"], record["headers_by_name"].get("x-soak-id")))
            if first_received is None:
                first_received = datetime.datetime.strptime(record["received"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
    seqs = [seq for seq, _ in entries]
    gaps = sum(1 for a, b in zip(seqs, seqs[1:]) if b != a + 1)
    dropped = seqs[0] - 1 if seqs else 0
    seen = {}
    for _, soak_id in entries:
        if soak_id:
            seen[soak_id] = seen.get(soak_id, 0) + 1
    duplicates = sum(1 for count in seen.values() if count > 1)
    missing = [i for i in books.completed if i not in seen]
    # The journal drops its oldest entries first, so a request completed after
    # the oldest kept one arrived (a second's margin for requests in flight
    # together) must be there.
    must_be_kept = [i for i in missing if first_received is None or books.completed[i][1] > first_received + 1]
    return {"entries": len(entries), "last_seq": seqs[-1] if seqs else 0, "gaps": gaps, "dropped_oldest": dropped,
            "duplicates": duplicates, "completed_missing": len(missing), "missing_after_window": len(must_be_kept)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("minutes", nargs="?", type=float, default=10.0, help="how long the load runs (default 10)")
    args = parser.parse_args()
    # 1,000 idle connections, and the server inherits the limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 8192), hard), hard))

    with tempfile.TemporaryDirectory(prefix="mockserve-soak-") as work:
        os.chmod(work, 0o755)  # a root mockserve runs the CGI script as itself here (cgi_user = current)
        os.makedirs(os.path.join(work, "files"))
        os.makedirs(os.path.join(work, "cgi-bin"))
        with open(os.path.join(work, "files", "small.txt"), "w") as f:
            f.write("small\n" * 100)
        with open(os.path.join(work, "files", "large.bin"), "wb") as f:
            f.write(os.urandom(1 << 20))
        script = os.path.join(work, "cgi-bin", "hello.sh")
        with open(script, "w") as f:
            f.write(CGI_SCRIPT)
        os.chmod(script, 0o755)
        scenario = os.path.join(work, "soak.ini")
        with open(scenario, "w") as f:
            f.write(SCENARIO)
        journal = os.path.join(work, "journal.jsonl")

        server = subprocess.Popen([MOCKSERVE, scenario, "--quiet", "--journal", journal], stdout=subprocess.PIPE,
                                  text=True)
        port = None
        for line in server.stdout:
            if line.startswith("api "):
                port = int(line.rsplit(":", 1)[1])
            if line.strip() == "ready":
                break
        if port is None:
            sys.exit("ci/soak: mockserve did not start")
        pid = server.pid
        baseline_fds, baseline_threads = open_fds(pid), proc_status(pid, "Threads")
        print(f"mockserve pid {pid} on port {port}: {baseline_fds} descriptors, {baseline_threads} threads when idle")

        books = Books()
        idle = []
        for _ in range(IDLE_CONNECTIONS):
            idle.append(connect(port))
        print(f"{len(idle)} idle connections held open")
        start = time.monotonic()
        deadline = start + args.minutes * 60
        threads = [threading.Thread(target=run_client, args=(c, books, port, deadline)) for c in CLIENTS]
        for t in threads:
            t.start()
        rss_samples = []
        next_sample = start
        while any(t.is_alive() for t in threads):
            now = time.monotonic()
            if now >= next_sample:
                rss = proc_status(pid, "VmRSS") / 1024
                rss_samples.append((now - start, rss))
                print(f"  {now - start:6.0f} s  resident {rss:6.1f} MiB  requests completed {len(books.completed)}",
                      flush=True)
                next_sample += RSS_EVERY_SECONDS
            time.sleep(0.2)
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        rss_samples.append((elapsed, proc_status(pid, "VmRSS") / 1024))
        print(f"  {elapsed:6.0f} s  resident {rss_samples[-1][1]:6.1f} MiB  requests completed "
              f"{len(books.completed)} (the load stops)")
        for sock in idle:
            sock.close()

        fds, threads_after = settle(pid, baseline_fds, baseline_threads)
        probe = min(probe_ms(port) for _ in range(5))
        left_zombies = zombies(pid)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        books_check = check_journal(journal, books)

    after_first_minute = [rss for t, rss in rss_samples if t >= 60] or [rss for _, rss in rss_samples]
    trend = memory_trend([(t, rss) for t, rss in rss_samples if t >= 60])
    kinds = {}
    for kind, _ in books.completed.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    print()
    print(f"load: {elapsed / 60:.1f} min, {len(books.completed)} requests completed "
          f"({len(books.completed) / elapsed:.0f}/s), {books.vanished} clients vanished on purpose")
    print("  by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"journal: {books_check['entries']} entries kept, the oldest {books_check['dropped_oldest']} dropped "
          f"to stay within its budget, last sequence number {books_check['last_seq']}")
    checks = [
        ("no unexpected answer", not books.failures, f"{len(books.failures)}: " + "; ".join(books.failures[:5])),
        ("journal sequence numbers without a gap", books_check["gaps"] == 0, f"{books_check['gaps']} gaps"),
        ("no request in the journal twice", books_check["duplicates"] == 0, f"{books_check['duplicates']} twice"),
        ("every completed request in the journal, but for the oldest it dropped",
         books_check["missing_after_window"] == 0 and books_check["completed_missing"] <= books_check["dropped_oldest"],
         f"{books_check['missing_after_window']} missing from the kept window; "
         f"{books_check['completed_missing']} completed before it, among the {books_check['dropped_oldest']} dropped"),
        (f"resident memory after the first minute within {JOURNAL_BOUND_MIB} MiB",
         max(after_first_minute) <= JOURNAL_BOUND_MIB,
         f"{min(after_first_minute):.1f}-{max(after_first_minute):.1f} MiB"),
        trend_check(trend),
        ("descriptors back to idle", fds <= baseline_fds, f"{fds} (idle {baseline_fds})"),
        ("threads back to idle", threads_after <= baseline_threads, f"{threads_after} (idle {baseline_threads})"),
        ("no zombie CGI child", not left_zombies, f"{len(left_zombies)} zombies"),
        ("a probe answered in under 10 ms after the load", probe < 10, f"{probe:.2f} ms"),
    ]
    for name, held, figure in checks:
        print(f"  {'ok    ' if held else 'FAILED'} {name}: {figure}")
    sys.exit(0 if all(held for _, held, _ in checks) else 1)


# Growth is judged from this many samples after the first minute (about 11
# minutes): over fewer, the noise of a steady process (+-8 MiB as the journal
# drops and refills) makes the slope meaningless.
TREND_SAMPLES = 20
# A leak of this much would add 30 MiB an hour.
TREND_LIMIT_MIB_PER_MINUTE = 0.5


def memory_trend(samples):
    """The least-squares slope of resident memory, in MiB per minute."""
    if len(samples) < 2:
        return None
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_rss = sum(rss for _, rss in samples) / n
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    slope_per_second = sum((t - mean_t) * (rss - mean_rss) for t, rss in samples) / spread
    return slope_per_second * 60, n


def trend_check(trend):
    name = f"no growth trend in resident memory (under {TREND_LIMIT_MIB_PER_MINUTE} MiB a minute)"
    if trend is None:
        return (name, True, "not judged: no samples after the first minute")
    slope, n = trend
    if n < TREND_SAMPLES:
        return (name, True, f"{slope:+.2f} MiB a minute over {n} samples (not judged under {TREND_SAMPLES})")
    return (name, slope < TREND_LIMIT_MIB_PER_MINUTE, f"{slope:+.2f} MiB a minute over {n} samples")


if __name__ == "__main__":
    main()
