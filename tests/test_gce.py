"""The GCE adapter against the local GCE REST peer (tests/peers/gce_peer.py),
reached by the real google-cloud-compute clients over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import gce_cloud, make_settings, sim_cloud
from peers.gce_peer import Fault, GcePeer

from hybridtui.config import GceCloud
from hybridtui.domain import AddressKind, NodeSpec, NodeState, PublicIpStrategy, ResourceKind
from hybridtui.errors import (
    AuthError,
    CloudTimeoutError,
    CloudUnavailableError,
    PermissionDeniedError,
    ProviderError,
    QuotaError,
    ThrottledError,
)
from hybridtui.inventory.model import CloudState
from hybridtui.providers.gce.adapter import GceProvider

PUBKEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBl9n5d7dDPbvvjkJtE/uYEM4dU2qkxuFFXVJhf3h4Bv gce@hybridtui"
)


def provider(peer: GcePeer, **extra: Any) -> GceProvider:
    cfg = GceCloud.validate(gce_cloud(peer.url, **extra))
    return GceProvider(cfg.name, cfg)


def spec(name: str, **extra: Any) -> NodeSpec:
    if extra.get("key_name"):
        extra.setdefault("public_key", PUBKEY)
    return NodeSpec(name=name, flavor="e2-micro", image="debian-cloud/debian-12", **extra)


def test_inventory(gce: GcePeer) -> None:
    inv = provider(gce).fetch_inventory()
    assert [f.name for f in inv.flavors][:3] == ["e2-micro", "e2-small", "e2-medium"]
    names = {i.name for i in inv.images}
    assert "debian-12-bookworm-v20261105" in names, "the newest of the family"
    assert "debian-12-bookworm-v20261001" not in names
    assert "ubuntu-2404-noble-amd64-v20261028" in names
    disks = {i.name: i.disk_gb for i in inv.images}
    assert disks["debian-12-bookworm-v20261105"] == 10, "diskSizeGb, an int64 sent as a string"
    assert {n.name for n in inv.networks} >= {"default", "default/europe-west1"}
    fw = {g.name: g for g in inv.security_groups}
    assert fw["default-allow-ssh"].ssh_open
    assert not fw["default-allow-internal"].ssh_open
    assert inv.behaviour is not None
    assert inv.behaviour.public_ip is PublicIpStrategy.ACCESS_CONFIG
    assert inv.behaviour.live_key_update


def test_node_key_goes_into_metadata_with_expiry_and_our_user(gce: GcePeer) -> None:
    p = provider(gce, overrides={"login_user": "ops"})
    p.import_key("hybridtui-k1", PUBKEY)
    node = p.create_node(spec("web-1", key_name="hybridtui-k1"))
    assert node.id == "europe-west1-b/web-1"
    assert node.state is NodeState.RUNNING
    assert node.login_user == "ops", "GCE: the account is whatever name we put into ssh-keys"
    inst = gce.instances["europe-west1-b"]["web-1"]
    (line,) = [i["value"] for i in inst["metadata"]["items"] if i["key"] == "ssh-keys"]
    user, rest = line.split(":", 1)
    assert user == "ops"
    assert rest.startswith("ssh-ed25519 AAAAC3")
    meta = json.loads(rest.split(" google-ssh ", 1)[1].rsplit(" hybridtui:", 1)[0])
    assert meta["userName"] == "ops"
    assert meta["expireOn"].endswith("+0000"), "a forgotten key expires by itself"
    assert inst["labels"]["hybridtui-managed"] == "true"

    # step 8 is live on GCE: dropping the key from metadata removes it from the node
    p.delete_key("hybridtui-k1")
    assert not any(
        i["key"] == "ssh-keys"
        for i in gce.instances["europe-west1-b"]["web-1"]["metadata"]["items"]
    )
    p.delete_node(node.id)
    assert gce.instances["europe-west1-b"] == {}


def test_operations_are_waited_on_through_our_endpoint(gce: GcePeer) -> None:
    provider(gce).create_node(spec("op-test"))
    waits = [p for m, p in gce.requests if p.endswith("/wait")]
    assert len(waits) >= 2, "the insert was not done on the first answer; we polled it"
    # operation.result() would have called compute.googleapis.com: the loopback
    # guard in conftest fails any such connection, so reaching here proves we did not


def test_external_ip_only_with_an_access_config(gce: GcePeer) -> None:
    p = provider(gce)
    node = p.create_node(spec("no-ip", public_ip=False))
    assert node.public_ip == ""
    addr = p.ensure_public_address(node.id)
    assert addr.kind is AddressKind.PUBLIC
    assert p.get_node(node.id).public_ip == addr.ip
    assert p.ensure_public_address(node.id).ip == addr.ip
    with_ip = p.create_node(spec("with-ip"))
    assert with_ip.public_ip, "ONE_TO_ONE_NAT access config at insert: ephemeral external IP"


def test_terminated_means_stopped(gce: GcePeer) -> None:
    p = provider(gce)
    node = p.create_node(spec("stopper"))
    client = p.client("InstancesClient")
    op = client.stop(
        project="hybrid-test", zone="europe-west1-b", instance="stopper", timeout=10, retry=None
    )
    p._wait(op, "europe-west1-b")
    (listed,) = p.list_nodes()
    assert listed.id == node.id
    assert listed.raw_state == "TERMINATED"
    assert listed.state is NodeState.STOPPED, "GCE TERMINATED is stopped and restartable"


def test_zones_filter_the_aggregated_list(gce: GcePeer) -> None:
    provider(gce, zones=["us-central1-a"]).create_node(spec("in-us"))
    assert [n.name for n in provider(gce).list_nodes()] == [], "europe-west1-b only"
    assert [
        n.name for n in provider(gce, zones=["all"], default_zone="us-central1-a").list_nodes()
    ] == ["in-us"]


def test_quota_exceeded_inside_the_operation(gce: GcePeer) -> None:
    gce.quota = 0
    with pytest.raises(QuotaError, match="QUOTA_EXCEEDED"):
        provider(gce).create_node(spec("over"))


def test_api_disabled_says_how_to_enable_it(gce: GcePeer) -> None:
    gce.faults.append(
        Fault(
            status=403,
            reason="accessNotConfigured",
            message="Compute Engine API has not been used in project hybrid-test before or it is disabled.",
        )
    )
    with pytest.raises(AuthError) as info:
        provider(gce).list_nodes()
    assert info.value.title == "API disabled"
    assert "gcloud services enable compute.googleapis.com --project hybrid-test" in (
        info.value.hint or ""
    )


def test_rejected_token(gce: GcePeer, monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth
    from google.oauth2.credentials import Credentials

    monkeypatch.setattr(
        google.auth, "default", lambda scopes=None, **_: (Credentials(token="expired"), "p")
    )
    with pytest.raises(AuthError) as info:
        provider(gce).list_nodes()
    assert "application-default login" in (info.value.hint or "")


def test_no_application_default_credentials(
    gce: GcePeer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    import google.auth
    import google.auth._default

    monkeypatch.setattr(google.auth, "default", importlib.reload(google.auth._default).default)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    with pytest.raises(AuthError) as info:
        provider(gce).list_nodes()
    assert "no usable Application Default Credentials" in info.value.message
    assert "gcloud auth application-default login" in (info.value.hint or "")


def test_reads_are_retried_on_5xx_and_429_writes_never(gce: GcePeer) -> None:
    """google-api-core's Retry on idempotent reads (within the cloud's timeout);
    an insert whose answer was lost may have worked, so it is not repeated."""
    gce.faults.append(
        Fault(
            path="aggregated/instances",
            status=503,
            reason="backendError",
            message="Backend Error",
            times=1,
        )
    )
    gce.faults.append(
        Fault(
            path="global/firewalls",
            status=429,
            reason="rateLimitExceeded",
            message="Rate Limit Exceeded",
            times=2,
        )
    )
    p = provider(gce)
    assert p.list_nodes() == []
    assert [r for r in gce.requests if r[1].endswith("aggregated/instances")] == [
        ("GET", "/compute/v1/projects/hybrid-test/aggregated/instances")
    ] * 2, "one 503, then the retry that worked"
    assert p.list_security_groups()
    assert len([r for r in gce.requests if r[1].endswith("global/firewalls")]) == 3

    gce.faults.append(
        Fault(
            path="/instances",
            method="POST",
            status=503,
            reason="backendError",
            message="Backend Error",
            times=1,
        )
    )
    with pytest.raises(CloudUnavailableError, match="Backend Error"):
        p.create_node(spec("once"))
    inserts = [r for r in gce.requests if r[0] == "POST" and r[1].endswith("/instances")]
    assert len(inserts) == 1, "an insert is never retried blindly"


def test_retries_stop_within_the_timeout_and_say_why(gce: GcePeer) -> None:
    gce.faults.append(
        Fault(
            path="aggregated/instances", status=503, reason="backendError", message="Backend Error"
        )
    )
    with pytest.raises(CloudUnavailableError, match="Backend Error"):
        provider(gce, timeout=1).list_nodes()
    attempts = [r for r in gce.requests if r[1].endswith("aggregated/instances")]
    assert len(attempts) > 1, "retried"


def test_a_hang_times_out_on_the_client(gce: GcePeer) -> None:
    gce.faults.append(Fault(path="aggregated/instances", delay=3, times=1))
    with pytest.raises(CloudTimeoutError, match="no answer within 1 s"):
        provider(gce, timeout=1).list_nodes()


def test_a_refused_listing_costs_only_its_kind(gce: GcePeer) -> None:
    """A 403 on firewalls.list alone used to give 0 nodes."""
    provider(gce).create_node(spec("still-here"))
    gce.faults.append(
        Fault(
            path="global/firewalls",
            status=403,
            reason="forbidden",
            message="Required 'compute.firewalls.list' permission",
        )
    )
    inv = provider(gce).fetch_inventory()
    assert [n.name for n in inv.nodes] == ["still-here"]
    assert inv.flavors
    assert set(inv.errors) == {ResourceKind.SECURITY_GROUPS}
    err = inv.errors[ResourceKind.SECURITY_GROUPS]
    assert isinstance(err, PermissionDeniedError)
    assert "compute.firewalls.list" in err.message
    assert inv.behaviour is None, "not inferred from a listing that failed"


def test_nodes_name_their_image_from_the_boot_disk(gce: GcePeer) -> None:
    p = provider(gce)
    p.list_images()
    p.create_node(spec("imaged"))
    p.create_node(spec("no-key-user"))
    (node, other) = sorted(p.fetch_inventory().nodes, key=lambda n: n.name)
    assert node.image == "debian-12-bookworm-v20261105", "the family's newest, via the disk"
    assert node.login_user == "any, via ssh-keys metadata", "no ssh-keys entry names an account"
    assert other.image == node.image
    disk_calls = [r for r in gce.requests if r[1].endswith("aggregated/disks")]
    assert len(disk_calls) == 1, "one aggregated disks listing, not a call per node"


def test_disks_are_listed_again_only_for_a_new_boot_disk(gce: GcePeer) -> None:
    """A disk's image never changes, so a refresh that finds no new boot disk
    asks for the instances alone; an instance made again under its old name
    (same disk link, another image) is a new boot disk. A new adapter learns
    the boot disks from the cached snapshot (`prime`), as `inventory` does."""
    from hybridtui import jsonio
    from hybridtui.inventory.poller import merge
    from hybridtui.inventory.snapshot import CloudSnapshot

    def calls(kind: str) -> int:
        return sum(1 for _, path in gce.requests if path.endswith(f"aggregated/{kind}"))

    p = provider(gce)
    p.list_images()
    made = p.create_node(spec("web"))
    p.list_nodes()
    gce.requests.clear()
    (node,) = p.list_nodes()
    assert node.image == "debian-12-bookworm-v20261105"
    assert (calls("instances"), calls("disks")) == (1, 0)

    p.delete_node(made.id)
    p.create_node(
        NodeSpec(name="web", flavor="e2-micro", image="ubuntu-os-cloud/ubuntu-2404-lts-amd64")
    )
    gce.requests.clear()
    (node,) = p.list_nodes()
    assert node.image == "ubuntu-2404-noble-amd64-v20261028", "not the old disk's image"
    assert (calls("instances"), calls("disks")) == (1, 1)

    snapshot = merge("gcp", "gce", None, p.fetch_inventory(), 0.0)
    # through the cache's own encoding (records' raw kept as JSON text)
    cached = CloudSnapshot.from_json(jsonio.loads(jsonio.dumps(snapshot.to_json(raw_as_text=True))))
    fresh = provider(gce)
    fresh.prime(cached)
    gce.requests.clear()
    (node,) = fresh.list_nodes()
    assert node.image == "ubuntu-2404-noble-amd64-v20261028"
    assert (calls("instances"), calls("disks")) == (1, 0)


async def test_dashboard_with_gce_beside_demo_clouds(gce: GcePeer, frozen_clock: Any) -> None:
    from hybridtui.ui.app import make_app

    provider(gce).create_node(spec("dash-1"))
    app = make_app(
        make_settings([gce_cloud(gce.url), sim_cloud("demo-aws", "aws-default-vpc")], demo=False),
        clock=frozen_clock,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.model.status("gcp").state is CloudState.FRESH
        pane = next(p for p in app.dashboard.active_view.panes if p.cloud == "gcp")
        assert pane.table.total_count == 1
        assert pane.table.visible_rows()[0][0] == "dash-1"


def test_zone_resource_exhausted(gce: GcePeer) -> None:

    gce.exhausted.add("europe-west1-b")
    with pytest.raises(ProviderError) as info:
        provider(gce).create_node(spec("no-room"))
    assert info.value.title == "Zone resource exhausted"
    assert "another zone" in (info.value.hint or "")


def test_permission_denied(gce: GcePeer) -> None:
    gce.faults.append(
        Fault(
            status=403, reason="forbidden", message="Required 'compute.instances.list' permission"
        )
    )
    with pytest.raises(AuthError) as info:
        provider(gce).list_nodes()
    assert info.value.title == "Permission denied"


def test_unreadable_credentials_file(gce: GcePeer, tmp_path: Any) -> None:
    bad = tmp_path / "sa.json"
    bad.write_text('{"type": "service_account"}')
    with pytest.raises(AuthError) as info:
        provider(gce, credentials_file=str(bad)).list_nodes()
    assert "credentials file" in info.value.message
    assert str(bad) in info.value.message


def test_no_credentials_fails_at_once_without_probing_the_metadata_server(tmp_path: Any) -> None:
    """Off GCE, google-auth would probe 169.254.169.254 for seconds: a fresh
    process (google-auth reads its switch on import) must not try at all."""
    import subprocess
    import sys

    probe = """
import socket, sys
tried = []
real_connect = socket.socket.connect
def connect(self, address):
    tried.append(address)
    raise OSError("refused by the test")
socket.socket.connect = connect
real_gai = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: tried.append(host) or real_gai("127.0.0.1", *a, **k)
from hybridtui.config import GceCloud
from hybridtui.errors import AuthError
from hybridtui.providers.gce.adapter import GceProvider
cfg = GceCloud.validate({"name": "g", "kind": "gce", "project": "p", "timeout": 5})
try:
    GceProvider("g", cfg).list_nodes()
except AuthError as e:
    print("AUTH", e.hint)
print("TRIED", tried)
"""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
    }
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "AUTH Run `gcloud auth application-default login`" in out
    assert "TRIED []" in out, "no connection attempted, to the metadata server or anywhere"


@pytest.mark.parametrize(
    ("fault", "error", "attempts"),
    [
        (
            Fault(status=429, reason="rateLimitExceeded", message="Rate Limit Exceeded"),
            ThrottledError,
            None,
        ),
        (
            Fault(status=500, reason="backendError", message="Internal error"),
            CloudUnavailableError,
            None,
        ),
        (
            Fault(
                status=403,
                reason="forbidden",
                message="Required 'compute.firewalls.list' permission",
            ),
            PermissionDeniedError,
            1,
        ),
        (
            Fault(
                status=401,
                reason="authError",
                message="Request had invalid authentication credentials.",
            ),
            AuthError,
            1,
        ),
        (Fault(drop=True), CloudUnavailableError, 1),
        (
            Fault(status=502, body="<html><body>502 Bad Gateway</body></html>"),
            CloudUnavailableError,
            None,
        ),
        (
            Fault(status=200, body='{"kind": "compute#firewallList", "items": [{"na'),
            CloudUnavailableError,
            1,
        ),
        (Fault(delay=6), CloudTimeoutError, 1),
    ],
    ids=[
        "429",
        "500",
        "403",
        "auth-expired",
        "connection-reset",
        "html-502",
        "malformed-json",
        "hang",
    ],
)
def test_a_fault_on_one_listing_leaves_the_others_fresh(
    gce: GcePeer, fault: Fault, error: type[Exception], attempts: int | None
) -> None:
    """The fault table on the GCE peer: whatever happens to the firewalls
    listing, nodes and the catalogue come back, and the failing kind says why.
    Retryable answers are retried within the timeout (more than once); the
    rest are asked once."""
    provider(gce).create_node(spec("survivor"))
    fault.path = "global/firewalls"
    fault.times = None
    gce.faults.append(fault)
    # (3 s: the peer shares this interpreter with a dozen concurrent listings)
    inv = provider(gce, timeout=3).fetch_inventory()
    assert [n.name for n in inv.nodes] == ["survivor"]
    assert inv.flavors
    assert inv.networks
    assert set(inv.errors) == {ResourceKind.SECURITY_GROUPS}
    err = inv.errors[ResourceKind.SECURITY_GROUPS]
    assert isinstance(err, error), err
    assert "gcp (project 'hybrid-test')" in err.message
    calls = len([r for r in gce.requests if r[1].endswith("global/firewalls")])
    if attempts is None:
        assert calls > 1, "retried on a transient answer"
    else:
        assert calls == attempts


def test_scorecard_reads_access_configs_and_firewalls_from_the_peer(gce: GcePeer) -> None:
    from conftest import scorecard_of

    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.model import Evidence, Verdict
    from hybridtui.providers import CloudTarget

    p = provider(gce)
    p.create_node(spec("with-ip"))
    p.create_node(spec("no-ip", public_ip=False))
    card = scorecard_of(
        [CloudTarget("gcp", "gce", p.gce)], Spec.parse("vcpus=2,ram_gb=4,image=debian")
    )
    step5 = card.cell("gcp", "5")
    assert (step5.verdict, step5.evidence, step5.value) == (
        Verdict.YES,
        Evidence.INFERRED,
        "access-config",
    )
    assert "(1 of 2 nodes have one)" in step5.reason
    assert (
        card.cell("gcp", "ssh-open").reason
        == "firewall rule `default-allow-ssh` admits TCP 22 from anywhere"
    )
    assert card.cell("gcp", "8").verdict is Verdict.YES
    m = card.matches["gcp"]
    assert m.image.record.name == "debian-12-bookworm-v20261105"
    assert m.flavor.record.name == "e2-medium"
    assert m.network.record.name == "default/europe-west1"


def test_keys_are_metadata_entries_of_the_project_and_each_instance(gce: GcePeer) -> None:
    """No key objects on GCE: the Keys tab lists ssh-keys metadata entries (project
    and instance), the account each creates, when it expires, and OS Login."""
    import subprocess

    from peers.gce_peer import PROJECT_KEY

    p = provider(gce, overrides={"login_user": "ops"})
    p.import_key("hybridtui-k2", PUBKEY)
    p.create_node(spec("web-2", key_name="hybridtui-k2"))
    gce.project_metadata.append({"key": "enable-oslogin", "value": "TRUE"})
    keys = {(k.scope, k.name): k for k in p.fetch_inventory([ResourceKind.KEYS]).keys}
    project = keys[("project", "ops@laptop")]
    assert (project.user, project.expires, project.managed, project.key_type) == (
        "ops",
        "",
        False,
        "ed25519",
    )
    expected = subprocess.run(
        ["ssh-keygen", "-lf", "-"],
        input=PROJECT_KEY + " ops@laptop\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[1]
    assert project.fingerprint == expected, "the same fingerprint ssh-keygen shows"
    ours = keys[("instance web-2", "hybridtui-k2")]
    assert (ours.user, ours.managed) == ("ops", True)
    assert ours.expires.endswith("+0000")
    assert ("project", "OS Login (keys from IAM; metadata keys ignored)") in keys

    from conftest import scorecard_of

    from hybridtui.interop.model import Verdict
    from hybridtui.providers import CloudTarget

    step1 = scorecard_of([CloudTarget("gcp", "gce", p.gce)]).cell("gcp", "1")
    assert (step1.verdict, step1.value) == (Verdict.NO, "os-login")
    assert step1.reason.startswith("OS Login is on for the project")


def test_a_node_goes_on_the_subnetwork_step_3_picks(gce: GcePeer) -> None:
    """Step 3 names a GCE subnetwork as the networks tab does
    (`default/europe-west1`). The instance is inserted on that network and
    subnetwork, as paths the API takes (it refuses
    `global/networks/default/europe-west1`), and its address names the
    subnetwork back. A subnetwork of another region, or none known, is a
    clear error before anything is made."""
    p = provider(gce)
    picked = next(n for n in p.list_networks() if n.name == "default/europe-west1")
    node = p.create_node(spec("on-sub", network=picked.name))
    (nic,) = gce.instances["europe-west1-b"]["on-sub"]["networkInterfaces"]  # as inserted
    assert nic["network"] == "global/networks/default"
    assert nic["subnetwork"].endswith("/regions/europe-west1/subnetworks/default")
    (fixed,) = [a for a in p.get_node(node.id).addresses if a.kind is AddressKind.FIXED]
    assert fixed.network == picked.name, "named as the networks tab names it"

    assert p.create_node(spec("on-net", network="default")).name == "on-net"
    made = sum(len(v) for v in gce.instances.values())
    with pytest.raises(ProviderError, match="is in us-central1, not in europe-west1") as err:
        p.create_node(spec("far", network="default/us-central1"))
    assert "default_zone" in (err.value.hint or "")
    with pytest.raises(ProviderError, match=r"'prod/europe-west1' not found \(have: default, "):
        p.create_node(spec("nowhere", network="prod/europe-west1"))
    # a custom-mode network: the API wants its subnetwork named, and it has two here
    with pytest.raises(ProviderError, match="needs a subnetwork") as err:
        p.create_node(spec("which", network="prod-vpc"))
    assert "(prod-vpc/prod-web, prod-vpc/prod-db)" in err.value.message
    assert sum(len(v) for v in gce.instances.values()) == made, "nothing made for a refused spec"
    db = p.create_node(spec("db-1", network="prod-vpc/prod-db"))
    (fixed,) = [a for a in db.addresses if a.kind is AddressKind.FIXED]
    assert (fixed.network, fixed.ip.startswith("10.10.1.")) == ("prod-vpc/prod-db", True)


@pytest.mark.parametrize(
    ("nic", "status", "says"),
    [
        ({"network": "global/networks/default/europe-west1"}, 400, "The URL is malformed"),
        ({"network": "global/networks/prod"}, 404, "global/networks/prod' was not found"),
        ({"subnetwork": "regions/us-central1/subnetworks/default"}, 400, "same region"),
        ({"network": "global/networks/prod-vpc"}, 400, "Subnetwork should be specified"),
        (
            {
                "network": "global/networks/default",
                "subnetwork": "regions/europe-west1/subnetworks/prod-web",
            },
            400,
            "does not belong to network 'default'",
        ),
    ],
)
def test_the_peer_checks_interfaces_as_the_api_does(
    gce: GcePeer, nic: dict[str, str], status: int, says: str
) -> None:
    """What the adapter's own checks stand in front of: the peer refuses what
    the API refuses, so a wrong path cannot pass the tests unnoticed."""
    from google.api_core import exceptions

    client = provider(gce).client("InstancesClient")
    body = {
        "name": "x",
        "machine_type": "zones/europe-west1-b/machineTypes/e2-micro",
        "network_interfaces": [nic],
    }
    with pytest.raises(exceptions.GoogleAPICallError, match=says) as err:
        client.insert(project="hybrid-test", zone="europe-west1-b", instance_resource=body)
    assert err.value.code == status
    assert not gce.instances["europe-west1-b"]


def test_two_subnetworks_of_one_network_in_one_region_have_names_of_their_own() -> None:
    """A custom-mode VPC often has several subnetworks in a region (web, db):
    the networks tab, step 3 and an interface's address must tell them apart.
    An auto-mode network's, which share its name, go by region."""
    from hybridtui.providers.gce import records as rec

    def sub(name: str, network: str, region: str) -> dict[str, str]:
        return {
            "name": name,
            "network": f"https://compute.googleapis.com/compute/v1/projects/p/global/networks/{network}",
            "region": f"https://compute.googleapis.com/compute/v1/projects/p/regions/{region}",
            "ipCidrRange": "10.0.0.0/24",
        }

    listed = [
        rec.subnetwork(sub("prod-web", "prod-vpc", "europe-west1")),
        rec.subnetwork(sub("prod-db", "prod-vpc", "europe-west1")),
        rec.subnetwork(sub("default", "default", "europe-west1")),
    ]
    assert [n.name for n in listed] == [
        "prod-vpc/prod-web",
        "prod-vpc/prod-db",
        "default/europe-west1",
    ]
    nic = {
        "network": "global/networks/prod-vpc",
        "subnetwork": "https://compute.googleapis.com/compute/v1/projects/p/regions/europe-west1/subnetworks/prod-db",
        "networkIP": "10.0.0.9",
    }
    assert rec.interface_network(nic) == "prod-vpc/prod-db"
    assert rec.interface_network({"network": "global/networks/default"}) == "default"


def test_only_the_services_it_calls_are_imported_and_the_package_stays_whole(
    gce: GcePeer,
) -> None:
    """compute_v1's `__init__` imports its ~100 services (0.9 s, ~150 MB): the
    adapter imports only those it calls, in a fresh process, and reads the
    peer through them; code that then asks the package for anything else (or
    `import *`s it) still finds it whole."""
    import subprocess
    import sys

    from peers.gce_peer import TOKEN

    code = f"""
import sys, google.auth
from google.oauth2.credentials import Credentials
google.auth.default = lambda *a, **k: (Credentials(token={TOKEN!r}), "hybrid-test")
from hybridtui.config import GceCloud
from hybridtui.providers.gce.adapter import GceProvider
cfg = GceCloud.validate({gce_cloud(gce.url)!r})
provider = GceProvider(cfg.name, cfg)
provider.create_node(__import__("test_gce").spec("n1"))
inv = provider.fetch_inventory()
prefix = "google.cloud.compute_v1.services."
print("SERVICES", sorted(m[len(prefix):] for m in sys.modules if m.startswith(prefix) and "." not in m[len(prefix):]))
print("READ", [n.name for n in inv.nodes], len(inv.images), len(inv.security_groups))
from google.cloud import compute_v1
print("WHOLE", compute_v1.AcceleratorTypesClient.__name__, len(compute_v1.__all__) > 1000)
ns = {{}}
exec("from google.cloud.compute_v1 import *", ns)
print("STAR", ns["RoutersClient"].__name__, ns["InstancesClient"] is compute_v1.InstancesClient)
"""
    env = {"PATH": "/usr/bin:/bin", "NO_GCE_CHECK": "true", "PYTHONPATH": "tests"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    called = "addresses disks firewalls images instances machine_types networks projects routers subnetworks"
    # (the clients' extended operations import the three operations services)
    operations = "global_operations region_operations zone_operations"
    assert lines["SERVICES"] == str(sorted(f"{called} {operations}".split())), "only those"
    inv = provider(gce).fetch_inventory()  # (this process's compute_v1 is whole)
    read = f"{[n.name for n in inv.nodes]} {len(inv.images)} {len(inv.security_groups)}"
    assert lines["READ"] == read
    assert read.startswith("['n1'] ")
    assert lines["WHOLE"] == "AcceleratorTypesClient True"
    assert lines["STAR"] == "RoutersClient True"
    elsewhere = """
import sys
from hybridtui.providers.gce import sdk
found = sdk.client_class("Instance")  # a type: not under services/ in any layout
print(found.__module__, "google.cloud.compute_v1.services.accelerator_types" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", elsewhere], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["google.cloud.compute_v1.types.compute", "True"], "whole package"


def test_the_boot_disk_is_sized_at_insert_when_asked(gce: GcePeer) -> None:
    """GCE machine types have no disk of their own: a spec's disk is the boot
    disk's diskSizeGb at insert; the API refuses one smaller than the image."""
    p = provider(gce)
    big = p.create_node(spec("big", disk_gb=50))
    plain = p.create_node(spec("plain"))
    sizes = {
        n: gce.instances["europe-west1-b"][n]["disks"][0]["diskSizeGb"] for n in ("big", "plain")
    }
    assert sizes == {"big": "50", "plain": "10"}, "plain: the image's own 10 GB"
    assert big.name == "big"
    assert plain.name == "plain"
    with pytest.raises(ProviderError, match="cannot be smaller than the image size"):
        p.create_node(spec("tiny", disk_gb=5))


def test_reserved_addresses_and_cloud_routers_are_listed(gce: GcePeer) -> None:
    """GCE's Elastic IPs are reserved external addresses (billed while
    RESERVED), regional or global, in one aggregated listing; internal ones
    are not public. Cloud Routers say whether Cloud NAT gives nodes a way out."""
    p = provider(gce)
    node = p.create_node(spec("web"))
    region = gce.link("regions/europe-west1")
    gce.addresses += [
        {
            "name": "web-ip",
            "address": "203.0.113.7",
            "status": "IN_USE",
            "region": region,
            "users": [gce.link("zones/europe-west1-b/instances/web")],
        },
        {"name": "spare-ip", "address": "203.0.113.8", "status": "RESERVED", "region": region},
        {"name": "lb-ip", "address": "198.51.100.9", "status": "RESERVED"},
        {
            "name": "web-lb-ip",
            "address": "198.51.100.10",
            "status": "IN_USE",
            "users": [gce.link("global/forwardingRules/web-lb")],
        },
        {
            "name": "db-internal",
            "address": "10.132.0.50",
            "addressType": "INTERNAL",
            "status": "RESERVED",
            "region": region,
        },
    ]
    gce.routers += [
        {"name": "nat-router", "region": region, "nats": [{"name": "nat-all"}]},
        {"name": "bgp-router", "region": gce.link("regions/us-central1")},
    ]
    inv = p.fetch_inventory()
    assert not inv.errors
    addresses = {a.name: (a.id, a.ip, a.pool, a.attached_to) for a in inv.addresses}
    assert addresses == {
        "web-ip": ("europe-west1/web-ip", "203.0.113.7", "europe-west1", node.id),
        "spare-ip": ("europe-west1/spare-ip", "203.0.113.8", "europe-west1", ""),
        "lb-ip": ("global/lb-ip", "198.51.100.9", "global", ""),
        "web-lb-ip": ("global/web-lb-ip", "198.51.100.10", "global", "forwardingRules/web-lb"),
    }, "the internal one is not a public address; one a load balancer holds is not free"
    routers = {r.name: (r.status, r.external_network) for r in inv.routers}
    assert routers == {
        "nat-router": ("Cloud NAT nat-all (europe-west1)", "internet (outbound, NAT)"),
        "bgp-router": ("no NAT (us-central1)", ""),
    }
