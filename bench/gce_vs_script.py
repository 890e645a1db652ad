"""GCE: hybridtui's cold and warm `inventory` against the first script a user
would write, on the GCE REST peer (2 zones x 100 instances), in one run. Prints
ratios and the API calls each made (counted by the peer, which every
contender reaches through the real google-cloud-compute clients); asserts
nothing.

The peer answers in microseconds; real GCE takes 50-300 ms a call, so every
request waits `--latency` seconds at the peer (overlapping, as on the real
API), or the figures would only measure Python.

The script: google-cloud-compute, a thread per listing: instances and
machine types of each zone, the images of the public projects hybridtui
lists, and the networks (the kinds that matter for the ratio).

    .venv/bin/python bench/gce_vs_script.py [--instances 100] [--rounds 3] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import json
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

ZONES = ["europe-west1-b", "us-central1-a"]
PROJECT = "hybrid-test"


def naive_script(url: str, image_projects: list[str]) -> int:
    """The first script a user writes: a client per service, a thread per listing."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import compute_v1

    opts = ClientOptions(api_endpoint=url)
    instances = compute_v1.InstancesClient(client_options=opts, transport="rest")
    types = compute_v1.MachineTypesClient(client_options=opts, transport="rest")
    images = compute_v1.ImagesClient(client_options=opts, transport="rest")
    networks = compute_v1.NetworksClient(client_options=opts, transport="rest")
    calls: list[Any] = []
    for zone in ZONES:
        calls.append(lambda z=zone: list(instances.list(project=PROJECT, zone=z)))
        calls.append(lambda z=zone: list(types.list(project=PROJECT, zone=z)))
    calls += [lambda p=p: list(images.list(project=p)) for p in image_projects]
    calls.append(lambda: list(networks.list(project=PROJECT)))
    with ThreadPoolExecutor(len(calls)) as pool:
        return sum(len(r) for r in pool.map(lambda f: f(), calls))


def timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def seed(peer: Any, per_zone: int) -> None:
    """Instances made through the peer's own insert path (disks and all)."""
    peer.quota = 10 * per_zone * len(ZONES)
    peer.op_steps = 1
    for zone in ZONES:
        for i in range(per_zone):
            op = peer._insert(
                zone,
                {
                    "name": f"node-{zone[-1]}-{i:03d}",
                    "machineType": f"zones/{zone}/machineTypes/e2-small",
                    "disks": [
                        {
                            "boot": True,
                            "initializeParams": {
                                "sourceImage": "projects/debian-cloud/global/images/debian-12-bookworm-v20261105"
                            },
                        }
                    ],
                    "networkInterfaces": [{"accessConfigs": [{"name": "External NAT"}]}],
                },
            )
            peer._advance(op["name"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=100, help="per zone")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--latency", type=float, default=0.1)
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="bench-home-")
    os.environ.update(HYBRIDTUI_HOME=home, NO_GCE_CHECK="true")
    import google.auth
    from google.oauth2.credentials import Credentials
    from peers.gce_peer import PUBLIC_IMAGES, REFRESH_TOKEN, TOKEN, Fault, gce_peer

    from hybridtui.config import GceCloud

    # the credential *source* is the peer's token; every call is real HTTP
    google.auth.default = lambda *_, **__: (Credentials(token=TOKEN), PROJECT)  # type: ignore[assignment]
    # ...and for the fresh processes, the file `gcloud auth application-default
    # login` writes, holding that token unexpired (so nothing refreshes it)
    adc = Path(home) / "adc.json"
    adc.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "bench.apps.googleusercontent.com",
                "client_secret": "not-secret",
                "refresh_token": REFRESH_TOKEN,
                "token": TOKEN,
                "expiry": "2099-01-01T00:00:00Z",
            }
        )
    )
    os.environ.update(GOOGLE_APPLICATION_CREDENTIALS=str(adc), GOOGLE_CLOUD_PROJECT=PROJECT)

    with gce_peer() as peer:
        seed(peer, args.instances)
        if args.latency:
            peer.faults.append(Fault(delay=args.latency))
        config = Path(home) / "gce.yaml"
        config.write_text(
            f"clouds:\n  - name: gcp\n    kind: gce\n    project: {PROJECT}\n    timeout: 120\n"
            f"    zones: [{', '.join(ZONES)}]\n    api_endpoint: {peer.url}\n"
        )
        hybrid = inventory_runner(config)

        def cold() -> None:
            shutil.rmtree(Path(home) / "cache", ignore_errors=True)
            hybrid()

        def count(fn: Any) -> Counter[str]:
            peer.requests.clear()
            fn()
            return Counter(path.rsplit("/", 1)[-1] for _, path in peer.requests)

        def nodes_only() -> None:
            from google.api_core.client_options import ClientOptions
            from google.cloud import compute_v1

            client = compute_v1.InstancesClient(
                client_options=ClientOptions(api_endpoint=peer.url), transport="rest"
            )
            list(client.aggregated_list(project=PROJECT))

        families = GceCloud(name="g", kind="gce", project=PROJECT).image_families
        # (the public projects the peer has: it answers 404 for the others)
        public = {f.partition("/")[0] for f in families} & set(PUBLIC_IMAGES)
        projects = sorted({PROJECT, *public})
        timings: dict[str, list[float]] = {k: [] for k in ("script", "cold", "warm", "nodes")}
        timings["warm_nodes"] = []
        for _ in range(args.rounds):  # interleaved, so drift hits all alike
            timings["script"].append(timed(lambda: naive_script(peer.url, projects)))
            timings["cold"].append(timed(cold))
            timings["warm"].append(timed(hybrid))
            timings["warm_nodes"].append(timed(lambda: hybrid("nodes")))
            timings["nodes"].append(timed(nodes_only))
        calls = {
            "script": count(lambda: naive_script(peer.url, projects)),
            "cold": count(cold),
            "warm": count(hybrid),
            "warm --kind nodes": count(lambda: hybrid("nodes")),
        }
        med = {k: statistics.median(v) for k, v in timings.items()}
        processes = in_processes(
            "gce_vs_script",
            [peer.url, projects],
            config,
            lambda: shutil.rmtree(Path(home) / "cache", ignore_errors=True),
            args.rounds,
        )
        report(
            f"GCE peer, {len(ZONES)} zones x {args.instances} instances, "
            f"{args.latency * 1000:.0f} ms a call, median of {args.rounds}",
            med,
            calls,
            "node listing alone (aggregated list, plain client)",
            process_lines(processes),
        )


if __name__ == "__main__":
    main()
