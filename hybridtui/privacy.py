"""Privacy mode: IP addresses, account and project ids, key fingerprints and
resource ids masked in text before it is shown or exported, for screencasts
and talks.

Why text, and why masks of the same length:
- Every value is masked where it becomes text (a table cell, a JSON export, a
  provider's raw record), after everything hybridtui decides from the real
  values (which address is public, which image matches): the comparison stays
  right, only what is shown changes.
- The same value always gets the same mask (an HMAC of it), so relationships
  stay visible: the node's address is the floating IP's, the image id in the
  node's record is the image's. The key is a random salt kept in the data dir
  and never shown: an IPv4 address has only 2^32 values, so an unsalted hash
  would be reversed by trying them all.
- A mask is as long as what it hides, so aligned tables stay aligned and a
  cell cut to fit cuts the mask, never a piece of the real value.

What is masked (patterns, then the `known` values given, such as the
configured GCE projects): IPv4 and IPv6 addresses and networks (not 0.0.0.0/0,
::/0 or loopback, which identify no one), AWS resource ids (`i-…`, `ami-…`,
`vpc-…`…), UUIDs and 32-hex ids (OpenStack), numbers of 10-20 digits (AWS
accounts, GCE ids), key fingerprints (MD5/SHA1 hex pairs, `SHA256:…`, EC2's bare base64 SHA-256), MAC
addresses, AWS host names made of an address (`ip-10-0-1-5`), and the project
in a GCE link (`projects/NAME/`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # settings load the config: only the CLI needs `masker_for`
    from hybridtui.settings import Settings

#: AWS resource id prefixes of the short ids (8 hex digits follow the dash);
#: any lower-case prefix goes with 17 hex digits (`eni-attach-…`, `vpc-cidr-assoc-…`).
_AWS_PREFIXES = (
    "i|ami|vpc|subnet|sg|sgr|eni|vol|snap|igw|eigw|rtb|rtbassoc|eipalloc|eipassoc|acl|aclassoc|"
    "key|dopt|nat|pcx|tgw|tgw-attach|lt|r|vpce|fleet|sir|prefix|pl|cgw|vgw|vpn|elb|ipam"
)

#: One pass over the text; the first alternative that matches at a place wins,
#: so longer shapes (fingerprints) come before the shapes they contain.
#: Compiled when something is first masked (`_tokens`): 3-8 ms of every
#: start otherwise, for a mode most runs never turn on.
_TOKENS_PATTERN = (
    r"(?P<sha256>SHA256:[A-Za-z0-9+/]{43}=?)"
    # EC2's ed25519 key fingerprint: the same digest, bare and padded
    r"|(?P<b64sha256>(?<![A-Za-z0-9+/=:])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=]))"
    r"|(?P<fp>(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{2}:){15,31}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:]))"
    r"|(?P<mac>(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:]))"
    r"|(?P<uuid>(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
    r"[0-9A-Fa-f]{12}(?![0-9A-Za-z]))"
    r"|(?P<hex32>(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z]))"
    rf"|(?P<aws>(?<![0-9A-Za-z-])(?:(?:{_AWS_PREFIXES})-[0-9a-f]{{8}}|[a-z]+(?:-[a-z]+){{0,3}}-"
    r"[0-9a-f]{17})(?![0-9A-Za-z]))"
    r"|(?P<host>(?<![0-9A-Za-z])(?:ip|ec2)-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}(?!\d))"
    r"|(?P<v4>(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?!\d)(?!\.\d))"
    r"|(?P<v6>(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:/\d{1,3})?"
    r"(?![0-9A-Za-z:]))"
    r"|(?P<num>(?<![\d.])\d{10,20}(?![\d.]|\.\d))"
    r"|(?P<project>(?<=projects/)[a-z][-a-z0-9]{4,28}[a-z0-9](?=/))"
)


@functools.cache
def _tokens() -> re.Pattern[str]:
    return re.compile(_TOKENS_PATTERN)


#: What a mask starts with, by the kind of value it hides.
_TAGS = {
    "sha256": "fp",
    "b64sha256": "fp",
    "fp": "fp",
    "mac": "mac",
    "uuid": "id",
    "hex32": "id",
    "host": "ip",
    "v4": "ip",
    "v6": "ip",
    "num": "n",
    "project": "prj",
    "known": "prj",
}
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Addresses and networks that identify no one: kept, they say "open to all".
_KEEP = frozenset({"0.0.0.0", "0.0.0.0/0", "::", "::/0"})


class Masker:
    """Masks values in text consistently: the same value, the same mask."""

    def __init__(self, salt: bytes, known: Iterable[str] = ()) -> None:
        self._salt = salt
        self._cache: dict[str, str] = {}
        words = sorted({k for k in known if len(k) >= 3}, key=len, reverse=True)
        self._known = (
            re.compile(
                r"(?<![0-9A-Za-z_-])(?:" + "|".join(map(re.escape, words)) + r")(?![0-9A-Za-z_-])"
            )
            if words
            else None
        )

    def text(self, text: str) -> str:
        """`text` with every value privacy mode hides replaced by its mask."""
        if self._known is not None:
            text = self._known.sub(lambda m: self._mask("known", m.group()), text)
        return _tokens().sub(self._token, text)

    def cells(self, row: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.text(c) for c in row)

    def _token(self, m: re.Match[str]) -> str:
        kind = m.lastgroup or "known"
        value = m.group()
        if kind == "aws":  # the prefix says what it is: `i-#3kq…`
            prefix, _, rest = value.rpartition("-")
            return f"{prefix}-#{self._mask('aws', value, len(rest) - 1)}"
        if kind in ("v4", "v6"):
            address, slash, bits = value.partition("/")
            if value in _KEEP or not _is_address(address, kind):
                return value
            if ipaddress.ip_address(address).is_loopback:
                return value
            return self._mask(kind, address) + slash + bits
        return self._mask(kind, value)

    def _mask(self, kind: str, value: str, length: int | None = None) -> str:
        """A mask as long as `value` (or `length`): its tag, then letters and
        digits from the HMAC of the value."""
        key = f"{kind}\0{value}\0{length}"
        found = self._cache.get(key)
        if found is not None:
            return found
        n = len(value) if length is None else length
        digest = int.from_bytes(hmac.new(self._salt, value.encode(), hashlib.sha512).digest())
        tag = "" if kind == "aws" else _TAGS[kind] + "#"
        if len(tag) + 3 > n:  # too short for a tag: the digest alone
            tag = ""
        body = []
        for _ in range(n - len(tag)):
            digest, d = divmod(digest, len(_ALPHABET))
            body.append(_ALPHABET[d])
        mask = tag + "".join(body)
        self._cache[key] = mask
        return mask


def _is_address(text: str, kind: str) -> bool:
    if kind == "v4":
        return all(int(p) <= 255 for p in text.split("."))
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def load_salt(data_dir: Path) -> bytes:
    """This machine's masking key: made once (random, 0600), kept so a capture
    masked yesterday and the screen today mask a value the same way."""
    path = data_dir / "privacy.salt"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another hybridtui made it first: use theirs
        return path.read_bytes()
    with os.fdopen(fd, "wb") as f:
        f.write(salt)
    return salt


class MaskedStream:
    """A text stream that masks what is written to it: `--privacy` puts one in
    place of stdout and stderr for a headless command, so every line it
    prints (tables, JSON, errors and their hints) goes through the masker."""

    def __init__(self, stream: TextIO, masker: Masker) -> None:
        self._stream = stream
        self._masker = masker

    def write(self, text: str) -> int:
        self._stream.write(self._masker.text(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return self._stream.encoding


def masker_for(settings: Settings) -> Masker:
    """The masker for this run: this machine's salt, and the configured GCE
    projects as values to hide wherever they appear (a project id has no shape
    of its own to find it by)."""
    from hybridtui.config import GceCloud

    known = [c.project for c in settings.config.clouds if isinstance(c, GceCloud)]
    return Masker(load_salt(settings.paths.data_dir), known)
