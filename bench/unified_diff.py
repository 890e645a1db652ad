"""The unified table at 50 clouds x 2,000 nodes when one cloud has new data:
built again from scratch (what the dashboard did before) vs rebuilding only that
cloud's part and reusing the other 49 (`UnifiedRows`). Both are timed on the UI
thread's side: the rows, search text and widths, then `ResourceTable.set_data`
in a mounted table. Prints medians and the ratio; asserts nothing.

    .venv/bin/python bench/unified_diff.py [--clouds 50] [--nodes 2000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import time


async def run(clouds: int, nodes: int, rounds: int) -> None:
    from textual.app import App, ComposeResult

    from hybridtui.config import SimulatorCloud
    from hybridtui.domain import ResourceKind
    from hybridtui.inventory.model import InventoryModel
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.simulator.provider import SimulatorProvider
    from hybridtui.ui.themes import VARIABLE_DEFAULTS
    from hybridtui.ui.widgets.resource_table import ResourceTable
    from hybridtui.ui.widgets.resource_view import UnifiedRows, table_data

    names = [f"cloud-{i:02d}" for i in range(clouds)]
    cfg = SimulatorCloud(
        name="big", kind="simulator", profile="aws-default-vpc", latency=0, jitter=0, nodes=nodes
    )
    inv = SimulatorProvider("big", cfg).fetch_inventory()
    model = InventoryModel([CloudTarget(n, "simulator", cfg) for n in names])
    for n in names:
        model.load_cached(CloudSnapshot(n, "simulator", 0.0, nodes=inv.nodes))
    for n in names:  # the poll worker prepares cells off the UI thread: not timed
        model.rows(ResourceKind.NODES, n)

    class Bench(App[None]):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            return dict(VARIABLE_DEFAULTS)

        def compose(self) -> ComposeResult:
            yield ResourceTable()

    def one_cloud_changes(i: int) -> str:
        name = names[i % clouds]
        snap = model.snapshots[name]
        model.load_cached(dataclasses.replace(snap, nodes=snap.nodes[1:] + snap.nodes[:1]))
        model.rows(ResourceKind.NODES, name)
        return name

    app = Bench()
    whole: list[float] = []
    diff: list[float] = []
    kept = UnifiedRows()
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_data(kept.data(model, ResourceKind.NODES))
        for i in range(rounds):
            one_cloud_changes(i)
            t0 = time.perf_counter()
            table.set_data(table_data(model, ResourceKind.NODES, None))
            whole.append(time.perf_counter() - t0)
            await pilot.pause()
            t0 = time.perf_counter()  # the same change, seen by the kept parts
            table.set_data(kept.data(model, ResourceKind.NODES))
            diff.append(time.perf_counter() - t0)
            assert kept.built == [names[i % clouds]]
            await pilot.pause()
    a, b = statistics.median(whole), statistics.median(diff)
    print(f"unified table, {clouds} clouds x {nodes:,} nodes, one cloud changed, {rounds} rounds")
    print(f"  built whole:        {a * 1000:7.1f} ms (median)")
    print(f"  only that cloud's:  {b * 1000:7.1f} ms (median)")
    print(f"  ratio:              {b / a:7.2f}x  (the whole build = 1)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clouds", type=int, default=50)
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    asyncio.run(run(args.clouds, args.nodes, args.rounds))


if __name__ == "__main__":
    main()
