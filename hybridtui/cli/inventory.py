"""`hybridtui inventory`: what the configured clouds hold, as a table, CSV or
JSON, from the cache first as the dashboard reads it (`--offline`: the cache
only; JSON of cached data is printed from the cache's dicts, never built)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from hybridtui.cli import EXIT_CLOUD_FAILED, EXIT_OK, _collect, _report_failures, _targets
from hybridtui.errors import ConfigError

if TYPE_CHECKING:
    from hybridtui.settings import Settings


def inventory(args: argparse.Namespace, settings: Settings) -> int:
    from hybridtui.domain import ResourceKind
    from hybridtui.inventory import report
    from hybridtui.privacy import masker_for

    targets = _targets(settings, args.cloud)
    if args.kind == "all" and args.format != "json":
        raise ConfigError("--kind all works with --format json only")
    kinds = list(ResourceKind) if args.kind == "all" else [ResourceKind(args.kind)]

    # JSON of cached data is printed from the cache's dicts, never built
    results, _ = _collect(args, settings, targets, kinds, plain=args.format == "json")
    now = time.time()
    if args.format == "json":
        write(report.json_bytes(results, kinds, now=now, raw=args.raw))
        return EXIT_CLOUD_FAILED if _report_failures(results, kinds) else EXIT_OK
    if args.format == "csv":
        out = report.to_csv(results, kinds[0])
    else:
        mask = masker_for(settings).text if settings.privacy else None
        out = report.to_table(results, kinds[0], cut=sys.stdout.isatty(), mask=mask)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return EXIT_CLOUD_FAILED if _report_failures(results, kinds) else EXIT_OK


def write(data: bytes) -> None:
    """A line of bytes to stdout as they are (a 100,000-node export is 70 MB,
    and a text stream would copy it twice), or as text to a stream that masks
    it (`--privacy`)."""
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(data.decode() + "\n")
        return
    sys.stdout.flush()
    out.write(data)
    out.write(b"\n")
    out.flush()
