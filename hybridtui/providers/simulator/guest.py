"""What runs inside the nodes a demo cloud made: the image as cloud-init leaves
it (`Guest`), and steps 6–8 against it (`DemoNodeAccess`) — the demo's stand-in
for SSH, with the same quirks a real image shows."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hybridtui.errors import CancelledError, CloudTimeoutError, NotFoundError, ProviderError
from hybridtui.logins import Login, follow_logins

if TYPE_CHECKING:  # the provider owns the world the guests live in
    from hybridtui.providers.simulator.provider import SimulatorProvider


@dataclass
class Guest:
    """A node's image as cloud-init leaves it: one account with the node key and
    passwordless sudo; root's key behind the exit-142 refusal naming that account
    (GCE's guest agent has no such refusal: root is simply not allowed); password
    login on, as `ssh_pwauth: true` images have it."""

    account: str
    authorized: dict[str, set[str]]
    cloud_init: bool = True
    password_login: bool = True
    root_keys: set[str] = field(default_factory=set)


class DemoNodeAccess:
    """Steps 6–8 against a demo node's `Guest`, with the provider's latency and
    faults (ops `node login`, `node harden`, `node key removal`): the quirks a
    real image shows — the account that varies, cloud-init's refusal of root
    with exit 142 naming the right account, password login on by default."""

    def __init__(self, provider: SimulatorProvider, node_id: str, node_key: str) -> None:
        self.provider = provider
        self.node_id = node_id
        self.node_key = " ".join(node_key.split()[:2])

    def _guest(self, op: str) -> Guest:
        world = self.provider._call(op)
        with self.provider._lock:
            guest = world.guests.get(self.node_id)
        if guest is None:
            raise NotFoundError(f"{self.provider.name}: node {self.node_id!r} is gone")
        return guest

    def _has_key(self, guest: Guest, user: str, key: str) -> bool:
        return any(" ".join(k.split()[:2]) == key for k in guest.authorized.get(user, set()))

    def wait_ready(self, deadline: float, cancel: threading.Event) -> None:
        if cancel.is_set():
            raise CancelledError(f"{self.provider.name}: cancelled while waiting for sshd")
        if time.monotonic() > deadline:
            raise CloudTimeoutError(
                f"{self.provider.name}: sshd did not answer before the deadline"
            )
        self._guest("node login")

    def login(self, candidates: Sequence[str]) -> Login:
        guest = self._guest("node login")

        def attempt(user: str) -> tuple[str, str]:
            if user == "root" and guest.cloud_init and not guest.root_keys:
                return "refused", guest.account  # cloud-init's exit-142 message names it
            if self._has_key(guest, user, self.node_key):
                return "ok", ""
            return "Permission denied (publickey)", ""

        login = follow_logins(candidates, attempt)
        if not login.account:
            tried = ", ".join(u for u, _ in login.attempts)
            raise ProviderError(
                f"{self.provider.name}: the node key logs in as none of: {tried}",
                title="Login failed",
                hint="Set overrides.login_user to the image's account.",
            )
        return login

    def harden(self, account: str, root_keys: Sequence[str]) -> list[str]:
        guest = self._guest("node harden")
        if not self._has_key(guest, account, self.node_key):
            raise ProviderError(
                f"{self.provider.name}: {account} cannot log in to install root's keys"
            )
        with self.provider._lock:
            guest.root_keys = {" ".join(k.split()[:2]) for k in root_keys}
            guest.password_login = False
        proofs = [
            f"root logs in with {len(guest.root_keys)} operator key(s) (no exit 142 any more)"
        ]
        proofs.append("password login refused (PasswordAuthentication no, sshd reloaded)")
        return proofs

    def remove_node_key(self, account: str) -> list[str]:
        guest = self._guest("node key removal")
        with self.provider._lock:
            guest.authorized[account] = {
                k
                for k in guest.authorized.get(account, set())
                if " ".join(k.split()[:2]) != self.node_key
            }
        if self._has_key(guest, account, self.node_key):
            raise ProviderError(f"{self.provider.name}: the node key still logs in as {account}")
        return [f"the node key no longer logs in as {account}"]
