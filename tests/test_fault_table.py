"""A fault at each step in turn, on the real peers: the OpenStack services (Nova
and Neutron behind fault proxies) and the GCE REST peer, with steps 6–8 over
real SSH to a loopback sshd set up like a cloud image. The fault starts when
the step before it ends (the runner's own progress events), and the cloud
answers again once a step has failed, so the rollback is what is tested.
After every run the peer holds nothing the run created, counted through its
API, and the ledger and the keys directory are empty.

The moto half of the table is in test_ssh.py (`test_a_fault_at_a_step_on_moto…`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from peers.sshd_box import Box, available, sshd_box

from hybridtui.interop.equivalence import Spec
from hybridtui.interop.site import site_for
from hybridtui.inventory.poller import merge
from hybridtui.providers import CloudTarget
from hybridtui.providers.base import Provider
from hybridtui.provisioning.ledger import Ledger
from hybridtui.provisioning.plan import make_plan
from hybridtui.provisioning.runner import CloudRun, Progress, Runner, default_access
from hybridtui.provisioning.ssh import NodeAccess, NodeKey, make_node_key
from hybridtui.provisioning.steps import Context, Status

pytestmark = pytest.mark.skipif(available() is not None, reason=f"sshd box: {available()}")

#: Faults made on the node itself, not the cloud API.
NO_CLOUD_INIT = "the image never got the node key"
NO_SUDO = "the login account has no sudo"


@dataclass
class AtStep:
    """Turns a fault on when step `step - 1` ends, and off when a step fails."""

    step: int
    on: Callable[[], None]
    off: Callable[[], None]
    failed: list[int] = field(default_factory=list)

    def start(self) -> None:
        if self.step == 1:
            self.on()

    def __call__(self, ev: Progress) -> None:
        r = ev.result
        if r.status is Status.FAILED:
            self.failed.append(r.step)
            self.off()
        elif r.step == self.step - 1 and r.status in (Status.OK, Status.SKIPPED):
            self.on()


@pytest.fixture
def operator(tmp_path: Path) -> NodeKey:
    return make_node_key("operator", tmp_path / "operator")


def run_with_fault(
    target: CloudTarget,
    provider: Provider,
    spec: str,
    box: Box,
    fault: AtStep,
    node_fault: str,
    cloud_init: Callable[[Context], None],
    operator: NodeKey,
    tmp_path: Path,
) -> tuple[CloudRun, Runner, Ledger]:
    inv = provider.fetch_inventory()
    assert not inv.errors, inv.errors
    plan = make_plan(
        site_for(target, merge(target.name, target.kind, None, inv, time.time())),
        Spec.parse(spec),
        read_only=False,
    )

    def access(ctx: Context) -> NodeAccess:
        if node_fault != NO_CLOUD_INIT:
            cloud_init(ctx)
        if node_fault == NO_SUDO:
            assert box.run("rm /etc/sudoers.d/90-cloud-init-users").returncode == 0
        return default_access(ctx)

    ledger = Ledger(tmp_path / "ledger.sqlite")
    runner = Runner(
        {target.name: provider},
        ledger,
        tmp_path / "keys",
        root_keys=[operator.public],
        root_identity=operator.private_path,
        access_for=access,
        progress=fault,
        node_timeout=60,
        known_hosts=tmp_path / "known_hosts",
    )
    fault.start()
    (run,) = runner.run([plan])
    return run, runner, ledger


def assert_failed_at(run: CloudRun, step: int, fault: AtStep) -> None:
    assert not run.ok
    assert run.error.startswith(f"step {step} ("), run.error
    assert fault.failed == [step]
    assert [r.step for r in run.results if r.status is Status.FAILED] == [step]
    assert run.rolled_back, "the rollback says what it did"
    assert not any("NOT removed" in line for line in run.rolled_back), run.rolled_back


def assert_nothing_local(ledger: Ledger, tmp_path: Path) -> None:
    assert ledger.open_entries(kept=True) == []
    left = [f for f in (tmp_path / "keys").rglob("*") if f.is_file()]
    assert left == [], "the node's private key is deleted"


# ------------------------------------------------------------------ OpenStack

OS_FAULTS = {
    1: ("nova", "/os-keypairs", "POST"),
    4: ("nova", "/servers", "POST"),
    5: ("neutron", "/floatingips", "POST,PUT"),
    6: ("", NO_CLOUD_INIT, ""),
    7: ("", NO_SUDO, ""),
    8: ("nova", "/os-keypairs/", "DELETE"),
}


@pytest.mark.openstack
@pytest.mark.parametrize("step", sorted(OS_FAULTS))
def test_a_fault_at_each_step_on_the_real_openstack_services(
    os_clouds: Path, operator: NodeKey, tmp_path: Path, step: int
) -> None:
    import openstack
    from conftest import add_cloud, os_cloud, realstack_url
    from peers.fault_proxy import Fault, fault_proxy

    from hybridtui.config import OpenStackCloud
    from hybridtui.providers.openstack.adapter import OpenStackProvider
    from hybridtui.providers.openstack.records import MANAGED_DESCRIPTION

    service, where, methods = OS_FAULTS[step]
    conn = openstack.connect(cloud="realstack")

    def ours_fips() -> set[str]:
        return {
            f.floating_ip_address
            for f in conn.network.ips()
            if (f.description or "") == MANAGED_DESCRIPTION
        }

    fips_before = ours_fips()
    with (
        fault_proxy(realstack_url("nova")) as nova,
        fault_proxy(realstack_url("neutron")) as neutron,
        sshd_box("") as box,
    ):
        add_cloud(
            os_clouds,
            "realstack-faulty",
            compute_endpoint_override=f"{nova.url}/v2.1",
            network_endpoint_override=neutron.url,
        )
        proxy = {"nova": nova, "neutron": neutron}.get(service)
        error = '{"computeFault": {"code": 500, "message": "injected"}}'
        fault = AtStep(
            step,
            on=lambda: (
                proxy.inject(Fault(status=500, html=error, path=where, method=methods))
                if proxy
                else None
            ),
            off=lambda: proxy.clear() if proxy else None,
        )
        cfg = OpenStackCloud.validate(
            os_cloud(
                "realstack-faulty",
                name="os",
                read_only=False,
                timeout=60,
                overrides={"ssh_endpoint": box.endpoint},
            )
        )
        provider = OpenStackProvider("os", cfg)

        def cloud_init(ctx: Context) -> None:
            assert ctx.key is not None
            box.add_key("ubuntu", ctx.key.public)

        run, runner, ledger = run_with_fault(
            CloudTarget("os", "openstack", cfg),
            provider,
            "vcpus=1,ram_gb=0.5,image=ubuntu-22.04",
            box,
            fault,
            where if not service else "",
            cloud_init,
            operator,
            tmp_path,
        )
        assert_failed_at(run, step, fault)
        if proxy is not None:
            assert any(where in a for a in proxy.actions), "the fault was on the way"
    name = f"hybrid-{runner.run_id[:6]}"
    assert [s.id for s in conn.compute.servers() if s.name == name] == [], "no server left"
    assert [k.name for k in conn.compute.keypairs() if k.name == f"hybridtui-{name}"] == []
    assert ours_fips() <= fips_before, "no floating IP hybridtui allocated is left"
    assert_nothing_local(ledger, tmp_path)


# ------------------------------------------------------------------ GCE

GCE_FAULTS = {
    4: ("/instances", "POST", 503),
    5: ("/instances/", "GET", 403),
    6: (NO_CLOUD_INIT, "", 0),
    7: (NO_SUDO, "", 0),
    8: ("/setMetadata", "POST", 503),
}


@pytest.mark.parametrize("step", sorted(GCE_FAULTS))
def test_a_fault_at_each_step_on_the_gce_peer(
    gce: Any, operator: NodeKey, tmp_path: Path, step: int
) -> None:
    """Steps 1–3 make no GCE call (the key travels in the insert, the catalogue
    comes from the inventory): the faults start at step 4."""
    from conftest import gce_cloud
    from peers.gce_peer import Fault

    from hybridtui.config import GceCloud
    from hybridtui.providers.gce.adapter import GceProvider

    where, method, status = GCE_FAULTS[step]
    peer = gce
    with sshd_box("", account="hybrid") as box:
        fault = AtStep(
            step,
            on=lambda: (
                peer.faults.append(
                    Fault(path=where, method=method, status=status, reason="injected")
                )
                if status
                else None
            ),
            off=peer.faults.clear,
        )
        cfg = GceCloud.validate(
            gce_cloud(peer.url, read_only=False, overrides={"ssh_endpoint": box.endpoint})
        )
        provider = GceProvider("gcp", cfg)

        def guest_agent(ctx: Context) -> None:
            assert ctx.node is not None
            (inst,) = [
                i for z in peer.instances.values() for i in z.values() if i["name"] == ctx.node.name
            ]
            (line,) = [i["value"] for i in inst["metadata"]["items"] if i["key"] == "ssh-keys"]
            user, key = line.split(":", 1)
            box.add_key(user, " ".join(key.split()[:2]))

        run, runner, ledger = run_with_fault(
            CloudTarget("gcp", "gce", cfg),
            provider,
            "vcpus=2,ram_gb=4,image=debian",
            box,
            fault,
            where if not status else "",
            guest_agent,
            operator,
            tmp_path,
        )
        assert_failed_at(run, step, fault)
        if status:
            assert any(m == method and where in p for m, p in peer.requests)
    name = f"hybrid-{runner.run_id[:6]}"
    instances = [i for z in peer.instances.values() for i in z.values()]
    assert [i["name"] for i in instances if i["name"] == name] == [], "no instance left"
    keys = [
        item["value"]
        for i in instances
        for item in i.get("metadata", {}).get("items", [])
        if item["key"] == "ssh-keys"
    ]
    assert not any(name in k for k in keys), "no node key left in any metadata"
    assert_nothing_local(ledger, tmp_path)


# ------------------------------------------------------------------ AWS (moto)

AWS_FAULTS = {
    1: "ImportKeyPair",
    4: "RunInstances",
    5: "DescribeInstances",
    6: NO_CLOUD_INIT,
    7: NO_SUDO,
    8: "DeleteKeyPair",
}


@pytest.mark.parametrize("step", sorted(AWS_FAULTS))
def test_a_fault_at_each_step_on_moto(
    aws_env: str, operator: NodeKey, tmp_path: Path, step: int
) -> None:
    """EC2 over HTTP (moto behind a fault proxy): a 500 for the step's call, or
    the node's own fault; the rollback deletes the instance, the key pair and
    the local key. (test_ssh.py has the case where EC2 also refuses during the
    rollback and `cleanup` finishes the job.)"""
    import boto3
    from conftest import aws_cloud
    from peers.fault_proxy import Fault, fault_proxy

    from hybridtui.config import AwsCloud
    from hybridtui.providers.aws.adapter import AwsProvider

    action = AWS_FAULTS[step]
    api_fault = action not in (NO_CLOUD_INIT, NO_SUDO)
    ec2 = boto3.session.Session(profile_name="hybrid-test").client(
        "ec2", region_name="eu-west-1", endpoint_url=aws_env
    )
    with sshd_box("") as box, fault_proxy(aws_env) as proxy:
        fault = AtStep(
            step,
            on=lambda: (
                proxy.inject(Fault(status=500, code="InternalError", action=action))
                if api_fault
                else None
            ),
            off=proxy.clear,
        )
        cfg = AwsCloud.validate(
            aws_cloud(
                proxy.url, read_only=False, max_attempts=1, overrides={"ssh_endpoint": box.endpoint}
            )
        )

        def cloud_init(ctx: Context) -> None:
            assert ctx.key is not None
            box.add_key("ubuntu", ctx.key.public)

        run, _, ledger = run_with_fault(
            CloudTarget("aws", "aws", cfg, "eu-west-1"),
            AwsProvider("aws", cfg, "eu-west-1"),
            "image=ubuntu",
            box,
            fault,
            "" if api_fault else action,
            cloud_init,
            operator,
            tmp_path,
        )
        assert_failed_at(run, step, fault)
    live = [
        i
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] not in ("shutting-down", "terminated")
    ]
    assert live == [], "no instance left running"
    assert ec2.describe_key_pairs()["KeyPairs"] == [], "no key pair left"
    assert ec2.describe_addresses()["Addresses"] == [], "no Elastic IP left"
    assert_nothing_local(ledger, tmp_path)
