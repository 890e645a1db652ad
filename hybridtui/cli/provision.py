"""`hybridtui provision`, `destroy` and `cleanup`: the engine on the command line.

Exit codes: 0 every cloud succeeded; 1 a cloud failed (and was rolled back);
2 usage or config (a read-only cloud, a spec no cloud can take: nothing is
created); 130 interrupted (what was made is rolled back first).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TextIO

from hybridtui.errors import ConfigError, HybridError, UsageError

if TYPE_CHECKING:
    from hybridtui.domain import ResourceKind
    from hybridtui.inventory.cache import InventoryCache
    from hybridtui.providers import CloudTarget
    from hybridtui.provisioning.runner import CloudRun, Progress
    from hybridtui.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


#: The global options a write command offers (no --offline, no --theme).
WRITES = ("demo", "config", "read-only")


class GlobalOptions(Protocol):
    """The CLI's options valid before or after a subcommand, added to a parser."""

    def __call__(
        self, parser: argparse.ArgumentParser, *, suppress: bool, only: Sequence[str] = ...
    ) -> None: ...


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: GlobalOptions
) -> None:
    prov = sub.add_parser(
        "provision",
        help="allocate a node on one or several clouds (the eight steps)",
        description="Run the eight node-allocation steps on every named cloud at once.",
    )
    common(prov, suppress=True, only=WRITES)
    prov.add_argument(
        "--cloud",
        action="append",
        metavar="NAME",
        default=[],
        required=True,
        help="a cloud to provision on (repeatable)",
    )
    prov.add_argument(
        "--spec",
        metavar="SPEC",
        required=True,
        help="what the node needs, e.g. vcpus=2,ram_gb=4,image=ubuntu-22.04",
    )
    prov.add_argument(
        "--name", metavar="PREFIX", default="hybrid", help="node name prefix (default: hybrid)"
    )
    prov.add_argument(
        "--root-key",
        action="append",
        metavar="FILE",
        default=[],
        help="public key to install for root (repeatable; default ~/.ssh/id_ed25519.pub or id_rsa.pub)",
    )
    prov.add_argument("--keep-node-key", action="store_true", help="skip step 8: keep the node key")
    prov.add_argument("--yes", action="store_true", help="do not show the plan and ask first")
    prov.add_argument("--format", choices=("table", "json"), default="table")

    des = sub.add_parser("destroy", help="delete nodes hybridtui made, and what it made for them")
    common(des, suppress=True, only=WRITES)
    des.add_argument("--cloud", required=True, metavar="NAME")
    des.add_argument("--yes", action="store_true", help="do not ask first")
    des.add_argument("nodes", nargs="+", metavar="NODE", help="node name or id")

    cln = sub.add_parser("cleanup", help="remove what stopped provisioning runs left behind")
    common(cln, suppress=True, only=WRITES)
    cln.add_argument("--cloud", action="append", metavar="NAME", default=[], help="only this cloud")
    cln.add_argument("--yes", action="store_true", help="do not ask first")


# ------------------------------------------------------------------ helpers


def _ask(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(
            f"{question} needs an answer, and stdin is not a terminal",
            hint="Pass --yes to go ahead without asking.",
        )
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")


def _targets(settings: Settings, names: list[str]) -> list[CloudTarget]:
    from hybridtui.cli import _targets as pick

    return pick(settings, names)


# ---------------------------------------------------------------- provision


def provision(args: argparse.Namespace, settings: Settings) -> int:
    from hybridtui.domain import ResourceKind
    from hybridtui.interop.equivalence import Spec, SpecError
    from hybridtui.interop.site import site_for
    from hybridtui.inventory import report
    from hybridtui.providers import build_provider
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.operator import root_identity, root_keys
    from hybridtui.provisioning.plan import PlanError, make_plan
    from hybridtui.provisioning.runner import Runner, refusal

    try:
        spec = Spec.parse(args.spec)
    except SpecError as e:
        raise UsageError(
            f"--spec: {e}", hint="Example: --spec vcpus=2,ram_gb=4,image=ubuntu-22.04"
        ) from None
    if settings.offline:
        raise UsageError("provisioning needs the clouds: --offline shows the cache only")
    key_files = args.root_key or list(settings.config.root_keys)
    keys = root_keys(key_files)
    targets = _targets(settings, args.cloud)
    cache = _open_cache(settings)
    kinds: list[ResourceKind] = [k for k in ResourceKind if k is not ResourceKind.ADDRESSES]
    results = report.collect(targets, cache, offline=False, kinds=kinds)
    plans, refused = [], []
    for r in results:
        try:
            plans.append(
                make_plan(
                    site_for(r.target, r.snapshot),
                    spec,
                    read_only=r.target.config.read_only or settings.read_only,
                    security_groups=tuple(r.target.config.overrides.security_groups or ()),
                )
            )
        except PlanError as e:
            refused.append(f"{e.message}" + (f" ({e.hint})" if e.hint else ""))
    providers = {t.name: build_provider(t) for t in targets}
    for p in plans:  # what the engine would refuse, refused before asking
        engine_says = refusal(p, providers[p.cloud])
        if engine_says is not None:
            refused.append(engine_says.message + f" ({engine_says.hint})")
    if refused:
        raise ConfigError(
            f"nothing was created: {len(refused)} of {len(targets)} clouds cannot take {spec}",
            problems=refused,
            hint="Fix the spec or the config and run again.",
        )
    if not args.yes:
        print("\n\n".join(p.describe() for p in plans))
        if not _ask(
            f"\nProvision {spec} on {len(plans)} cloud{'s' if len(plans) != 1 else ''}?", False
        ):
            print("nothing done", file=sys.stderr)
            return EXIT_OK
    ledger = Ledger(settings.paths.ledger_file)
    cancel = threading.Event()
    board = (
        LiveBoard([p.cloud for p in plans], sys.stdout)
        if args.format == "table" and _is_terminal(sys.stdout)
        else None
    )

    def progress(ev: Progress) -> None:
        if board is not None:
            board.event(ev)
        elif args.format == "table":  # piped or logged: a line per step as it ends
            from hybridtui.provisioning.steps import STEP_TITLES

            r = ev.result
            print(
                f"{ev.cloud:20} {r.step} {STEP_TITLES[r.step]:24} {r.status!s:12} {r.seconds:6.1f}s  {r.detail}",
                flush=True,
            )

    runner = Runner(
        providers,
        ledger,
        settings.paths.node_keys_dir,
        root_keys=keys,
        keep_node_key=args.keep_node_key,
        progress=progress,
        cancel=cancel,
        known_hosts=settings.paths.data_dir / "known_hosts",
        root_identity=root_identity(key_files),
    )
    box: list[list[CloudRun]] = []
    done = threading.Event()

    def work() -> None:
        try:
            box.append(runner.run(plans, args.name))
        finally:
            done.set()

    # Waiting on an Event, not Thread.join: a join interrupted by Ctrl-C can leave
    # the thread looking finished while it still rolls back (seen here on 3.11).
    threading.Thread(target=work, name="provision", daemon=True).start()
    interrupted = False
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted: rolling back what was made…", file=sys.stderr, flush=True)
        cancel.set()
        while not done.wait(0.2):
            pass
    finally:
        if board is not None:
            board.close()
        for provider in providers.values():
            provider.close()
        ledger.close()
    runs = box[0] if box else []
    _record_measured(settings, targets, runs)
    if args.format == "json":
        print(
            json.dumps(
                {"schema": 1, "spec": str(spec), "clouds": [r.to_dict() for r in runs]}, indent=2
            )
        )
    else:
        print(_summary(runs))
    for run in runs:
        if not run.ok:
            print(f"error: {run.cloud}: {run.error}", file=sys.stderr)
            for what in run.rolled_back:
                print(f"  rolled back: {what}", file=sys.stderr)
        elif interrupted:  # its last step was already running: it finished, and is kept
            print(
                f"{run.cloud}: finished before the interrupt took effect; node {run.node_name} kept "
                f"(hybridtui destroy --cloud {run.cloud} {run.node_name})",
                file=sys.stderr,
            )
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if all(r.ok for r in runs) else EXIT_FAILED


def _is_terminal(stream: TextIO) -> bool:
    return stream.isatty() and os.environ.get("TERM", "") not in ("", "dumb")


class LiveBoard:
    """On a terminal, one line per cloud redrawn in place while the steps run
    (a spinner and the running step's elapsed time), like `docker compose up`;
    piped output gets a plain line per step instead (see `provision`)."""

    SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

    def __init__(self, clouds: list[str], out: TextIO, tick: float = 0.25) -> None:
        self.out = out
        self.clouds = clouds
        now = time.monotonic()
        self.step = dict.fromkeys(clouds, 1)
        self.since = dict.fromkeys(clouds, now)
        self.started = now
        self.ended: dict[str, str] = {}
        self.frame = 0
        self.drawn = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._draw()  # at once: every cloud on step 1
        self._ticker = threading.Thread(target=self._tick, args=(tick,), daemon=True)
        self._ticker.start()

    def event(self, ev: Progress) -> None:
        from hybridtui.provisioning.steps import Status

        r, now = ev.result, time.monotonic()
        with self._lock:
            if r.status is Status.FAILED:
                self.ended[ev.cloud] = f"✗ step {r.step} failed: {r.detail}"
            elif r.status is Status.ROLLED_BACK:
                self.ended[ev.cloud] += f" · rolled back: {r.detail}"
            elif r.step == 8:
                self.ended[ev.cloud] = f"✓ 8/8 done in {now - self.started:.1f}s"
            else:
                self.step[ev.cloud], self.since[ev.cloud] = r.step + 1, now
        self._draw()

    def _line(self, cloud: str, width: int) -> str:
        from hybridtui.provisioning.steps import STEP_TITLES

        if cloud in self.ended:
            text = self.ended[cloud]
        else:
            n = self.step[cloud]
            spin = self.SPINNER[self.frame % len(self.SPINNER)]
            elapsed = time.monotonic() - self.since[cloud]
            text = f"{spin} {n}/8 {STEP_TITLES[n]:24} {elapsed:5.1f}s"
        line = f"{cloud:20} {text}"
        # never wider than the terminal: a wrapped line would break the redraw
        return line if len(line) < width else line[: max(width - 2, 1)] + "…"

    def _draw(self) -> None:
        width = shutil.get_terminal_size((100, 24)).columns
        with self._lock:
            up = f"\x1b[{self.drawn}F" if self.drawn else ""
            lines = "".join(f"\x1b[2K{self._line(c, width)}\n" for c in self.clouds)
            self.drawn = len(self.clouds)
            self.out.write(up + lines)
            self.out.flush()

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            self.frame += 1
            self._draw()

    def close(self) -> None:
        self._stop.set()
        self._ticker.join(timeout=2)
        self._draw()


def _summary(runs: list[CloudRun]) -> str:
    head = f"{'cloud':20} {'result':8} {'node':28} {'address':24} login"
    lines = ["", head]
    for r in runs:
        result = "ok" if r.ok else "FAILED"
        # a failed run's node is gone (rolled back): its name would mislead
        node = r.node_name if r.ok else ("(rolled back)" if r.rolled_back else "-")
        # a private address is only reachable through the jump host (JSON: `via`)
        address = f"{r.address} (jump host)" if r.via else r.address or "-"
        lines.append(f"{r.cloud:20} {result:8} {node or '-':28} {address:24} {r.login or '-'}")
    return "\n".join(lines)


def _record_measured(settings: Settings, targets: list[CloudTarget], runs: list[CloudRun]) -> None:
    """Each run's steps become the scorecard's measured evidence for that cloud."""
    cache = _open_cache(settings)
    if cache is None:
        return
    now = time.time()
    by_name = {t.name: t for t in targets}
    for r in runs:
        cells = [c.to_dict() for c in r.measured(now)]
        if cells and r.cloud in by_name:
            cache.keep_measured(by_name[r.cloud], cells)


def _open_cache(settings: Settings) -> InventoryCache | None:
    from hybridtui.cli import _open_cache as open_cache

    return open_cache(settings)


# ------------------------------------------------------- destroy, cleanup


def destroy(args: argparse.Namespace, settings: Settings) -> int:
    from hybridtui.providers import build_provider
    from hybridtui.provisioning.cleanup import destroy as destroy_node
    from hybridtui.provisioning.cleanup import find_node, is_ours
    from hybridtui.provisioning.ledger import Ledger

    (target,) = _targets(settings, [args.cloud])
    if target.config.read_only or settings.read_only:
        raise UsageError(
            f"{target.name} is read-only: nothing is deleted there",
            hint=f"Set `read_only: false` on {target.name} in the config to allow writes.",
        )
    provider = build_provider(target)
    ledger = Ledger(settings.paths.ledger_file)
    try:
        nodes = provider.list_nodes()
        chosen = []
        for wanted in args.nodes:
            node = find_node(nodes, wanted)
            if node is None:
                raise UsageError(
                    f"{target.name}: no node {wanted!r} (or several with that name: use the id)"
                )
            mine = is_ours(node) or any(
                e.ref == node.id for e in ledger.open_entries(cloud=target.name, kept=True)
            )
            if not mine:
                raise UsageError(
                    f"{target.name}: {node.name} ({node.id}) was not made by hybridtui: it is not deleted",
                    hint="hybridtui deletes only what it created (tagged, or in its ledger).",
                )
            chosen.append(node)
        names = ", ".join(f"{n.name} ({n.id})" for n in chosen)
        if not _ask(f"Delete {names} on {target.name}?", args.yes):
            print("nothing done", file=sys.stderr)
            return EXIT_OK
        for node in chosen:
            for line in destroy_node(ledger, provider, target.name, node):
                print(f"{target.name}: {line}")
    except HybridError:
        raise
    finally:
        provider.close()
        ledger.close()
    return EXIT_OK


def cleanup(args: argparse.Namespace, settings: Settings) -> int:
    """What runs left: ledger entries of runs that stopped halfway, and what is
    tagged as hybridtui's on the clouds that no ledger knows (nodes, key pairs,
    free Elastic / floating IPs). Lists them, asks, removes them."""
    from hybridtui.providers import build_provider
    from hybridtui.provisioning.cleanup import (
        delete_and_wait,
        leftovers,
        untracked,
        untracked_addresses,
        untracked_keys,
    )
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.runner import undo

    targets = _targets(settings, args.cloud)
    ledger = Ledger(settings.paths.ledger_file)
    failed = False
    try:
        for target in targets:
            entries = leftovers(ledger, target.name)
            provider = build_provider(target)
            try:
                writable = not (target.config.read_only or settings.read_only)
                strays = untracked(ledger, target.name, provider.list_nodes()) if writable else []
                keys = untracked_keys(ledger, provider, target.name) if writable else []
                addresses = untracked_addresses(ledger, provider, target.name) if writable else []
                if not (entries or strays or keys or addresses):
                    continue
                what = [f"{e.kind} {e.ref or e.name} ({e.state}, run {e.run})" for e in entries]
                what += [
                    f"node {n.name} ({n.id}): tagged as hybridtui's, in no ledger" for n in strays
                ]
                what += [f"key {k.name}: made by hybridtui, in no ledger" for k in keys]
                what += [
                    f"address {a.ip}: allocated by hybridtui, attached to nothing"
                    for a in addresses
                ]
                print(f"{target.name}:\n" + "\n".join(f"  {w}" for w in what))
                if not writable:
                    print(f"  {target.name} is read-only: left as it is", file=sys.stderr)
                    continue
                if not _ask(f"Remove these from {target.name}?", args.yes):
                    continue
                for line in undo(ledger, provider, entries):
                    print(f"  {line}")
                    failed = failed or "NOT removed" in line
                for n in strays:
                    delete_and_wait(provider, n.id)
                    print(f"  node {n.id} deleted")
                for k in keys:
                    provider.delete_key(k.name)
                    print(f"  key {k.name} deleted")
                for a in addresses:
                    provider.release_address(a)
                    print(f"  address {a.ip} released")
            finally:
                provider.close()
    finally:
        ledger.close()
    return EXIT_FAILED if failed else EXIT_OK
