"""The operator's keys: the public ones step 7 installs for root, and the
private half step 7 proves root's login with. Shared by the command line and
the dashboard."""

from __future__ import annotations

from pathlib import Path

from hybridtui.errors import UsageError


def root_keys(files: list[str]) -> list[str]:
    """The operator's public keys for root: --root-key files, else the usual ones."""
    paths = [Path(f).expanduser() for f in files] or [
        p
        for p in (
            Path("~/.ssh/id_ed25519.pub").expanduser(),
            Path("~/.ssh/id_rsa.pub").expanduser(),
        )
        if p.exists()
    ][:1]
    keys = []
    for p in paths:
        try:
            text = p.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise UsageError(f"--root-key {p}: {e.strerror}") from None
        except UnicodeDecodeError:
            text = ""  # a binary file: not a public key either
        if not text.startswith(("ssh-", "ecdsa-", "sk-")) or text.startswith(("-----", "PuTTY")):
            raise UsageError(
                f"--root-key {p}: not an OpenSSH public key (a private key? never pass one)"
            )
        keys.append(text.splitlines()[0])
    return keys


def root_identity(files: list[str]) -> Path | None:
    """The private half of the first root key, when it sits next to it: step 7
    proves with it that root logs in (it is only read by the SSH client)."""
    paths = [Path(f).expanduser() for f in files] or [
        Path("~/.ssh/id_ed25519.pub").expanduser(),
        Path("~/.ssh/id_rsa.pub").expanduser(),
    ]
    for p in paths:
        private = p.with_suffix("") if p.suffix == ".pub" else None
        if private is not None and private.exists():
            return private
    return None
