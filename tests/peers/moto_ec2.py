"""A real EC2 API peer for the tests: moto in server mode, in its own process,
on 127.0.0.1, reached by the real boto3 over HTTP.

Moto 5's built-in AMIs are from 2017, so the peer is started with a catalogue
of realistic AMIs (the owners and name series of the real well-known owners),
and with moto's AMI, key-pair and instance-type validation on, so a typo fails
like it would on AWS.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from peers.ports import free_port

#: (owner id, name pattern, count): the series real accounts see.
AMI_SERIES = [
    ("099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-{d}", 8),
    ("099720109477", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-{d}", 6),
    (
        "099720109477",
        "ubuntu-minimal/images-testing/hvm-ssd/ubuntu-oracular-daily-amd64-minimal-{d}",
        4,
    ),
    ("137112412989", "al2023-ami-2023.6.{d}.0-kernel-6.1-x86_64", 6),
    ("137112412989", "amzn2-ami-kernel-5.10-hvm-2.0.{d}.0-x86_64-gp2", 4),
    ("136693071363", "debian-12-amd64-{d}-1925", 6),
    ("309956199498", "RHEL-9.4.0_HVM-{d}-x86_64-82-Hourly2-GP3", 4),
    ("125523088429", "CentOS Stream 9 x86_64 {d}", 4),
    ("125523088429", "Fedora-Cloud-Base-AmazonEC2.x86_64-41-{d}.0", 3),
    ("125523088429", "fedora-coreos-40.{d}.3.0-hvm.x86_64", 3),
    ("013907871322", "suse-sles-15-sp6-v{d}-hvm-ssd-x86_64", 3),
    ("679593333241", "some-marketplace-appliance-{d}", 5),  # not well-known: never listed
]
EPOCH = datetime(2026, 11, 1, tzinfo=UTC)


def ami_catalogue(seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for owner, pattern, count in AMI_SERIES:
        for k in range(count):
            when = EPOCH - timedelta(days=30 * k + rng.randint(0, 20))
            out.append(
                {
                    "ami_id": f"ami-0{rng.getrandbits(64):016x}",
                    "name": pattern.format(d=when.strftime("%Y%m%d")),
                    "description": pattern.split("/")[-1],
                    "owner_id": owner,
                    "public": True,
                    "state": "available",
                    "architecture": "x86_64",
                    "virtualization_type": "hvm",
                    "hypervisor": "xen",
                    "root_device_type": "ebs",
                    "root_device_name": "/dev/sda1",
                    "image_type": "machine",
                    "sriov": "simple",
                    "creation_date": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                }
            )
    return out


@contextmanager
def moto_server(workdir: Path) -> Iterator[str]:
    """Start `moto.server` on loopback; yield its base URL; stop it after.

    The port comes from `peers.ports`; if another process took it between the
    check and moto's bind, moto exits at once and the next port is tried."""
    amis = workdir / "amis.json"
    amis.write_text(json.dumps(ami_catalogue()))
    env = {
        **os.environ,
        "MOTO_AMIS_PATH": str(amis),
        "MOTO_ENABLE_AMI_VALIDATION": "true",
        "MOTO_ENABLE_KEYPAIR_VALIDATION": "true",
        "MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION": "true",
    }
    log = (workdir / "moto.log").open("w")
    try:
        for _attempt in range(5):
            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            url = f"http://127.0.0.1:{port}"
            if _answers(url, proc, deadline=time.monotonic() + 60):
                break
            _stop(proc)
        else:
            raise RuntimeError(f"moto server did not start; see {workdir / 'moto.log'}")
        try:
            yield url
        finally:
            _stop(proc)
    finally:
        log.close()


def _answers(url: str, proc: subprocess.Popen[bytes], deadline: float) -> bool:
    """Poll moto's API until it answers (True) or the process ends or time is up."""
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2).read()
            return True
        except OSError:
            if proc.poll() is not None:
                return False
            time.sleep(0.1)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def reset(url: str) -> None:
    """Forget every resource (moto's own reset endpoint)."""
    urllib.request.urlopen(
        urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10
    ).read()


def set_auth(url: str, enabled: bool) -> None:
    """Make moto check credentials against its IAM (the tests' keys are unknown to
    it), or stop checking. The value is how many calls pass before checks start."""
    data = b"0" if enabled else b"inf"
    req = urllib.request.Request(
        f"{url}/moto-api/reset-auth",
        data=data,
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    urllib.request.urlopen(req, timeout=10).read()


def seed_instances(url: str, regions: list[str], count: int) -> None:
    """`count` Ubuntu instances in each region (benchmarks), and moto's lazily
    loaded instance-type data warmed: it races when two regions load at once,
    and loading it is moto's cost, not the code under measurement."""
    import boto3

    for region in regions:
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=url)
        image = ec2.describe_images(Owners=["099720109477"])["Images"][0]["ImageId"]
        for start in range(0, count, 100):
            n = min(100, count - start)
            ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=n, MaxCount=n)
        ec2.describe_instance_types(MaxResults=5)
