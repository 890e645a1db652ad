"""The eight node-allocation steps, each a named function returning a typed
result. A step writes to the ledger before it creates anything; the runner
rolls back from the ledger when a later step fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from hybridtui.domain import (
    MANAGED_TAG,
    Address,
    Login,
    Node,
    NodeSpec,
    NodeState,
    PublicIpStrategy,
)
from hybridtui.errors import CloudTimeoutError, HybridError, ProvisionError
from hybridtui.interop.model import Cell, Evidence, Source, Verdict
from hybridtui.providers.base import Provider
from hybridtui.provisioning.ledger import Kind, Ledger
from hybridtui.provisioning.plan import Plan
from hybridtui.provisioning.ssh import NodeAccess, NodeKey, forget_node_key, make_node_key

STEP_TITLES = {
    1: "add node key",
    2: "read catalogue",
    3: "pick",
    4: "request node",
    5: "public address",
    6: "log in",
    7: "root keys, no passwords",
    8: "remove node key",
}


class Status(StrEnum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"
    ROLLED_BACK = "rolled-back"


@dataclass(frozen=True, slots=True)
class StepResult:
    step: int
    status: Status
    seconds: float
    detail: str
    #: The error's class when it failed (`QuotaError`, `CloudTimeoutError`…).
    error: str = ""
    #: What the step saw, for the scorecard's *measured* evidence.
    verdict: Verdict = Verdict.YES
    value: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "step": self.step,
            "status": str(self.status),
            "seconds": round(self.seconds, 2),
            "detail": self.detail,
            "error": self.error or None,
        }

    def cell(self, cloud: str, at: float, node: str = "") -> Cell | None:
        """This step as measured evidence (only steps that ran to an answer)."""
        if self.status is Status.OK:
            verdict = self.verdict
        elif self.status is Status.FAILED and self.error:
            verdict = Verdict.NO
        else:
            return None
        source = Source(
            "provisioning run",
            node or cloud,
            f"step {self.step} ({self.status}, {self.seconds:.1f} s)",
            self.error or self.detail,
        )
        return Cell(
            cloud,
            str(self.step),
            verdict,
            f"measured: {self.detail}",
            Evidence.MEASURED,
            at,
            self.value,
            (source,),
        )


@dataclass
class Context:
    """One cloud's run: what every step needs, and what the steps made so far."""

    run: str
    plan: Plan
    provider: Provider
    ledger: Ledger
    keys_dir: Path
    name: str
    root_keys: Sequence[str]
    cancel: threading.Event
    #: Seconds a node may take to be running and reachable.
    node_timeout: float = 300.0
    access_for: Callable[[Context], NodeAccess] | None = None
    known_hosts: Path = Path("known_hosts")
    root_identity: Path | None = None
    key: NodeKey | None = None
    key_ref: str = ""
    node: Node | None = None
    address: Address | None = None
    login: Login | None = None
    entries: dict[Kind, int] = field(default_factory=dict)

    _access: NodeAccess | None = None

    def access(self) -> NodeAccess:
        """One way into the node for steps 6–8 (its host key learnt once)."""
        if self._access is None:
            assert self.access_for is not None
            self._access = self.access_for(self)
        return self._access

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise ProvisionError(f"{self.plan.cloud}: cancelled", title="Cancelled")


def step1_key(ctx: Context) -> StepResult:
    """A fresh ed25519 key for this node, registered with the cloud."""
    cloud = ctx.plan.cloud
    key_name = f"hybridtui-{ctx.name}"
    local = ctx.ledger.intent(ctx.run, cloud, Kind.LOCAL_KEY, key_name)
    ctx.entries[Kind.LOCAL_KEY] = local
    ctx.key = make_node_key(key_name, ctx.keys_dir / cloud)
    ctx.ledger.created(local, str(ctx.key.private_path))
    entry = ctx.ledger.intent(ctx.run, cloud, Kind.KEY, key_name)
    ctx.entries[Kind.KEY] = entry
    ctx.key_ref = ctx.provider.import_key(key_name, ctx.key.public)
    ctx.ledger.created(entry, ctx.key_ref)
    how = (
        "ssh-keys metadata (with expireOn) at insert" if ctx.plan.platform == "gce" else "key pair"
    )
    return StepResult(
        1,
        Status.OK,
        0.0,
        f"{key_name} ({how})",
        value="metadata" if ctx.plan.platform == "gce" else "key-pair",
    )


def step2_read(ctx: Context) -> StepResult:
    """The catalogue came from the inventory (refreshed when stale before planning)."""
    p = ctx.plan
    return StepResult(
        2,
        Status.OK,
        0.0,
        f"{p.flavor.name}, {p.image.name} and {p.network.name} known from the inventory",
    )


def step3_pick(ctx: Context) -> StepResult:
    p = ctx.plan
    return StepResult(
        3,
        Status.OK,
        0.0,
        f"{p.flavor.name} · {p.image.name} · {p.network.name} ({p.reasons['flavor']})",
    )


def step4_request(ctx: Context) -> StepResult:
    """Request the node, tagged as ours, and wait for it to run."""
    p = ctx.plan
    entry = ctx.ledger.intent(ctx.run, p.cloud, Kind.NODE, ctx.name)
    ctx.entries[Kind.NODE] = entry
    # GCE names machine types (its numeric ids are not accepted in a request)
    flavor = p.flavor.name if p.platform == "gce" else (p.flavor.id or p.flavor.name)
    spec = NodeSpec(
        name=ctx.name,
        flavor=flavor,
        image=p.image.id or p.image.name,
        network=p.network.name,
        key_name=ctx.key_ref,
        public_key=ctx.key.public if ctx.key else "",
        public_ip=p.strategy in (PublicIpStrategy.AUTO_ASSIGN, PublicIpStrategy.ACCESS_CONFIG),
        floating_ip_pool=p.pool,
        security_groups=p.security_groups,
        tags={MANAGED_TAG: "true", "hybridtui:run": ctx.run},
    )
    node = ctx.provider.create_node(spec)
    ctx.ledger.created(entry, node.id)
    ctx.node = wait_for(ctx, node, NodeState.RUNNING)
    return StepResult(
        4, Status.OK, 0.0, f"{ctx.node.name} ({ctx.node.id}) {ctx.node.raw_state or ctx.node.state}"
    )


def wait_for(ctx: Context, node: Node, state: NodeState) -> Node:
    """Poll until `node` is in `state`, within the node deadline, cancellable."""
    deadline = time.monotonic() + ctx.node_timeout
    delay = 0.2
    while node.state is not state:
        if node.state in (NodeState.ERROR, NodeState.DELETED):
            raise ProvisionError(
                f"{ctx.plan.cloud}: {node.name} went to {node.raw_state or node.state}"
            )
        if time.monotonic() > deadline:
            raise CloudTimeoutError(
                f"{ctx.plan.cloud}: {node.name} not {state} after {ctx.node_timeout:g} s"
            )
        if ctx.cancel.wait(delay):
            ctx.check_cancel()
        delay = min(delay * 2, 5.0)
        node = ctx.provider.get_node(node.id)
    return node


def step5_public(ctx: Context) -> StepResult:
    """The node's public address, by this cloud's strategy."""
    p = ctx.plan
    assert ctx.node is not None
    if p.strategy is PublicIpStrategy.NONE:
        via = f"through jump host {p.jump_host}" if p.jump_host else "(no jump host configured)"
        return StepResult(
            5,
            Status.SKIPPED,
            0.0,
            f"no public address on this cloud: reached {via}",
            verdict=Verdict.PARTIAL if p.jump_host else Verdict.NO,
            value=str(p.strategy),
        )
    entry = ctx.ledger.intent(ctx.run, p.cloud, Kind.ADDRESS, ctx.name, detail=p.pool)
    ctx.entries[Kind.ADDRESS] = entry
    addr = ctx.provider.ensure_public_address(ctx.node.id, p.pool or None)
    ctx.ledger.created(entry, addr.ip)
    ctx.address = addr
    verdict = Verdict.YES if p.strategy is not PublicIpStrategy.FLOATING_IP else Verdict.PARTIAL
    how = {PublicIpStrategy.FLOATING_IP: f"floating IP from {p.pool or 'the pool'}"}.get(
        p.strategy, str(p.strategy)
    )
    return StepResult(
        5, Status.OK, 0.0, f"{addr.ip} ({how})", verdict=verdict, value=str(p.strategy)
    )


def step6_login(ctx: Context) -> StepResult:
    """Log in with the node key: the hinted account first; with no hint, root
    first, whose cloud-init refusal names the right account."""
    access = ctx.access()
    access.wait_ready(time.monotonic() + ctx.node_timeout, ctx.cancel)
    ctx.login = access.login(ctx.plan.logins)
    tried = "; ".join(f"{u}: {what}" for u, what in ctx.login.attempts)
    host_key = getattr(access, "host_key", "")
    if host_key:
        tried += f"; host key {host_key}, trusted on first use and recorded"
    verdict = Verdict.YES if len(ctx.login.attempts) == 1 else Verdict.PARTIAL
    return StepResult(
        6,
        Status.OK,
        0.0,
        f"as {ctx.login.account} ({tried})",
        verdict=verdict,
        value=ctx.login.account,
    )


def step7_harden(ctx: Context) -> StepResult:
    assert ctx.access_for is not None
    assert ctx.login is not None
    if not ctx.root_keys:
        return StepResult(
            7,
            Status.SKIPPED,
            0.0,
            "no operator key for root (--root-key, or ~/.ssh/id_ed25519.pub)",
        )
    proofs = ctx.access().harden(ctx.login.account, ctx.root_keys)
    return StepResult(7, Status.OK, 0.0, "; ".join(proofs), value="sudo")


def step8_remove(ctx: Context, keep_node_key: bool) -> StepResult:
    """Remove the node key from the cloud, the node and this machine."""
    assert ctx.access_for is not None
    assert ctx.login is not None
    assert ctx.key is not None
    if keep_node_key:
        return StepResult(8, Status.SKIPPED, 0.0, f"kept (--keep-node-key): {ctx.key.private_path}")
    proofs = ctx.access().remove_node_key(ctx.login.account)
    ctx.provider.delete_key(ctx.key_ref)
    ctx.ledger.released(ctx.entries.pop(Kind.KEY))
    forget_node_key(ctx.key.private_path)
    ctx.ledger.released(ctx.entries.pop(Kind.LOCAL_KEY))
    return StepResult(
        8,
        Status.OK,
        0.0,
        "; ".join([*proofs, "key deleted from the cloud and this machine"]),
        value="live" if ctx.plan.platform == "gce" else "cloud-and-node",
    )


def error_name(e: BaseException) -> str:
    return type(e).__name__ if isinstance(e, HybridError) else f"unexpected {type(e).__name__}"
