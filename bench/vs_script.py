"""What the three "vs the first script" benchmarks share: running hybridtui's
headless `inventory` in this process, and printing the ratios the same way."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def inventory_runner(config: Path) -> Callable[[str], None]:
    """`hybridtui --config CONFIG inventory --kind KIND --format json`, its
    output thrown away, asserted to exit 0."""
    from hybridtui.cli import main as cli

    devnull = open(os.devnull, "w")  # noqa: SIM115 - the whole run's stdout sink

    def run(kind: str = "all") -> None:
        real, sys.stdout = sys.stdout, devnull
        try:
            code = cli(["--config", str(config), "inventory", "--kind", kind, "--format", "json"])
        finally:
            sys.stdout = real
        assert code == 0, code

    return run


def in_processes(
    module: str, args: list[object], config: Path, cold: Callable[[], None], rounds: int
) -> dict[str, float]:
    """Medians of each contender as a fresh process, as a user runs them:
    interpreter start and SDK imports included (the issue's own table was
    measured so; in one process, imports are paid once and hidden). The script
    is `module.naive_script(*args)`; `cold` empties hybridtui's cache."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    call = f"naive_script(*{args!r})"
    script = [
        sys.executable,
        "-c",
        f"import sys; sys.path[:0] = [{str(BENCH)!r}]\nfrom {module} import naive_script; {call}",
    ]
    hybrid = [
        sys.executable,
        "-m",
        "hybridtui",
        "--config",
        str(config),
        "inventory",
        "--kind",
        "all",
        "--format",
        "json",
    ]

    def run(argv: list[str]) -> float:
        t0 = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return time.perf_counter() - t0

    times: dict[str, list[float]] = {"script": [], "cold": [], "warm": []}
    for _ in range(rounds):  # interleaved, so drift hits all alike
        times["script"].append(run(script))
        cold()
        times["cold"].append(run(hybrid))
        times["warm"].append(run(hybrid))
    return {k: statistics.median(v) for k, v in times.items()}


def process_lines(med: dict[str, float]) -> list[str]:
    """`report`'s extra lines for `in_processes`' figures."""
    return [
        "as fresh processes (interpreter and imports included):",
        f"  script {med['script']:.2f} s, hybridtui cold {med['cold']:.2f} s"
        f" (ratio {med['cold'] / med['script']:.2f}x), warm {med['warm']:.2f} s",
    ]


def report(
    header: str,
    med: dict[str, float],
    calls: dict[str, Counter[str]],
    nodes_alone: str,
    extra: list[str] = [],  # noqa: B006 - read only
) -> None:
    """The table: script, cold, warm, `extra` lines, warm nodes vs the node
    listing alone, then the calls each made."""

    def n(name: str) -> int:
        return sum(calls[name].values())

    print(header)
    print(
        f"  naive thread-pool script (4 kinds):    {med['script']:6.2f} s  {n('script'):4d} calls"
    )
    print(
        f"  hybridtui inventory --kind all, cold:  {med['cold']:6.2f} s  {n('cold'):4d} calls"
        f"   ratio to script {med['cold'] / med['script']:.2f}x (target <= 0.6)"
    )
    print(f"  hybridtui inventory --kind all, warm:  {med['warm']:6.2f} s  {n('warm'):4d} calls")
    for line in extra:
        print(f"  {line}")
    print(f"  hybridtui inventory --kind nodes, warm: {med['warm_nodes']:.2f} s")
    print(
        f"  {nodes_alone}: {med['nodes']:.2f} s"
        f"   warm --kind nodes / nodes {med['warm_nodes'] / med['nodes']:.2f}x (target <= 1.5)"
    )
    for name, c in calls.items():
        print(f"  calls per run, {name}: " + ", ".join(f"{a}={k}" for a, k in sorted(c.items())))
