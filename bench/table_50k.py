"""50,000 nodes in one table: hybridtui's line-API ResourceTable vs Textual's
DataTable, in the same run, each in its own process (so RSS is its own).

Measures: time to load the rows, time per filter keystroke (filter + render of
the visible window), and resident memory. Prints figures and ratios; asserts
nothing (benchmarks are not tests).

    .venv/bin/python bench/table_50k.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

KEYSTROKES = ["k", "ka", "kaf", "kafk", "kafka", "kafka-", "kafka-s", ""]
#: The filter language's other terms, typed with the rows sorted by public IP
#: (the `features` variant; its matches are highlighted as it renders).
FEATURE_KEYSTROKES = [
    "s",
    "state:r",
    "state:running",
    "state:running !k",
    "state:running !kafka",
    "^kafka-.*0$",
    "cloud:big kafka",
    "",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_rows(n: int):  # type: ignore[no-untyped-def]
    from hybridtui.config import SimulatorCloud
    from hybridtui.inventory.model import InventoryModel
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.simulator.provider import SimulatorProvider

    cfg = SimulatorCloud(
        name="big", kind="simulator", profile="aws-default-vpc", latency=0, jitter=0, nodes=n
    )
    inv = SimulatorProvider("big", cfg).fetch_inventory()
    model = InventoryModel([CloudTarget("big", "simulator", cfg)])
    model.load_cached(CloudSnapshot("big", "simulator", 0.0, nodes=inv.nodes))
    return model


async def run_variant(variant: str, n: int) -> dict[str, object]:
    from textual.app import App, ComposeResult
    from textual.geometry import Region
    from textual.widgets import DataTable

    from hybridtui.domain import ResourceKind
    from hybridtui.ui.widgets.resource_table import ResourceTable
    from hybridtui.ui.widgets.resource_view import table_data

    model = make_rows(n)
    t0 = time.perf_counter()
    data = table_data(model, ResourceKind.NODES, "big")
    build_s = time.perf_counter() - t0
    hay = ["\x00".join(r).lower() for r in data.rows]  # DataTable's filter gets the same haystack

    from hybridtui.ui.themes import VARIABLE_DEFAULTS

    class Bench(App[None]):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            return dict(VARIABLE_DEFAULTS)  # the table's CSS uses the app's semantic colours

        def compose(self) -> ComposeResult:
            yield DataTable() if variant == "datatable" else ResourceTable()

    app = Bench()
    result: dict[str, object] = {"variant": variant, "rows": n, "build_s": build_s}
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        rss_before = rss_mb()
        table = app.query_one(DataTable if variant == "datatable" else ResourceTable)
        region = Region(0, 0, table.size.width, table.size.height)

        t0 = time.perf_counter()
        if isinstance(table, ResourceTable):
            table.set_data(data)
        else:
            table.add_columns(*data.headers)
            table.add_rows(data.rows)
        table.render_lines(region)
        result["load_s"] = time.perf_counter() - t0
        await pilot.pause()

        strokes = KEYSTROKES
        if variant == "features" and isinstance(table, ResourceTable):
            table.context = {"cloud": "big"}
            t0 = time.perf_counter()
            table.sort_by(data.headers.index("Public IP"), descending=True)
            result["sort_s"] = time.perf_counter() - t0
            strokes = FEATURE_KEYSTROKES
        times = []
        for q in strokes:
            t0 = time.perf_counter()
            if isinstance(table, ResourceTable):
                table.set_filter(q)
            else:
                table.clear()
                table.add_rows([data.rows[i] for i, h in enumerate(hay) if q in h])
            table.render_lines(region)
            times.append(time.perf_counter() - t0)
            await pilot.pause()
        result["filter_ms_median"] = statistics.median(times) * 1000
        result["per_keystroke_ms"] = {
            q or "(cleared)": round(t * 1000, 1) for q, t in zip(strokes, times, strict=True)
        }
        result["filter_ms_max"] = max(times) * 1000
        result["rss_mb"] = rss_mb()
        result["rss_delta_mb"] = rss_mb() - rss_before
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--variant", choices=("resource_table", "datatable", "features"))
    args = ap.parse_args()
    if args.variant:
        print(json.dumps(asyncio.run(run_variant(args.variant, args.rows))))
        return
    results = {}
    for variant in ("resource_table", "datatable", "features"):
        out = subprocess.run(
            [sys.executable, __file__, "--variant", variant, "--rows", str(args.rows)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[variant] = json.loads(out.stdout.strip().splitlines()[-1])
    ours, theirs = results["resource_table"], results["datatable"]
    print(f"{args.rows:,} nodes, 160x48 headless, {len(KEYSTROKES)} filter keystrokes")
    print(
        f"records → cells: {ours['build_s']:.2f} s (the app does this in the poll worker, off the UI thread)"
    )
    print(f"{'':24}{'ResourceTable':>15}{'DataTable':>15}{'ratio':>10}")
    for key, label in (
        ("load_s", "load (s)"),
        ("filter_ms_median", "keystroke median (ms)"),
        ("filter_ms_max", "keystroke max (ms)"),
        ("rss_mb", "process RSS (MB)"),
        ("rss_delta_mb", "RSS for the table (MB)"),
    ):
        a, b = float(ours[key]), float(theirs[key])  # type: ignore[arg-type]
        print(f"{label:24}{a:15.2f}{b:15.2f}{(b / a if a else float('inf')):9.1f}x")

    feat = results["features"]
    print()
    print(
        f"sorted by public IP (first sort {float(feat['sort_s']) * 1000:.0f} ms), "  # type: ignore[arg-type]
        f"then {len(FEATURE_KEYSTROKES)} keystrokes of field:value, negation and regex, "
        "matches highlighted:"
    )
    for key, label in (
        ("filter_ms_median", "keystroke median (ms)"),
        ("filter_ms_max", "keystroke max (ms)"),
    ):
        a, b = float(ours[key]), float(feat[key])  # type: ignore[arg-type]
        print(
            f"{label:24}{a:15.2f}{b:15.2f}{(b / a if a else float('inf')):9.1f}x  (plain vs features)"
        )
    per = feat["per_keystroke_ms"]
    assert isinstance(per, dict)
    print("each keystroke (ms): " + ", ".join(f"{q!r} {t}" for q, t in per.items()))


if __name__ == "__main__":
    main()
