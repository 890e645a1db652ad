"""The provisioning engine on the demo clouds: plans, all eight steps on several
clouds at once, a fault at each step in turn (rolled back, nothing left — counted
through the provider's own listings), cancel, and the measured evidence."""

from __future__ import annotations

import threading
import time
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
from hybridtui.providers.simulator import SimulatorProvider
from hybridtui.provisioning.ledger import Kind, Ledger, State
from hybridtui.provisioning.plan import PlanError, make_plan
from hybridtui.provisioning.runner import Progress, Runner
from hybridtui.provisioning.steps import Status

SPEC = Spec.parse("vcpus=2,ram_gb=4,image=ubuntu")
ROOT_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl operator@laptop"


def demo(name: str, profile: str, **knobs: Any) -> tuple[CloudTarget, SimulatorProvider]:
    cfg = SimulatorCloud.model_validate(sim_cloud(name, profile, **knobs))
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


# ------------------------------------------------------------ command line


def write_config(path: Path, *clouds: dict[str, Any]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"clouds": list(clouds)}))
    return path


def test_provision_destroy_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import json

    from hybridtui.cli import main

    cfg = write_config(
        tmp_path / "c.yaml",
        sim_cloud("fip", "openstack-floating-ip"),
        sim_cloud("aws", "aws-default-vpc"),
        {**sim_cloud("ro", "aws-default-vpc"), "read_only": True},
    )
    root = tmp_path / "id_ed25519.pub"
    root.write_text(ROOT_KEY + "\n")
    code = main(
        [
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "fip",
            "--cloud",
            "aws",
            "--spec",
            "image=debian",
            "--root-key",
            str(root),
            "--yes",
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    runs = {r["cloud"]: r for r in json.loads(out)["clouds"]}
    assert [s["status"] for s in runs["fip"]["steps"]] == ["ok"] * 8
    assert runs["aws"]["node"]["login"] == "admin", "Debian logs in as admin on AWS"
    assert runs["fip"]["node"]["login"] == "debian", "and as debian on OpenStack"
    # the node outlives the process: the next command sees it, destroy removes it
    code = main(["inventory", "--config", str(cfg), "--cloud", "fip", "--format", "json"])
    names = [r["name"] for r in json.loads(capsys.readouterr().out)["records"]]
    assert runs["fip"]["node"]["name"] in names
    code = main(
        ["destroy", "--config", str(cfg), "--cloud", "fip", "--yes", runs["fip"]["node"]["name"]]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    assert f"node {runs['fip']['node']['id']} deleted" in out
    code = main(["inventory", "--config", str(cfg), "--cloud", "fip", "--format", "json"])
    assert runs["fip"]["node"]["name"] not in [
        r["name"] for r in json.loads(capsys.readouterr().out)["records"]
    ]
    # refusals: nothing is created
    code = main(
        ["provision", "--config", str(cfg), "--cloud", "ro", "--spec", "image=debian", "--yes"]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "ro is read-only: nothing is provisioned there" in err
    code = main(
        ["provision", "--config", str(cfg), "--cloud", "aws", "--spec", "image=debian-7", "--yes"]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "no debian 7" in err
    code = main(
        [
            "--read-only",
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "aws",
            "--spec",
            "image=debian",
            "--yes",
        ]
    )
    assert code == 2
    assert "read-only" in capsys.readouterr().err
    code = main(
        [
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "aws",
            "--spec",
            "image=debian",
            "--yes",
            "--root-key",
            str(tmp_path / "c.yaml"),
        ]
    )
    assert code == 2
    assert "not an OpenSSH public key" in capsys.readouterr().err
    code = main(["destroy", "--config", str(cfg), "--cloud", "aws", "--yes", "web-prod-01"])
    assert code == 2
    assert "was not made by hybridtui: it is not deleted" in capsys.readouterr().err


@pytest.mark.parametrize("after_step", [1, 2, 3, 4, 5, 6, 7])
def test_sigkill_mid_run_then_cleanup_leaves_nothing(tmp_path: Path, after_step: int) -> None:
    """A provisioning process killed right after step N: the ledger and the
    tags let `cleanup` remove everything it made."""
    import json
    import os
    import signal
    import subprocess
    import sys

    cfg = write_config(tmp_path / "c.yaml", sim_cloud("fip", "openstack-floating-ip", latency=0.3))
    env = {**os.environ}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hybridtui",
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "fip",
            "--spec",
            "image=ubuntu",
            "--yes",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.split()[1:2] == [str(after_step)]:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hybridtui", *argv, "--config", str(cfg)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    nodes = json.loads(
        run("inventory", "--cloud", "fip", "--kind", "all", "--format", "json").stdout
    )["records"]
    if after_step >= 4:
        assert any(r["kind"] == "nodes" and r["name"].startswith("hybrid-") for r in nodes), (
            "a node was left"
        )
    done = run("cleanup", "--yes")
    assert done.returncode == 0, done.stderr
    if after_step >= 4:
        assert "node sim-" in done.stdout
    assert "deleted" in done.stdout
    after = json.loads(
        run("inventory", "--cloud", "fip", "--kind", "all", "--format", "json").stdout
    )["records"]
    assert not any(r["kind"] == "nodes" and r["name"].startswith("hybrid-") for r in after)
    assert not any(r["kind"] == "keys" and r.get("managed") for r in after)
    assert not any(r["kind"] == "addresses" and r.get("managed") for r in after)
    keys_dir = Path(os.environ["HYBRIDTUI_HOME"]) / "data" / "node-keys"
    assert not any(f.is_file() for f in keys_dir.rglob("*")), "the node's private key is gone too"
    again = run("cleanup", "--yes")
    assert (again.returncode, again.stdout) == (0, ""), "nothing left to clean"


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


@pytest.mark.parametrize("after_step", [1, 2, 3, 4, 5, 6, 7])
def test_ctrl_c_mid_run_rolls_back_and_exits_130(tmp_path: Path, after_step: int) -> None:
    import json
    import os
    import signal
    import subprocess
    import sys

    cfg = write_config(tmp_path / "c.yaml", sim_cloud("fip", "openstack-floating-ip", latency=0.3))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hybridtui",
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "fip",
            "--spec",
            "image=ubuntu",
            "--yes",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.split()[1:2] == [str(after_step)]:
            proc.send_signal(signal.SIGINT)  # as a user pressing Ctrl-C
            break
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted: rolling back what was made" in err
    if "finished before the interrupt took effect" in err:  # its last step was already running
        assert after_step >= 6, err
        node = err.split("node ", 1)[1].split()[0]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "hybridtui",
                "destroy",
                "--config",
                str(cfg),
                "--cloud",
                "fip",
                "--yes",
                node,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    elif after_step >= 4:
        assert "rolled back: node sim-" in err
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "hybridtui",
            "inventory",
            "--config",
            str(cfg),
            "--kind",
            "all",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    records = json.loads(listed.stdout)["records"]
    assert not any(r["kind"] == "nodes" and r["name"].startswith("hybrid-") for r in records)
    assert not any(r["kind"] in ("keys", "addresses") and r.get("managed") for r in records)
    keys_dir = Path(os.environ["HYBRIDTUI_HOME"]) / "data" / "node-keys"
    assert not any(f.is_file() for f in keys_dir.rglob("*"))
    left = subprocess.run(
        [sys.executable, "-m", "hybridtui", "cleanup", "--config", str(cfg), "--yes"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (left.returncode, left.stdout) == (0, ""), "the ledger has nothing left to clean"


def test_sigkill_on_moto_then_cleanup_leaves_nothing(aws_env: str, tmp_path: Path) -> None:
    """The same on a real peer: `hybridtui provision` against moto over HTTP,
    killed after the instance was requested; `cleanup` removes the instance and
    the key pair, counted through the EC2 API."""
    import signal
    import subprocess
    import sys

    import boto3
    from conftest import aws_cloud

    cfg = write_config(
        tmp_path / "c.yaml",
        aws_cloud(aws_env, read_only=False, overrides={"ssh_endpoint": "127.0.0.1:1"}),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hybridtui",
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "aws",
            "--spec",
            "image=ubuntu",
            "--yes",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.split()[1:2] == ["4"]:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=30)
    ec2 = boto3.session.Session(profile_name="hybrid-test").client(
        "ec2", region_name="eu-west-1", endpoint_url=aws_env
    )

    def live() -> list[str]:
        return [
            i["InstanceId"]
            for r in ec2.describe_instances()["Reservations"]
            for i in r["Instances"]
            if i["State"]["Name"] not in ("shutting-down", "terminated")
        ]

    assert len(live()) == 1, "the killed run left its instance"
    assert len(ec2.describe_key_pairs()["KeyPairs"]) == 1, "and its key pair"
    done = subprocess.run(
        [sys.executable, "-m", "hybridtui", "cleanup", "--config", str(cfg), "--yes"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert live() == []
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert ec2.describe_addresses()["Addresses"] == []


def test_root_keys_from_the_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import json

    import yaml

    from hybridtui.cli import main

    root = tmp_path / "ops.pub"
    root.write_text(ROOT_KEY + "\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {"clouds": [sim_cloud("fip", "openstack-floating-ip")], "root_keys": [str(root)]}
        )
    )
    code = main(
        [
            "provision",
            "--config",
            str(cfg),
            "--cloud",
            "fip",
            "--spec",
            "image=ubuntu",
            "--yes",
            "--format",
            "json",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    step7 = json.loads(out)["clouds"][0]["steps"][6]
    assert step7["status"] == "ok"
    assert "root logs in with 1 operator key(s)" in step7["detail"]
