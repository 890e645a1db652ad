"""Command line: flags, subcommands and exit codes.

Exit codes: 0 ok; 1 a cloud failed (inventory; data from the others is still
printed); 2 bad usage or config; 130 interrupted. User mistakes never print a
traceback. Only stdlib and our light modules load here: Textual and the cloud
SDKs are imported when (and only if) they are needed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hybridtui import __version__
from hybridtui.errors import ConfigError, HybridError, NoConfigError, UsageError

if TYPE_CHECKING:
    from hybridtui.domain import ResourceKind
    from hybridtui.inventory.cache import InventoryCache
    from hybridtui.inventory.report import CloudResult
    from hybridtui.providers import CloudTarget
    from hybridtui.settings import Settings

EXIT_OK, EXIT_CLOUD_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Output piped into a reader that stopped (`| head`): as a shell says SIGPIPE.
EXIT_PIPE = 141
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


#: Where each global option means something: a subcommand offers only these.
READS = ("demo", "config", "offline", "privacy", "replay")
ALL_GLOBAL = ("demo", "config", "offline", "theme", "read-only", "privacy", "replay")


def _global_options(
    parser: argparse.ArgumentParser, *, suppress: bool, only: Sequence[str] = ALL_GLOBAL
) -> None:
    """Options valid before or after a subcommand (`hybridtui inventory --demo`),
    each only where it does something (`--theme` is the dashboard's)."""
    d = argparse.SUPPRESS if suppress else None
    if "demo" in only:
        parser.add_argument(
            "--demo",
            action="store_true",
            default=d or False,
            help="use the built-in simulated clouds (no credentials needed)",
        )
    if "config" in only:
        parser.add_argument(
            "--config",
            metavar="PATH",
            default=d,
            help="config file (default: $HYBRIDTUI_CONFIG, then the user config dir)",
        )
    if "offline" in only:
        parser.add_argument(
            "--offline",
            action="store_true",
            default=d or False,
            help="show cached inventory only; never call a cloud",
        )
    if "replay" in only:
        parser.add_argument(
            "--replay",
            metavar="FILE",
            default=d,
            help="show a capture (`hybridtui capture FILE`) instead of the clouds: "
            "no credentials, no network",
        )
    if "privacy" in only:
        parser.add_argument(
            "--privacy",
            action="store_true",
            default=d or False,
            help="mask IP addresses, account/project ids, key fingerprints and resource ids "
            "(the same value, the same mask) in what is printed",
        )
    if "theme" in only:
        parser.add_argument("--theme", metavar="NAME", default=d, help="colour theme")
    if "read-only" in only:
        parser.add_argument(
            "--read-only",
            action="store_true",
            default=d or False,
            help="refuse every write (provision, destroy, cleanup) on every cloud",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hybridtui",
        description="Terminal dashboard and interop comparator for hybrid clouds.",
    )
    parser.add_argument("--version", action="version", version=f"hybridtui {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    inv = sub.add_parser("inventory", help="print inventory for scripts (table, json, csv)")
    _global_options(inv, suppress=True, only=READS)
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

    cmp_ = sub.add_parser(
        "compare",
        help="the interop scorecard: how each cloud behaves at the eight node-allocation steps",
        description="Compare the clouds' behaviour at each of the eight node-allocation steps "
        "(and the behaviour rows under them), using the same poller and cache as `inventory`.",
    )
    _global_options(cmp_, suppress=True, only=READS)
    cmp_.add_argument(
        "--cloud", action="append", metavar="NAME", default=[], help="only this cloud (repeatable)"
    )
    cmp_.add_argument(
        "--spec",
        metavar="SPEC",
        help="also find each cloud's flavor, image and network for a cloud-neutral spec, "
        "e.g. vcpus=2,ram_gb=4,image=ubuntu-22.04 (keys: vcpus ram_gb disk_gb arch gpu image)",
    )
    cmp_.add_argument(
        "--changes", action="store_true", help="list behaviour changes kept in the history"
    )
    cmp_.add_argument(
        "--diff",
        nargs=2,
        metavar=("CLOUD_A", "CLOUD_B"),
        help="only what differs between two clouds: checks, flavor sizes, image releases",
    )
    cmp_.add_argument(
        "--format", choices=("table", "json", "markdown", "csv", "junit"), default="table"
    )
    cmp_.add_argument(
        "--refresh-catalogue",
        action="store_true",
        help="fetch flavors, images and networks even when the cached ones are recent",
    )

    cap = sub.add_parser(
        "capture",
        help="save the clouds' inventories and scorecard to a file, for --replay",
        description="Save every kind of every configured cloud and the scorecard to FILE "
        "(secrets scrubbed; --privacy masks addresses and ids), to show offline with "
        "`hybridtui --replay FILE`.",
    )
    _global_options(cap, suppress=True, only=("demo", "config", "offline", "privacy"))
    cap.add_argument("capture_file", metavar="FILE", help="where to write the capture (JSON)")
    cap.add_argument(
        "--cloud", action="append", metavar="NAME", default=[], help="only this cloud (repeatable)"
    )
    cap.add_argument(
        "--refresh-catalogue",
        action="store_true",
        help="fetch flavors, images and networks even when the cached ones are recent",
    )

    from hybridtui.cli import serve

    serve.add_parser(sub, _global_options)

    from hybridtui.cli import provision

    provision.add_parsers(sub, _global_options)

    loc = sub.add_parser("locate", help="print where config, cache, themes and logs live")
    loc.add_argument("--profiles", action="store_true", help="list the demo cloud profiles")
    chk = sub.add_parser(
        "check-config",
        help="validate the config file and exit",
        description="Validate a config file: every problem at once, with file:line.",
    )
    _global_options(chk, suppress=True, only=("demo", "config"))
    chk.add_argument(
        "file", nargs="?", metavar="FILE", help="the config file to check (same as --config)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return _guarded(lambda: _run(args))


def _guarded(run: Callable[[], int]) -> int:
    """`run`, with a user's mistake or a cloud's failure printed with its hint
    (never a traceback) and turned into the exit code scripts check."""
    try:
        return run()
    except ConfigError as e:
        _print_error(e)
        return EXIT_USAGE
    except HybridError as e:
        _print_error(e)
        return EXIT_CLOUD_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        if not _stdout_gone():
            raise  # another pipe broke: not the reader of our output
        # `hybridtui inventory | head`: the reader has what it wanted. Quiet,
        # and stdout pointed at /dev/null so the exit's flush does not fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE


def _stdout_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it (poll says POLLERR
    on the write end then)."""
    import select

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a non-file stream
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(ev & select.POLLERR for _, ev in poller.poll(0))


def _run(args: argparse.Namespace) -> int:
    if args.command == "locate":
        return _locate(args)
    if args.command in (None, "inventory"):
        # Before the settings, Textual (and pydantic, for a changed config) are
        # imported: with Python's thresholds those imports ran 130 young and one
        # full collection, about a sixth of the time to first paint (bench/startup.py).
        # The dashboard collects the older generations when idle; a headless
        # inventory builds its export once and exits (`hybridtui.memory`).
        from hybridtui import memory

        if args.command is None:
            memory.configure()
        else:
            memory.one_shot()
        # Nor does pydantic look for plugins among the installed packages'
        # entry points (about 10 ms with the SDKs installed); none serve us.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    settings = _settings(args)
    if not settings.privacy:
        return _command(args, settings)
    if args.command is None:
        return _command(args, settings)  # the dashboard masks what it draws
    return _masked(args, settings)


def _masked(args: argparse.Namespace, settings: Settings) -> int:
    """Run a headless command with everything it prints masked (`--privacy`):
    tables, JSON, CSV, and the errors and hints on stderr."""
    from hybridtui.privacy import MaskedStream, masker_for

    masker = masker_for(settings)
    out, err = sys.stdout, sys.stderr
    sys.stdout = MaskedStream(out, masker)
    sys.stderr = MaskedStream(err, masker)
    try:
        return _guarded(lambda: _command(args, settings))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "check-config":
        _check_regions(settings)
        n = len(settings.config.clouds)
        print(f"{settings.source}: OK ({n} cloud{'s' if n != 1 else ''})")
        return EXIT_OK
    if args.command == "inventory":
        from hybridtui.cli import inventory

        return inventory.inventory(args, settings)
    if args.command == "serve":
        from hybridtui.cli import serve

        return serve.serve(args)
    if args.command in ("compare", "capture"):
        from hybridtui.cli import scorecard

        run = scorecard.compare if args.command == "compare" else scorecard.capture
        return run(args, settings)
    if args.command in ("provision", "destroy", "cleanup"):
        from hybridtui.cli import provision

        return int(getattr(provision, args.command)(args, settings))
    return _run_app(settings)


def _settings(args: argparse.Namespace) -> Settings:
    from hybridtui.settings import resolve_settings

    if getattr(args, "file", None):  # check-config FILE
        if args.config and args.config != args.file:
            raise UsageError("check-config: give the file once, as FILE or as --config")
        args.config = args.file
    if args.demo and args.config:
        raise UsageError("--demo and --config exclude each other")
    replay = getattr(args, "replay", None)
    if replay:
        return _replay_settings(args, replay)
    if args.command is not None and not args.demo:
        _require_config(args)  # a script must never get simulated data by accident
    return resolve_settings(
        demo=args.demo,
        config_path=args.config,
        offline=args.offline,
        theme=args.theme,
        read_only=args.read_only,
        privacy=getattr(args, "privacy", False),
    )


def _replay_settings(args: argparse.Namespace, replay: str) -> Settings:
    from pathlib import Path

    from hybridtui.capture import replay_settings
    from hybridtui.settings import resolve_settings

    if args.demo or args.config:
        raise UsageError("--replay shows a capture: it excludes --demo and --config")
    if args.command not in (None, "inventory", "compare"):
        raise UsageError(
            f"--replay works with the dashboard, inventory and compare, not {args.command}"
        )
    base = resolve_settings(demo=True, theme=args.theme, privacy=getattr(args, "privacy", False))
    return replay_settings(Path(replay).expanduser(), base)


def _require_config(args: argparse.Namespace) -> None:
    """Headless commands read real clouds only from a config the user chose.
    Falling back to the demo clouds there would print simulated inventory and
    exit 0: a trap for scripts and cron. The dashboard may still open the demo
    (its banner says so)."""
    import os

    from hybridtui.paths import resolve_paths

    if args.config or os.environ.get("HYBRIDTUI_CONFIG"):
        return
    path = resolve_paths().config_file
    if not path.is_file():
        raise NoConfigError(
            f"no config file: {path} does not exist, and neither --config nor "
            "$HYBRIDTUI_CONFIG names one",
            hint=f"Write {path} (`hybridtui locate` shows the sample configs), pass "
            f"--config PATH, or add --demo to use the simulated demo clouds.",
        )


def _check_regions(settings: Settings) -> None:
    """AWS regions against botocore's own list (only here: importing botocore
    has no place on the way to the dashboard's first paint)."""
    from pathlib import Path

    from hybridtui.config_file import check_aws_regions

    if not any(c.kind == "aws" for c in settings.config.clouds):
        return
    try:
        import botocore.session
    except ModuleNotFoundError:
        print(
            "note: AWS regions not checked (botocore is not installed: pip install 'hybridtui[aws]')",
            file=sys.stderr,
        )
        return
    known = botocore.session.get_session().get_available_regions("ec2")
    path = Path(settings.source)
    problems = check_aws_regions(path.read_text(encoding="utf-8"), str(path), known)
    if problems:
        n = len(problems)
        raise ConfigError(
            f"{path}: {n} problem{'s' if n != 1 else ''} found",
            problems=problems,
            hint="Fix them all and run `hybridtui check-config` again.",
        )


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
        from hybridtui.providers.simulator.profiles import PROFILES

        for p in PROFILES.values():
            print(f"{p.key:24} {p.title}")
        return EXIT_OK
    paths = resolve_paths()
    for label, value in (
        ("config file", paths.config_file),
        ("user themes", paths.user_themes_dir),
        ("cache", paths.inventory_cache_dir),
        ("checked configs", paths.config_memo_dir),
        ("ledger", paths.ledger_file),
        ("node keys", paths.node_keys_dir),
        ("logs", paths.log_dir),
        ("built-in themes", data_dir("themes")),
        ("sample configs", data_dir("sample_configs")),
    ):
        print(f"{label:16} {value}")
    return EXIT_OK


def _open_cache(settings: Settings) -> InventoryCache | None:
    from hybridtui.inventory.cache import open_cache

    return open_cache(settings.paths.inventory_cache_dir)


def _targets(settings: Settings, wanted: list[str]) -> list[CloudTarget]:
    """The configured clouds, or those named with --cloud (an unknown name is a usage error)."""
    from hybridtui.providers import targets_for

    targets = targets_for(settings.config)
    if wanted:
        names = {t.name for t in targets}
        unknown = [c for c in wanted if c not in names]
        if unknown:
            raise ConfigError(
                f"unknown cloud {', '.join(map(repr, unknown))}; configured: {', '.join(sorted(names))}"
            )
        targets = [t for t in targets if t.name in wanted]
    return targets


def _report_failures(results: list[CloudResult], kinds: list[ResourceKind]) -> bool:
    """Every failed cloud or kind on stderr with its hint; True if there was one."""
    failed = False
    for r in results:
        if r.status == "error" and r.error is not None:
            failed = True
            note = " (showing cached data)" if r.from_cache else ""
            _print_problem(r.error.message + note, r.error.hint)
            continue
        for kind in kinds:
            if r.kind_status(kind) == "missing":  # not a failure: nothing was asked yet
                print(
                    f"note: {r.target.name}: {kind}: never fetched, so nothing is cached;"
                    f" run once without --offline (--kind {kind} or --kind all)",
                    file=sys.stderr,
                )
                continue
            err = r.kind_error(kind)
            if err is not None:
                failed = True
                cached = " (showing cached data)" if r.has_records(kind) else ""
                hint = err.hint
                if err.denied:
                    hint = (hint + " " if hint else "") + (
                        "Refusals are remembered: asked again after `catalogue_interval`"
                        " or with --refresh-catalogue."
                    )
                message = err.message.removeprefix(f"{r.target.name}: ")  # said once, up front
                _print_problem(f"{r.target.name}: {kind}: {message}{cached}", hint)
    return failed


def _collect(
    args: argparse.Namespace,
    settings: Settings,
    targets: list[CloudTarget],
    kinds: list[ResourceKind],
    *,
    plain: bool = False,
) -> tuple[list[CloudResult], InventoryCache | None]:
    """Each target's `kinds`, from the cache first (the catalogue while it is
    recent, unless --refresh-catalogue), as the dashboard does; and the cache.
    `plain`: with --offline, records stay the cache's dicts (JSON output)."""
    from hybridtui.inventory import report

    cache = _open_cache(settings)
    results = report.collect(
        targets,
        cache,
        offline=settings.offline,
        kinds=kinds,
        refresh_catalogue=args.refresh_catalogue,
        plain=plain,
        raw=getattr(args, "raw", True),
    )
    return results, cache


def _print_problem(message: str, hint: str | None) -> None:
    """One failure on stderr with what to do about it (never cut)."""
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)


#: Cloud listings in flight at once in the dashboard (see `limit_calls`).
DASHBOARD_CALLS = 8
#: Seconds a thread may hold the interpreter lock while another waits for it,
#: in the dashboard (see `_run_app`).
DASHBOARD_SWITCH_INTERVAL = 0.001


def _run_app(settings: Settings) -> int:
    from hybridtui.providers.base import limit_calls
    from hybridtui.ui.app import make_app

    limit_calls(DASHBOARD_CALLS)
    # The threads that answer a key (input, UI, screen writer) wait for the
    # interpreter lock behind the poll threads' parsing: at most this long per
    # turn instead of Python's 5 ms. At 50 clouds x 2,000 nodes refreshing, a
    # key's p99 fell 168-189 -> 137-147 ms and its wait for the input thread
    # (p90) 16-25 -> 8 ms, the refresh no slower (bench/scale.py, A/B).
    sys.setswitchinterval(DASHBOARD_SWITCH_INTERVAL)
    app = make_app(settings, freeze_after_cache=True)
    app.run()
    code = app.return_code or EXIT_OK
    # The terminal is restored and the cache closed: end the process here.
    # Tearing down 100,000 nodes' objects took over a second after `q`, with
    # the screen already gone (bench/scale.py); poll threads are daemons.
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)
