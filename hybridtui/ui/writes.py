"""The dashboard's write actions: provision (`p`), delete a node (`d`), ssh to
a node (`s`) and the leftovers of interrupted runs (`L`). They sit apart from
the app's reading and painting so the write paths can be read, and checked
for read-only refusals, in one place. The engine (`provisioning/`) is loaded
only when one of these is used: the app paints before any of it is imported.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.app import App

from hybridtui.domain import Node, ResourceKind
from hybridtui.errors import HybridError

if TYPE_CHECKING:  # the app provides these; the engine loads when a run starts
    from hybridtui.interop.site import Site
    from hybridtui.inventory.cache import InventoryCache
    from hybridtui.inventory.model import InventoryModel
    from hybridtui.inventory.poller import Poller
    from hybridtui.providers import CloudTarget
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.plan import Plan
    from hybridtui.provisioning.runner import CloudRun, Progress
    from hybridtui.settings import Settings
    from hybridtui.ui.screens.dashboard import DashboardScreen
    from hybridtui.ui.screens.leftovers import Leftovers


class WriteActions(App[int]):
    """Mixed into HybridApp, which sets the attributes below."""

    settings: Settings
    targets: list[CloudTarget]
    model: InventoryModel
    poller: Poller
    cache: InventoryCache | None
    leftovers: Leftovers | None
    _closed: bool
    _scorecard_dirty: bool

    if TYPE_CHECKING:  # HybridApp's, used here

        @property
        def dashboard(self) -> DashboardScreen: ...
        def sites(self) -> list[Site]: ...
        def _start_poll(self, names: list[str], full: bool = False) -> None: ...
        def _refresh_scorecard(self) -> None: ...

    def why_not_writable(self, cloud: str) -> str:
        """Why hybridtui may not write to `cloud` ("" when it may)."""
        if self.settings.read_only:
            return "read-only session (--read-only)"
        if self.settings.offline:
            return "offline: showing the cache only"
        target = next((t for t in self.targets if t.name == cloud), None)
        if target is None:
            return "not configured"
        if getattr(target.config, "read_only", True):
            return "read_only: true in the config"
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:  # noqa: ARG002 - Textual's signature
        """Write actions are hidden (and refused) when no cloud is writable;
        refresh is hidden offline, where it could only say it cannot."""
        if action == "refresh":
            return not self.settings.offline
        if action == "provision":
            return any(not self.why_not_writable(t.name) for t in self.targets)
        if action == "leftovers":
            return bool(self.leftovers)
        return True

    def action_provision(self) -> None:
        from hybridtui.ui.screens.provision import SpecScreen, Writable

        if not self.check_action("provision", ()):
            self.notify(
                "No cloud here may be written to (read-only).", title="Provisioning refused"
            )
            return
        clouds = [Writable(t.name, self.why_not_writable(t.name)) for t in self.targets]
        self.push_screen(SpecScreen(self.sites(), clouds, self._start_run, self._provisioned))

    def _start_run(
        self,
        plans: Sequence[Plan],
        progress: Callable[[Progress], None],
        cancel: threading.Event,
    ) -> list[CloudRun]:
        """The engine on `plans`, with the poller's providers (in a worker thread)."""
        from hybridtui.provisioning.ledger import Ledger
        from hybridtui.provisioning.operator import root_identity, root_keys
        from hybridtui.provisioning.plan import PlanError
        from hybridtui.provisioning.runner import Runner

        for plan in plans:  # the engine refuses too; this says why in the app's words
            why = self.why_not_writable(plan.cloud)
            if why:
                raise PlanError(f"{plan.cloud}: {why}")
        files = list(self.settings.config.root_keys)
        paths = self.settings.paths
        ledger = Ledger(paths.ledger_file)
        try:
            runner = Runner(
                {p.cloud: self.poller.provider(p.cloud) for p in plans},
                ledger,
                paths.node_keys_dir,
                root_keys=root_keys(files),
                progress=progress,
                cancel=cancel,
                known_hosts=paths.data_dir / "known_hosts",
                root_identity=root_identity(files),
            )
            return runner.run(plans)
        finally:
            ledger.close()

    def _provisioned(self, runs: list[CloudRun]) -> None:
        """A run ended: its steps become measured evidence, its clouds refresh."""
        now = time.time()
        by_name = {t.name: t for t in self.targets}
        if self.cache is not None:
            for r in runs:
                cells = [c.to_dict() for c in r.measured(now)]
                if cells and r.cloud in by_name:
                    self.cache.keep_measured(by_name[r.cloud], cells)
        self._scorecard_dirty = True
        busy = self.poller.in_flight()
        names = [r.cloud for r in runs if r.cloud not in busy]
        if names and not self._closed:
            self._start_poll(names)
        self._refresh_scorecard()

    def delete_node(self, cloud: str, node: Node) -> None:
        """`d` on a node: only one hybridtui made, on a writable cloud, confirmed."""
        from hybridtui.provisioning.cleanup import is_ours
        from hybridtui.ui.screens.confirm import ConfirmScreen

        why = self.why_not_writable(cloud)
        if why:
            self.notify(f"{cloud}: {why}", title="Delete refused")
            return
        if not is_ours(node):
            self.notify(
                f"{node.name} was not made by hybridtui: it deletes only what it made.",
                title="Delete refused",
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(cloud, node)

        self.push_screen(
            ConfirmScreen(
                f"Delete {node.name} on {cloud}?",
                f"Node {node.name} ({node.id}) on {cloud} is deleted, with the floating or "
                "Elastic IP hybridtui allocated for it. This cannot be undone.",
            ),
            answered,
        )

    @work(thread=True, group="delete", exit_on_error=False, description="Deleting a node")
    def _delete(self, cloud: str, node: Node) -> None:
        from hybridtui.provisioning.cleanup import destroy

        ledger = self._open_ledger(f"{cloud}: not deleted")
        if ledger is None:
            return
        try:
            lines = destroy(ledger, self.poller.provider(cloud), cloud, node)
        except HybridError as e:
            self.call_from_thread(
                self.notify, e.message, title=f"{cloud}: not deleted", severity="error"
            )
            return
        finally:
            ledger.close()
        self.call_from_thread(self.notify, "\n".join(lines), title=f"{cloud}: {node.name} deleted")
        self.call_from_thread(self._after_delete, cloud)

    def _open_ledger(self, title: str) -> Ledger | None:
        """The ledger, in a worker thread; if it cannot be opened, a
        notification with what to do, titled with what did not happen."""
        from hybridtui.provisioning.ledger import Ledger

        try:
            return Ledger(self.settings.paths.ledger_file)
        except HybridError as e:
            body = e.message + (f"\n{e.hint}" if e.hint else "")
            self.call_from_thread(self.notify, body, title=title, severity="error", timeout=20)
            return None

    def ssh_to(self, cloud: str, node: Node) -> None:
        """`s` on a node: suspend, run the system `ssh` with the right account,
        key, address (public, through the jump host, or the cloud's
        ssh_endpoint) and hybridtui's known_hosts, then come back where we were.
        Where the app cannot suspend (served in a browser): show and copy it."""
        import shlex
        import subprocess

        from textual.app import SuspendNotSupported

        from hybridtui.provisioning.cleanup import is_ours
        from hybridtui.provisioning.operator import root_identity
        from hybridtui.provisioning.ssh import JumpHost, ssh_command

        target = next((t for t in self.targets if t.name == cloud), None)
        overrides = target.config.overrides if target is not None else None
        jump = JumpHost.parse(overrides.jump_host) if overrides and overrides.jump_host else None
        if overrides and overrides.ssh_endpoint:
            host, _, port = overrides.ssh_endpoint.rpartition(":")
            address: tuple[str, int] | None = (host, int(port))
        elif node.public_ip:
            address, jump = (node.public_ip, 22), None
        elif jump is not None and node.private_ip:
            address = (node.private_ip, 22)
        else:
            address = None
        if address is None:
            self.notify(
                f"{node.name} has no public address and {cloud} has no jump host.",
                title="No way in",
                severity="warning",
            )
            return
        ours = is_ours(node)  # step 7 gave root the operator's keys
        login = overrides.login_user if overrides and overrides.login_user else ""
        user = "root" if ours else (login or node.login_user or "root")
        identity = root_identity(list(self.settings.config.root_keys)) if ours else None
        argv = ssh_command(
            address[0],
            address[1],
            user,
            known_hosts=self.settings.paths.data_dir / "known_hosts",
            identity=identity,
            jump=jump,
        )
        command = shlex.join(argv)
        try:
            with self.suspend():
                print(f"$ {command}", flush=True)
                subprocess.run(argv, check=False)
        except SuspendNotSupported:
            self.copy_to_clipboard(command)
            self.notify(command, title="Run this to reach the node (copied)", timeout=15)
        except OSError as e:  # no ssh installed
            self.notify(f"{e.strerror}: {argv[0]}", title="ssh not started", severity="error")

    @work(thread=True, group="leftovers", exit_on_error=False, description="Ledger")
    def _find_leftovers(self, strays_too: bool = True) -> None:
        """The ledger's unfinished entries and the tagged nodes no ledger knows
        (from the snapshots: no extra call to any cloud; not right after a
        clean-up, when the snapshots still show what it deleted)."""
        from hybridtui.provisioning.cleanup import leftovers, untracked
        from hybridtui.ui.screens.leftovers import Leftovers

        ledger = self._open_ledger("Leftovers not looked for")
        if ledger is None:
            return
        try:
            entries = [e for t in self.targets for e in leftovers(ledger, t.name)]
            strays = [
                (t.name, n)
                for t in self.targets
                if strays_too
                and not self.why_not_writable(t.name)
                and t.name in self.model.snapshots
                for n in untracked(
                    ledger,
                    t.name,
                    [
                        r
                        for r in self.model.snapshots[t.name].resources(ResourceKind.NODES)
                        if isinstance(r, Node)
                    ],
                )
            ]
        finally:
            ledger.close()
        self.call_from_thread(self._show_leftovers, Leftovers(entries, strays))

    def _show_leftovers(self, found: Leftovers) -> None:
        had = bool(self.leftovers)
        self.leftovers = found
        if not found and not had:
            return  # the usual start: nothing left, nothing on screen changes
        self.refresh_bindings()
        n = len(found.entries) + len(found.strays)
        self.dashboard.show_leftovers(
            f"⚠ {n} thing{'s' if n != 1 else ''} left by interrupted runs on "
            f"{', '.join(found.clouds)} · L to review and clean up"
            if found
            else ""
        )

    def action_leftovers(self) -> None:
        from hybridtui.ui.screens.leftovers import LeftoversScreen

        if self.leftovers:
            self.push_screen(LeftoversScreen(self.leftovers, self._clean_leftovers))

    @work(thread=True, group="leftovers", exit_on_error=False, description="Cleaning up")
    def _clean_leftovers(self, found: Leftovers) -> None:
        from hybridtui.provisioning.cleanup import delete_and_wait
        from hybridtui.provisioning.runner import undo

        ledger = self._open_ledger("Nothing cleaned up")
        if ledger is None:
            return
        lines: list[str] = []
        try:
            for cloud in found.clouds:
                if self.why_not_writable(cloud):
                    lines.append(f"{cloud}: {self.why_not_writable(cloud)}: left as it is")
                    continue
                provider = self.poller.provider(cloud)
                try:
                    entries = [e for e in found.entries if e.cloud == cloud]
                    lines += [f"{cloud}: {line}" for line in undo(ledger, provider, entries)]
                    for c, node in found.strays:
                        if c == cloud:
                            delete_and_wait(provider, node.id)
                            lines.append(f"{cloud}: node {node.name} deleted")
                except HybridError as e:
                    lines.append(f"{cloud}: {e.message}")
        finally:
            ledger.close()
        self.call_from_thread(self._cleaned, found.clouds, lines)

    def _cleaned(self, clouds: list[str], lines: list[str]) -> None:
        failed = any("NOT removed" in line or ": left as it is" in line for line in lines)
        self.notify(
            "\n".join(lines) or "nothing to do",
            title="Clean-up: some left" if failed else "Cleaned up",
            severity="warning" if failed else "information",
            timeout=15,
        )
        busy = self.poller.in_flight()
        names = [c for c in clouds if c not in busy]
        if names and not self._closed:
            self._start_poll(names)
        self._find_leftovers(strays_too=False)

    def _after_delete(self, cloud: str) -> None:
        if cloud not in self.poller.in_flight() and not self._closed:
            self._start_poll([cloud])
