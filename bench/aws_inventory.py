"""AWS inventory of 3 regions x 300 instances against a moto server on loopback:
hybridtui's concurrent refresh vs the same listing done region after region in
one process, and vs plain boto3 `describe_instances` per region. Also
`aws ec2 describe-instances` per region when the AWS CLI is installed.
Prints figures; asserts nothing.

    .venv/bin/python bench/aws_inventory.py [--instances 300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=300)
    args = ap.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true"
    )
    import boto3
    from peers.moto_ec2 import moto_server, seed_instances

    from hybridtui.config import AppConfig
    from hybridtui.inventory.poller import Poller
    from hybridtui.providers import targets_for
    from hybridtui.providers.aws.adapter import AwsProvider

    with moto_server(Path(tempfile.mkdtemp(prefix="bench-moto-"))) as url:
        seed_instances(url, REGIONS, args.instances)

        config = AppConfig.validate(
            {
                "clouds": [
                    {
                        "name": "aws",
                        "kind": "aws",
                        "regions": REGIONS,
                        "endpoint_url": url,
                        "timeout": 120,
                    }
                ]
            }
        )
        targets = targets_for(config)

        # hybridtui: every region at once
        poller = Poller(targets)
        t0 = time.perf_counter()
        outcomes = list(poller.poll())
        concurrent = time.perf_counter() - t0
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]
        nodes = sum(len(o.snapshot.nodes) for o in outcomes if o.snapshot)

        # the same listing (same adapter code), one region after another
        t0 = time.perf_counter()
        for t in targets:
            AwsProvider(t.name, t.config, t.region).fetch_inventory()
        sequential = time.perf_counter() - t0

        # plain boto3, instances only, region after region
        t0 = time.perf_counter()
        for region in REGIONS:
            ec2 = boto3.client("ec2", region_name=region, endpoint_url=url)
            for _ in ec2.get_paginator("describe_instances").paginate():
                pass
        plain = time.perf_counter() - t0

        print(f"{len(REGIONS)} regions x {args.instances} instances on moto ({nodes} nodes listed)")
        print(f"hybridtui refresh, regions concurrently (full inventory): {concurrent:7.2f} s")
        print(
            f"same listing, region after region (one process):          {sequential:7.2f} s"
            f"   ratio {sequential / concurrent:.2f}x"
        )
        print(f"plain boto3 describe_instances only, sequential:          {plain:7.2f} s")
        if shutil.which("aws"):
            t0 = time.perf_counter()
            for region in REGIONS:
                subprocess.run(
                    ["aws", "ec2", "describe-instances", "--region", region, "--endpoint-url", url],
                    stdout=subprocess.DEVNULL,
                    check=True,
                )
            print(
                f"aws ec2 describe-instances per region:                   {time.perf_counter() - t0:7.2f} s"
            )
        else:
            print("aws CLI not installed: `aws ec2 describe-instances` comparison skipped")


if __name__ == "__main__":
    main()
