"""Provisioning on 4 demo clouds at once, every API call and node operation
taking the cloud's latency: wall time of the parallel run as a ratio to the
slowest cloud provisioned alone, in the same process (target ≤ 1.2).
Prints figures; asserts nothing.

    .venv/bin/python bench/provision.py [--latency 0.3] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROFILES = ["aws-default-vpc", "gce-access-config", "openstack-floating-ip", "openstack-private"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="hybridtui-bench-")
    os.environ["HYBRIDTUI_HOME"] = home  # demo state, ledger and keys in a throw-away place

    from hybridtui.config import SimulatorCloud
    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import merge
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.simulator.provider import SimulatorProvider
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.plan import make_plan
    from hybridtui.provisioning.runner import Runner

    spec = Spec.parse("vcpus=2,ram_gb=4,image=ubuntu")
    ledger = Ledger(Path(home) / "ledger.sqlite")

    def clouds(names: list[str]) -> tuple[dict[str, SimulatorProvider], list[object]]:
        providers, plans = {}, []
        for i, profile in enumerate(names):
            name = f"c{i}-{profile}"
            cfg = SimulatorCloud(
                name=name,
                kind="simulator",
                profile=profile,
                latency=args.latency,
                jitter=0,
                overrides={"jump_host": "ops@bastion"},
            )
            p = SimulatorProvider(name, cfg)
            target = CloudTarget(name, "simulator", cfg)
            plans.append(
                make_plan(
                    site_for(
                        target, merge(name, "simulator", None, p.fetch_inventory(), time.time())
                    ),
                    spec,
                    read_only=False,
                )
            )
            providers[name] = p
        return providers, plans

    def timed(names: list[str]) -> float:
        providers, plans = clouds(names)
        runner = Runner(
            providers,
            ledger,
            Path(home) / "keys",
            root_keys=[
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bench"
            ],
        )
        t0 = time.perf_counter()
        runs = runner.run(plans)  # type: ignore[arg-type]
        wall = time.perf_counter() - t0
        failed = [r.error for r in runs if not r.ok]
        if failed:  # a figure for a failed run would mean nothing
            raise SystemExit(f"provisioning failed: {failed}")
        return wall

    singles = {p: statistics.median(timed([p]) for _ in range(args.runs)) for p in PROFILES}
    together = statistics.median(timed(PROFILES) for _ in range(args.runs))
    slowest = max(singles.values())
    for p, t in singles.items():
        print(f"{p:24} alone  {t:6.2f} s")
    print(
        f"all {len(PROFILES)} at once              {together:6.2f} s  = {together / slowest:.2f}× the slowest alone "
        f"(target ≤ 1.2), {together / sum(singles.values()):.2f}× one after another"
    )


if __name__ == "__main__":
    main()
