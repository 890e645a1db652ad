"""A small fault-injecting HTTP proxy for API peers that cannot fail on demand
(moto cannot): throttling, 5xx, latency, hangs and dropped connections, on
loopback only. Every request is counted by its API action."""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EC2_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
    "<Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
)


@dataclass
class Fault:
    """What to do to matching requests: an HTTP error, a delay, or a dropped connection."""

    status: int = 0
    code: str = ""
    message: str = ""
    #: Send this body as text/html instead of an EC2 XML error.
    html: str = ""
    delay: float = 0.0
    drop: bool = False
    #: Only requests for this API action (e.g. "RunInstances"); empty: all.
    action: str = ""
    #: Only requests whose path contains this (REST APIs such as OpenStack's).
    path: str = ""
    #: Only these HTTP methods (comma-separated, e.g. "POST,PUT"); empty: all.
    method: str = ""
    #: How many requests to hit; None: every one until cleared.
    times: int | None = None


class Hold:
    """Requests held by a `delay` fault (a hang): counted, so a test knows a
    hang is outstanding, and let go at once by `release` (the peer's `clear`)."""

    def __init__(self) -> None:
        self.held = 0
        self._changed = threading.Condition()
        self._released = threading.Event()

    def wait_held(self, n: int = 1, timeout: float = 10.0) -> bool:
        """Until `n` requests are held."""
        with self._changed:
            return self._changed.wait_for(lambda: self.held >= n, timeout)

    def hold(self, delay: float) -> None:
        released = self._released
        with self._changed:
            self.held += 1
            self._changed.notify_all()
        try:
            released.wait(delay)
        finally:
            with self._changed:
                self.held -= 1

    def release(self) -> None:
        self._released.set()
        self._released = threading.Event()


@dataclass
class FaultProxy:
    upstream: str
    faults: list[Fault] = field(default_factory=list)
    actions: Counter[str] = field(default_factory=Counter)
    url: str = ""
    #: Every X-Auth-Token seen (OpenStack), in order: a re-authentication shows
    #: as a second token.
    tokens: list[str] = field(default_factory=list)
    hold: Hold = field(default_factory=Hold)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
        self.hold.release()

    def _match(self, action: str, path: str = "", method: str = "") -> Fault | None:
        with self._lock:
            self.actions[action or path.split("?")[0]] += 1
            for f in self.faults:
                if (f.action and f.action != action) or (f.path and f.path not in path):
                    continue
                if f.method and method not in f.method.split(","):
                    continue
                if f.times is not None:
                    if f.times <= 0:
                        continue
                    f.times -= 1
                return f
        return None


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    up = urllib.parse.urlsplit(proxy.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            params = urllib.parse.parse_qs(body.decode(errors="replace")) if body else {}
            action = (params.get("Action") or [""])[0]
            token = self.headers.get("X-Auth-Token")
            if token and token not in proxy.tokens:
                proxy.tokens.append(token)
            fault = proxy._match(action, self.path, self.command)
            if fault and fault.delay:
                proxy.hold.hold(fault.delay)
            if fault and fault.drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault and fault.status:
                payload = (
                    fault.html or EC2_ERROR.format(code=fault.code, message=fault.message)
                ).encode()
                self.send_response(fault.status)
                self.send_header("Content-Type", "text/html" if fault.html else "text/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            headers["Host"] = up.netloc
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815

    return Handler


class _QuietServer(ThreadingHTTPServer):
    #: socketserver's default backlog is 5: a refresh opens more connections at
    #: once than that, and an overflowing accept queue resets some of them.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # dropped and aborted connections are what this proxy is for


@contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream)
    server = _QuietServer(("127.0.0.1", 0), _handler(proxy))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fault-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.clear()
        server.shutdown()
        server.server_close()
        time.sleep(0)
