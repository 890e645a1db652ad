"""Two OpenStack clouds (the member and the admin project of the test peer) with
200 servers between them: hybridtui's refresh wall time vs `openstack server
list` + `openstack flavor list` + `openstack image list` (python-openstackclient)
for each cloud, one after another, as a ratio. Prints figures; asserts nothing.

Needs the test peer running (tests/peers/realstack/up.sh, as root) and the
`openstack` CLI (pip install python-openstackclient). Servers it creates carry
the name prefix `bench-` and are deleted at the end.

    .venv/bin/python bench/openstack_inventory.py [--servers 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HOME = Path(os.environ.get("RS_HOME") or Path.home() / ".cache" / "hybridtui-realstack")
CLOUDS = ["realstack", "realstack-admin"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=200)
    args = ap.parse_args()
    clouds_yaml = HOME / "state" / "clouds.yaml"
    if not clouds_yaml.is_file():
        sys.exit(f"no test peer: run tests/peers/realstack/up.sh first ({clouds_yaml} missing)")
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(clouds_yaml)
    cli = shutil.which("openstack") or str(HOME / "venv" / "bin" / "openstack")
    import openstack

    from hybridtui.config import AppConfig
    from hybridtui.inventory.poller import Poller
    from hybridtui.providers import targets_for

    per_cloud = args.servers // len(CLOUDS)
    conns = {c: openstack.connect(cloud=c) for c in CLOUDS}
    admin = conns["realstack-admin"]
    for name in CLOUDS:  # room for the servers in each project
        project = conns[name].current_project_id
        admin.set_compute_quotas(project, instances=per_cloud + 50, cores=4 * (per_cloud + 50))
        admin.set_network_quotas(project, port=per_cloud + 50)
    t0 = time.perf_counter()
    for name, conn in conns.items():
        net = conn.network.find_network("private") or conn.network.find_network("public")
        image = conn.image.find_image("ubuntu-22.04")
        flavor = conn.compute.find_flavor("m1.tiny")
        conn.compute.create_server(
            name=f"bench-{name}",
            image_id=image.id,
            flavor_id=flavor.id,
            networks=[{"uuid": net.id}],
            min_count=per_cloud,
            max_count=per_cloud,
        )
    deadline = time.time() + 900
    while time.time() < deadline:
        states = [s.status for c in conns.values() for s in c.compute.servers(name="bench-")]
        if len(states) >= per_cloud * len(CLOUDS) and all(s in ("ACTIVE", "ERROR") for s in states):
            break
        time.sleep(3)
    print(
        f"created {len(states)} servers in {time.perf_counter() - t0:.0f} s ({states.count('ACTIVE')} active)"
    )

    try:
        config = AppConfig.validate(
            {
                "clouds": [
                    {"name": c, "kind": "openstack", "cloud": c, "timeout": 120} for c in CLOUDS
                ]
            }
        )
        poller = Poller(targets_for(config))
        t0 = time.perf_counter()
        outcomes = list(poller.poll())
        ours = time.perf_counter() - t0
        nodes = sum(len(o.snapshot.nodes) for o in outcomes if o.snapshot)
        assert all(o.ok for o in outcomes), [o.error for o in outcomes]

        t0 = time.perf_counter()
        for cloud in CLOUDS:
            for what in ("server", "flavor", "image"):
                subprocess.run(
                    [cli, "--os-cloud", cloud, what, "list", "-f", "value"],
                    stdout=subprocess.DEVNULL,
                    check=True,
                )
        theirs = time.perf_counter() - t0
        print(
            f"hybridtui refresh, both clouds at once (servers, flavors, images, networks, keys, FIPs): "
            f"{ours:.2f} s, {nodes} servers"
        )
        print(f"openstack server/flavor/image list per cloud, one after another: {theirs:.2f} s")
        print(f"ratio: {theirs / ours:.2f}x")
    finally:
        for conn in conns.values():
            for s in list(conn.compute.servers(name="bench-")):
                conn.compute.delete_server(s, ignore_missing=True)


if __name__ == "__main__":
    main()
