"""The GCE peer's wire: HTTP/1.1 with GCE's error JSON, the OAuth2 token
endpoint, and the faults a test injects between the client and the API
(`Fault`). The API itself is `peers.gce_peer.GcePeer`; this layer knows it only
through `handle` and the state the faults and token checks read.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from peers.gce_peer import GcePeer


class PeerError(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


@dataclass
class Fault:
    """An HTTP error (GCE error JSON) or a delay, for requests whose path contains `path`."""

    path: str = ""
    method: str = ""
    status: int = 0
    reason: str = ""
    message: str = ""
    delay: float = 0.0
    times: int | None = None
    #: Close the connection without an answer (a reset between client and API).
    drop: bool = False
    #: Answer `status` with this text instead of GCE's error JSON (a proxy's
    #: HTML page, or a cut-off JSON document with status 200).
    body: str = ""


def _handler(peer: GcePeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _token(self, form: dict[str, list[str]]) -> None:
            """Google's OAuth2 token endpoint, for a refresh grant only."""
            grant = form.get("refresh_token", [""])[0]
            if form.get("grant_type") != ["refresh_token"] or grant != peer.refresh_token:
                self._reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                )
                return
            with peer._lock:
                peer.grants += 1
            self._reply(
                200, {"access_token": peer.token, "expires_in": 3599, "token_type": "Bearer"}
            )

        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if url.path == "/token":
                return self._token(parse_qs(raw.decode()))
            body = json.loads(raw) if raw else {}
            with peer._lock:
                peer.requests.append((self.command, url.path))
                fault = next(
                    (
                        f
                        for f in peer.faults
                        if f.path in url.path
                        and f.method in ("", self.command)
                        and (f.times is None or f.times > 0)
                    ),
                    None,
                )
                if fault is not None and fault.times is not None:
                    fault.times -= 1
            if fault and fault.delay:
                peer.hold.hold(fault.delay)
            if fault and fault.drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return None
            if fault and fault.body:
                data = fault.body.encode()
                self.send_response(fault.status or 200)
                self.send_header(
                    "Content-Type", "text/html" if "<" in fault.body else "application/json"
                )
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            if fault and fault.status:
                return self._reply(
                    fault.status,
                    {
                        "error": {
                            "code": fault.status,
                            "message": fault.message,
                            "errors": [{"reason": fault.reason, "message": fault.message}],
                        }
                    },
                )
            if self.headers.get("Authorization") != f"Bearer {peer.token}":
                return self._reply(
                    401,
                    {
                        "error": {
                            "code": 401,
                            "message": "Request had invalid authentication credentials.",
                            "errors": [{"reason": "authError"}],
                            "status": "UNAUTHENTICATED",
                        }
                    },
                )
            try:
                with peer._lock:
                    result = peer.handle(self.command, url.path, parse_qs(url.query), body)
                self._reply(200, result)
            except PeerError as e:
                self._reply(
                    e.status,
                    {
                        "error": {
                            "code": e.status,
                            "message": e.message,
                            "errors": [{"reason": e.reason, "message": e.message}],
                        }
                    },
                )
            except Exception:  # a bug in the peer: fail loudly, never hang the client
                detail = traceback.format_exc()
                self._reply(
                    500, {"error": {"code": 500, "message": f"peer bug: {detail}", "errors": []}}
                )

        do_GET = do_POST = do_DELETE = do_PATCH = _serve  # noqa: N815

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    #: socketserver's default backlog is 5: a refresh opens more connections at
    #: once than that, and an overflowing accept queue resets some of them.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@contextmanager
def serve(peer: GcePeer) -> Iterator[str]:
    """`peer` on a free loopback port, for the block: its base URL."""
    server = _Server(("127.0.0.1", 0), _handler(peer))
    threading.Thread(target=server.serve_forever, name="gce-peer", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
