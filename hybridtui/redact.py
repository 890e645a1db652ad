"""Secrets out of provider records, before anything is kept, cached, shown or
exported. Providers' records carry what their APIs return (Nova's `adminPass`,
cloud-init user data, startup scripts); hybridtui never needs those values.

Its own module because the demo clouds keep their records in this form too,
and providers must not import the inventory layer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from hybridtui import jsonio
from hybridtui.domain import RawRecord

#: Keys whose values are secrets or may hold them (Nova's `adminPass`, user data
#: with cloud-init passwords, tokens, keys). Matched case-insensitively anywhere
#: in a raw record; the value is dropped, never stored or shown.
SECRET_KEY = re.compile(
    r"(pass(word|wd)?$|adminpass|secret|token|private.?key|credential|access.?key|"
    r"user.?data|startup-script|^auth)",
    re.IGNORECASE,
)
REDACTED = "<redacted>"


@functools.lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Raw records repeat the same few hundred keys hundreds of thousands of
    times (a region's instance types): each is matched once."""
    return SECRET_KEY.search(key) is not None


#: Every word a secret key holds, anywhere: text without one has no secret
#: key, and needs no walk through its dicts (2,000 nodes: 0.12 s saved per refresh).
#: Matched on lower-cased text: `re.IGNORECASE` made this search 9x slower
#: (33 µs a node record, most of a 2,000-node cache write).
_SECRET_WORDS = re.compile(
    r"pass|secret|token|private.?key|credential|access.?key|user.?data|startup-script|auth"
)


def raw_text(raw: Mapping[str, Any]) -> str:
    text = jsonio.dumps(raw).decode()
    if _SECRET_WORDS.search(text.lower()) is None:
        return text
    return jsonio.dumps(scrub(raw)).decode()


def scrub(value: Any) -> Any:
    """A copy of `value` with every secret-looking key's value redacted (a
    cached `RawRecord` was scrubbed before it was cached)."""
    if isinstance(value, RawRecord):
        return value
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and is_secret_key(k) else scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def raw_record(raw: Mapping[str, Any]) -> RawRecord:
    """`raw` as a record is kept: scrubbed JSON text, decoded when read."""
    return raw if isinstance(raw, RawRecord) else RawRecord(raw_text(raw))
