"""Capture and replay: a speaker's real clouds, shown offline.

`hybridtui capture FILE` writes what the configured clouds hold now (every
kind, as the cache keeps it: secrets already scrubbed) and the scorecard, in
one JSON document; `--privacy` masks it as the screen would. `hybridtui
--replay FILE` opens the dashboard on it, and `--replay FILE inventory|compare`
prints from it: no credentials, no SDK, no network.

Replay reuses the offline path instead of a second one: each captured cloud
becomes a `replay` cloud in a config made from the capture, and its snapshot is
put in a cache of its own (a temporary directory, removed at exit); the app and
the headless commands then run `--offline` on it, so what is shown, and how old
it says it is, is exactly what `--offline` shows.

The format (documented in the README, checked by `read`):

    {"format": "hybridtui-capture", "version": 1, "captured_at": ISO-8601,
     "hybridtui": VERSION, "masked": bool,
     "clouds": [{"name", "platform", "region", "overrides", "status", "error",
                 "snapshot": the cache's snapshot form, or null}],
     "scorecard": what `compare --format json` prints}

A newer `version` is refused with what to do; fields may be added within a
version.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hybridtui import __version__, jsonio
from hybridtui.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from hybridtui.inventory.report import CloudResult
    from hybridtui.privacy import Masker
    from hybridtui.settings import Settings

FORMAT = "hybridtui-capture"
VERSION = 1


class CaptureError(ConfigError):
    """The file given to `--replay` is not a capture this version can read."""

    title = "Cannot replay this file"


def document(
    results: list[CloudResult], scorecard_json: str, now: float, masked: bool
) -> dict[str, Any]:
    """The capture of one collection (`report.collect` of every kind)."""
    from hybridtui.interop.report import iso

    return {
        "format": FORMAT,
        "version": VERSION,
        "captured_at": iso(now),
        "hybridtui": __version__,
        "masked": masked,
        "clouds": [
            {
                "name": r.target.name,
                "platform": r.target.platform,
                "region": r.target.region,
                # per-site choices decide behaviour rows (a jump host reaches
                # private nodes): part of what the scorecard was made from
                "overrides": {  # every override's default is None: what the site set
                    k: v for k, v in r.target.config.overrides.to_json().items() if v is not None
                },
                "status": r.status,
                "error": r.error.message if r.error is not None else None,
                "snapshot": r.snapshot.to_json() if r.snapshot is not None else None,
            }
            for r in results
        ],
        "scorecard": json.loads(scorecard_json),
    }


def write(path: Path, doc: dict[str, Any], masker: Masker | None) -> None:
    """Write atomically (a capture cut short is never left under its name),
    readable by the owner only: it names addresses and ids unless masked."""
    text = jsonio.dumps(doc, indent=True).decode()
    if masker is not None:
        text = masker.text(text)  # masks hold no quote or backslash: still JSON
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as e:
        raise _unwritable(path, e) from None
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):  # a directory of that name, a full disk
            raise _unwritable(path, e) from None
        raise


class CaptureWriteError(UsageError):
    """`hybridtui capture FILE` cannot write FILE (exit 2: the path is the user's)."""

    title = "Cannot write the capture"


def _unwritable(path: Path, e: OSError) -> CaptureWriteError:
    # the directory that is missing or read-only; not the temporary file's name
    where = f" ({e.filename})" if e.filename and Path(e.filename) in path.parents else ""
    # mkdir(exist_ok=True) on a regular file says "File exists"
    why = "Not a directory" if isinstance(e, FileExistsError) else e.strerror
    return CaptureWriteError(
        f"cannot write the capture to {path}: {why}{where}",
        hint="Give a file path in a directory you can write to.",
    )


def read(path: Path) -> dict[str, Any]:
    """A capture, checked: a clear error for a missing file, another file type,
    or a newer format."""
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise CaptureError(
            f"{path}: no such file", hint="Make one with: hybridtui capture FILE"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CaptureError(
            f"{path}: not a hybridtui capture ({e})", hint="Make one with: hybridtui capture FILE"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CaptureError(
            f'{path}: not a hybridtui capture (no "format": "{FORMAT}")',
            hint="Make one with: hybridtui capture FILE",
        )
    version = doc.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise CaptureError(
            f"{path}: capture format version {version!r}; this hybridtui reads up to {VERSION}",
            hint="Upgrade hybridtui (pip install -U hybridtui) to replay it.",
        )
    return doc


def replay_settings(path: Path, base: Settings) -> Settings:
    """Settings that show the capture at `path` offline: a `replay` cloud per
    captured cloud, their snapshots in a cache of their own."""
    from hybridtui.config import AppConfig
    from hybridtui.inventory.cache import InventoryCache
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.providers import targets_for

    doc = read(path)
    clouds = [
        {
            "name": c["name"],
            "kind": "replay",
            "platform": c.get("platform") or "aws",
            "captured_region": c.get("region"),
            "overrides": c.get("overrides") or {},
        }
        for c in doc["clouds"]
    ]
    try:
        config = AppConfig.validate({"clouds": clouds, "theme": base.config.theme})
    except ValueError as e:
        raise CaptureError(f"{path}: the capture's clouds do not read: {e}") from None
    cache_dir = Path(tempfile.mkdtemp(prefix="hybridtui-replay-"))
    atexit.register(shutil.rmtree, cache_dir, ignore_errors=True)
    paths = replace(base.paths, cache_dir=cache_dir)
    cache = InventoryCache(paths.inventory_cache_dir)
    try:
        snapshots = {c["name"]: c.get("snapshot") for c in doc["clouds"]}
        for target in targets_for(config):
            data = snapshots.get(target.name)
            if data:
                cache.store(target, CloudSnapshot.from_json(data))
    except (KeyError, TypeError, ValueError) as e:
        raise CaptureError(f"{path}: a cloud's records do not read: {e!r}") from None
    finally:
        cache.close()
    captured = str(doc.get("captured_at") or "?")
    return replace(
        base,
        config=config,
        source=f"replay of {path.name}, captured {captured}",
        demo=False,
        offline=True,
        paths=paths,
        replay=captured,
        privacy=base.privacy,
    )
