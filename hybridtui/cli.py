"""Command line: flags, subcommands and exit codes.

Exit codes: 0 ok; 1 a cloud failed (inventory; data from the others is still
printed); 2 bad usage or config; 130 interrupted. User mistakes never print a
traceback. Only stdlib and our light modules load here: Textual and the cloud
SDKs are imported when (and only if) they are needed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hybridtui import __version__
from hybridtui.errors import ConfigError, HybridError

if TYPE_CHECKING:
    from hybridtui.settings import Settings

EXIT_OK, EXIT_CLOUD_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
KINDS = (
    "nodes",
    "flavors",
    "images",
    "networks",
    "keys",
    "addresses",
    "security-groups",
    "routers",
)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options valid before or after a subcommand (`hybridtui inventory --demo`)."""
    d = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--demo",
        action="store_true",
        default=d or False,
        help="use the built-in simulated clouds (no credentials needed)",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=d,
        help="config file (default: $HYBRIDTUI_CONFIG, then the user config dir)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=d or False,
        help="show cached inventory only; never call a cloud",
    )
    parser.add_argument("--theme", metavar="NAME", default=d, help="colour theme")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hybridtui",
        description="Terminal dashboard and interop comparator for hybrid clouds.",
    )
    parser.add_argument("--version", action="version", version=f"hybridtui {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    inv = sub.add_parser("inventory", help="print inventory for scripts (table, json, csv)")
    _global_options(inv, suppress=True)
    inv.add_argument(
        "--cloud", action="append", metavar="NAME", default=[], help="only this cloud (repeatable)"
    )
    inv.add_argument(
        "--kind",
        choices=[*KINDS, "all"],
        default="nodes",
        help="resource kind (default: nodes; `all` with --format json)",
    )
    inv.add_argument("--format", choices=("table", "json", "csv"), default="table")
    inv.add_argument("--raw", action="store_true", help="json: include each provider's raw record")
    inv.add_argument(
        "--refresh-catalogue",
        action="store_true",
        help="fetch flavors, images and networks even when the cached ones are recent",
    )

    loc = sub.add_parser("locate", help="print where config, cache, themes and logs live")
    _global_options(loc, suppress=True)
    loc.add_argument("--profiles", action="store_true", help="list the demo cloud profiles")
    chk = sub.add_parser("check-config", help="validate the config file and exit")
    _global_options(chk, suppress=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "locate":
            return _locate(args)
        settings = _settings(args)
        if args.command == "check-config":
            _check_regions(settings)
            n = len(settings.config.clouds)
            print(f"{settings.source}: OK ({n} cloud{'s' if n != 1 else ''})")
            return EXIT_OK
        if args.command == "inventory":
            return _inventory(args, settings)
        return _run_app(settings)
    except ConfigError as e:
        _print_error(e)
        return EXIT_USAGE
    except HybridError as e:
        _print_error(e)
        return EXIT_CLOUD_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _settings(args: argparse.Namespace) -> Settings:
    from hybridtui.settings import resolve_settings

    if args.demo and args.config:
        raise ConfigError("--demo and --config exclude each other")
    return resolve_settings(
        demo=args.demo, config_path=args.config, offline=args.offline, theme=args.theme
    )


def _check_regions(settings: Settings) -> None:
    """AWS regions against botocore's own list (only here: importing botocore
    has no place on the way to the dashboard's first paint)."""
    from pathlib import Path

    from hybridtui.config import check_aws_regions

    if not any(c.kind == "aws" for c in settings.config.clouds):
        return
    try:
        import botocore.session
    except ModuleNotFoundError:
        print("note: AWS regions not checked (botocore is not installed: pip install 'hybridtui[aws]')",
              file=sys.stderr)  # fmt: skip
        return
    known = botocore.session.get_session().get_available_regions("ec2")
    path = Path(settings.source)
    problems = check_aws_regions(path.read_text(encoding="utf-8"), str(path), known)
    if problems:
        n = len(problems)
        raise ConfigError(f"{path}: {n} problem{'s' if n != 1 else ''} found", problems=problems,
                          hint="Fix them all and run `hybridtui check-config` again.")  # fmt: skip


def _print_error(e: HybridError) -> None:
    """Title, message and hint on stderr; no traceback, no hard wrapping (keeps
    `file:line:` problems greppable)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(Text(f"hybridtui: {e.title}", style="bold red"))
    console.print(Text(str(e)))
    if e.hint:
        console.print(Text(e.hint, style="dim"))


def _locate(args: argparse.Namespace) -> int:
    from hybridtui.paths import data_dir, resolve_paths

    if args.profiles:
        from hybridtui.providers.demo_profiles import PROFILES

        for p in PROFILES.values():
            print(f"{p.key:24} {p.title}")
        return EXIT_OK
    paths = resolve_paths()
    for label, value in (
        ("config file", paths.config_file),
        ("user themes", paths.user_themes_dir),
        ("cache", paths.inventory_cache_dir),
        ("logs", paths.log_dir),
        ("built-in themes", data_dir("themes")),
        ("sample configs", data_dir("sample_configs")),
    ):
        print(f"{label:16} {value}")
    return EXIT_OK


def _open_cache(settings: Settings) -> object | None:
    from hybridtui.inventory.cache import InventoryCache

    try:
        return InventoryCache(settings.paths.inventory_cache_dir)
    except OSError as e:
        print(f"warning: cache unavailable ({e}); continuing without it", file=sys.stderr)
        return None


def _inventory(args: argparse.Namespace, settings: Settings) -> int:
    from hybridtui.domain import ResourceKind
    from hybridtui.inventory import report
    from hybridtui.providers import targets_for

    targets = targets_for(settings.config)
    if args.cloud:
        names = {t.name for t in targets}
        unknown = [c for c in args.cloud if c not in names]
        if unknown:
            raise ConfigError(
                f"unknown cloud {', '.join(map(repr, unknown))}; configured: {', '.join(sorted(names))}"
            )
        targets = [t for t in targets if t.name in args.cloud]
    if args.kind == "all" and args.format != "json":
        raise ConfigError("--kind all works with --format json only")
    kinds = list(ResourceKind) if args.kind == "all" else [ResourceKind(args.kind)]

    cache = _open_cache(settings)
    results = report.collect(
        targets,
        cache,  # type: ignore[arg-type]
        offline=settings.offline,
        kinds=kinds,
        refresh_catalogue=args.refresh_catalogue,
    )
    now = time.time()
    if args.format == "json":
        out = report.to_json(results, kinds, now=now, raw=args.raw)
    elif args.format == "csv":
        out = report.to_csv(results, kinds[0])
    else:
        out = report.to_table(results, kinds[0])
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    failed = False
    for r in results:
        if r.status == "error" and r.error is not None:
            failed = True
            note = " (showing cached data)" if r.from_cache else ""
            _print_problem(r.error.message + note, r.error.hint)
            continue
        for kind in kinds:
            err = r.kind_error(kind)
            if err is not None:
                failed = True
                cached = (
                    " (showing cached data)" if r.snapshot and r.snapshot.resources(kind) else ""
                )
                hint = err.hint
                if err.denied:
                    hint = (hint + " " if hint else "") + (
                        "Refusals are remembered: asked again after `catalogue_interval`"
                        " or with --refresh-catalogue."
                    )
                _print_problem(f"{r.target.name}: {kind}: {err.message}{cached}", hint)
    return EXIT_CLOUD_FAILED if failed else EXIT_OK


def _print_problem(message: str, hint: str | None) -> None:
    """One failure on stderr with what to do about it (never cut)."""
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)


def _run_app(settings: Settings) -> int:
    from hybridtui.ui.app import make_app

    app = make_app(settings)
    app.run()
    return app.return_code or EXIT_OK
