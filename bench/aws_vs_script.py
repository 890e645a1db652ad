"""AWS: hybridtui's cold and warm `inventory` against the first script a user
would write, on the same moto server, in one run. Prints ratios and the API
calls each made (counted by action through a proxy in front of moto: every
contender, baselines included, goes through it); asserts nothing.

The script: a thread per region, each listing instances, every instance type,
the same AMI owners hybridtui lists and the VPCs and subnets, one call after
another (the kinds `inventory --kind all` shows that matter for the ratio).
moto answers on loopback in microseconds of network time; every call waits
`--latency` at the proxy (overlapping), as EC2's answers take 50-400 ms.

    .venv/bin/python bench/aws_vs_script.py [--instances 100] [--rounds 3] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from vs_script import in_processes, inventory_runner, process_lines, report  # noqa: E402 (bench/ is on the path)

REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]


def naive_script(url: str, owners: list[str]) -> int:
    """The first script a user writes: boto3, a thread per region."""
    import boto3

    def region(name: str) -> int:
        ec2 = boto3.client("ec2", region_name=name, endpoint_url=url)
        n = 0
        for page in ec2.get_paginator("describe_instances").paginate():
            n += sum(len(r["Instances"]) for r in page["Reservations"])
        for page in ec2.get_paginator("describe_instance_types").paginate():
            n += len(page["InstanceTypes"])
        n += len(ec2.describe_images(Owners=owners)["Images"])
        n += len(ec2.describe_vpcs()["Vpcs"]) + len(ec2.describe_subnets()["Subnets"])
        return n

    with ThreadPoolExecutor(len(REGIONS)) as pool:
        return sum(pool.map(region, REGIONS))


def timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--latency",
        type=float,
        default=0.1,
        help="seconds every call waits at the proxy (overlapping): moto answers on loopback, EC2 in 50-400 ms",
    )
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="bench-home-")
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_EC2_METADATA_DISABLED="true",
        HYBRIDTUI_HOME=home,
    )
    import boto3
    from peers.fault_proxy import Fault, fault_proxy
    from peers.moto_ec2 import moto_server, seed_instances

    from hybridtui.providers.aws import instance_types
    from hybridtui.providers.aws.records import WELL_KNOWN_OWNERS

    with (
        moto_server(Path(tempfile.mkdtemp(prefix="bench-moto-"))) as url,
        fault_proxy(url) as proxy,
    ):
        seed_instances(url, REGIONS, args.instances)
        if args.latency:
            proxy.inject(Fault(delay=args.latency))
        config = Path(home) / "aws.yaml"
        config.write_text(
            "clouds:\n  - name: aws\n    kind: aws\n    timeout: 120\n"
            f"    regions: [{', '.join(REGIONS)}]\n    endpoint_url: {proxy.url}\n"
        )
        owners = ["self", *WELL_KNOWN_OWNERS]
        hybrid = inventory_runner(config)

        def cold() -> None:
            shutil.rmtree(Path(home) / "cache", ignore_errors=True)
            instance_types.forget()  # a new process knows no instance types
            hybrid()

        def count(fn: Any) -> Counter[str]:
            proxy.actions.clear()
            fn()
            return Counter(proxy.actions)

        def slowest_call() -> float:
            ec2 = boto3.client("ec2", region_name=REGIONS[0], endpoint_url=proxy.url)
            return timed(lambda: list(ec2.get_paginator("describe_instance_types").paginate()))

        def nodes_only() -> None:
            """The cloud's node listing alone: every region's instances, a thread each."""

            def region(name: str) -> None:
                ec2 = boto3.client("ec2", region_name=name, endpoint_url=proxy.url)
                list(ec2.get_paginator("describe_instances").paginate())

            with ThreadPoolExecutor(len(REGIONS)) as pool:
                list(pool.map(region, REGIONS))

        timings: dict[str, list[float]] = {
            "script": [],
            "cold": [],
            "warm": [],
            "warm_nodes": [],
            "slowest": [],
            "nodes": [],
        }
        for _ in range(args.rounds):  # interleaved, so drift hits all alike
            timings["script"].append(timed(lambda: naive_script(proxy.url, owners)))
            timings["cold"].append(timed(cold))
            timings["warm"].append(timed(hybrid))
            timings["warm_nodes"].append(timed(lambda: hybrid("nodes")))
            timings["slowest"].append(slowest_call())
            timings["nodes"].append(timed(nodes_only))
        calls = {
            "script": count(lambda: naive_script(proxy.url, owners)),
            "cold": count(cold),
            "warm": count(hybrid),
            "warm --kind nodes": count(lambda: hybrid("nodes")),
        }
        med = {k: statistics.median(v) for k, v in timings.items()}
        processes = in_processes(
            "aws_vs_script",
            [proxy.url, owners],
            config,
            lambda: shutil.rmtree(Path(home) / "cache", ignore_errors=True),
            args.rounds,
        )
        report(
            f"{len(REGIONS)} regions x {args.instances} instances on moto, "
            f"{args.latency * 1000:.0f} ms a call, median of {args.rounds}",
            med,
            calls,
            "node listing alone (every region, threads, plain boto3)",
            [
                f"slowest single call (instance types, one region): {med['slowest']:.2f} s"
                f"   cold / slowest {med['cold'] / med['slowest']:.2f}x (target <= 1.5)",
                *process_lines(processes),
            ],
        )


if __name__ == "__main__":
    main()
