"""Node keys, and how steps 6–8 reach a node.

A node key is a fresh ed25519 pair made for one node: the private half is
written 0600 into hybridtui's data dir (never the cache, never a log) and
deleted at step 8; the public half goes to the cloud at step 1.

`NodeAccess` is what steps 6–8 need from a node, whatever carries it: SSH to a
real node, or the demo clouds' model of a cloud image (`providers.simulator`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from hybridtui.config import JUMP_HOST_PATTERN
from hybridtui.errors import CancelledError, ProvisionError
from hybridtui.logins import Login, follow_logins

T = TypeVar("T")


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


def public_line(private_key: Path) -> str:
    """The OpenSSH public key line of a private key file (ed25519, unencrypted)."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_ssh_private_key(private_key.read_bytes(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return public.decode()


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


# ---------------------------------------------------------------- real SSH

#: cloud-init's refusal of root (cloudinit/ssh_util.py): names the right account, exits 142.
REFUSAL = re.compile(r'Please login as the user "([^"]+)" rather than the user "root"')
REFUSAL_EXIT = 142
#: Read first (sshd keeps the first value it reads), so it wins over cloud-init's 50-cloud-init.conf.
DROP_IN = "/etc/ssh/sshd_config.d/00-hybridtui.conf"


@dataclass(frozen=True, slots=True)
class JumpHost:
    """`overrides.jump_host`: where private nodes are reached from (`ssh -J`)."""

    user: str
    host: str
    port: int = 22

    @classmethod
    def parse(cls, text: str) -> JumpHost:
        import getpass

        m = re.match(JUMP_HOST_PATTERN, text.strip())
        if m is None or not 0 < int(m["port"] or 22) < 65536:
            raise ProvisionError(
                f"jump host {text!r} is not [user@]host[:port]",
                title="Bad jump host",
                hint="Write overrides.jump_host like ops@bastion.example.org:2222.",
            )
        return cls(m["user"] or getpass.getuser(), m["host"].strip("[]"), int(m["port"] or 22))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.user}@{host}" + (f":{self.port}" if self.port != 22 else "")


class SshAccess:
    """Steps 6–8 over SSH (asyncssh), to `host:port` — the node's public address,
    or the cloud's `ssh_endpoint` — directly or through a jump host (`ssh -J`:
    a direct-tcpip channel of an SSH connection to the jump host). Host keys:
    trust on first use, recorded in hybridtui's own known_hosts and checked on
    every later connection, for the jump host as for the node."""

    def __init__(
        self,
        host: str,
        port: int,
        node_key: Path,
        known_hosts: Path,
        *,
        root_identity: Path | None = None,
        connect_timeout: float = 10.0,
        jump: JumpHost | None = None,
        jump_identity: Path | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.node_key = node_key
        self.known_hosts = known_hosts
        self.root_identity = root_identity
        self.connect_timeout = connect_timeout
        self.jump = jump
        #: The operator's key for the jump host; None: the agent and ~/.ssh/id_*,
        #: as `ssh -J` does.
        self.jump_identity = jump_identity
        #: The host key fingerprint seen on first contact (shown in step 6's detail).
        self.host_key = ""
        self.jump_host_key = ""

    # -- plumbing
    def _run(self, coro: Any) -> Any:
        return asyncio.run(coro)

    async def _dial(
        self,
        host: str,
        port: int,
        user: str,
        client_keys: Any,
        *,
        password: str | None = None,
        tunnel: Any = None,
        **options: Any,
    ) -> Any:
        """One SSH connection, its host key checked against hybridtui's
        known_hosts, or recorded there on first contact."""
        import asyncssh

        pattern = _pattern(host, port)
        known: Any = str(self.known_hosts) if self._known(pattern) else None
        extra: dict[str, Any] = {"tunnel": tunnel} if tunnel is not None else {}
        extra.setdefault("preferred_auth", "password" if password is not None else "publickey")
        extra.update(options)
        if client_keys is not None:  # a key of ours: no agent (it may hold others)
            extra["agent_path"] = None
        conn = await asyncio.wait_for(
            asyncssh.connect(
                host,
                port,
                username=user,
                known_hosts=known,
                client_keys=client_keys,
                password=password,
                config=None,
                connect_timeout=self.connect_timeout,
                **extra,
            ),
            self.connect_timeout + 5,
        )
        if known is None:
            fingerprint = self._remember(pattern, conn.get_server_host_key())
            if tunnel is None and self.jump is not None:
                self.jump_host_key = fingerprint
            else:
                self.host_key = fingerprint
        return conn

    async def _jump(self) -> Any:
        assert self.jump is not None
        keys: Any = [str(self.jump_identity)] if self.jump_identity else ()
        try:
            return await self._dial(self.jump.host, self.jump.port, self.jump.user, keys)
        except (OSError, TimeoutError) as e:
            raise ProvisionError(
                f"jump host {self.jump}: {e}",
                title="Jump host unreachable",
                hint="Check overrides.jump_host, and that `ssh -J` works from here.",
            ) from e

    @contextlib.asynccontextmanager
    async def _connect(
        self, user: str, key: Path | None = None, password: str | None = None
    ) -> AsyncIterator[Any]:
        """A connection to the node as `user`, through the jump host if there is
        one (both closed on exit)."""
        async with contextlib.AsyncExitStack() as stack:
            tunnel = await stack.enter_async_context(await self._jump()) if self.jump else None
            keys = [str(key or self.node_key)] if password is None else None
            conn = await self._dial(
                self.host, self.port, user, keys, password=password, tunnel=tunnel
            )
            yield await stack.enter_async_context(conn)

    async def _password_offered(self, user: str) -> list[str]:
        """The password-like methods sshd offers `user` (none once hardened):
        what a password login would be told, asked from outside the session."""
        import asyncssh

        offered: list[str] = []

        class Probe(asyncssh.SSHClient):
            def password_auth_requested(self) -> None:
                offered.append("password")  # and decline: no password is sent

            def kbdint_auth_requested(self) -> None:
                offered.append("keyboard-interactive")

        async with contextlib.AsyncExitStack() as stack:
            tunnel = await stack.enter_async_context(await self._jump()) if self.jump else None
            try:
                conn = await self._dial(
                    self.host,
                    self.port,
                    user,
                    None,
                    tunnel=tunnel,
                    client_factory=Probe,
                    preferred_auth="keyboard-interactive,password",
                    agent_path=None,
                )
            except asyncssh.PermissionDenied:
                return offered
            conn.close()
            raise ProvisionError(f"{user} logged in with no credentials at all")

    def forget_host(self) -> None:
        """Drop what trust on first use recorded for the node (its key was not
        the one the node's console shows)."""
        pattern = _pattern(self.host, self.port)
        try:
            lines = self.known_hosts.read_text(encoding="utf-8").splitlines(keepends=True)
        except FileNotFoundError:
            return
        kept = [line for line in lines if line.split(" ", 1)[0] != pattern]
        self.known_hosts.write_text("".join(kept), encoding="utf-8")

    def _known(self, pattern: str) -> bool:
        try:
            text = self.known_hosts.read_text(encoding="utf-8")
        except FileNotFoundError:
            return False
        return any(line.split(" ", 1)[0] == pattern for line in text.splitlines())

    def _remember(self, pattern: str, key: Any) -> str:
        self.known_hosts.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        line = f"{pattern} {key.export_public_key().decode().strip()}\n"
        with self.known_hosts.open("a", encoding="utf-8") as f:
            f.write(line)
        return str(key.get_fingerprint())

    async def _exec(self, user: str, command: str, key: Path | None = None) -> tuple[int, str, str]:
        async with self._connect(user, key) as conn:
            res = await conn.run(command, check=False, timeout=120)
            return int(res.exit_status or 0), str(res.stdout or ""), str(res.stderr or "")

    # -- NodeAccess
    def wait_ready(self, deadline: float, cancel: threading.Event) -> None:
        """Until sshd sends its banner: nodes answer ping long before sshd is up.
        Through a jump host, the banner comes down a direct-tcpip channel."""
        delay = 0.5
        while True:
            if self._banner():
                return
            if time.monotonic() > deadline:
                via = f" through {self.jump}" if self.jump else ""
                raise ProvisionError(
                    f"sshd at {self.host}:{self.port}{via} did not answer in time",
                    hint="Is TCP 22 open in the node's security group / firewall?",
                )
            if cancel.wait(delay):
                raise CancelledError("cancelled while waiting for sshd")
            delay = min(delay * 2, 5.0)

    def _banner(self) -> bool:
        import socket

        if self.jump is None:
            try:
                with socket.create_connection((self.host, self.port), timeout=3.0) as s:
                    return s.recv(64).startswith(b"SSH-")
            except OSError:
                return False

        async def through_jump() -> bool:
            import asyncssh

            async with await self._jump() as jump:
                try:
                    reader, writer = await jump.open_connection(self.host, self.port)
                except (OSError, asyncssh.ChannelOpenError):
                    return False
                try:
                    return bytes(await asyncio.wait_for(reader.read(64), 3.0)).startswith(b"SSH-")
                except (OSError, TimeoutError, asyncssh.Error):
                    return False
                finally:
                    writer.close()

        result: bool = self._run(through_jump())
        return result

    def login(self, candidates: Sequence[str]) -> Login:
        import asyncssh

        def attempt(user: str) -> tuple[str, str]:
            try:
                status, out, _ = self._run(self._exec(user, "id -un"))
            except asyncssh.PermissionDenied:
                return "Permission denied (publickey)", ""
            except (OSError, asyncssh.Error, TimeoutError) as e:
                raise ProvisionError(f"SSH to {self.host}:{self.port} as {user}: {e}") from e
            named = REFUSAL.search(out)
            if status == REFUSAL_EXIT and named:
                return "refused", named.group(1)
            return ("ok", "") if status == 0 else (f"exit {status}: {out.strip()[:80]}", "")

        login = follow_logins(candidates, attempt)
        if not login.account:
            tried = ", ".join(u for u, _ in login.attempts)
            raise ProvisionError(
                f"the node key logs in as none of: {tried}",
                title="Login failed",
                hint="Set overrides.login_user to the image's account.",
            )
        return login

    def harden(self, account: str, root_keys: Sequence[str]) -> list[str]:
        """Root's keys replace cloud-init's refusal; password login goes off in a
        drop-in read before cloud-init's; sshd reloads; then proven."""
        keys = "\n".join(k.strip() for k in root_keys)
        script = (
            "set -e; install -d -m 0700 /root/.ssh; "
            f"printf '%s\\n' {shlex.quote(keys)} > /root/.ssh/authorized_keys; chmod 0600 /root/.ssh/authorized_keys; "
            "if grep -qiE '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config.d' /etc/ssh/sshd_config; then "
            f"printf 'PasswordAuthentication no\\nKbdInteractiveAuthentication no\\nPermitRootLogin prohibit-password\\n' > {DROP_IN}; "
            "else sed -i -E 's/^#?[[:space:]]*PasswordAuthentication.*/PasswordAuthentication no/' /etc/ssh/sshd_config; "
            "grep -q '^PasswordAuthentication no' /etc/ssh/sshd_config || echo 'PasswordAuthentication no' >> /etc/ssh/sshd_config; fi; "
            "sshd -t; (systemctl reload ssh || systemctl reload sshd || service ssh reload) >/dev/null 2>&1; "
            "sshd -T | grep -iE '^(passwordauthentication|permitrootlogin) '"
        )
        status, out, err = self._run(self._exec(account, f"sudo -n sh -c {shlex.quote(script)}"))
        if status != 0:
            raise ProvisionError(
                f"hardening as {account} failed (exit {status}): {(err or out).strip()[:200]}"
            )
        effective = dict(line.split(None, 1) for line in out.lower().splitlines() if " " in line)
        if effective.get("passwordauthentication") != "no":
            raise ProvisionError(f"sshd still allows password login: {out.strip()}")
        proofs = ["sshd -T: passwordauthentication no"]
        if self.root_identity is not None and self.root_identity.exists():
            identity = self.root_identity
            status, out, _ = self._after_reload(lambda: self._exec("root", "id -u", identity))
            if (status, out.strip()) != (0, "0"):
                raise ProvisionError(
                    f"root did not log in with the operator key (exit {status}): {out.strip()[:80]}"
                )
            proofs.append("root logs in with the operator key")
        else:
            proofs.append("root's keys installed (no private half here to prove the login)")
        offered = self._after_reload(lambda: self._password_offered(account))
        if offered:
            raise ProvisionError(f"sshd still offers {' and '.join(offered)} login to {account}")
        proofs.append("a password login is refused (sshd offers no password method)")
        return proofs

    def _after_reload(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Right after a reload sshd re-execs: a connection may be refused once."""
        import asyncssh

        for attempt in range(20):
            try:
                result: T = self._run(make())
                return result
            except (OSError, asyncssh.ConnectionLost, asyncssh.DisconnectError):
                if attempt == 19:
                    raise
                time.sleep(0.1 * (attempt + 1))  # back-off while sshd re-execs
        raise AssertionError("unreachable")

    def remove_node_key(self, account: str) -> list[str]:
        import asyncssh

        blob = public_line(self.node_key).split()[1]
        script = (
            f"sed -i '\\#{blob}#d' ~/.ssh/authorized_keys; "
            f"sudo -n sed -i '\\#{blob}#d' /root/.ssh/authorized_keys 2>/dev/null || true"
        )
        status, _, err = self._run(self._exec(account, script))
        if status != 0:
            raise ProvisionError(f"removing the node key as {account} failed: {err.strip()[:200]}")
        try:
            self._run(self._exec(account, "true"))
        except asyncssh.PermissionDenied:
            return [f"the node key no longer logs in as {account}"]
        raise ProvisionError(f"the node key still logs in as {account}")


_FINGERPRINTS = re.compile(
    r"-----BEGIN SSH HOST KEY FINGERPRINTS-----(.*?)-----END SSH HOST KEY FINGERPRINTS-----", re.S
)
_KEYS = re.compile(r"-----BEGIN SSH HOST KEY KEYS-----(.*?)-----END SSH HOST KEY KEYS-----", re.S)


def console_fingerprints(console: str) -> set[str]:
    """The SHA256 host key fingerprints cloud-init printed on the console: its
    FINGERPRINTS block, and the fingerprints of the keys in its KEYS block
    (lines may carry a prefix, `ec2: ` on AWS)."""
    found: set[str] = set()
    for block in _FINGERPRINTS.findall(console):
        found.update(re.findall(r"SHA256:[A-Za-z0-9+/]+", block))
    for block in _KEYS.findall(console):
        for line in block.splitlines():
            m = re.search(r"((?:ssh|ecdsa)-\S+ [A-Za-z0-9+/=]+)", line)
            if m:
                found.add(_fingerprint(m[1]))
    return found


def _fingerprint(public_key: str) -> str:
    import asyncssh

    try:
        return str(asyncssh.import_public_key(public_key).get_fingerprint("sha256"))
    except (asyncssh.KeyImportError, ValueError):
        return ""


def _pattern(host: str, port: int) -> str:
    """The host's name in known_hosts, as OpenSSH writes it."""
    return host if port == 22 else f"[{host}]:{port}"


def ssh_command(
    host: str,
    port: int,
    user: str,
    *,
    known_hosts: Path,
    identity: Path | None = None,
    jump: JumpHost | None = None,
) -> list[str]:
    """The system `ssh` invocation that reaches a node as the dashboard's `s`
    runs it: hybridtui's known_hosts first (the keys steps 6-8 recorded), then
    the user's; the operator's identity when hybridtui knows it; the jump host
    as ProxyJump."""
    argv = [
        "ssh",
        "-o",
        f"UserKnownHostsFile={known_hosts} ~/.ssh/known_hosts",
    ]
    if identity is not None:
        argv += ["-i", str(identity)]
    if jump is not None:
        argv += ["-J", str(jump)]
    if port != 22:
        argv += ["-p", str(port)]
    argv.append(f"{user}@{host}")  # an IPv6 address needs no brackets: the port is -p
    return argv
