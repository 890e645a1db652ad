"""Refresh wall time for 1, 4 and 10 demo clouds with the same injected latency,
as a ratio to one cloud's latency (target: <= 1.2, i.e. clouds refresh in
parallel, not one after another). Prints figures; asserts nothing.

    .venv/bin/python bench/poll_scaling.py [--latency 0.5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from hybridtui.config import AppConfig
from hybridtui.inventory.poller import Poller
from hybridtui.providers import targets_for
from hybridtui.providers.simulator.profiles import PROFILES as DEMO_PROFILES

PROFILES = list(DEMO_PROFILES)  # the six demo behaviours, in the demo's order


def refresh_wall(n: int, latency: float) -> float:
    clouds = [
        {
            "name": f"c{i}",
            "kind": "simulator",
            "profile": PROFILES[i % len(PROFILES)],
            "seed": i,
            "latency": latency,
            "jitter": 0.0,
        }
        for i in range(n)
    ]
    poller = Poller(targets_for(AppConfig.validate({"clouds": clouds})))
    # Warm up: build each cloud's world once, as the app's first refresh would.
    list(poller.poll())
    for name in poller.targets:
        poller._next_due[name] = 0.0
    t0 = time.perf_counter()
    outcomes = list(poller.poll())
    wall = time.perf_counter() - t0
    poller.close()
    assert all(o.ok for o in outcomes)
    return wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"each cloud answers after {args.latency:.2f} s; median of {args.repeat} refreshes")
    print(f"{'clouds':>6} {'wall (s)':>9} {'ratio to one latency':>22}")
    for n in (1, 4, 10):
        wall = statistics.median(refresh_wall(n, args.latency) for _ in range(args.repeat))
        print(f"{n:>6} {wall:>9.3f} {wall / args.latency:>22.2f}")


if __name__ == "__main__":
    main()
