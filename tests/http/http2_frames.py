#!/usr/bin/python3
"""Raw HTTP/2 frames against a server on 127.0.0.1, for the attacks an
HTTP/2 server must refuse without harm to its other clients. The frames are
built with hyperframe and hpack (python3-h2's own parts), below any client's
state machine, so that a case sends exactly what an attacker would.

    http2_frames.py CASE PORT

Prints what the server did ("goaway ERROR_CODE", "closed", "rst_stream ID
ERROR_CODE", "status N") and exits 0 when it did what the case expects, 1
otherwise. Every wait is bounded.
"""
import socket
import sys
import time

import hpack
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              RstStreamFrame, SettingsFrame, WindowUpdateFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ENHANCE_YOUR_CALM = 0xB
WAIT = 10.0


class Connection:
    def __init__(self, port, settings=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.buffer = b""
        self.send(PREFACE + SettingsFrame(0, settings=settings or {}).serialize())

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def request_headers(self, stream_id, path, end_stream=True, extra=()):
        fields = [(":method", "GET"), (":scheme", "http"), (":path", path), (":authority", "127.0.0.1")]
        frame = HeadersFrame(stream_id, self.encoder.encode(fields + list(extra)))
        frame.flags.add("END_HEADERS")
        if end_stream:
            frame.flags.add("END_STREAM")
        return frame.serialize()

    def frames(self, until):
        """Reads frames until until(frame) is true, the connection ends, or
        the wait passes; returns (matching frame or None, closed)."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            while len(self.buffer) >= 9:
                frame, length = Frame.parse_frame_header(memoryview(self.buffer[:9]))
                if len(self.buffer) < 9 + length:
                    break
                frame.parse_body(memoryview(self.buffer[9:9 + length]))
                self.buffer = self.buffer[9 + length:]
                if isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
                    self.send(SettingsFrame(0, flags=["ACK"]).serialize())
                if isinstance(frame, HeadersFrame):
                    try:
                        frame.decoded = self.decoder.decode(frame.data)
                    except Exception:
                        frame.decoded = []
                if until(frame):
                    return frame, False
            try:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                data = self.sock.recv(65536)
            except socket.timeout:
                return None, False
            except OSError:
                return None, True
            if not data:
                return None, True
            self.buffer += data
        return None, False


def ended(conn):
    """True when the server sent GOAWAY or closed the connection."""
    frame, closed = conn.frames(lambda f: isinstance(f, GoAwayFrame))
    if frame is not None:
        print("goaway %d" % frame.error_code)
        return True
    if closed:
        print("closed")
        return True
    print("the connection is still open")
    return False


def answers(port):
    """A well-behaved request on a new connection gets its 200."""
    conn = Connection(port)
    conn.send(conn.request_headers(1, "/ok"))
    frame, _ = conn.frames(lambda f: isinstance(f, HeadersFrame) and f.stream_id == 1)
    status = dict(frame.decoded).get(":status") if frame is not None else None
    print("status %s" % status)
    return status == "200"


def rapid_reset(port):
    # CVE-2023-44487: open a stream and reset it at once, thousands of times.
    conn = Connection(port)
    for i in range(5000):
        stream_id = 1 + 2 * i
        if not conn.send(conn.request_headers(stream_id, "/slow") + RstStreamFrame(stream_id, error_code=8).serialize()):
            break
    return ended(conn) and answers(port)


def continuation_flood(port):
    # CVE-2024-27316 family: a header block that never ends.
    conn = Connection(port)
    head = HeadersFrame(1, conn.encoder.encode([(":method", "GET"), (":scheme", "http"), (":path", "/ok"),
                                                (":authority", "127.0.0.1")]))
    head.flags.add("END_STREAM")
    conn.send(head.serialize())
    for i in range(10000):
        if not conn.send(ContinuationFrame(1, conn.encoder.encode([("x-flood-%d" % (i % 50), "v" * 100)])).serialize()):
            break
    return ended(conn) and answers(port)


def hpack_bomb(port):
    # A 1000-byte value enters the dynamic table once, then one byte each
    # names it again: 16 KiB of frame that decode to 16 MB.
    conn = Connection(port)
    conn.send(conn.request_headers(1, "/ok", extra=[("x-bomb", "b" * 1000)]))
    conn.frames(lambda f: isinstance(f, (HeadersFrame, RstStreamFrame)) and f.stream_id == 1)
    index = 62  # the newest dynamic entry
    block = conn.encoder.encode([(":method", "GET"), (":scheme", "http"), (":path", "/ok"), (":authority", "127.0.0.1")])
    bomb = HeadersFrame(3, block + bytes([0x80 | index]) * 16000)
    bomb.flags.add("END_HEADERS")
    bomb.flags.add("END_STREAM")
    conn.send(bomb.serialize())
    return ended(conn) and answers(port)


def settings_flood(port):
    conn = Connection(port)
    for _ in range(20000):
        if not conn.send(SettingsFrame(0, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 65535}).serialize()):
            break
    return ended(conn) and answers(port)


def ping_flood(port):
    conn = Connection(port)
    for i in range(20000):
        if not conn.send(PingFrame(0, opaque_data=i.to_bytes(8, "big")).serialize()):
            break
    return ended(conn) and answers(port)


def zero_window(port):
    # The client opens no window: the response can never go. The server
    # resets the stream after its io_timeout rather than hold it forever.
    conn = Connection(port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 0})
    conn.send(conn.request_headers(1, "/big"))
    frame, closed = conn.frames(lambda f: isinstance(f, (RstStreamFrame, GoAwayFrame)))
    if frame is None:
        print("closed" if closed else "no reset came")
        return closed and answers(port)
    print("%s %d %d" % ("rst_stream" if isinstance(frame, RstStreamFrame) else "goaway", frame.stream_id, frame.error_code))
    return isinstance(frame, RstStreamFrame) and frame.stream_id == 1 and answers(port)


def too_many_streams(port):
    # More streams than SETTINGS_MAX_CONCURRENT_STREAMS, each held open by
    # its handler: the ones past the limit are refused (REFUSED_STREAM = 7).
    conn = Connection(port)
    data = b""
    for i in range(40):
        data += conn.request_headers(1 + 2 * i, "/slow")
    conn.send(data)
    frame, _ = conn.frames(lambda f: isinstance(f, RstStreamFrame) and f.error_code == 7)
    if frame is None:
        print("no stream was refused")
        return False
    print("rst_stream %d %d" % (frame.stream_id, frame.error_code))
    return answers(port)


CASES = {f.__name__: f for f in (rapid_reset, continuation_flood, hpack_bomb, settings_flood, ping_flood, zero_window,
                                 too_many_streams)}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit("usage: http2_frames.py {%s} PORT" % ",".join(CASES))
    sys.exit(0 if CASES[sys.argv[1]](int(sys.argv[2])) else 1)
