"""The comparator at size: 10 demo clouds with 5,000 images and 1,000 flavors
each — the scorecard with a spec (all eight steps, behaviour rows, equivalence)
and one image's equivalents on the other nine clouds.

Baseline, in the same run: building the display cells of the same snapshots
(`columns.prepare_rows`), which every refresh already pays in its worker. Also
printed: the scorecard as a share of the default refresh interval (60 s). The
dashboard computes the scorecard in a worker thread, after a refresh lands.
Prints figures; asserts nothing.

    .venv/bin/python bench/interop.py [--clouds 10] [--images 5000] [--flavors 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hybridtui.columns import prepare_rows  # noqa: E402
from hybridtui.config import SimulatorCloud  # noqa: E402
from hybridtui.domain import ResourceKind  # noqa: E402
from hybridtui.interop.equivalence import Spec, equivalents  # noqa: E402
from hybridtui.interop.scorecard import build  # noqa: E402
from hybridtui.interop.site import site_for  # noqa: E402
from hybridtui.inventory.poller import Poller  # noqa: E402
from hybridtui.inventory.snapshot import CloudSnapshot  # noqa: E402
from hybridtui.providers import CloudTarget  # noqa: E402
from hybridtui.providers.simulator.profiles import PROFILES  # noqa: E402


def grow(snap: CloudSnapshot, images: int, flavors: int, rng: random.Random) -> CloudSnapshot:
    """The snapshot with its catalogue copied up to the wanted size: more builds of
    each series (new ids, older dates), more sizes of each flavor family."""
    imgs = list(snap.images)
    base = list(snap.images)
    n = 0
    while len(imgs) < images and base:
        src = base[n % len(base)]
        n += 1
        imgs.append(
            replace(
                src,
                id=f"{src.id}-{n}",
                name=f"{src.name}.{n}",
                created_at=str(src.created_at)[:10] + f"T00:{n % 60:02d}:00",
            )
        )
    fls = list(snap.flavors)
    base_f = list(snap.flavors)
    n = 0
    while len(fls) < flavors and base_f:
        src = base_f[n % len(base_f)]
        n += 1
        fls.append(
            replace(
                src,
                id=f"{src.id}-{n}",
                name=f"{src.name}-v{n}",
                vcpus=src.vcpus * rng.choice((1, 2, 4)),
                ram_mb=src.ram_mb * rng.choice((1, 2, 4)),
            )
        )
    return replace(snap, images=tuple(imgs[:images]), flavors=tuple(fls[:flavors]))


def median_time(fn, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clouds", type=int, default=10)
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--flavors", type=int, default=1000)
    args = ap.parse_args()
    profiles = list(PROFILES)
    targets = []
    for i in range(args.clouds):
        profile = profiles[i % len(profiles)]
        cfg = SimulatorCloud(
            name=f"c{i:02d}", kind="simulator", profile=profile, seed=i, latency=0, jitter=0
        )
        targets.append(CloudTarget(cfg.name, cfg.kind, cfg))
    poller = Poller(targets, cache=None)
    try:
        snaps = {o.cloud: o.snapshot for o in poller.poll()}
    finally:
        poller.close()
    rng = random.Random(7)
    grown = {
        name: grow(s, args.images, args.flavors, rng) for name, s in snaps.items() if s is not None
    }
    sites = [site_for(t, grown[t.name]) for t in targets]
    spec = Spec.parse("vcpus=4,ram_gb=8,image=ubuntu-22.04")
    n_images = sum(len(s.images) for s in grown.values())
    n_flavors = sum(len(s.flavors) for s in grown.values())
    print(
        f"{args.clouds} clouds: {n_images:,} images, {n_flavors:,} flavors, "
        f"{sum(len(s.nodes) for s in grown.values()):,} nodes"
    )

    baseline = median_time(
        lambda: [prepare_rows({k: s.resources(k) for k in ResourceKind}) for s in grown.values()]
    )
    card_t = median_time(lambda: build(sites, spec))
    plain_t = median_time(lambda: build(sites))
    image = next(i for i in grown["c00"].images if i.distro == "ubuntu")
    eq_t = median_time(lambda: equivalents(image, sites, exclude="c00"))
    card = build(sites, spec)
    complete = sum(1 for m in card.matches.values() if m.complete)
    print(f"baseline: display cells of the same snapshots   {baseline * 1000:8.1f} ms")
    print(
        f"scorecard, no spec                               {plain_t * 1000:8.1f} ms  ({plain_t / baseline:.2f}× baseline)"
    )
    print(
        f"scorecard with spec (equivalence on every cloud) {card_t * 1000:8.1f} ms  ({card_t / baseline:.2f}× baseline, "
        f"{card_t / 60 * 100:.3f} % of a 60 s refresh interval)"
    )
    print(
        f"one image's equivalents on {args.clouds - 1} clouds           {eq_t * 1000:8.1f} ms  ({eq_t / baseline:.2f}× baseline)"
    )
    print(f"clouds with a complete match for {spec}: {complete}/{args.clouds}")


if __name__ == "__main__":
    main()
