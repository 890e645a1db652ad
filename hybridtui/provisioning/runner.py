"""Run plans on several clouds at once: a thread per cloud, one progress event
per step as it ends, cancel, and rollback of whatever a failed run made.

The runner is Textual-free: the CLI prints its events, the dashboard turns them
into messages. Rollback reads the ledger, so it also undoes what a step made
right before it failed (the intent is written first).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hybridtui.domain import NodeState, PublicIpStrategy
from hybridtui.errors import HybridError, ProviderError, ProvisionError
from hybridtui.interop.model import Cell
from hybridtui.providers.base import Capability, Provider
from hybridtui.provisioning import steps
from hybridtui.provisioning.ledger import Entry, Kind, Ledger, State
from hybridtui.provisioning.plan import Plan, PlanError
from hybridtui.provisioning.ssh import JumpHost, NodeAccess, SshAccess, forget_node_key
from hybridtui.provisioning.steps import Context, Status, StepResult


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of one cloud ended (or the run rolled back)."""

    cloud: str
    result: StepResult


@dataclass
class CloudRun:
    cloud: str
    results: list[StepResult] = field(default_factory=list)
    node_id: str = ""
    node_name: str = ""
    address: str = ""
    #: The jump host the node was reached through, when `address` is its
    #: private one (a cloud that gives no public address).
    via: str = ""
    login: str = ""
    error: str = ""
    #: What a failed run undid, in order ("node i-0abc deleted", …).
    rolled_back: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error

    def measured(self, at: float) -> list[Cell]:
        """The steps this run answered, as the scorecard's measured evidence."""
        return [
            c for r in self.results if (c := r.cell(self.cloud, at, self.node_name)) is not None
        ]

    def to_dict(self) -> dict[str, object]:
        return {
            "cloud": self.cloud,
            "ok": self.ok,
            "error": self.error or None,
            "steps": [r.to_dict() for r in self.results],
            "node": {
                "id": self.node_id,
                "name": self.node_name,
                "address": self.address,
                "via": self.via or None,
                "login": self.login,
            }
            if self.node_id
            else None,
            "rolled_back": self.rolled_back,
        }


def default_access(ctx: Context) -> NodeAccess:
    """How steps 6–8 reach the node: SSH to the cloud's `ssh_endpoint`, to the
    node's public address, or (no public address) to its private address
    through the cloud's jump host — an endpoint goes through the jump host too
    when both are set. On a demo cloud without an endpoint: its image model."""
    p = ctx.plan
    make = getattr(ctx.provider, "node_access", None)
    if make is not None and not p.ssh_endpoint and ctx.node is not None and ctx.key is not None:
        access: NodeAccess = make(ctx.node.id, ctx.key.public)
        return access
    assert ctx.key is not None
    jump = JumpHost.parse(p.jump_host) if p.jump_host else None
    if p.ssh_endpoint:
        host, _, port = p.ssh_endpoint.rpartition(":")
        target = (host.strip("[]"), int(port))
    elif ctx.address is not None:
        target = (ctx.address.ip, 22)
    elif jump is not None and ctx.node is not None and ctx.node.private_ip:
        target = (ctx.node.private_ip, 22)
    else:
        raise ProvisionError(
            f"{p.cloud}: the node has no public address, and no jump host to reach it through",
            title="No way in",
            hint="Set overrides.jump_host ([user@]host[:port]) or overrides.ssh_endpoint.",
        )
    return SshAccess(
        target[0],
        target[1],
        ctx.key.private_path,
        ctx.known_hosts,
        root_identity=ctx.root_identity,
        jump=jump,
        jump_identity=ctx.root_identity,
    )


#: What each write capability lets the engine do, for refusals.
CAN = {
    Capability.IMPORT_KEY: "register keys",
    Capability.CREATE_NODE: "create nodes",
    Capability.PUBLIC_ADDRESS: "give nodes public addresses",
    Capability.DELETE_KEY: "delete keys",
    Capability.DELETE_NODE: "delete nodes",
}


def refusal(plan: Plan, provider: Provider) -> PlanError | None:
    """Why `provider` may not run `plan`, whoever made the plan: its cloud is
    read-only, or its adapter cannot do a step the plan needs."""
    if getattr(provider.config, "read_only", True):
        return PlanError(
            f"{plan.cloud} is read-only: nothing is provisioned there",
            hint=f"Set `read_only: false` on {plan.cloud} in the config to allow writes.",
        )
    needed = (
        Capability.IMPORT_KEY
        | Capability.CREATE_NODE
        | Capability.DELETE_NODE
        | Capability.DELETE_KEY
    )
    if plan.strategy is not PublicIpStrategy.NONE:
        needed |= Capability.PUBLIC_ADDRESS
    missing = needed & ~provider.capabilities
    if missing:
        what = " or ".join(CAN[m] for m in missing)
        return PlanError(
            f"{plan.cloud}: the {provider.kind} adapter cannot {what}: the eight steps need it",
            hint="Provision on another cloud; this one can still be read and compared.",
        )
    return None


class Runner:
    def __init__(
        self,
        providers: dict[str, Provider],
        ledger: Ledger,
        keys_dir: Path,
        *,
        root_keys: Sequence[str] = (),
        keep_node_key: bool = False,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        node_timeout: float = 300.0,
        access_for: Callable[[Context], NodeAccess] = default_access,
        known_hosts: Path | None = None,
        root_identity: Path | None = None,
    ) -> None:
        self.providers = providers
        self.ledger = ledger
        self.keys_dir = keys_dir
        self.root_keys = list(root_keys)
        self.keep_node_key = keep_node_key
        self.progress = progress
        self.cancel = cancel or threading.Event()
        self.node_timeout = node_timeout
        self.access_for = access_for
        #: hybridtui's own known_hosts (never the user's ~/.ssh/known_hosts).
        self.known_hosts = known_hosts or keys_dir / "known_hosts"
        #: The operator's private key, to prove root logs in with its public half.
        self.root_identity = root_identity
        self.run_id = uuid.uuid4().hex[:12]

    def run(self, plans: Sequence[Plan], name_prefix: str = "hybrid") -> list[CloudRun]:
        """Every plan at once; returns when all ended (done or rolled back).
        A read-only cloud is refused here too, whoever made the plan."""
        for p in plans:
            refused = refusal(p, self.providers[p.cloud])
            if refused is not None:
                raise refused
        runs = {p.cloud: CloudRun(p.cloud) for p in plans}
        threads = [
            threading.Thread(
                target=self._run_one,
                args=(p, runs[p.cloud], f"{name_prefix}-{self.run_id[:6]}"),
                name=f"provision-{p.cloud}",
                daemon=True,
            )
            for p in plans
        ]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.2)  # short joins: Ctrl-C reaches the main thread at once
        return [runs[p.cloud] for p in plans]

    def _run_one(self, plan: Plan, out: CloudRun, name: str) -> None:
        ctx = Context(
            run=self.run_id,
            plan=plan,
            provider=self.providers[plan.cloud],
            ledger=self.ledger,
            keys_dir=self.keys_dir,
            name=name,
            root_keys=self.root_keys,
            cancel=self.cancel,
            node_timeout=self.node_timeout,
            access_for=self.access_for,
            known_hosts=self.known_hosts,
            root_identity=self.root_identity,
        )
        sequence: list[tuple[int, Callable[[], StepResult]]] = [
            (1, lambda: steps.step1_key(ctx)),
            (2, lambda: steps.step2_read(ctx)),
            (3, lambda: steps.step3_pick(ctx)),
            (4, lambda: steps.step4_request(ctx)),
            (5, lambda: steps.step5_public(ctx)),
            (6, lambda: steps.step6_login(ctx)),
            (7, lambda: steps.step7_harden(ctx)),
            (8, lambda: steps.step8_remove(ctx, self.keep_node_key)),
        ]
        for number, step in sequence:
            started = time.monotonic()
            try:
                ctx.check_cancel()
                result = step()
            except Exception as e:  # every failure: say which step, roll back, keep the rest going
                message = e.message if isinstance(e, HybridError) else f"{type(e).__name__}: {e}"
                result = StepResult(
                    number, Status.FAILED, time.monotonic() - started, message, steps.error_name(e)
                )
                self._emit(out, result)
                out.error = f"step {number} ({steps.STEP_TITLES[number]}): {message}"
                out.rolled_back = self.rollback(plan.cloud, self.run_id)
                if out.rolled_back:
                    self._emit(
                        out, StepResult(number, Status.ROLLED_BACK, 0.0, "; ".join(out.rolled_back))
                    )
                return
            result = StepResult(
                result.step,
                result.status,
                time.monotonic() - started,
                result.detail,
                result.error,
                result.verdict,
                result.value,
            )
            self._emit(out, result)
            if ctx.node is not None:
                out.node_id, out.node_name = ctx.node.id, ctx.node.name
            if ctx.address is not None:
                out.address = ctx.address.ip
            elif ctx.node is not None and ctx.node.private_ip and ctx.plan.jump_host:
                out.address, out.via = ctx.node.private_ip, ctx.plan.jump_host
            if ctx.login is not None:
                out.login = ctx.login.account
        # done: what is left is what the user asked for (the node, its address)
        for kind in (Kind.NODE, Kind.ADDRESS, Kind.KEY, Kind.LOCAL_KEY):
            if kind in ctx.entries:
                self.ledger.kept(ctx.entries.pop(kind))

    def _emit(self, out: CloudRun, result: StepResult) -> None:
        out.results.append(result)
        if self.progress is not None:
            with contextlib.suppress(Exception):  # a display problem never stops a run
                self.progress(Progress(out.cloud, result))

    def rollback(self, cloud: str, run: str) -> list[str]:
        """Undo, newest first, what `run` made on `cloud` (the ledger says what)."""
        return undo(
            self.ledger, self.providers[cloud], self.ledger.open_entries(cloud=cloud, run=run)
        )


def undo(
    ledger: Ledger, provider: Provider, entries: Sequence[Entry], timeout: float = 300.0
) -> list[str]:
    """Delete what `entries` name, newest first; each one that is gone is
    released in the ledger, one that could not be removed stays for clean-up.
    A node is waited on until the cloud says it is gone (within `timeout`), so
    the key it was made with is deleted after it and a count right after a
    rollback finds nothing left. Not cancellable: it is what Ctrl-C runs."""
    done: list[str] = []
    for e in entries:  # newest first
        try:
            if e.kind is Kind.NODE and e.ref:
                provider.delete_node(e.ref)
                provider.wait_for(e.ref, NodeState.DELETED, time.monotonic() + timeout)
                done.append(f"node {e.ref} deleted")
            elif e.kind is Kind.ADDRESS:
                # a floating / Elastic IP hybridtui allocated goes with the node (the
                # adapters release only what they allocated); nothing else to do
                done.append(f"address {e.ref or '(none yet)'} released with the node")
            elif e.kind is Kind.KEY and e.state is State.CREATED:
                provider.delete_key(e.ref)
                done.append(f"key {e.ref} deleted")
            elif e.kind is Kind.KEY and provider.key_objects:
                # only an intent: a run killed between the import and the ledger's
                # write may have left the key, under the name the intent holds
                provider.delete_key(e.name)
                done.append(f"key {e.name} deleted (the run stopped before recording it)")
            elif e.kind is Kind.LOCAL_KEY and e.ref:
                forget_node_key(Path(e.ref))
                done.append(f"local key {Path(e.ref).name} deleted")
            elif e.state is State.INTENT:
                done.append(f"{e.kind} {e.name}: never created")
        except ProviderError as err:
            if err.title == "Not found" or "not found" in err.message:
                gone = "never created" if e.state is State.INTENT else "already gone"
                done.append(f"{e.kind} {e.ref or e.name} {gone}")
            else:
                done.append(
                    f"{e.kind} {e.ref or e.name} NOT removed ({err.message}): left for `hybridtui cleanup`"
                )
                continue
        ledger.released(e.id)
    return done
