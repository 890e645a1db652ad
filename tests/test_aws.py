"""The AWS adapter against a real EC2 API peer: moto in server mode, reached by the
real boto3 over HTTP, with a fault-injecting proxy where moto cannot fail."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from conftest import aws_cloud
from peers.fault_proxy import Fault, FaultProxy, fault_proxy
from peers.moto_ec2 import set_auth

from hybridtui.config import AppConfig, AwsCloud
from hybridtui.domain import (
    MANAGED_TAG,
    AddressKind,
    NodeSpec,
    NodeState,
    PublicIpStrategy,
    ResourceKind,
)
from hybridtui.errors import (
    AuthError,
    CloudTimeoutError,
    CloudUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    QuotaError,
    ThrottledError,
)
from hybridtui.inventory.poller import Poller
from hybridtui.providers import targets_for
from hybridtui.providers.aws.adapter import AwsProvider

PUBKEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBl9n5d7dDPbvvjkJtE/uYEM4dU2qkxuFFXVJhf3h4Bv test@hybridtui"


def provider(url: str, **extra: Any) -> AwsProvider:
    cfg = AwsCloud.validate(aws_cloud(url, **extra))
    return AwsProvider("aws", cfg, cfg.regions[0])


def operator(url: str, region: str = "eu-west-1") -> Any:
    """Somebody else's boto3 client: the resources hybridtui must see but never touch."""
    return boto3.session.Session(profile_name="hybrid-test").client(
        "ec2", region_name=region, endpoint_url=url
    )


def launch_ubuntu(url: str, count: int = 1) -> Any:
    """`count` t3.micro instances of the newest Ubuntu 24.04 AMI, launched by
    somebody else's client (the operator's); that client."""
    ec2 = operator(url)
    ec2.run_instances(
        ImageId=ami(ec2, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble"),
        InstanceType="t3.micro",
        MinCount=count,
        MaxCount=count,
    )
    return ec2


def ami(client: Any, prefix: str) -> str:
    images = client.describe_images(Owners=["099720109477"])["Images"]
    return str(next(i["ImageId"] for i in images if i["Name"].startswith(prefix)))


@pytest.fixture
def proxy(aws_env: str) -> Iterator[FaultProxy]:
    with fault_proxy(aws_env) as p:
        yield p


def test_inventory_over_real_http(aws_env: str) -> None:
    ec2 = operator(aws_env)
    image = ami(ec2, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble")
    ec2.create_key_pair(KeyName="ops-prod")
    run = ec2.run_instances(
        ImageId=image,
        InstanceType="t3.small",
        MinCount=2,
        MaxCount=2,
        KeyName="ops-prod",
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}],
    )
    gone = ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1)[
        "Instances"
    ][0]
    ec2.terminate_instances(InstanceIds=[gone["InstanceId"]])
    eip = ec2.allocate_address(Domain="vpc")

    inv = provider(aws_env).fetch_inventory()

    nodes = {n.id: n for n in inv.nodes}
    for i in run["Instances"]:
        n = nodes[i["InstanceId"]]
        assert n.name == "web"
        assert n.state is NodeState.RUNNING
        assert n.flavor == "t3.small"
        assert n.key_name == "ops-prod"
        assert n.login_user == "ubuntu", "login hint from the AMI's owner"
        assert n.image.startswith("ubuntu/images/hvm-ssd-gp3/ubuntu-noble")
        assert ipaddress.ip_address(n.private_ip).is_private
        assert n.public_ip, "the default subnet maps a public IPv4 on launch"
    terminated = nodes[gone["InstanceId"]]
    assert terminated.raw_state == "terminated"
    assert terminated.state is NodeState.DELETED, "EC2 terminated means deleted"

    t3 = next(f for f in inv.flavors if f.name == "t3.micro")
    assert (t3.vcpus, t3.ram_mb) == (2, 1024)

    subnets = [n for n in inv.networks if n.id.startswith("subnet-")]
    assert subnets
    assert all(s.auto_public_ip for s in subnets)
    assert {s.zone for s in subnets} == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    by_id = {s.id: s.name for s in subnets}
    for i in run["Instances"]:
        (fixed,) = [a for a in nodes[i["InstanceId"]].addresses if a.kind is AddressKind.FIXED]
        assert fixed.network == by_id[i["SubnetId"]], "named as the networks tab names it"
        assert fixed.network.startswith("default-eu-west-1")
    assert inv.behaviour is not None
    assert inv.behaviour.public_ip is PublicIpStrategy.AUTO_ASSIGN

    keys = {k.name: k for k in inv.keys}
    assert not keys["ops-prod"].managed
    addrs = {a.ip: a for a in inv.addresses}
    assert addrs[eip["PublicIp"]].attached_to == ""
    assert not addrs[eip["PublicIp"]].managed


def test_images_are_the_well_known_series_not_the_catalogue(aws_env: str) -> None:
    images = provider(aws_env).list_images()
    names = [i.name for i in images]
    assert not any("marketplace" in n for n in names), (
        "owners outside the well-known list are not listed"
    )
    assert not any("images-testing" in n for n in names), "only the owners' main series"
    from hybridtui.providers.aws.records import series_key

    per_series: dict[str, int] = {}
    for n in names:
        per_series[series_key(n)] = per_series.get(series_key(n), 0) + 1
    assert max(per_series.values()) == 3, "newest 3 per series"
    for i in images:  # the boot disk: the size of the root device's volume
        (root,) = [
            m for m in i.raw["BlockDeviceMappings"] if m["DeviceName"] == i.raw["RootDeviceName"]
        ]
        assert i.disk_gb == root["Ebs"]["VolumeSize"] > 0, i.name
    users = {i.distro: i.login_user for i in images}
    assert users == {
        "ubuntu": "ubuntu",
        "amazon": "ec2-user",
        "debian": "admin",
        "rhel": "ec2-user",
        "centos": "centos",
        "fedora": "fedora",
        "fedora-coreos": "core",
        "suse": "ec2-user",
    }


def test_own_images_are_listed_too(aws_env: str) -> None:
    ec2 = operator(aws_env)
    inst = ec2.run_instances(
        ImageId=ami(ec2, "ubuntu/images/hvm-ssd/ubuntu-jammy"),
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
    )["Instances"][0]
    mine = ec2.create_image(InstanceId=inst["InstanceId"], Name="golden-web-2026-11-01")["ImageId"]
    assert mine in {i.id for i in provider(aws_env).list_images()}


def test_instance_types_are_only_those_offered_in_the_region(aws_env: str) -> None:
    offered = {
        o["InstanceType"]
        for page in operator(aws_env)
        .get_paginator("describe_instance_type_offerings")
        .paginate(LocationType="region", Filters=[{"Name": "location", "Values": ["eu-west-1"]}])
        for o in page["InstanceTypeOfferings"]
    }
    flavors = provider(aws_env).list_flavors()
    assert {f.name for f in flavors} == offered
    assert len(flavors) > 100, "more than one DescribeInstanceTypes batch of 100"


def test_pagination_of_instances(aws_env: str, proxy: FaultProxy) -> None:
    ec2 = operator(aws_env)
    image = ami(ec2, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble")
    ids = {
        ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1)[
            "Instances"
        ][0]["InstanceId"]
        for _ in range(12)
    }
    p = provider(proxy.url)
    p.page_size = 5
    assert {n.id for n in p.list_nodes()} == ids
    assert proxy.actions["DescribeInstances"] == 3, "12 reservations at 5 per page"


def test_write_path_with_elastic_ip_and_clean_up(aws_env: str) -> None:
    ec2 = operator(aws_env)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    private = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock="172.31.200.0/24",
        AvailabilityZone="eu-west-1b",
        TagSpecifications=[
            {"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": "app-private"}]}
        ],
    )
    theirs = ec2.allocate_address(Domain="vpc")
    p = provider(aws_env)
    image = (
        ami(ec2, "debian-12")
        if False
        else next(i.id for i in p.list_images() if i.distro == "debian")
    )
    name = f"hybridtui-test-{uuid.uuid4().hex[:6]}"

    assert p.import_key(name, PUBKEY) == name
    node = p.create_node(
        NodeSpec(
            name=name,
            flavor="t3.micro",
            image=image,
            network="app-private",
            key_name=name,
            public_ip=False,
        )
    )
    assert node.public_ip == "", "a subnet without MapPublicIpOnLaunch gives no public IPv4"
    raw = ec2.describe_instances(InstanceIds=[node.id])["Reservations"][0]["Instances"][0]
    tags = {t["Key"]: t["Value"] for t in raw["Tags"]}
    assert tags[MANAGED_TAG] == "true"
    assert tags["Name"] == name
    assert raw["SubnetId"] == private["Subnet"]["SubnetId"]

    addr = p.ensure_public_address(node.id)
    assert addr.kind is AddressKind.FLOATING
    assert p.get_node(node.id).public_ip == addr.ip
    assert p.ensure_public_address(node.id).ip == addr.ip, "idempotent: no second allocation"
    ours = [a for a in p.list_addresses() if a.managed]
    assert [a.ip for a in ours] == [addr.ip]

    p.delete_node(node.id)
    p.delete_key(name)
    left = {a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]}
    assert left == {theirs["PublicIp"]}, "our Elastic IP released, theirs untouched"
    assert p.get_node(node.id).state in (NodeState.DELETING, NodeState.DELETED)
    assert name not in {k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]}
    with pytest.raises(NotFoundError):
        p.delete_key(name)


def test_choosing_an_unknown_subnet_lists_the_known_ones(aws_env: str) -> None:
    p = provider(aws_env)
    with pytest.raises(NotFoundError) as info:
        p.create_node(
            NodeSpec(name="x", flavor="t3.micro", image=p.list_images()[0].id, network="nope")
        )
    assert "default-eu-west-1a" in info.value.message


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("fault", "error", "title"),
    [
        (
            Fault(status=400, code="RequestLimitExceeded", message="Request limit exceeded."),
            ThrottledError,
            None,
        ),
        (
            Fault(status=503, code="Unavailable", message="Service unavailable"),
            CloudUnavailableError,
            None,
        ),
        (
            Fault(status=500, code="InternalError", message="An internal error has occurred"),
            CloudUnavailableError,
            None,
        ),
        (Fault(drop=True), CloudUnavailableError, None),
        (
            Fault(status=403, code="UnauthorizedOperation", message="You are not authorized"),
            PermissionDeniedError,
            "Permission denied",
        ),
    ],
    ids=["throttled", "503", "500", "dropped", "unauthorized"],
)
def test_api_failures_become_clear_errors(
    proxy: FaultProxy, fault: Fault, error: type[ProviderError], title: str | None
) -> None:
    proxy.inject(fault)
    p = provider(proxy.url, max_attempts=2, retry_mode="standard")
    with pytest.raises(error) as info:
        p.list_keys()
    assert "aws (eu-west-1, profile 'hybrid-test')" in info.value.message
    if title:
        assert info.value.title == title
    retried = sum(proxy.actions.values())
    assert retried == (2 if error.transient else 1), (
        "transient errors are retried, up to max_attempts"
    )


def test_one_call_failing_costs_only_its_kind(aws_env: str, proxy: FaultProxy) -> None:
    """Instance types throttled past their retries must not lose the region's
    nodes (they did when a refresh was all-or-nothing)."""
    launch_ubuntu(aws_env, 2)
    p = provider(proxy.url, max_attempts=2, retry_mode="standard")
    proxy.inject(
        Fault(
            status=400,
            code="RequestLimitExceeded",
            message="Request limit exceeded.",
            action="DescribeInstanceTypeOfferings",
        )
    )
    proxy.inject(
        Fault(
            status=403,
            code="UnauthorizedOperation",
            message="You are not authorized",
            action="DescribeSecurityGroups",
        )
    )
    inv = p.fetch_inventory()
    assert set(inv.errors) == {ResourceKind.FLAVORS, ResourceKind.SECURITY_GROUPS}
    assert isinstance(inv.errors[ResourceKind.FLAVORS], ThrottledError)
    assert isinstance(inv.errors[ResourceKind.SECURITY_GROUPS], PermissionDeniedError)
    assert len(inv.nodes) == 2
    assert all(n.login_user == "ubuntu" for n in inv.nodes), "login hints from the AMIs"
    assert inv.images
    assert inv.networks
    assert ResourceKind.KEYS in inv.records
    assert inv.behaviour is not None
    assert proxy.actions["DescribeInstanceTypeOfferings"] == 2, "retried up to max_attempts"
    assert proxy.actions["DescribeSecurityGroups"] == 1, "a refusal is not retried"


@pytest.mark.parametrize(
    ("fault", "error", "attempts"),
    [
        (
            Fault(status=400, code="RequestLimitExceeded", message="Request limit exceeded."),
            ThrottledError,
            2,
        ),
        (
            Fault(status=500, code="InternalError", message="An internal error has occurred"),
            CloudUnavailableError,
            2,
        ),
        (
            Fault(status=403, code="UnauthorizedOperation", message="You are not authorized"),
            PermissionDeniedError,
            1,
        ),
        (
            Fault(
                status=401,
                code="AuthFailure",
                message="AWS was not able to validate the provided access credentials",
            ),
            AuthError,
            1,
        ),
        (Fault(drop=True), CloudUnavailableError, 2),
        (
            Fault(status=502, html="<html><body>502 Bad Gateway</body></html>"),
            CloudUnavailableError,
            2,
        ),
        # a read timeout counts as transient in botocore; the poller's own
        # deadline still reports the cloud at `timeout`, whatever the retries
        (Fault(delay=30), CloudTimeoutError, 2),
    ],
    ids=["throttled", "500", "403", "auth-expired", "connection-reset", "malformed", "hang"],
)
def test_a_fault_on_one_kind_leaves_the_others_fresh(
    aws_env: str, proxy: FaultProxy, fault: Fault, error: type[ProviderError], attempts: int
) -> None:
    """The fault table on the moto peer: whatever happens to one listing, the
    other kinds come back, the failing one says why, and it is retried only as
    its kind of failure allows, within the cloud's timeout."""
    launch_ubuntu(aws_env)
    fault.action = "DescribeKeyPairs"
    proxy.inject(fault)
    p = provider(proxy.url, timeout=2, max_attempts=2, retry_mode="standard")
    try:
        inv = p.fetch_inventory([ResourceKind.NODES, ResourceKind.KEYS, ResourceKind.NETWORKS])
    finally:
        proxy.clear()  # release a held request at once
    assert set(inv.errors) == {ResourceKind.KEYS}
    assert isinstance(inv.errors[ResourceKind.KEYS], error)
    assert "aws (eu-west-1" in inv.errors[ResourceKind.KEYS].message
    assert len(inv.nodes) == 1
    assert inv.networks
    assert proxy.actions["DescribeKeyPairs"] == attempts


def test_hung_endpoint_times_out_on_the_client(proxy: FaultProxy) -> None:
    proxy.inject(Fault(delay=60))
    p = provider(proxy.url, timeout=1, max_attempts=1)
    with pytest.raises(CloudTimeoutError, match="no answer within 1 s"):
        p.list_keys()


def test_quota_and_capacity_on_run_instances(aws_env: str, proxy: FaultProxy) -> None:
    p = provider(proxy.url)
    image = p.list_images()[0].id
    proxy.inject(
        Fault(
            status=400,
            code="InstanceLimitExceeded",
            message="You have requested more instances (21) than your current instance limit of 20 allows",
            action="RunInstances",
            times=1,
        )
    )
    with pytest.raises(QuotaError, match="instance limit of 20"):
        p.create_node(NodeSpec(name="q", flavor="t3.micro", image=image))
    proxy.inject(
        Fault(
            status=500,
            code="InsufficientInstanceCapacity",
            message="We currently do not have sufficient t3.micro capacity",
            action="RunInstances",
            times=3,
        )
    )
    with pytest.raises(ProviderError) as info:
        p.create_node(NodeSpec(name="q", flavor="t3.micro", image=image))
    assert info.value.title == "Insufficient capacity"
    ours = [
        i for r in operator(aws_env).describe_instances()["Reservations"] for i in r["Instances"]
    ]
    assert ours == [], "nothing was created by the failed requests"


def test_rejected_credentials(aws_env: str) -> None:
    set_auth(aws_env, enabled=True)
    try:
        with pytest.raises(AuthError) as info:
            provider(aws_env).list_keys()
    finally:
        set_auth(aws_env, enabled=False)
    assert "AuthFailure" in info.value.message or "InvalidClientTokenId" in info.value.message
    assert "aws sso login --profile hybrid-test" in (info.value.hint or "")
    assert not info.value.transient


def test_unknown_profile_names_the_known_ones(aws_env: str) -> None:
    with pytest.raises(AuthError) as info:
        provider(aws_env, profile="prod").list_keys()
    assert "AWS profile 'prod' not found" in info.value.message
    assert "hybrid-test" in info.value.message


def test_missing_credentials(aws_env: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    with pytest.raises(AuthError) as info:
        provider(aws_env, profile=None).list_keys()
    assert "no AWS credentials found" in info.value.message
    assert "aws configure" in (info.value.hint or "")


def test_unknown_region_without_endpoint(aws_env: str) -> None:
    cfg = AwsCloud.validate(
        {"name": "aws", "kind": "aws", "profile": "hybrid-test", "regions": ["eu-fake-9"]}
    )
    with pytest.raises(ProviderError, match="unknown AWS region 'eu-fake-9'"):
        AwsProvider("aws", cfg, "eu-fake-9").list_keys()


def test_client_has_real_timeouts_and_bounded_retries(aws_env: str) -> None:
    client = provider(aws_env, timeout=7, max_attempts=4).client()
    cfg = client.meta.config
    assert cfg.read_timeout == 7
    assert cfg.connect_timeout == 7
    assert cfg.retries == {"total_max_attempts": 4, "mode": "adaptive"}, (
        "adaptive by default: a throttled client slows down instead of failing"
    )
    standard = provider(aws_env, retry_mode="standard").client().meta.config
    assert standard.retries == {"total_max_attempts": 3, "mode": "standard"}


# ------------------------------------------------------------- regions, UI


def test_each_region_is_its_own_pane(aws_env: str) -> None:
    ec2_us = operator(aws_env, "us-east-1")
    image = ec2_us.describe_images(Owners=["136693071363"])["Images"][0]["ImageId"]
    us_id = ec2_us.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1)[
        "Instances"
    ][0]["InstanceId"]
    config = AppConfig.validate(
        {"clouds": [aws_cloud(aws_env, regions=["eu-west-1", "us-east-1"])]}
    )
    targets = targets_for(config)
    assert [t.name for t in targets] == ["aws/eu-west-1", "aws/us-east-1"]
    outcomes = {o.cloud: o for o in Poller(targets).poll()}
    assert all(o.ok for o in outcomes.values())
    assert [n.id for n in outcomes["aws/us-east-1"].snapshot.nodes] == [us_id]  # type: ignore[union-attr]
    assert outcomes["aws/eu-west-1"].snapshot.nodes == ()  # type: ignore[union-attr]


def test_html_error_page_is_unavailable_not_a_crash(proxy: FaultProxy) -> None:
    """A load balancer's HTML 502 page instead of EC2 XML: transient, retried, clear."""
    proxy.inject(Fault(status=502, html="<html><h1>502 Bad Gateway</h1></html>"))
    with pytest.raises(CloudUnavailableError) as info:
        provider(proxy.url, max_attempts=2).list_keys()
    assert info.value.transient


def test_security_groups_by_name_from_spec_or_override(aws_env: str) -> None:
    ec2 = operator(aws_env)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    ssh = ec2.create_security_group(GroupName="ssh-in", Description="ssh", VpcId=vpc)["GroupId"]
    web = ec2.create_security_group(GroupName="web-in", Description="web", VpcId=vpc)["GroupId"]
    p = provider(aws_env, overrides={"security_groups": ["web-in"]})
    image = p.list_images()[0].id

    def groups(node_id: str) -> set[str]:
        inst = ec2.describe_instances(InstanceIds=[node_id])["Reservations"][0]["Instances"][0]
        return {g["GroupId"] for g in inst["SecurityGroups"]}

    by_spec = p.create_node(
        NodeSpec(name="a", flavor="t3.micro", image=image, security_groups=("ssh-in",))
    )
    assert groups(by_spec.id) == {ssh}
    by_override = p.create_node(NodeSpec(name="b", flavor="t3.micro", image=image))
    assert groups(by_override.id) == {web}
    with pytest.raises(NotFoundError, match="security group 'nope' not found.*ssh-in"):
        p.create_node(NodeSpec(name="c", flavor="t3.micro", image=image, security_groups=("nope",)))


def test_security_groups_show_whether_ssh_is_open(aws_env: str) -> None:
    ec2 = operator(aws_env)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    sg = ec2.create_security_group(GroupName="ssh-world", Description="ssh", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    groups = {g.name: g for g in provider(aws_env).fetch_inventory().security_groups}
    assert groups["ssh-world"].ssh_open
    assert groups["ssh-world"].network == vpc
    assert not groups["default"].ssh_open, "the default group only admits its own members"


def test_scorecard_reads_the_default_vpc_of_the_real_api(aws_env: str) -> None:
    """Step 5 and the routers from moto's own default VPC: default subnets that
    map public IPv4, an internet gateway, the main route table's default route;
    a private VPC beside it changes nothing."""
    from conftest import scorecard_of

    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.model import Evidence, Verdict
    from hybridtui.providers import CloudTarget

    ec2 = operator(aws_env)
    default_vpc = next(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"])
    target = CloudTarget("aws", "aws", provider(aws_env).aws, "eu-west-1")
    # moto's default VPC has no internet gateway (AWS's always has): nothing reaches the address
    bare = scorecard_of([target]).cell("aws", "5")
    assert bare.verdict is Verdict.PARTIAL
    assert bare.reason.endswith(
        "but their VPC has no internet gateway: the address is not reachable"
    )
    # as AWS creates it: a gateway attached to the default VPC, the main table's default route to it
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=default_vpc)
    main = next(
        t["RouteTableId"]
        for t in ec2.describe_route_tables()["RouteTables"]
        if t["VpcId"] == default_vpc
    )
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone="eu-west-1a")
    p = provider(aws_env)
    routers = {r.id: r for r in p.list_routers()}
    igws = [r for r in routers.values() if r.id.startswith("igw-")]
    assert [(g.external_network, g.status) for g in igws] == [
        ("internet", f"attached to {default_vpc}")
    ]
    tables = [r for r in routers.values() if r.id.startswith("rtb-")]
    assert {(t.raw["VpcId"], t.external_network) for t in tables} >= {
        (default_vpc, igws[0].id),
        (vpc, ""),
    }

    cfg = p.aws
    card = scorecard_of(
        [CloudTarget("aws", "aws", cfg, "eu-west-1")], Spec.parse("vcpus=2,ram_gb=4,image=ubuntu")
    )
    step5 = card.cell("aws", "5")
    assert (step5.verdict, step5.evidence, step5.value) == (
        Verdict.YES,
        Evidence.INFERRED,
        "auto-assign",
    )
    assert {s.field for s in step5.sources} >= {"MapPublicIpOnLaunch", "external"}
    m = card.matches["aws"]
    assert m.network.record.raw["DefaultForAz"]
    assert m.image.record.name.startswith(
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-"
    )
    assert (m.flavor.record.vcpus, m.flavor.record.ram_mb, m.flavor.record.arch) == (
        2,
        4096,
        "x86_64",
    )
    assert card.cell("aws", "login:debian").value == "admin"


def test_a_listing_cut_short_is_asked_once_more(proxy: FaultProxy) -> None:
    """A 200 whose body is not EC2's XML (a proxy cutting the response) is not
    retried by botocore; the adapter asks a listing once more, and only a
    second bad answer fails the kind — with what happened, not a traceback."""
    proxy.inject(Fault(status=200, html="<html><body>cut", action="DescribeVpcs", times=1))
    inv = provider(proxy.url).fetch_inventory()
    assert ResourceKind.NETWORKS not in inv.errors
    assert inv.networks
    assert proxy.actions["DescribeVpcs"] == 2
    proxy.inject(Fault(status=200, html="<html><body>cut", action="DescribeVpcs", times=2))
    inv = provider(proxy.url).fetch_inventory()
    assert "not EC2 XML" in inv.errors[ResourceKind.NETWORKS].message


def test_headless_nodes_from_a_warm_cache_ask_only_for_instances(
    aws_env: str, proxy: FaultProxy, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`inventory --kind nodes` after a full one: one DescribeInstances, the
    login account still named from the cached AMIs, and the cached kinds
    this run did not decode (key pairs here) still whole for the next command."""
    import json

    from hybridtui.cli import main

    ec2 = launch_ubuntu(aws_env)
    config = tmp_path / "aws.yaml"
    config.write_text(
        f"clouds:\n  - name: aws\n    kind: aws\n    profile: hybrid-test\n"
        f"    regions: [eu-west-1]\n    endpoint_url: {proxy.url}\n    timeout: 30\n"
    )

    def inventory(kind: str, *extra: str) -> Any:
        code = main(
            ["--config", str(config), "inventory", "--kind", kind, "--format", "json", *extra]
        )
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)

    ec2.create_key_pair(KeyName="ops-prod")
    proxy.actions.clear()
    inventory("images")
    assert proxy.actions["DescribeImages"] == 2, (
        "the account's own, and every well-known owner at once"
    )
    assert [r["name"] for r in inventory("keys")["records"]] == ["ops-prod"]
    proxy.actions.clear()
    (node,) = inventory("nodes")["records"]
    assert dict(proxy.actions) == {"DescribeInstances": 1}
    assert node["login_user"] == "ubuntu"
    assert [r["name"] for r in inventory("keys", "--offline")["records"]] == ["ops-prod"]


def test_the_root_volume_is_sized_at_launch_when_asked(aws_env: str) -> None:
    """EC2 types have no disk of their own: a spec's disk is the root volume's
    size, given at launch in a mapping of the AMI's root device (its
    snapshot and type kept); a size the AMI's root already has asks nothing."""
    ec2 = operator(aws_env)
    image = ami(ec2, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble")
    own = next(
        m["Ebs"]["VolumeSize"]
        for i in ec2.describe_images(ImageIds=[image])["Images"]
        for m in i["BlockDeviceMappings"]
        if m["DeviceName"] == i["RootDeviceName"]
    )
    p = provider(aws_env)

    def root_volume(node_id: str) -> int:
        volumes = ec2.describe_volumes(
            Filters=[{"Name": "attachment.instance-id", "Values": [node_id]}]
        )["Volumes"]
        assert len(volumes) == 1
        return int(volumes[0]["Size"])

    big = p.create_node(NodeSpec(name="big", flavor="t3.micro", image=image, disk_gb=own + 42))
    small = p.create_node(NodeSpec(name="small", flavor="t3.micro", image=image, disk_gb=own - 1))
    plain = p.create_node(NodeSpec(name="plain", flavor="t3.micro", image=image))
    assert root_volume(big.id) == own + 42
    # (moto gives an unmapped root 8 GB whatever the AMI says; EC2 gives the AMI's)
    assert root_volume(small.id) == root_volume(plain.id), "as if not asked: never smaller"


def test_an_instance_store_ami_has_no_root_volume_to_size() -> None:
    """An instance-store AMI's root is not an EBS volume: asked for a disk,
    the launch is refused with why, before anything is made."""
    from hybridtui.providers.aws.records import root_volume_mapping

    instance_store = {
        "ImageId": "ami-0123456789abcdef0",
        "RootDeviceType": "instance-store",
        "RootDeviceName": "/dev/sda1",
        "BlockDeviceMappings": [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}],
    }
    with pytest.raises(ValueError, match="ami-0123456789abcdef0 has no EBS root volume"):
        root_volume_mapping(instance_store, 50)
    ebs = {
        "RootDeviceName": "/dev/xvda",
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}
        ],
    }
    assert root_volume_mapping(ebs, 50) == [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 50}}]
    assert root_volume_mapping(ebs, 8) == []


def test_an_elastic_ip_on_a_network_interface_is_not_free(aws_env: str) -> None:
    """An Elastic IP associated with an interface and no instance (a NAT
    gateway's, a load balancer's) is held by that interface: shown so, and
    never offered for clean-up as one billed for nothing."""
    ec2 = operator(aws_env)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    held = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=held["AllocationId"], NetworkInterfaceId=eni)
    free = ec2.allocate_address(Domain="vpc")
    found = {a.ip: a.attached_to for a in provider(aws_env).list_addresses()}
    assert found[held["PublicIp"]] == eni
    assert found[free["PublicIp"]] == ""
