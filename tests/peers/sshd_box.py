"""A real OpenSSH sshd on 127.0.0.1, set up the way cloud-init leaves a fresh
Ubuntu image, in a throw-away sandbox (the recipe of `shared/ssh-sandbox.md`):

- a private mount + PID + UTS namespace (`unshare`), an overlay of the host's
  root with a tmpfs upper layer, so `useradd` and `/etc/ssh` changes never
  touch the host; `/root`, `/home`, `/tmp`, `/run` start empty;
- `ubuntu` with passwordless sudo, a password (password login is on, as with
  `ssh_pwauth: true`) and the node key; root's key behind cloud-init's exact
  exit-142 refusal naming `ubuntu`;
- sshd runs as the box's PID 1 on the port given on its command line (a step
  that rewrites sshd_config cannot move it), `systemctl reload ssh` works
  through a small shim (no systemd in the box);
- killing the `unshare` process ends the box: the kernel kills the namespace
  and its tmpfs disappears.

Needs root, util-linux `unshare`, overlayfs and the host's `openssh-server`
and `sudo` packages (tests/run.sh installs them).
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from peers.ports import free_port

ACCOUNT = "ubuntu"
PASSWORD = "cloud-init-set-this"
#: cloud-init's `disable_root_opts` (cloudinit/ssh_util.py), with a short sleep.
REFUSAL = (
    "no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command=\"echo 'Please login as the user "
    '\\"{account}\\" rather than the user \\"root\\".\';echo;sleep 1;exit 142"'
)

_SHIM = """#!/bin/sh
# systemctl in the box: ssh reloads like ssh.service's ExecReload (sshd -t, HUP)
unit="$2"
case "$1" in
  reload|restart|reload-or-restart|try-reload-or-restart)
    case "$unit" in ssh|sshd|ssh.service|sshd.service) ;; *) exit 5;; esac
    /usr/sbin/sshd -t || exit 1
    kill -HUP 1
    exit 0;;
  is-active) echo active; exit 0;;
  daemon-reload) exit 0;;
  *) exit 5;;
esac
"""

_INNER = r"""
set -e
RT="$1"; PORT="$2"; NODEKEY="$3"; ACCOUNT="$4"; PASSWORD="$5"; REFUSAL="$6"; SHIM="$7"; LOGLEVEL="$8"
mount -t tmpfs -o size=64m,mode=0755 box "$RT"
mkdir -p "$RT/upper" "$RT/work" "$RT/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$RT/upper,workdir=$RT/work" "$RT/root"
R="$RT/root"
for d in root home tmp run; do mount -t tmpfs -o mode=0755 "$d" "$R/$d"; done
chmod 0700 "$R/root"; chmod 1777 "$R/tmp"
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
hostname node-box
chroot "$R" /bin/sh -e -c '
  useradd --comment Ubuntu --groups sudo --shell /bin/bash --create-home "$1" >/dev/null
  echo "$1:$2" | chpasswd
  echo "$1 ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/90-cloud-init-users
  chmod 0440 /etc/sudoers.d/90-cloud-init-users
  install -d -m 0700 -o "$1" -g "$1" "/home/$1/.ssh"
  printf "%s\n" "$3" > "/home/$1/.ssh/authorized_keys"
  chown "$1:$1" "/home/$1/.ssh/authorized_keys"; chmod 0600 "/home/$1/.ssh/authorized_keys"
  install -d -m 0700 /root/.ssh
  printf "%s %s\n" "$4" "$3" > /root/.ssh/authorized_keys
  chmod 0600 /root/.ssh/authorized_keys
  mkdir -p /run/sshd /etc/ssh/sshd_config.d
  echo "PasswordAuthentication yes" > /etc/ssh/sshd_config.d/50-cloud-init.conf
' box "$ACCOUNT" "$PASSWORD" "$NODEKEY" "$REFUSAL"
cp "$SHIM" "$R/usr/bin/systemctl"
chmod 0755 "$R/usr/bin/systemctl"
exec chroot "$R" /usr/sbin/sshd -D -e -p "$PORT" -o ListenAddress=127.0.0.1 -o PidFile=/run/sshd.pid -o LogLevel="$LOGLEVEL"
"""


@dataclass
class Box:
    port: int
    account: str
    password: str
    proc: subprocess.Popen[bytes]
    workdir: Path

    def log(self) -> str:
        """What sshd logged (to stderr, kept in a file so it never blocks on a pipe)."""
        return (self.workdir / "sshd.log").read_text(errors="replace")

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def init_pid(self) -> int:
        """The box's PID 1 (sshd) as the host sees it."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=True
        )
        return int(out.stdout.split()[0])

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        """A command inside the box, from outside any SSH session (proofs)."""
        return subprocess.run(
            [
                "nsenter",
                "-t",
                str(self.init_pid),
                "-m",
                "-p",
                "-u",
                "--root",
                "--wd=/",
                "/bin/sh",
                "-c",
                command,
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )

    def read(self, path: str) -> str:
        res = self.run(f"cat {shlex.quote(path)}")
        return res.stdout

    def add_key(self, account: str, public_key: str) -> None:
        """What cloud-init does with the key pair at first boot."""
        home = "/root" if account == "root" else f"/home/{account}"
        line = shlex.quote(public_key.strip())
        res = self.run(f"printf '%s\\n' {line} >> {home}/.ssh/authorized_keys")
        assert res.returncode == 0, res.stderr


def available() -> str | None:
    """Why the box cannot run here (None when it can)."""
    if os.geteuid() != 0:
        return "needs root (CI runs as root)"
    for tool in ("unshare", "nsenter", "/usr/sbin/sshd", "sudo"):
        if shutil.which(tool) is None and not Path(tool).exists():
            return f"{tool} is missing (tests/run.sh installs openssh-server and sudo)"
    return None


@contextmanager
def sshd_box(
    node_key: str = "", account: str = ACCOUNT, timeout: float = 20.0, log_level: str = "INFO"
) -> Iterator[Box]:
    """A box whose sshd logs at `log_level` (DEBUG1 shows each forwarded channel)."""
    why = available()
    if why:
        raise RuntimeError(f"sshd box: {why}")
    work = Path(tempfile.mkdtemp(prefix="hybridtui-box-"))
    rt = work / "rt"
    rt.mkdir()
    shim = work / "systemctl"
    shim.write_text(_SHIM)
    log = (work / "sshd.log").open("wb")
    for _attempt in range(5):
        port = free_port()
        proc = subprocess.Popen(
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--pid",
                "--uts",
                "--fork",
                "--kill-child",
                "/bin/sh",
                "-c",
                _INNER,
                "box",
                str(rt),
                str(port),
                node_key or "# no key yet",
                account,
                PASSWORD,
                REFUSAL.format(account=account),
                str(shim),
                log_level,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        box = Box(port, account, PASSWORD, proc, work)
        if _ready(box, timeout):
            break
        _stop(proc)
    else:
        log.close()
        tail = (work / "sshd.log").read_text(errors="replace")[-500:]
        shutil.rmtree(work, ignore_errors=True)
        raise RuntimeError(f"sshd box did not start: {tail}")
    try:
        yield box
    finally:
        _stop(box.proc)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def _ready(box: Box, timeout: float) -> bool:
    """The port answers with sshd's banner (polling the condition, not sleeping for it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if box.proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", box.port), timeout=1.0) as s:
                if s.recv(64).startswith(b"SSH-2.0-OpenSSH"):
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()  # --kill-child: the box's PID 1 dies, and with it the namespace
    proc.wait(timeout=10)
