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
    Node,
    NodeSpec,
    NodeState,
    PublicIpStrategy,
)
from hybridtui.errors import CancelledError, HybridError, ProviderError, ProvisionError
from hybridtui.interop.model import Cell, Evidence, Source, Verdict
from hybridtui.logins import Login
from hybridtui.providers.base import Provider
from hybridtui.provisioning.ledger import Kind, Ledger
from hybridtui.provisioning.plan import Plan
from hybridtui.provisioning.ssh import (
    NodeAccess,
    NodeKey,
    console_fingerprints,
    forget_node_key,
    make_node_key,
)

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
            raise CancelledError(f"{self.plan.cloud}: cancelled")


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


def boot_disk_gb(p: Plan) -> int:
    """The boot disk step 4 asks for: the spec's, where the flavor has no disk
    of its own (EC2, GCE: sized at launch) and the image's is smaller; 0 keeps
    the image's (or the flavor's, on OpenStack)."""
    if not p.spec.disk_gb or p.flavor.disk_gb or p.platform == "openstack":
        return 0
    return p.spec.disk_gb if p.spec.disk_gb > p.image.disk_gb else 0


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
        disk_gb=boot_disk_gb(p),
    )
    node = ctx.provider.create_node(spec)
    ctx.ledger.created(entry, node.id)
    deadline = time.monotonic() + ctx.node_timeout
    ctx.node = ctx.provider.wait_for(node.id, NodeState.RUNNING, deadline, ctx.cancel)
    disk = f", boot disk {spec.disk_gb} GB" if spec.disk_gb else ""
    return StepResult(
        4,
        Status.OK,
        0.0,
        f"{ctx.node.name} ({ctx.node.id}) {ctx.node.raw_state or ctx.node.state}{disk}",
    )


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
    first, whose cloud-init refusal names the right account. The host key is
    trusted on first use, and compared with the fingerprints the node printed
    on its console where the cloud shows the console."""
    access = ctx.access()
    access.wait_ready(time.monotonic() + ctx.node_timeout, ctx.cancel)
    ctx.login = access.login(ctx.plan.logins)
    tried = "; ".join(f"{u}: {what}" for u, what in ctx.login.attempts)
    host_key = getattr(access, "host_key", "")
    if host_key:
        tried += f"; host key {host_key}, {_check_console(ctx, access, host_key)}"
    jump_key = getattr(access, "jump_host_key", "")
    if jump_key:
        tried += f"; jump host key {jump_key}, trusted on first use and recorded"
    verdict = Verdict.YES if len(ctx.login.attempts) == 1 else Verdict.PARTIAL
    return StepResult(
        6,
        Status.OK,
        0.0,
        f"as {ctx.login.account} ({tried})",
        verdict=verdict,
        value=ctx.login.account,
    )


def _check_console(ctx: Context, access: NodeAccess, host_key: str) -> str:
    """What the console says of the host key: it matches, or nothing to compare
    with (then trust on first use stands); a mismatch fails the step."""
    assert ctx.node is not None
    try:
        console = ctx.provider.console_output(ctx.node.id)
    except ProviderError as e:
        return f"trusted on first use and recorded (console output: {e.title})"
    printed = console_fingerprints(console)
    if not printed:
        return "trusted on first use and recorded (no fingerprints in the console output)"
    if host_key in printed:
        return "matches the fingerprints on the node's console, recorded"
    forget = getattr(access, "forget_host", None)
    if forget is not None:
        forget()
    raise ProvisionError(
        f"{ctx.plan.cloud}: the host key offered ({host_key}) is not among those the node"
        f" printed on its console ({', '.join(sorted(printed))}): not trusted",
        title="Host key mismatch",
        hint="Something between here and the node answers for it (a wrong ssh_endpoint, or"
        " a man in the middle). No root keys were installed; the run is rolled back.",
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
