"""Provisioning on moto: 3 AWS regions at once vs one after another, in one
process, with the real boto3 calls over HTTP for steps 1–5 and 8 and real SSH
for steps 6–8 (one loopback sshd box per region through `ssh_endpoint`, set up
like a cloud image; needs root, as the test suite's boxes do). Prints the wall
time of each and their ratio (parallel / sequential; 1/3 would be perfect
overlap). Asserts nothing.

    .venv/bin/python bench/provision_moto.py [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="hybridtui-bench-"))
    os.environ.update(
        HYBRIDTUI_HOME=str(home),
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_EC2_METADATA_DISABLED="true",
    )
    from peers.moto_ec2 import moto_server
    from peers.sshd_box import available, sshd_box

    from hybridtui.config import AwsCloud
    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import merge
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.aws.adapter import AwsProvider
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.plan import Plan, make_plan
    from hybridtui.provisioning.runner import Runner, default_access
    from hybridtui.provisioning.ssh import NodeAccess, make_node_key
    from hybridtui.provisioning.steps import Context

    if available() is not None:
        raise SystemExit(f"needs the sshd box: {available()}")
    operator = make_node_key("operator", home / "operator")
    spec = Spec.parse("vcpus=2,ram_gb=4,image=ubuntu")
    ledger = Ledger(home / "ledger.sqlite")

    (home / "moto").mkdir()
    with moto_server(home / "moto") as url, contextlib.ExitStack() as stack:
        boxes = {r: stack.enter_context(sshd_box("")) for r in REGIONS}
        providers: dict[str, AwsProvider] = {}
        plans: dict[str, Plan] = {}
        for region in REGIONS:
            cfg = AwsCloud.validate(
                {
                    "name": region,
                    "kind": "aws",
                    "regions": [region],
                    "endpoint_url": url,
                    "timeout": 60,
                    "read_only": False,
                    "overrides": {"ssh_endpoint": boxes[region].endpoint},
                }
            )
            p = AwsProvider(region, cfg, region)
            inv = p.fetch_inventory()
            site = site_for(
                CloudTarget(region, "aws", cfg, region),
                merge(region, "aws", None, inv, time.time()),
            )
            providers[region] = p
            plans[region] = make_plan(site, spec, read_only=False)

        def access(ctx: Context) -> NodeAccess:
            assert ctx.key is not None
            boxes[ctx.plan.cloud].add_key("ubuntu", ctx.key.public)  # cloud-init's part
            return default_access(ctx)

        def timed(regions: list[str]) -> float:
            runner = Runner(
                {r: providers[r] for r in regions},
                ledger,
                home / "keys",
                root_keys=[operator.public],
                root_identity=operator.private_path,
                access_for=access,
                known_hosts=home / f"known_hosts-{time.monotonic_ns()}",
            )
            t0 = time.perf_counter()
            runs = runner.run([plans[r] for r in regions])
            wall = time.perf_counter() - t0
            failed = [r.error for r in runs if not r.ok]
            if failed:  # a figure for a failed run would mean nothing
                raise SystemExit(f"provisioning failed: {failed}")
            return wall

        def reset_boxes() -> None:
            """Each run starts from a fresh image: password login on, no root keys."""
            for box in boxes.values():
                box.run(
                    "rm -f /etc/ssh/sshd_config.d/00-hybridtui.conf; kill -HUP 1;"
                    " : > /home/ubuntu/.ssh/authorized_keys"
                )

        sequential: list[float] = []
        parallel: list[float] = []
        for _ in range(args.runs):
            reset_boxes()
            sequential.append(sum(timed([r]) for r in REGIONS))
            reset_boxes()
            parallel.append(timed(REGIONS))
        seq, par = statistics.median(sequential), statistics.median(parallel)
        print(f"{len(REGIONS)} regions one after another  {seq:6.2f} s")
        print(
            f"{len(REGIONS)} regions at once            {par:6.2f} s"
            f"  = {par / seq:.2f}× one after another (1/{len(REGIONS)} = perfect overlap)"
        )


if __name__ == "__main__":
    main()
