"""OpenStack: hybridtui's cold and warm `inventory` against the first script a
user would write, on the real OpenStack services of the test peer with 50
servers, in one run. Prints ratios and the API calls each made (counted by
path through proxies in front of Nova, Neutron and Glance, which every
contender goes through); asserts nothing.

The script: openstacksdk, one connection, a thread per listing: servers,
flavors, images, networks (the kinds that matter for the ratio). Every run,
the script's included, starts a new connection (a new token), as a new
process would.

Needs the test peer running (tests/peers/realstack/up.sh, as root). Servers
it creates are named `bench-…` and deleted at the end.

    .venv/bin/python bench/openstack_vs_script.py [--servers 50] [--rounds 3]
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

HOME = Path(os.environ.get("RS_HOME") or Path.home() / ".cache" / "hybridtui-realstack")
CLOUD = "bench"


def naive_script() -> int:
    """The first script a user writes: openstacksdk, a thread per listing."""
    import openstack

    conn = openstack.connect(cloud=CLOUD)
    calls = [
        lambda: list(conn.compute.servers(details=True)),
        lambda: list(conn.compute.flavors()),
        lambda: list(conn.image.images()),
        lambda: list(conn.network.networks()),
    ]
    with ThreadPoolExecutor(len(calls)) as pool:
        return sum(len(r) for r in pool.map(lambda f: f(), calls))


def timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def make_servers(n: int) -> Any:
    import openstack

    conn = openstack.connect(cloud="realstack")
    admin = openstack.connect(cloud="realstack-admin")
    admin.set_compute_quotas(conn.current_project_id, instances=n + 50, cores=4 * (n + 50))
    admin.set_network_quotas(conn.current_project_id, port=n + 50)
    net = conn.network.find_network("private") or conn.network.find_network("public")
    conn.compute.create_server(
        name="bench-vs-script",
        image_id=conn.image.find_image("ubuntu-22.04").id,
        flavor_id=conn.compute.find_flavor("m1.tiny").id,
        networks=[{"uuid": net.id}],
        min_count=n,
        max_count=n,
    )
    deadline = time.time() + 600
    while time.time() < deadline:
        states = [s.status for s in conn.compute.servers(name="bench-vs-script")]
        if len(states) >= n and all(s in ("ACTIVE", "ERROR") for s in states):
            break
        time.sleep(2)
    return conn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    clouds_yaml = HOME / "state" / "clouds.yaml"
    if not clouds_yaml.is_file():
        sys.exit(f"no test peer: run tests/peers/realstack/up.sh first ({clouds_yaml} missing)")
    home = Path(tempfile.mkdtemp(prefix="bench-home-"))
    ours = home / "clouds.yaml"
    shutil.copy(clouds_yaml, ours)
    os.environ.update(OS_CLIENT_CONFIG_FILE=str(ours), HYBRIDTUI_HOME=str(home))
    from conftest import realstack_in_use

    with realstack_in_use(HOME):  # its 50 servers and quotas would break a test session
        measure(args, home, ours)


def measure(args: argparse.Namespace, home: Path, ours: Path) -> None:
    from conftest import services_through_proxies

    conn = make_servers(args.servers)
    try:
        with services_through_proxies(ours, CLOUD) as (nova, neutron, glance):
            config = home / "os.yaml"
            config.write_text(
                f"clouds:\n  - name: os\n    kind: openstack\n    cloud: {CLOUD}\n    timeout: 120\n"
            )
            hybrid = inventory_runner(config)

            def cold() -> None:
                shutil.rmtree(home / "cache", ignore_errors=True)
                hybrid()

            def nodes_only() -> None:
                import openstack

                list(openstack.connect(cloud=CLOUD).compute.servers(details=True))

            proxies = (nova, neutron, glance)

            def count(fn: Any) -> Counter[str]:
                for p in proxies:
                    p.actions.clear()
                fn()
                out: Counter[str] = Counter()
                for p in proxies:
                    for path, n in p.actions.items():
                        out[path.split("?")[0].rstrip("/") or "/"] += n
                return out

            timings: dict[str, list[float]] = {
                k: [] for k in ("script", "cold", "warm", "warm_nodes", "nodes")
            }
            for _ in range(args.rounds):  # interleaved, so drift hits all alike
                timings["script"].append(timed(naive_script))
                timings["cold"].append(timed(cold))
                timings["warm"].append(timed(hybrid))
                timings["warm_nodes"].append(timed(lambda: hybrid("nodes")))
                timings["nodes"].append(timed(nodes_only))
            calls = {
                "script": count(naive_script),
                "cold": count(cold),
                "warm": count(hybrid),
                "warm --kind nodes": count(lambda: hybrid("nodes")),
            }
            processes = in_processes(
                "openstack_vs_script",
                [],
                config,
                lambda: shutil.rmtree(home / "cache", ignore_errors=True),
                args.rounds,
            )
    finally:
        for s in list(conn.compute.servers(name="bench-vs-script")):
            conn.compute.delete_server(s, ignore_missing=True)
    med = {k: statistics.median(v) for k, v in timings.items()}
    report(
        f"OpenStack services, {args.servers} servers, median of {args.rounds}",
        med,
        calls,
        "node listing alone (new connection, servers)",
        process_lines(processes),
    )


if __name__ == "__main__":
    main()
