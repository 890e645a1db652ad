"""Listening ports for the tests' own servers (sshd boxes, moto).

A port is picked at random in 20000-24999: below Linux's ephemeral range
(32768-60999), where any outgoing connection of any process may take a port
between our check and the server's bind, and clear of 25000-25999, which the
real OpenStack services (tests/peers/realstack) bind while another pytest
worker may be starting a box. The caller still retries on a failed bind: the
check and the bind are two steps, and another worker can land in between.
"""

from __future__ import annotations

import random
import socket

LOW, HIGH = 20000, 24999


def free_port() -> int:
    """A port nobody listens on right now, in LOW..HIGH."""
    for _ in range(200):
        port = random.randint(LOW, HIGH)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {LOW}-{HIGH}")
