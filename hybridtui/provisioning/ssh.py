"""Node keys, and how steps 6–8 reach a node.

A node key is a fresh ed25519 pair made for one node: the private half is
written 0600 into hybridtui's data dir (never the cache, never a log) and
deleted at step 8; the public half goes to the cloud at step 1.

`NodeAccess` is what steps 6–8 need from a node, whatever carries it: SSH to a
real node, or the demo clouds' model of a cloud image (`providers.simulator`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hybridtui.domain import Login


@dataclass(frozen=True, slots=True)
class NodeKey:
    name: str
    public: str  # one OpenSSH line: `ssh-ed25519 AAAA… name`
    private_path: Path


def make_node_key(name: str, directory: Path) -> NodeKey:
    """A new ed25519 key pair for one node; the private key file is 0600 from
    its first byte (created with O_EXCL, never world-readable, never overwritten)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    path = directory / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    return NodeKey(name, f"{public.decode()} {name}", path)


def forget_node_key(path: Path) -> bool:
    """Delete a node's private key file; False if it was already gone."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


class NodeAccess(Protocol):
    """What steps 6–8 do on a node."""

    def wait_ready(self, deadline: float, cancel: threading.Event) -> None:
        """Return once the node accepts connections (sshd up), or raise."""

    def login(self, candidates: Sequence[str]) -> Login:
        """Log in with the node key: the candidates in order, following a
        cloud-init refusal to the account it names."""

    def harden(self, account: str, root_keys: Sequence[str]) -> list[str]:
        """Step 7: install `root_keys` for root, turn password login off, and
        return what was proven (root logs in with a key; a password is refused)."""

    def remove_node_key(self, account: str) -> list[str]:
        """Step 8 on the node: drop the node key from `account`'s authorized_keys
        and return what was proven (the node key no longer logs in)."""
