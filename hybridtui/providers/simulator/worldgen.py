"""Big demo worlds are made in a helper process, as a real cloud's are on its servers.

Generating a demo cloud of 2,000 nodes takes 90-140 ms of CPU. With 50 such
clouds that was about 38% of the app's interpreter lock during the first
refresh (py-spy --gil, bench/scale.py 50 x 2,000), and a key pressed meanwhile
waited behind it. A real cloud does that work on its own machines; here one
helper process, started on the first big world, does it and sends the nodes
back in pages, which the app unpickles (about a quarter of the cost) with a
`priority` turn for each page.

Small worlds (the demo profiles' 18-48 nodes) are made in-process: starting an
interpreter costs more than they do. If the helper cannot start, dies or
stalls, the world is made in-process as before and the reason is logged: the
demo clouds work without it, only slower to the keyboard.

The helper runs this module (`python -m hybridtui.providers.simulator.worldgen`):
one JSON request per line on stdin, length-prefixed pickles on stdout. Both
ends are this package in this interpreter, so pickle is safe here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from hybridtui import priority
from hybridtui.providers.simulator.profiles import PROFILES, DemoProfile
from hybridtui.providers.simulator.world import World

log = logging.getLogger(__name__)

#: Worlds of at least this many nodes are made by the helper (about 25 ms of
#: CPU in-process: under that, an interpreter's start costs more).
OFFLOAD_AT = 500
#: Nodes per page sent back: about 2 ms of unpickling between checkpoints (one
#: unpickling holds the interpreter lock throughout; pages of 250 held it 4-11 ms,
#: up to 46, while keys were typed at 50 x 2,000).
PAGE = 100
#: A page not arriving within this long means the helper is stuck.
STALL_S = 30.0

_HEAD = struct.Struct(">Q")


class HelperError(Exception):
    """The helper could not make a world; the caller makes it in-process."""


class _Helper:
    """One helper process, one request at a time (poll threads queue on the lock)."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[3])  # where `hybridtui` is importable from
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            # Ctrl-C at a headless command is the command's to handle; the
            # helper ends when its stdin closes (the app exiting, or killed)
            start_new_session=True,
        )
        self.lock = threading.Lock()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        if self.proc.stdin:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    def _read(self, n: int) -> bytes:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        chunks: list[bytes] = []
        while n:
            ready, _, _ = select.select([fd], [], [], STALL_S)
            if not ready:
                raise HelperError(f"no answer from the helper in {STALL_S:.0f} s")
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                raise self._exited()
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _exited(self) -> HelperError:
        """What became of a helper whose pipe closed: its exit code, said the
        same whether the request's write or the answer's read noticed first."""
        try:
            code: int | None = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return HelperError(f"the helper exited (code {code})")

    def frame(self) -> Any:
        (size,) = _HEAD.unpack(self._read(_HEAD.size))
        data = self._read(size)  # waited for outside the turn
        with priority.turn():
            return pickle.loads(data)

    def make(self, world: World, seed: int, nodes: int) -> None:
        """Fill `world` (made with no nodes) with the helper's nodes."""
        assert self.proc.stdin is not None
        request = {"profile": world.profile.key, "seed": seed, "nodes": nodes}
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            raise self._exited() from None
        head = self.frame()
        if "error" in head:
            raise HelperError(head["error"])
        made: list[Any] = []
        for _ in range(head["pages"]):  # each page unpickled in a turn (`frame`)
            made.extend(self.frame())
        world.adopt(made, head["fips"], head["rng"], head["used"])


_helper: _Helper | None = None
_broken: str | None = None
_start_lock = threading.Lock()


def _get_helper() -> _Helper:
    global _helper
    with _start_lock:
        if _broken:
            raise HelperError(_broken)
        if _helper is None or not _helper.alive():
            try:
                _helper = _Helper()
            except OSError as exc:
                raise HelperError(f"cannot start the helper: {exc}") from None
        return _helper


def make_world(profile: DemoProfile, seed: int, node_count: int | None) -> World:
    """The demo world `World(profile, seed, node_count)` would make, the same
    node for node; a big one made by the helper process."""
    global _broken
    n = profile.node_count if node_count is None else node_count
    if n < OFFLOAD_AT:
        return World(profile, seed, node_count)
    world = World(profile, seed, 0)
    try:
        helper = _get_helper()
        with helper.lock:
            helper.make(world, seed, n)
    except HelperError as exc:
        # once broken, always in-process: no restart loop on a machine that
        # cannot run it (and a stalled helper is killed, not left behind)
        with _start_lock:
            if _broken is None:
                _broken = str(exc)
                log.warning("demo worlds are made in-process from now on: %s", exc)
                if _helper is not None:
                    _helper.proc.kill()
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        _helper.proc.wait(timeout=5)  # reaped: no zombie left for the session
        return World(profile, seed, node_count)
    return world


def shutdown() -> None:
    """Let the helper end (it exits when its stdin closes); for tests and
    headless runs that want no child left while they go on."""
    global _helper, _broken
    with _start_lock:
        if _helper is not None:
            _helper.close()
            _helper.proc.wait(timeout=10)
        _helper = None
        _broken = None


# ----------------------------------------------------------------- the helper
def _send(out: IO[bytes], obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_HEAD.pack(len(data)))
    out.write(data)


def _serve(inp: IO[bytes], out: IO[bytes]) -> None:
    for line in inp:
        request = json.loads(line)
        try:
            world = World(PROFILES[request["profile"]], int(request["seed"]), int(request["nodes"]))
            nodes, fips, rng, used = world.handover()
        except Exception as exc:  # reported to the app, which then makes the world itself
            _send(out, {"error": f"{type(exc).__name__}: {exc}"})
        else:
            pages = [nodes[i : i + PAGE] for i in range(0, len(nodes), PAGE)]
            _send(out, {"fips": fips, "rng": rng, "used": used, "pages": len(pages)})
            for page in pages:
                _send(out, page)
        out.flush()


if __name__ == "__main__":
    with contextlib.suppress(OSError):
        os.nice(10)  # the app's UI thread and the terminal come first on a small machine
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):  # the app went away
        _serve(sys.stdin.buffer, sys.stdout.buffer)
