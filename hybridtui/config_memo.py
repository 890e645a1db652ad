"""A config file, validated once: the config that the last validation of
the same text built, by the same hybridtui, is taken back from the cache
without pydantic (110-130 ms of every start, a quarter of the first paint:
bench/startup.py). Any other text, another hybridtui, a memo that cannot be
read or does not build: the file is read and validated as always
(`hybridtui.config_file`), and the result remembered. Theme files are
remembered the same way, as their parsed YAML (PyYAML's import is 10-17 ms).

The memo holds what the config file says, which names credentials but never
holds them (see `hybridtui.config`): nothing secret is written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hybridtui import __version__
from hybridtui.config import AppConfig

T = TypeVar("T")

#: The modules whose code decides what a config validates to: a change to
#: any of them (a new check, a new default) is a new memo key.
_VALIDATION_CODE = (
    "config.py",
    "config_schema.py",
    "config_file.py",
    "keys.py",
    "columns.py",
    "domain.py",
    "providers/simulator/profiles.py",
)
_PACKAGE = Path(__file__).parent


@functools.cache
def _code_stamp() -> str:
    parts = [__version__]
    for name in _VALIDATION_CODE:
        try:
            st = os.stat(_PACKAGE / name)
        except OSError:
            parts.append(f"{name}:-")
        else:
            parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}")
    return "|".join(parts)


def memo_file(memo_dir: Path, path: Path) -> Path:
    """One memo per file, so the demo's config and the user's keep each other."""
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return memo_dir / f"{name}.json"


def remembered(
    path: Path,
    memo_dir: Path,
    build: Callable[[Path, bytes | None], T],
    dump: Callable[[T], Any] = lambda value: value,
    load: Callable[[Any], T] = lambda data: data,
) -> T:
    """`build(path, text)`, or what it returned for the same text and code,
    kept as `dump`'s JSON and built back by `load`. `build` gets the bytes the
    key was made from (None: the file could not be read, `build` says why).
    What `build` raises is raised (a file with problems is read and said again
    at every start)."""
    try:
        text: bytes | None = path.read_bytes()
    except OSError:
        text = None  # `build` says what is wrong with the path
    if text is None:
        return build(path, None)
    key = hashlib.sha256(f"{_code_stamp()}\n{path}\n".encode() + text).hexdigest()
    memo = memo_file(memo_dir, path)
    try:
        kept = json.loads(memo.read_bytes())
        if kept["key"] == key:
            return load(kept["value"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # no memo, or one this code cannot build: build it
    value = build(path, text)
    _remember(memo, key, value, dump, load)
    return value


def load_config(path: Path, memo_dir: Path) -> AppConfig:
    """The config at `path`, from the memo when its text and hybridtui's
    validation code are what was validated last; else validated (raising
    ConfigError with every problem, as `config_file.load_config`)."""
    return remembered(path, memo_dir, _validate, AppConfig.to_json, AppConfig.from_json)


def _validate(path: Path, data: bytes | None) -> AppConfig:
    from hybridtui.config_file import load_config as validate_file

    return validate_file(path, data)


def _remember(
    memo: Path, key: str, value: T, dump: Callable[[T], Any], load: Callable[[Any], T]
) -> None:
    """Keep `value` for the next start, if it builds back exactly from its
    JSON (a field `from_json` does not know, or a YAML date, is built every
    time instead: slower, never wrong)."""
    try:
        text = json.dumps({"key": key, "value": dump(value)})
        same = repr(load(json.loads(text)["value"])) == repr(value)
    except (ValueError, KeyError, TypeError, AttributeError):
        same = False
    if not same:
        return
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f"{memo.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(memo)
    except OSError:
        pass  # a read-only cache: the next start builds it again
