"""`hybridtui compare` and `hybridtui capture`: the scorecard of one collection
of the clouds, printed in a format, or saved with the records for `--replay`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING

from hybridtui.cli import (
    EXIT_CLOUD_FAILED,
    EXIT_OK,
    _collect,
    _report_failures,
    _targets,
)
from hybridtui.errors import UsageError

if TYPE_CHECKING:
    from hybridtui.domain import ResourceKind
    from hybridtui.interop.equivalence import Spec
    from hybridtui.inventory.report import CloudResult
    from hybridtui.inventory.scorecards import Comparison
    from hybridtui.providers import CloudTarget
    from hybridtui.settings import Settings


def compare(args: argparse.Namespace, settings: Settings) -> int:
    """`hybridtui compare`: the scorecard as a table, JSON, Markdown, CSV or JUnit."""
    from hybridtui.domain import ResourceKind
    from hybridtui.interop import report as interop_report
    from hybridtui.interop.equivalence import Spec, SpecError

    try:
        spec = Spec.parse(args.spec) if args.spec else None
    except SpecError as e:
        raise UsageError(
            f"--spec: {e}", hint="Example: --spec vcpus=2,ram_gb=4,image=ubuntu-22.04"
        ) from None
    if args.diff and args.format not in ("table", "json"):
        raise UsageError("--diff prints table or json", hint="Use --format table or --format json.")
    targets = _targets(settings, list(args.diff) if args.diff else args.cloud)
    if args.diff and args.diff[0] == args.diff[1]:
        raise UsageError(f"--diff needs two different clouds, got {args.diff[0]!r} twice")
    # everything the rules read; addresses decide nothing the scorecard shows
    kinds: list[ResourceKind] = [k for k in ResourceKind if k is not ResourceKind.ADDRESSES]
    results, result, now = _compared(args, settings, targets, kinds, spec)
    card = result.scorecard
    this_run = [ch for ch in result.changes if ch.since == now]
    if args.diff:
        from hybridtui.interop.diff import diff, diff_text
        from hybridtui.interop.site import site_for

        snapshots = {r.target.name: r.snapshot for r in results}
        sites = {t.name: site_for(t, snapshots.get(t.name)) for t in targets}
        d = diff(card, sites, *args.diff)
        if args.format == "json":
            out = (
                json.dumps(
                    {
                        "schema": interop_report.SCHEMA,
                        "generated_at": interop_report.iso(now),
                        "diff": d.to_dict(),
                    },
                    indent=2,
                )
                + "\n"
            )
        else:
            out = diff_text(d, width=10_000)
    elif args.format == "json":
        out = interop_report.to_json(
            card,
            now=now,
            clouds=_clouds_json(results),
            changes=result.changes if args.changes else None,
        )
    elif args.format == "markdown":
        out = interop_report.to_markdown(card, now=now)
    elif args.format == "csv":
        out = interop_report.to_csv(card)
    elif args.format == "junit":
        out = interop_report.to_junit(card, this_run)
    elif args.changes:
        out = interop_report.changes_text(result.changes)
    else:
        out = interop_report.to_table(card, result.changed)
    sys.stdout.write(out)
    return EXIT_CLOUD_FAILED if _report_failures(results, kinds) else EXIT_OK


def _compared(
    args: argparse.Namespace,
    settings: Settings,
    targets: list[CloudTarget],
    kinds: list[ResourceKind],
    spec: Spec | None = None,
) -> tuple[list[CloudResult], Comparison, float]:
    """One collection of `kinds` (the cache first, as `inventory` does), then
    the scorecard of it: what `compare` and `capture` print."""
    from hybridtui.inventory.scorecards import compare

    results, cache = _collect(args, settings, targets, kinds)
    now = time.time()
    snapshots = {r.target.name: r.snapshot for r in results}
    result = compare(targets, snapshots, cache, spec=spec, now=now, keep=not settings.offline)
    return results, result, now


def _clouds_json(results: list[CloudResult]) -> list[dict[str, object]]:
    """Each cloud's state, as `compare --format json` lists it."""
    from hybridtui.inventory.report import _iso

    return [
        {
            "cloud": r.target.name,
            "provider": r.target.kind,
            "status": r.status,
            "fetched_at": _iso(r.snapshot.fetched_at) if r.snapshot else None,
        }
        for r in results
    ]


def capture(args: argparse.Namespace, settings: Settings) -> int:
    """`hybridtui capture FILE`: every kind of every cloud and the scorecard,
    in the format `--replay` reads (hybridtui.capture)."""
    from pathlib import Path

    from hybridtui import capture
    from hybridtui.domain import ResourceKind
    from hybridtui.interop import report as interop_report
    from hybridtui.privacy import masker_for

    kinds = list(ResourceKind)
    results, result, now = _compared(args, settings, _targets(settings, args.cloud), kinds)
    card_json = interop_report.to_json(result.scorecard, now=now, clouds=_clouds_json(results))
    doc = capture.document(results, card_json, now, masked=settings.privacy)
    path = Path(args.capture_file).expanduser()
    capture.write(path, doc, masker_for(settings) if settings.privacy else None)
    nodes = sum(len(r.snapshot.nodes) for r in results if r.snapshot)
    masked = ", masked" if settings.privacy else ""
    print(f"{path}: {len(results)} clouds, {nodes} nodes{masked}", file=sys.stderr)
    return EXIT_CLOUD_FAILED if _report_failures(results, kinds) else EXIT_OK
