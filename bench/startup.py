"""Time from process start to first paint from a warm cache, and the modules
loaded by then (no cloud SDK may be among them). Baseline in the same run: a bare
`python -c "import textual.app"`. Prints figures; asserts nothing.

The app runs in a pseudo-terminal of 160 x 48 (issue 13's tmux size), and two
moments are timed from the spawn:
- first frame: the terminal has received the dashboard's first full frame
  (its last row written), which is what a person sees;
- first rows: a cached node of the first cloud is on the terminal (the
  first page's clouds are read before the app starts, within a budget);
- settled: the app's own record, written after the refresh that follows
  its mount (Textual lays the screen out once more meanwhile, for its
  notification rack), then it exits.

    .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

SDK_ROOTS = ("boto3", "botocore", "openstack", "keystoneauth1", "google")
ROWS, COLS = 48, 160


def run_in_pty(
    env: dict[str, str], record: Path, node: str
) -> tuple[float | None, float | None, float]:
    """Seconds from spawn to the first full frame on the terminal, to `node`
    (a cached node's name) on it (None if it never came) and to the app's
    own record."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    last_row = f"\x1b[{ROWS};1H".encode()  # a full frame places every row
    t0 = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hybridtui", "--demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**env, "HYBRIDTUI_BENCH_FIRST_PAINT": str(record), "TERM": "xterm-256color"},
        start_new_session=True,
    )
    os.close(slave)
    seen, rows, tail = None, None, b""
    name = node.encode()
    try:
        quit_sent = False
        while select.select([master], [], [], 30)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:  # the app closed the terminal
                break
            if not data:
                break
            if seen is None and last_row in tail + data:
                seen = time.time() - t0
            if rows is None and name in tail + data:
                rows = time.time() - t0
            tail = data[-max(16, len(name)) :]
            done = seen is not None and rows is not None and record.exists()
            if not quit_sent and (done or time.time() - t0 > 30):
                os.write(master, b"q")  # what it was started for is on screen (or never came)
                quit_sent = True
    finally:
        os.close(master)
        proc.wait(timeout=60)
    return seen, rows, json.loads(record.read_text())["t"] - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="hybridtui-bench-")
    env = {**os.environ, "HYBRIDTUI_HOME": home}
    # an installed app has its bytecode cached; PYTHONDONTWRITEBYTECODE (set on
    # some CI machines) would compile every hybridtui module at every start
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # Warm the cache: one headless refresh of every demo cloud.
    warm = subprocess.run(
        [
            sys.executable,
            "-m",
            "hybridtui",
            "inventory",
            "--demo",
            "--kind",
            "all",
            "--format",
            "json",
        ],
        env=env,
        capture_output=True,
        check=True,
    )
    records = json.loads(warm.stdout)["records"]
    node = next(r["name"] for r in records if r["kind"] == "nodes")

    frames, firsts, paints, modules = [], [], [], []
    for i in range(args.runs):
        record = Path(home) / f"paint-{i}.json"
        frame, rows, settled = run_in_pty(env, record, node)
        if frame is not None:
            frames.append(frame)
        if rows is not None:
            firsts.append(rows)
        paints.append(settled)
        modules = json.loads(record.read_text())["modules"]

    bare = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import textual.app"], check=True)
        bare.append(time.perf_counter() - t0)

    paint, base = statistics.median(paints), statistics.median(bare)
    sdks = sorted({m.split(".")[0] for m in modules if m.split(".")[0] in SDK_ROOTS})
    print(f"warm cache, 6 demo clouds, {COLS}x{ROWS} terminal, median of {args.runs}:")
    if frames:
        frame = statistics.median(frames)
        print(
            f"  first frame on the terminal: {frame * 1000:.0f} ms ({frame / base:.2f}x baseline)"
        )
    else:
        print("  first frame on the terminal: not seen")
    if firsts:
        first = statistics.median(firsts)
        print(
            f"  first rows (a cached node):  {first * 1000:.0f} ms ({first / base:.2f}x baseline)"
        )
    else:
        print(f"  first rows: {node} never seen")
    print(f"  settled (the app's record):  {paint * 1000:.0f} ms ({paint / base:.2f}x baseline)")
    print(f"baseline `python -c 'import textual.app'`: {base * 1000:.0f} ms")
    print(
        f"modules loaded at first paint: {len(modules)} ({sum(m.startswith('hybridtui') for m in modules)} hybridtui)"
    )
    print(f"cloud SDK modules at first paint: {sdks or 'none'}")


if __name__ == "__main__":
    main()
