"""Time from process start to first paint from a warm cache, and the modules
loaded by then (no cloud SDK may be among them). Baseline in the same run: a bare
`python -c "import textual.app"`. Prints figures; asserts nothing.

    .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SDK_ROOTS = ("boto3", "botocore", "openstack", "keystoneauth1", "google")


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
    subprocess.run(
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
        stdout=subprocess.DEVNULL,
        check=True,
    )

    paints, modules = [], []
    for i in range(args.runs):
        record = Path(home) / f"paint-{i}.json"
        t0 = time.time()
        subprocess.run(
            [sys.executable, "-m", "hybridtui", "--demo"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            env={**env, "HYBRIDTUI_BENCH_FIRST_PAINT": str(record)},
        )
        data = json.loads(record.read_text())
        paints.append(data["t"] - t0)
        modules = data["modules"]

    bare = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import textual.app"], check=True)
        bare.append(time.perf_counter() - t0)

    paint, base = statistics.median(paints), statistics.median(bare)
    sdks = sorted({m.split(".")[0] for m in modules if m.split(".")[0] in SDK_ROOTS})
    print(
        f"first paint from warm cache (6 demo clouds), median of {args.runs}: {paint * 1000:.0f} ms"
    )
    print(f"baseline `python -c 'import textual.app'`:            {base * 1000:.0f} ms")
    print(f"ratio: {paint / base:.2f}x the bare Textual import")
    print(
        f"modules loaded at first paint: {len(modules)} ({sum(m.startswith('hybridtui') for m in modules)} hybridtui)"
    )
    print(f"cloud SDK modules at first paint: {sdks or 'none'}")


if __name__ == "__main__":
    main()
