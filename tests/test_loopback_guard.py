"""The guard itself: tests can reach loopback and nothing else."""

from __future__ import annotations

import socket

import pytest
from conftest import NonLoopbackConnectionError


def test_guard_refuses_private_and_public_addresses() -> None:
    for target in ("10.0.0.1", "203.0.113.7", "54.12.0.1"):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            with pytest.raises(NonLoopbackConnectionError):
                s.connect((target, 22))
        finally:
            s.close()


def test_guard_refuses_ipv6_global() -> None:
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        with pytest.raises(NonLoopbackConnectionError):
            s.connect_ex(("2001:db8::1", 22, 0, 0))
    finally:
        s.close()


def test_guard_lets_loopback_through() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port), timeout=2)
    conn, _ = server.accept()
    client.sendall(b"ping")
    assert conn.recv(4) == b"ping"
    for s in (client, conn, server):
        s.close()
