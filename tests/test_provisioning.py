"""The provisioning engine on the demo clouds: plans, all eight steps on several
clouds at once, a fault at each step in turn (rolled back, nothing left — counted
through the provider's own listings), cancel, and the measured evidence."""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import sim_cloud

from hybridtui.config import SimulatorCloud
from hybridtui.domain import MANAGED_TAG, AddressKind, PublicIpStrategy
from hybridtui.interop.equivalence import Spec
from hybridtui.interop.model import Evidence, Verdict
from hybridtui.interop.scorecard import build
from hybridtui.interop.site import Site, site_for
from hybridtui.inventory.poller import merge
from hybridtui.providers import CloudTarget
from hybridtui.providers.simulator.provider import SimulatorProvider
from hybridtui.provisioning.ledger import Kind, Ledger, State
from hybridtui.provisioning.plan import PlanError, make_plan
from hybridtui.provisioning.runner import Progress, Runner
from hybridtui.provisioning.steps import Status

SPEC = Spec.parse("vcpus=2,ram_gb=4,image=ubuntu")
ROOT_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl operator@laptop"


def demo(name: str, profile: str, **knobs: Any) -> tuple[CloudTarget, SimulatorProvider]:
    cfg = SimulatorCloud.validate(sim_cloud(name, profile, **knobs))
    return CloudTarget(name, "simulator", cfg), SimulatorProvider(name, cfg)


def site_of(target: CloudTarget, provider: SimulatorProvider) -> Site:
    inv = provider.fetch_inventory()
    return site_for(target, merge(target.name, target.kind, None, inv, time.time()))


def counts(p: SimulatorProvider) -> dict[str, int]:
    """What exists on the cloud, through its own listings."""
    nodes = p.list_nodes()
    return {
        "nodes": len(nodes),
        "ours": sum(
            1
            for n in nodes
            if n.raw.get("Tags") and any(t["Key"] == MANAGED_TAG for t in n.raw["Tags"])
        )
        + sum(
            1
            for n in nodes
            if MANAGED_TAG in (n.raw.get("metadata") or {})
            or MANAGED_TAG in (n.raw.get("labels") or {})
        ),
        "managed keys": sum(1 for k in p.list_keys() if k.managed),
        "floating ips": len(p.floating_ips()),
    }


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "ledger.sqlite")


CLOUDS = [
    ("aws", "aws-default-vpc"),
    ("gce", "gce-access-config"),
    ("fip", "openstack-floating-ip"),
    ("v6", "openstack-ipv6-only"),
    ("priv", "openstack-private"),
]


def test_plans_say_what_and_why_and_refuse_clearly() -> None:
    target, p = demo("fip", "openstack-floating-ip")
    plan = make_plan(site_of(target, p), SPEC, read_only=False)
    assert plan.strategy is PublicIpStrategy.FLOATING_IP
    assert plan.pool == "ext-net"
    assert (plan.flavor.vcpus, plan.flavor.ram_mb) == (2, 4096)
    assert (plan.image.distro, plan.image.version) == ("ubuntu", "24.04")
    assert plan.network.name == "default-network"
    assert plan.logins[0] == "ubuntu"
    assert set(plan.reasons) == {"flavor", "image", "network", "public address", "login"}
    with pytest.raises(PlanError, match="is read-only") as e:
        make_plan(site_of(target, p), SPEC, read_only=True)
    assert e.value.hint is not None
    assert "read_only: false" in e.value.hint
    with pytest.raises(PlanError, match=r"no match for .*image: no debian 7; releases here"):
        make_plan(site_of(target, p), Spec.parse("image=debian-7"), read_only=False)
    gce_target, gce = demo("gce", "gce-access-config", overrides={"login_user": "ops"})
    assert make_plan(site_of(gce_target, gce), SPEC, read_only=False).logins == ("ops",)
    # a private cloud with no way in is refused before anything is made
    priv_target, priv = demo("priv", "openstack-private")
    with pytest.raises(PlanError, match="no public address .* no jump host") as e:
        make_plan(site_of(priv_target, priv), SPEC, read_only=False)
    assert e.value.hint is not None
    assert "overrides.jump_host" in e.value.hint


def test_eight_steps_on_five_clouds_at_once(ledger: Ledger, tmp_path: Path) -> None:
    demos = {
        name: demo(name, profile, overrides={"jump_host": "ops@bastion"} if name == "priv" else {})
        for name, profile in CLOUDS
    }
    before = {name: counts(p) for name, (_, p) in demos.items()}
    plans = [make_plan(site_of(t, p), SPEC, read_only=False) for t, p in demos.values()]
    events: list[Progress] = []
    lock = threading.Lock()

    def progress(ev: Progress) -> None:
        with lock:
            events.append(ev)

    runner = Runner(
        {n: p for n, (_, p) in demos.items()},
        ledger,
        tmp_path / "keys",
        root_keys=[ROOT_KEY],
        progress=progress,
    )
    runs = {r.cloud: r for r in runner.run(plans)}
    for name, run in runs.items():
        assert run.ok, (name, run.error, run.results)
        assert [r.step for r in run.results] == list(range(1, 9)), name
        assert sorted(e.result.step for e in events if e.cloud == name) == list(range(1, 9))
        p = demos[name][1]
        after = counts(p)
        assert after["nodes"] == before[name]["nodes"] + 1
        assert after["managed keys"] == 0, "step 8 removed the node key from the cloud"
        node = p.get_node(run.node_id)
        assert node.name.startswith("hybrid-")
    statuses = {n: [str(r.status) for r in run.results] for n, run in runs.items()}
    assert statuses["priv"][4] == "skipped", "no public address: reached through the jump host"
    priv = demos["priv"][1].get_node(runs["priv"].node_id)
    assert (runs["priv"].address, runs["priv"].via) == (priv.private_ip, "ops@bastion"), (
        "the address it was reached at, and through what"
    )
    assert runs["fip"].via == "", "a public address is reached directly"
    assert runs["fip"].address.startswith("203.0.113.")
    fip_node = demos["fip"][1].get_node(runs["fip"].node_id)
    assert any(
        a.kind is AddressKind.FLOATING and a.ip == runs["fip"].address for a in fip_node.addresses
    )
    assert ":" in runs["v6"].address, "IPv6-only cloud: the node's public address is IPv6"
    assert runs["aws"].login == "ubuntu"
    assert runs["gce"].login == "hybrid", "GCE: the account hybridtui put into metadata"
    assert not any(f.is_file() for f in (tmp_path / "keys").rglob("*")), "no private key file left"
    # the ledger keeps what the runs made on purpose (nodes and addresses), keys are released
    assert ledger.open_entries() == [], "no leftovers"
    kept = ledger.open_entries(kept=True)
    assert {e.kind for e in kept} == {Kind.NODE, Kind.ADDRESS}
    assert all(e.state is State.KEPT for e in kept)


def test_cloud_init_refusal_names_the_account(ledger: Ledger, tmp_path: Path) -> None:
    target, p = demo("fip", "openstack-floating-ip", overrides={"login_user": "root"})
    plan = make_plan(site_of(target, p), SPEC, read_only=False)
    (run,) = Runner({"fip": p}, ledger, tmp_path / "keys", root_keys=[ROOT_KEY]).run([plan])
    assert run.ok, run.error
    step6 = run.results[5]
    assert step6.detail.startswith(
        'as ubuntu (root: refused: exit 142, Please login as the user "ubuntu" rather than the user "root".; ubuntu: ok)'
    )
    assert step6.verdict is Verdict.PARTIAL
    step7 = run.results[6]
    assert "password login refused" in step7.detail


@pytest.mark.parametrize(
    ("op", "step"),
    [
        ("import key", 1),
        ("create node", 4),
        ("public address", 5),
        ("node login", 6),
        ("node harden", 7),
        ("node key removal", 8),
    ],
)
def test_a_fault_at_each_step_rolls_back_everything(
    ledger: Ledger, tmp_path: Path, op: str, step: int
) -> None:
    target, p = demo("fip", "openstack-floating-ip", fault="http-500", fault_ops=[op])
    plan = make_plan(site_of(target, p), SPEC, read_only=False)
    before = counts(p)
    (run,) = Runner({"fip": p}, ledger, tmp_path / "keys", root_keys=[ROOT_KEY]).run([plan])
    assert not run.ok
    assert run.error.startswith(f"step {step} (")
    assert "HTTP 500" in run.error
    failed = [r for r in run.results if r.status is Status.FAILED]
    assert [r.step for r in failed] == [step]
    assert failed[0].error == "CloudUnavailableError"
    assert counts(p) == before, "nothing the run made is left on the cloud"
    assert ledger.open_entries() == [], "and nothing is left in the ledger"
    assert not any(f.is_file() for f in (tmp_path / "keys").rglob("*")), "nor a private key on disk"
    if step >= 4:
        assert any(r.status is Status.ROLLED_BACK and "deleted" in r.detail for r in run.results)


def test_one_cloud_failing_leaves_the_others_running(ledger: Ledger, tmp_path: Path) -> None:
    good_t, good = demo("aws", "aws-default-vpc")
    bad_t, bad = demo(
        "fip", "openstack-floating-ip", fault="http-500", fault_ops=["public address"]
    )
    plans = [
        make_plan(site_of(t, p), SPEC, read_only=False) for t, p in ((good_t, good), (bad_t, bad))
    ]
    runs = {
        r.cloud: r for r in Runner({"aws": good, "fip": bad}, ledger, tmp_path / "keys").run(plans)
    }
    assert runs["aws"].ok
    assert not runs["fip"].ok
    assert [str(r.status) for r in runs["aws"].results][6] == "skipped", (
        "no operator key given: step 7 skipped"
    )


def test_cancel_rolls_back(ledger: Ledger, tmp_path: Path) -> None:
    target, p = demo("aws", "aws-default-vpc")
    plan = make_plan(site_of(target, p), SPEC, read_only=False)
    before = counts(p)
    cancel = threading.Event()

    def progress(ev: Progress) -> None:
        if ev.result.step == 4:
            cancel.set()  # as a user pressing esc / Ctrl-C right after the node was requested

    (run,) = Runner({"aws": p}, ledger, tmp_path / "keys", progress=progress, cancel=cancel).run(
        [plan]
    )
    assert not run.ok
    assert run.error == "step 5 (public address): aws: cancelled"
    assert counts(p) == before
    assert ledger.open_entries() == []


def test_measured_steps_feed_the_scorecard(ledger: Ledger, tmp_path: Path) -> None:
    target, p = demo("fip", "openstack-floating-ip", overrides={"login_user": "root"})
    site = site_of(target, p)
    plan = make_plan(site, SPEC, read_only=False)
    (run,) = Runner({"fip": p}, ledger, tmp_path / "keys", root_keys=[ROOT_KEY]).run([plan])
    card = build([site]).with_measured(run.measured(at=time.time()))
    step5 = card.cell("fip", "5")
    assert step5 is not None
    assert (step5.evidence, step5.verdict, step5.value) == (
        Evidence.MEASURED,
        Verdict.PARTIAL,
        "floating-ip",
    )
    (source,) = step5.sources
    assert (source.kind, source.record) == ("provisioning run", run.node_name)
    assert source.field.startswith("step 5 (ok, ")
    step6 = card.cell("fip", "6")
    assert step6 is not None
    assert (step6.evidence, step6.value) == (Evidence.MEASURED, "ubuntu")
    assert card.cell("fip", "1").evidence is Evidence.MEASURED  # type: ignore[union-attr]


def test_the_engine_refuses_a_read_only_cloud_whoever_planned(
    ledger: Ledger, tmp_path: Path
) -> None:
    target, writable = demo("aws", "aws-default-vpc")
    plan = make_plan(site_of(target, writable), SPEC, read_only=False)
    _, locked = demo("aws", "aws-default-vpc", read_only=True)
    before = counts(locked)
    with pytest.raises(PlanError, match="aws is read-only"):
        Runner({"aws": locked}, ledger, tmp_path / "keys").run([plan])
    assert counts(locked) == before
    assert ledger.open_entries(kept=True) == []


def test_console_fingerprints_as_cloud_init_prints_them() -> None:
    """An EC2 console log as `aws ec2 get-console-output` shows it (lines
    prefixed `ec2: `), with both of cloud-init's blocks; the key in the KEYS
    block is fingerprinted like `ssh-keygen -l` does."""
    from hybridtui.provisioning.ssh import console_fingerprints, make_node_key, public_line

    key = make_node_key("host", Path(tempfile.mkdtemp()))
    blob = public_line(key.private_path)
    console = (
        "[   12.345678] cloud-init[612]: Cloud-init v. 24.1 running 'modules:final'\n"
        "ec2: #############################################################\n"
        "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----\n"
        "ec2: 256 SHA256:gBu+Umc47UzTxj/1OJJtjLy0XkU5jresOD4EEj05yNg root@ip-172-31-9-14 (ED25519)\n"
        "ec2: 256 SHA256:1N1dEeQ3uDwGa9x0m3ZzUlc0sCC6m6PwB5kY5ZxUPgE root@ip-172-31-9-14 (ECDSA)\n"
        "ec2: -----END SSH HOST KEY FINGERPRINTS-----\n"
        "ec2: #############################################################\n"
        "-----BEGIN SSH HOST KEY KEYS-----\n"
        f"{blob} root@ip-172-31-9-14\n"
        "-----END SSH HOST KEY KEYS-----\n"
    )
    import asyncssh

    expected = asyncssh.import_public_key(blob).get_fingerprint("sha256")
    assert console_fingerprints(console) == {
        "SHA256:gBu+Umc47UzTxj/1OJJtjLy0XkU5jresOD4EEj05yNg",
        "SHA256:1N1dEeQ3uDwGa9x0m3ZzUlc0sCC6m6PwB5kY5ZxUPgE",
        expected,
    }
    assert console_fingerprints("FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE") == set()
    # a fingerprint outside cloud-init's block is not taken for one
    assert console_fingerprints("sshd: SHA256:gBu+Umc47UzTxj/1OJJtjLy0XkU5jresOD4EEj05yNg") == set()


def test_the_engine_refuses_an_adapter_that_cannot_write(ledger: Ledger, tmp_path: Path) -> None:
    """An adapter without the write capabilities the steps need is refused by
    the engine itself, with what it lacks, and nothing is created."""
    from hybridtui.providers.base import Capability

    class ListingOnly(SimulatorProvider):
        capabilities = Capability.READ | Capability.CREATE_NODE | Capability.DELETE_NODE

    target, p = demo("fip", "openstack-floating-ip")
    plan = make_plan(site_of(target, p), SPEC, read_only=False)
    adapter = ListingOnly("fip", p.config)
    before = counts(adapter)
    with pytest.raises(
        PlanError, match="cannot register keys or give nodes public addresses or delete keys"
    ) as e:
        Runner({"fip": adapter}, ledger, tmp_path / "keys").run([plan])
    assert e.value.hint is not None
    assert counts(adapter) == before
    assert ledger.open_entries(kept=True) == []


def test_a_catalogue_that_failed_to_list_is_named_in_the_refusal() -> None:
    """Flavors that could not be read are not "no flavors listed": the plan
    says which listing failed and what the cloud answered."""
    target, p = demo("fip", "openstack-floating-ip", fault="http-500", fault_kinds=["flavors"])
    with pytest.raises(PlanError, match=r"cannot plan without its flavors \(.*HTTP 500") as e:
        make_plan(site_of(target, p), SPEC, read_only=False)
    assert "images" not in e.value.message, "only the kind that failed"


def test_a_ledger_that_is_not_a_database_is_said_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It is the only record of what stopped runs left on the clouds: unlike
    the cache it is not moved aside for the user. Every command that opens
    it (provision, destroy, cleanup) said so with a sqlite3 traceback."""
    from hybridtui.cli import main
    from hybridtui.paths import resolve_paths
    from hybridtui.provisioning.ledger import LedgerError

    path = resolve_paths().ledger_file
    path.parent.mkdir(parents=True, exist_ok=True)
    garbage = b"\x13" * 4096
    path.write_bytes(garbage)
    with pytest.raises(LedgerError) as info:
        Ledger(path)
    assert (
        info.value.message
        == f"the provisioning ledger {path} cannot be opened (file is not a database)"
    )
    assert info.value.hint is not None
    assert f"mv {path} {path}.broken" in info.value.hint
    assert main(["--demo", "cleanup"]) == 1
    err = capsys.readouterr().err
    assert "Provisioning ledger unreadable" in err
    assert "Traceback" not in err
    assert path.read_bytes() == garbage, "left as it was"


def test_a_disk_in_the_spec_is_asked_for_where_the_cloud_sizes_it_at_launch() -> None:
    """`disk_gb`: EC2 and GCE get it as the boot disk at step 4, unless the
    image's own is as large; OpenStack's comes from the flavor step 3 picks,
    never a zero-disk one (it would boot the image's size)."""
    from hybridtui.provisioning.steps import boot_disk_gb

    asked: dict[str, Any] = {}
    for name, profile in [("aws", "aws-default-vpc"), ("gce", "gce-access-config")]:
        target, p = demo(name, profile)
        big = make_plan(site_of(target, p), replace(SPEC, disk_gb=50), read_only=False)
        small = make_plan(site_of(target, p), replace(SPEC, disk_gb=5), read_only=False)
        assert big.flavor.disk_gb == 0
        assert 5 < small.image.disk_gb < 50
        asked[name] = (boot_disk_gb(big), boot_disk_gb(small))
        assert ", boot disk 50 GB at launch" in big.reasons["flavor"]
    assert asked == {"aws": (50, 0), "gce": (50, 0)}
    target, p = demo("fip", "openstack-floating-ip")  # zero-disk flavors beside disk ones
    plain = make_plan(site_of(target, p), SPEC, read_only=False)
    disk = make_plan(site_of(target, p), replace(SPEC, disk_gb=50), read_only=False)
    assert (plain.flavor.name, disk.flavor.name) == ("2C-4GB", "2C-4GB-50GB")
    assert boot_disk_gb(disk) == 0, "the flavor's own disk"
