"""Steps 6–8 over real SSH (asyncssh) against a real OpenSSH sshd on loopback,
set up like a fresh cloud image (tests/peers/sshd_box.py). Every effect is
proven from outside the SSH session, inside the box."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from peers.sshd_box import PASSWORD, Box, available, sshd_box

from hybridtui.errors import ProvisionError
from hybridtui.provisioning.ssh import NodeKey, SshAccess, make_node_key

pytestmark = pytest.mark.skipif(available() is not None, reason=f"sshd box: {available()}")


@pytest.fixture
def node_key(tmp_path: Path) -> NodeKey:
    return make_node_key("hybridtui-node", tmp_path / "keys")


@pytest.fixture
def operator(tmp_path: Path) -> NodeKey:
    return make_node_key("operator", tmp_path / "operator")


@pytest.fixture
def box(node_key: NodeKey) -> Iterator[Box]:
    with sshd_box(node_key.public) as b:
        yield b


async def password_login(box: Box, user: str, password: str) -> bool:
    try:
        conn = await asyncssh.connect(
            "127.0.0.1",
            box.port,
            username=user,
            password=password,
            known_hosts=None,
            preferred_auth="password",
            client_keys=None,
            agent_path=None,
            config=None,
        )
    except asyncssh.PermissionDenied:
        return False
    conn.close()
    return True


def test_login_hardening_and_key_removal_on_a_real_sshd(
    box: Box, node_key: NodeKey, operator: NodeKey, tmp_path: Path
) -> None:
    known = tmp_path / "known_hosts"
    access = SshAccess(
        "127.0.0.1", box.port, node_key.private_path, known, root_identity=operator.private_path
    )
    access.wait_ready(time.monotonic() + 10, threading.Event())
    assert asyncio.run(password_login(box, "ubuntu", PASSWORD)), (
        "like a fresh image: password login is on"
    )

    # step 6: root first, cloud-init's refusal names the account
    login = access.login(["root", "ec2-user"])
    assert login.account == "ubuntu"
    assert login.attempts == (
        (
            "root",
            'refused: exit 142, Please login as the user "ubuntu" rather than the user "root".',
        ),
        ("ubuntu", "ok"),
    )
    assert known.read_text().startswith(f"[127.0.0.1]:{box.port} ssh-"), (
        "trust on first use, recorded"
    )
    assert access.host_key.startswith("SHA256:")

    # step 7: root's keys, no password login — proven by sshd and from outside
    # (the probe hardening ends with sees the password method on a fresh image)
    assert "password" in asyncio.run(access._password_offered("ubuntu"))
    proofs = access.harden("ubuntu", [operator.public])
    assert proofs == [
        "sshd -T: passwordauthentication no",
        "root logs in with the operator key",
        "a password login is refused (sshd offers no password method)",
    ]
    assert box.read("/root/.ssh/authorized_keys").split()[:2] == operator.public.split()[:2]
    assert "PasswordAuthentication no" in box.read("/etc/ssh/sshd_config.d/00-hybridtui.conf")
    assert not asyncio.run(password_login(box, "ubuntu", PASSWORD)), "password login refused now"

    # step 8: the node key is gone from the node
    assert access.remove_node_key("ubuntu") == ["the node key no longer logs in as ubuntu"]
    assert node_key.public.split()[1] not in box.read("/home/ubuntu/.ssh/authorized_keys")
    with pytest.raises(ProvisionError, match="logs in as none of: ubuntu"):
        access.login(["ubuntu"])


def test_a_changed_host_key_is_refused(box: Box, node_key: NodeKey, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    other = make_node_key("impostor", tmp_path / "other").public.split()
    known.write_text(f"[127.0.0.1]:{box.port} {other[0]} {other[1]}\n")
    access = SshAccess("127.0.0.1", box.port, node_key.private_path, known)
    with pytest.raises(ProvisionError, match="Host key is not trusted"):
        access.login(["ubuntu"])


def test_no_sshd_times_out_with_a_hint(node_key: NodeKey, tmp_path: Path) -> None:
    from peers.ports import free_port

    access = SshAccess("127.0.0.1", free_port(), node_key.private_path, tmp_path / "known_hosts")
    with pytest.raises(ProvisionError, match="did not answer in time") as e:
        access.wait_ready(time.monotonic() + 0.5, threading.Event())
    assert e.value.hint is not None
    assert "TCP 22" in e.value.hint


def test_eight_steps_from_moto_through_ssh_endpoint_to_a_real_sshd(
    aws_env: str, operator: NodeKey, tmp_path: Path
) -> None:
    """The AWS adapter over real HTTP to moto for steps 1–5 and 8, then steps 6–8
    over SSH to the loopback sshd named by `overrides.ssh_endpoint` (the public
    address moto hands out is never dialled). The box plays cloud-init: it gets
    the node key the cloud was given at step 1."""
    import boto3
    from conftest import aws_cloud

    from hybridtui.config import AwsCloud
    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import merge
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.aws.adapter import AwsProvider
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.plan import make_plan
    from hybridtui.provisioning.runner import Runner, default_access
    from hybridtui.provisioning.steps import Context

    with sshd_box("") as box:  # no key until "cloud-init" puts the node's there
        cfg = AwsCloud.validate(
            aws_cloud(aws_env, read_only=False, overrides={"ssh_endpoint": box.endpoint})
        )
        target = CloudTarget("aws", "aws", cfg, "eu-west-1")
        provider = AwsProvider("aws", cfg, "eu-west-1")
        inv = provider.fetch_inventory()
        assert not inv.errors, inv.errors
        site = site_for(target, merge("aws", "aws", None, inv, time.time()))
        plan = make_plan(site, Spec.parse("vcpus=2,ram_gb=4,image=ubuntu"), read_only=False)
        assert plan.logins[0] == "ubuntu"

        def cloud_init_then_ssh(ctx: Context):  # type: ignore[no-untyped-def]
            assert ctx.key is not None
            box.add_key("ubuntu", ctx.key.public)  # what cloud-init does with the key pair
            return default_access(ctx)

        ledger = Ledger(tmp_path / "ledger.sqlite")
        runner = Runner(
            {"aws": provider},
            ledger,
            tmp_path / "keys",
            root_keys=[operator.public],
            root_identity=operator.private_path,
            access_for=cloud_init_then_ssh,
        )
        (run,) = runner.run([plan])
        assert run.ok, (run.error, run.results)
        assert [str(r.status) for r in run.results] == ["ok"] * 8
        assert run.login == "ubuntu"
        assert "trusted on first use" in run.results[5].detail
        assert "root logs in with the operator key" in run.results[6].detail
        ec2 = boto3.session.Session(profile_name="hybrid-test").client(
            "ec2", region_name="eu-west-1", endpoint_url=aws_env
        )
        (inst,) = [
            i
            for r in ec2.describe_instances(InstanceIds=[run.node_id])["Reservations"]
            for i in r["Instances"]
        ]
        assert {"Key": "hybridtui:managed", "Value": "true"} in inst["Tags"]
        assert ec2.describe_key_pairs()["KeyPairs"] == [], "step 8 deleted the key pair"
        left = [
            f.name
            for f in (tmp_path / "keys").rglob("*")
            if f.is_file() and f.name != "known_hosts"
        ]
        assert left == [], left
        assert box.read("/root/.ssh/authorized_keys").split()[:2] == operator.public.split()[:2]
        assert ctx_key_gone(box)
        # the ledger keeps the node; undo (as destroy does) terminates it on moto
        from hybridtui.provisioning.runner import undo

        undo(ledger, provider, ledger.open_entries(cloud="aws", kept=True))
        state = ec2.describe_instances(InstanceIds=[run.node_id])["Reservations"][0]["Instances"][
            0
        ]["State"]["Name"]
        assert state in ("shutting-down", "terminated")
        assert ledger.open_entries(kept=True) == []


def cloud_init_console(box: Box | None) -> str:
    """A serial console as cloud-init leaves it: the box's host key
    fingerprints (`ssh-keygen -l`), or, for None, another machine's."""
    if box is not None:
        res = box.run("for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf $k; done")
        assert res.returncode == 0, res.stderr
        lines = res.stdout
    else:
        lines = "256 SHA256:1N1dEeQ3uDwGa9x0m3ZzUlc0sCC6m6PwB5kY5ZxUPgE root@other (ED25519)\n"
    return (
        "[   11.2] cloud-init[503]: Cloud-init v. 24.1 finished\n"
        "-----BEGIN SSH HOST KEY FINGERPRINTS-----\n"
        f"{lines}"
        "-----END SSH HOST KEY FINGERPRINTS-----\n"
    )


def ctx_key_gone(box: Box) -> bool:
    """Only the operator's line is left for root, no hybridtui node key for ubuntu."""
    return "hybridtui-" not in box.read("/home/ubuntu/.ssh/authorized_keys")


@pytest.mark.parametrize(
    ("step", "fault_action", "cloud_init"),
    [
        (1, "ImportKeyPair", True),
        (4, "RunInstances", True),
        (6, "", False),
        (8, "DeleteKeyPair", True),
    ],
)
def test_a_fault_at_a_step_on_moto_leaves_nothing(
    aws_env: str, operator: NodeKey, tmp_path: Path, step: int, fault_action: str, cloud_init: bool
) -> None:
    """A 500 from EC2 at step 1, 4 or 8, or a node whose image never got the key
    (step 6): the run fails at that step, and everything it made is gone —
    counted through the EC2 API, the ledger and the keys directory."""
    import boto3
    from conftest import aws_cloud
    from peers.fault_proxy import Fault, fault_proxy

    from hybridtui.config import AwsCloud
    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import merge
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.aws.adapter import AwsProvider
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.plan import make_plan
    from hybridtui.provisioning.runner import Runner, default_access
    from hybridtui.provisioning.steps import Context, Status

    ec2 = boto3.session.Session(profile_name="hybrid-test").client(
        "ec2", region_name="eu-west-1", endpoint_url=aws_env
    )
    with sshd_box("") as box, fault_proxy(aws_env) as proxy:
        cfg = AwsCloud.validate(
            aws_cloud(
                proxy.url, read_only=False, max_attempts=1, overrides={"ssh_endpoint": box.endpoint}
            )
        )
        target = CloudTarget("aws", "aws", cfg, "eu-west-1")
        provider = AwsProvider("aws", cfg, "eu-west-1")
        inv = provider.fetch_inventory()
        plan = make_plan(
            site_for(target, merge("aws", "aws", None, inv, time.time())),
            Spec.parse("image=ubuntu"),
            read_only=False,
        )
        if fault_action:
            proxy.inject(
                Fault(
                    status=500,
                    code="InternalError",
                    message="An internal error has occurred",
                    action=fault_action,
                )
            )

        def access(ctx: Context):  # type: ignore[no-untyped-def]
            if cloud_init:
                assert ctx.key is not None
                box.add_key("ubuntu", ctx.key.public)
            return default_access(ctx)

        ledger = Ledger(tmp_path / "ledger.sqlite")
        (run,) = Runner(
            {"aws": provider},
            ledger,
            tmp_path / "keys",
            root_keys=[operator.public],
            access_for=access,
            node_timeout=30,
        ).run([plan])
        proxy.clear()
        assert not run.ok
        assert run.error.startswith(f"step {step} (")
        assert [r.step for r in run.results if r.status is Status.FAILED] == [step]
        left = ledger.open_entries()
        if step == 8:
            # EC2 refused DeleteKeyPair during the rollback too: the key is in the
            # ledger for clean-up, and clean-up (the API answering again) removes it
            assert [(e.kind.value, e.state.value) for e in left] == [("key", "created")]
            assert [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]] == [left[0].ref]
            assert any("NOT removed" in line for line in run.rolled_back)
            from hybridtui.provisioning.cleanup import leftovers
            from hybridtui.provisioning.runner import undo

            assert undo(ledger, provider, leftovers(ledger, "aws")) == [
                f"key {left[0].ref} deleted"
            ]
    live = [
        i
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] not in ("shutting-down", "terminated")
    ]
    assert live == [], "no instance left running"
    assert ec2.describe_key_pairs()["KeyPairs"] == [], "no key pair left"
    assert ec2.describe_addresses()["Addresses"] == [], "no Elastic IP left"
    assert ledger.open_entries() == []
    assert [
        f for f in (tmp_path / "keys").rglob("*") if f.is_file() and f.name != "known_hosts"
    ] == []


@pytest.mark.parametrize("console", ["matching", "other host"])
def test_eight_steps_on_the_gce_peer_through_ssh_endpoint(
    gce: object, operator: NodeKey, tmp_path: Path, console: str
) -> None:
    """GCE: the node key goes into instance metadata under the account hybridtui
    chooses; the guest agent (played by the box) creates that account with it.
    The serial port shows cloud-init's host key fingerprints (`ssh-keygen -l`
    of the box's keys, or of another host's): a match is recorded, a mismatch
    stops the run at step 6, forgets the key and rolls back."""
    from conftest import gce_cloud

    from hybridtui.config import GceCloud
    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import merge
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.gce.adapter import GceProvider
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.plan import make_plan
    from hybridtui.provisioning.runner import Runner, default_access
    from hybridtui.provisioning.steps import Context

    peer: Any = gce
    with sshd_box("", account="hybrid") as box:
        cfg = GceCloud.validate(
            gce_cloud(peer.url, read_only=False, overrides={"ssh_endpoint": box.endpoint})
        )
        target = CloudTarget("gcp", "gce", cfg)
        provider = GceProvider("gcp", cfg)
        inv = provider.fetch_inventory()
        assert not inv.errors, inv.errors
        plan = make_plan(
            site_for(target, merge("gcp", "gce", None, inv, time.time())),
            Spec.parse("vcpus=2,ram_gb=4,image=debian"),
            read_only=False,
        )
        assert plan.logins == ("hybrid",)

        def guest_agent(ctx: Context):  # type: ignore[no-untyped-def]
            assert ctx.node is not None
            (inst,) = [
                i for z in peer.instances.values() for i in z.values() if i["name"] == ctx.node.name
            ]
            (line,) = [i["value"] for i in inst["metadata"]["items"] if i["key"] == "ssh-keys"]
            user, key = line.split(":", 1)
            box.add_key(user, " ".join(key.split()[:2]))  # what the guest agent does with metadata
            peer.serial[ctx.node.name] = cloud_init_console(box if console == "matching" else None)
            return default_access(ctx)

        ledger = Ledger(tmp_path / "ledger.sqlite")
        known = tmp_path / "known_hosts"
        (run,) = Runner(
            {"gcp": provider},
            ledger,
            tmp_path / "keys",
            root_keys=[operator.public],
            root_identity=operator.private_path,
            access_for=guest_agent,
            known_hosts=known,
        ).run([plan])
        if console == "other host":
            assert run.error.startswith("step 6 ("), run.error
            assert "not among those the node printed on its console" in run.error
            assert known.read_text() == "", "the key trusted on first use is forgotten"
            assert not [i for z in peer.instances.values() for i in z.values()], "rolled back"
            assert "hybridtui-" not in box.read("/root/.ssh/authorized_keys"), "no root keys"
            return
        assert run.ok, (run.error, run.results)
        assert "matches the fingerprints on the node's console" in run.results[5].detail
        assert run.login == "hybrid"
        assert run.address, "an ephemeral external IP from the access config"
        (inst,) = [
            i for z in peer.instances.values() for i in z.values() if i["name"] == run.node_name
        ]
        assert inst["labels"]["hybridtui-managed"] == "true"
        assert not any(i["key"] == "ssh-keys" for i in inst["metadata"].get("items", [])), (
            "step 8 is live on GCE"
        )
        assert box.read("/root/.ssh/authorized_keys").split()[:2] == operator.public.split()[:2]


@pytest.mark.openstack
def test_eight_steps_on_the_real_openstack_services(
    os_clouds: Path, operator: NodeKey, tmp_path: Path
) -> None:
    """Nova (fake virt driver), Neutron and Glance for real: a keypair, a server on
    the tenant network, a floating IP from `public` through router1; steps 6–8
    through ssh_endpoint. Afterwards destroy leaves nothing, counted through the
    OpenStack API."""
    import openstack
    from conftest import os_cloud

    from hybridtui.config import OpenStackCloud
    from hybridtui.domain import AddressKind
    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import merge
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.openstack.adapter import OpenStackProvider
    from hybridtui.provisioning.cleanup import destroy
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.plan import make_plan
    from hybridtui.provisioning.runner import Runner, default_access
    from hybridtui.provisioning.steps import Context

    with sshd_box("") as box:
        cfg = OpenStackCloud.validate(
            os_cloud(
                "realstack", read_only=False, timeout=60, overrides={"ssh_endpoint": box.endpoint}
            )
        )
        target = CloudTarget("realstack", "openstack", cfg)
        provider = OpenStackProvider("realstack", cfg)
        inv = provider.fetch_inventory()
        plan = make_plan(
            site_for(target, merge("realstack", "openstack", None, inv, time.time())),
            Spec.parse("vcpus=1,ram_gb=0.5,image=ubuntu-22.04"),
            read_only=False,
        )
        assert (plan.network.name, plan.pool, plan.logins[0]) == ("private", "public", "ubuntu")

        def cloud_init(ctx: Context):  # type: ignore[no-untyped-def]
            assert ctx.key is not None
            box.add_key("ubuntu", ctx.key.public)
            return default_access(ctx)

        ledger = Ledger(tmp_path / "ledger.sqlite")
        (run,) = Runner(
            {"realstack": provider},
            ledger,
            tmp_path / "keys",
            root_keys=[operator.public],
            root_identity=operator.private_path,
            access_for=cloud_init,
            node_timeout=120,
        ).run([plan])
        assert run.ok, (run.error, run.results)
        node = provider.get_node(run.node_id)
        assert any(a.kind is AddressKind.FLOATING and a.ip == run.address for a in node.addresses)
        conn = openstack.connect(cloud="realstack")
        assert [k.name for k in conn.compute.keypairs() if k.name.startswith("hybridtui-")] == [], (
            "step 8"
        )
        assert destroy(ledger, provider, "realstack", node)
        conn = openstack.connect(cloud="realstack")
        assert run.node_name not in [s.name for s in conn.compute.servers()]
        assert [
            f.floating_ip_address
            for f in conn.network.ips()
            if f.floating_ip_address == run.address
        ] == [], "the floating IP hybridtui allocated is released with the node"
        assert ledger.open_entries(kept=True) == []


def test_a_private_cloud_is_reached_through_its_jump_host(
    node_key: NodeKey, operator: NodeKey, tmp_path: Path
) -> None:
    """A cloud that gives nodes no public address (the demo's private
    OpenStack): all eight steps run, steps 6–8 over SSH through the jump host
    as `ssh -J` does — the jump box's sshd logs every forwarded channel to the
    node's sshd, both host keys are trusted on first use, and the hardening
    and key removal are proven inside the node box."""
    from conftest import sim_cloud

    from hybridtui.config import SimulatorCloud
    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import merge
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.simulator.provider import SimulatorProvider
    from hybridtui.provisioning.ledger import Ledger
    from hybridtui.provisioning.plan import make_plan
    from hybridtui.provisioning.runner import Runner, default_access
    from hybridtui.provisioning.steps import Context

    with sshd_box(operator.public, log_level="DEBUG1") as jump, sshd_box("") as node:
        jump_host = f"ubuntu@127.0.0.1:{jump.port}"
        cfg = SimulatorCloud.validate(
            sim_cloud(
                "priv",
                "openstack-private",
                overrides={"jump_host": jump_host, "ssh_endpoint": node.endpoint},
            )
        )
        provider = SimulatorProvider("priv", cfg)
        target = CloudTarget("priv", "simulator", cfg)
        site = site_for(target, merge("priv", "simulator", None, provider.fetch_inventory(), 0))
        plan = make_plan(site, Spec.parse("vcpus=2,ram_gb=4,image=ubuntu"), read_only=False)
        assert plan.jump_host == jump_host

        def cloud_init_then_ssh(ctx: Context):  # type: ignore[no-untyped-def]
            assert ctx.key is not None
            node.add_key("ubuntu", ctx.key.public)
            return default_access(ctx)

        runner = Runner(
            {"priv": provider},
            Ledger(tmp_path / "ledger.sqlite"),
            tmp_path / "keys",
            root_keys=[operator.public],
            root_identity=operator.private_path,
            access_for=cloud_init_then_ssh,
            known_hosts=tmp_path / "known_hosts",
        )
        (run,) = runner.run([plan])
        assert run.ok, (run.error, run.results)
        statuses = [str(r.status) for r in run.results]
        assert statuses == ["ok"] * 4 + ["skipped"] + ["ok"] * 3
        assert "jump host" in run.results[4].detail
        assert run.login == "ubuntu"
        channels = [
            line
            for line in jump.log().splitlines()
            if "direct_tcpip" in line and f"target 127.0.0.1 port {node.port}" in line
        ]
        # wait_ready's banner, login (root refused, then ubuntu), hardening, root's
        # proof, the password probe, the key removal and its proof: all forwarded
        assert len(channels) >= 6, jump.log()[-2000:]
        known = (tmp_path / "known_hosts").read_text().splitlines()
        assert sorted(line.split()[0] for line in known) == sorted(
            [f"[127.0.0.1]:{jump.port}", f"[127.0.0.1]:{node.port}"]
        )
        assert "a password login is refused" in run.results[6].detail
        assert not asyncio.run(password_login(node, "ubuntu", PASSWORD))
        assert node.read("/root/.ssh/authorized_keys").split()[:2] == operator.public.split()[:2]
        assert ctx_key_gone(node)


def test_a_bad_jump_host_is_a_config_error() -> None:
    from hybridtui.config import Overrides
    from hybridtui.provisioning.ssh import JumpHost

    assert JumpHost.parse("ops@bastion:2222") == JumpHost("ops", "bastion", 2222)
    assert JumpHost.parse("ops@[2001:db8::1]") == JumpHost("ops", "2001:db8::1", 22)
    assert str(JumpHost("ops", "2001:db8::1", 2200)) == "ops@[2001:db8::1]:2200"
    with pytest.raises(ProvisionError, match="not \\[user@\\]host\\[:port\\]"):
        JumpHost.parse("ops@bastion:99999")
    with pytest.raises(ValueError, match="jump_host"):
        Overrides.validate({"jump_host": "ops@ bastion"})
