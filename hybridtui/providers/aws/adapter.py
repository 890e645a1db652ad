"""The AWS EC2 provider (boto3): one region of one account per instance.

boto3 is imported on the first call, in a poll worker thread, never on the way
to first paint. Every call has real client-side timeouts and a bounded number of
attempts, so a hung endpoint cannot hold a worker thread forever. SDK errors
become `ProviderError`s here, with a message that names the profile, region and
what to run.
"""

from __future__ import annotations

import contextlib
import fnmatch
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import Any, ClassVar

from hybridtui.config import AwsCloud, CloudBase
from hybridtui.domain import (
    MANAGED_TAG,
    Address,
    AddressKind,
    CloudBehaviour,
    CloudKind,
    Flavor,
    Image,
    KeyPair,
    Network,
    Node,
    NodeSpec,
    PublicAddress,
    Resource,
    ResourceKind,
    Router,
    SecurityGroup,
)
from hybridtui.errors import (
    AuthError,
    NotFoundError,
    ProviderError,
)
from hybridtui.providers.aws import errors as cloud_errors
from hybridtui.providers.aws import instance_types
from hybridtui.providers.aws import records as rec
from hybridtui.providers.base import Capability, CloudSnapshotLike, SdkProvider, gather

_LOADER: Any = None
_LOADER_LOCK = threading.Lock()


def _shared_loader() -> Any:
    """botocore's data loader, one per process. Every new session parses
    EC2's service model (megabytes of JSON) again: 0.3-0.5 s of interpreter
    lock per region, warm or cold; a loader keeps what it parsed (0.04 s for
    the next region's client)."""
    global _LOADER
    with _LOADER_LOCK:
        if _LOADER is None:
            import botocore.loaders

            _LOADER = botocore.loaders.create_loader()
        return _LOADER


def region_hint(region: str, known: list[str]) -> str:
    """What to write instead of an unknown region: the closest known names."""
    import difflib

    close = difflib.get_close_matches(region, known, n=3, cutoff=0.6)
    if close:
        return f"Did you mean {' or '.join(close)}? Check `regions:`."
    return "Check `regions:` (e.g. eu-west-1, us-east-1)."


class AwsProvider(SdkProvider):
    kind: ClassVar[CloudKind] = CloudKind.AWS
    capabilities: ClassVar[Capability] = Capability.READ | Capability.WRITE
    SDK_MODULE, SDK_EXTRA, SDK_NAME = "boto3", "aws", "boto3"

    def __init__(self, name: str, config: CloudBase, region: str | None = None) -> None:
        super().__init__(name, config, region)
        assert isinstance(config, AwsCloud)
        self.aws: AwsCloud = config
        self.region_name: str = region or config.regions[0]
        #: Reservations per DescribeInstances page (the API's maximum).
        self.page_size = 1000
        self._known_images: dict[str, Image] = {}
        #: Subnet id → the name the networks tab shows, so a node's addresses
        #: name their subnet as the networks do (last listing, or the cache).
        self._subnet_names: dict[str, str] = {}

    # ------------------------------------------------------------- plumbing
    @property
    def where(self) -> str:
        profile = (
            f"profile {self.aws.profile!r}" if self.aws.profile else "the default credential chain"
        )
        return f"{self.name} ({self.region_name}, {profile})"

    def client(self) -> Any:
        """The EC2 client, built once; boto3 clients are thread-safe, sessions are not."""
        return self._session("ec2", self._make_client)

    def _make_client(self) -> Any:
        import boto3
        import botocore.config
        import botocore.exceptions
        import botocore.session

        core = botocore.session.get_session()
        core.register_component("data_loader", _shared_loader())
        try:
            session = boto3.session.Session(
                botocore_session=core, profile_name=self.aws.profile, region_name=self.region_name
            )
            session.get_credentials()  # an unknown profile fails here, not on the first call
        except botocore.exceptions.ProfileNotFound as e:
            known = ", ".join(boto3.session.Session().available_profiles) or "none"
            raise AuthError(
                f"{self.name}: AWS profile {self.aws.profile!r} not found (profiles: {known})",
                hint=f"Create it with `aws configure --profile {self.aws.profile}` or fix `profile:`.",
            ) from e
        known = session.get_available_regions("ec2")
        if not self.aws.endpoint_url and self.region_name not in known:
            raise ProviderError(
                f"{self.name}: unknown AWS region {self.region_name!r}",
                title="Unknown region",
                hint=region_hint(self.region_name, known),
            )
        timeout = self.aws.timeout
        cfg = botocore.config.Config(
            connect_timeout=min(10.0, timeout),
            read_timeout=timeout,
            # total_max_attempts counts the first try; botocore's max_attempts would not
            # adaptive (default): standard retries plus client-side rate limiting
            # when EC2 throttles, so a refresh slows down instead of failing
            retries={"total_max_attempts": self.aws.max_attempts, "mode": self.aws.retry_mode},
            # a refresh runs its listings at once (and instance types in batches)
            max_pool_connections=32,
            user_agent_extra="hybridtui",
        )
        return session.client("ec2", endpoint_url=self.aws.endpoint_url, config=cfg)

    def _pages(
        self, op: str, method: str, key: str, page_size: int | None = None, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        paginator = self.client().get_paginator(method)
        if page_size:
            kwargs["PaginationConfig"] = {"PageSize": page_size}

        def fetch() -> list[dict[str, Any]]:
            """botocore retries throttling and 5xx, not a 200 whose body is not
            EC2's XML (a response cut short by a proxy; moto under parallel load
            did it once in a few hundred refreshes). A listing is idempotent:
            it is asked once more before the kind is reported failed."""
            from botocore.parsers import ResponseParserError

            try:
                return list(paginator.paginate(**kwargs))
            except ResponseParserError:
                return list(paginator.paginate(**kwargs))

        for page in self._call(op, fetch):
            yield from page.get(key, [])

    def _map_error(self, op: str, e: Exception) -> ProviderError:
        return cloud_errors.map_error(
            op, e, where=self.where, timeout=self.aws.timeout, login_hint=self._login_hint()
        )

    def _login_hint(self) -> str:
        if self.aws.profile:
            return f"Run `aws sso login --profile {self.aws.profile}` or `aws configure --profile {self.aws.profile}`."
        return "Run `aws configure`, set AWS_PROFILE, or give this cloud a `profile:`."

    @staticmethod
    def _tag_specs(resource: str, extra: dict[str, str] | None = None) -> list[dict[str, Any]]:
        tags = {MANAGED_TAG: "true", **(extra or {})}
        return [
            {"ResourceType": resource, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]

    # ------------------------------------------------------------------ read
    def prime(self, snapshot: CloudSnapshotLike) -> None:
        if not self._known_images:
            images = snapshot.resources(ResourceKind.IMAGES)
            self._known_images = {i.id: i for i in images if isinstance(i, Image)}
        if not self._subnet_names:
            self._learn_subnets(snapshot.resources(ResourceKind.NETWORKS))
        # cached instance types need not be described again when the catalogue
        # is due: only the region's offerings are listed, and what is new
        self._types().remember(
            f for f in snapshot.resources(ResourceKind.FLAVORS) if isinstance(f, Flavor)
        )

    def _types(self) -> instance_types.TypeCatalogue:
        return instance_types.catalogue(self.aws.profile, self.aws.endpoint_url)

    def _listers(self) -> dict[ResourceKind, Callable[[], list[Any]]]:
        # instances come back raw: they are described with the AMIs they run
        return {**super()._listers(), ResourceKind.NODES: self._raw_instances}

    def _fetch_kinds(
        self, kinds: list[ResourceKind]
    ) -> tuple[dict[ResourceKind, tuple[Resource, ...]], dict[ResourceKind, ProviderError]]:
        records, errors = super()._fetch_kinds(kinds)
        if ResourceKind.IMAGES in records:
            self._known_images.update(
                (i.id, i) for i in records[ResourceKind.IMAGES] if isinstance(i, Image)
            )
        if ResourceKind.NETWORKS in records:
            self._learn_subnets(records[ResourceKind.NETWORKS])
        if ResourceKind.NODES in records:
            raw = list(records[ResourceKind.NODES])
            records[ResourceKind.NODES] = tuple(self._nodes(raw))  # type: ignore[arg-type]
        return records, errors

    def _learn_subnets(self, networks: Iterable[Resource]) -> None:
        self._subnet_names.update(
            (n.id, n.name) for n in networks if isinstance(n, Network) and n.zone
        )

    def _behaviour_from(
        self, records: Mapping[ResourceKind, tuple[Resource, ...]]
    ) -> CloudBehaviour | None:
        if ResourceKind.NETWORKS not in records:
            return None
        images = records.get(ResourceKind.IMAGES) or tuple(self._known_images.values())
        return rec.behaviour(records[ResourceKind.NETWORKS], images)  # type: ignore[arg-type]

    def _raw_instances(self) -> list[dict[str, Any]]:
        reservations = self._pages(
            "describe instances", "describe_instances", "Reservations", page_size=self.page_size
        )
        return [i for r in reservations for i in r.get("Instances", [])]

    def _nodes(self, raw_nodes: list[dict[str, Any]]) -> list[Node]:
        """Instances → nodes, with image names and login hints from the AMIs they
        run (looked up by id when outside the listed owners)."""
        missing = sorted({i.get("ImageId", "") for i in raw_nodes} - set(self._known_images) - {""})
        if missing:
            # login hints are a bonus: without them the nodes are still shown
            with contextlib.suppress(ProviderError):
                self._known_images.update((i.id, i) for i in self._images_by_id(missing))
        return [rec.node(i, self._known_images, self._subnet_names) for i in raw_nodes]

    def list_nodes(self) -> list[Node]:
        return self._nodes(self._raw_instances())

    def list_flavors(self) -> list[Flavor]:
        """Instance types offered in this region. Their specs are the same in
        every region, so they are described once per account and endpoint for
        all regions and kept (`instance_types`)."""
        offered = sorted(
            o["InstanceType"]
            for o in self._pages(
                "list instance types",
                "describe_instance_type_offerings",
                "InstanceTypeOfferings",
                LocationType="region",
                Filters=[{"Name": "location", "Values": [self.region_name]}],
            )
        )
        out = self._types().specs_of(offered, self._describe_types, wait=self.aws.timeout)
        out.sort(key=lambda f: (f.vcpus, f.ram_mb, f.name))
        return out

    def _describe_types(self, names: list[str]) -> list[Flavor]:
        """The specs of these types, in parallel batches of 100 (the API's limit)."""
        batches = [names[i : i + 100] for i in range(0, len(names), 100)]
        found, errors = gather(
            self.name, {n: partial(self._instance_types, b) for n, b in enumerate(batches)}
        )
        if errors:
            raise next(iter(errors.values()))
        return [rec.flavor(t) for records in found.values() for t in records]

    def _instance_types(self, names: list[str]) -> list[dict[str, Any]]:
        """One batch of instance type specs (at most 100 names a request)."""
        return list(
            self._pages(
                "describe instance types",
                "describe_instance_types",
                "InstanceTypes",
                InstanceTypes=names,
            )
        )

    def _images_of(self, owner: str) -> list[Image]:
        """An owner's available AMIs (the account's own, or one it names)."""
        return [
            rec.image(r)
            for r in self._pages("list images", "describe_images", "Images", Owners=[owner])
        ]

    def _well_known_images(self) -> list[Image]:
        """Every well-known owner's series in one call (EC2 takes several owners
        and name patterns at once; a pattern may also match another owner's
        AMI, so each is held to its own owner's patterns afterwards). One call
        instead of one per owner: ten fewer per region, cold."""
        patterns = sorted({p for ps in rec.WELL_KNOWN_OWNERS.values() for p in ps})
        found = self._pages(
            "list images",
            "describe_images",
            "Images",
            Owners=list(rec.WELL_KNOWN_OWNERS),
            Filters=[
                {"Name": "name", "Values": patterns},
                {"Name": "state", "Values": ["available"]},
            ],
        )
        return [
            rec.image(r)
            for r in found
            if any(
                fnmatch.fnmatchcase(str(r.get("Name", "")), p)
                for p in rec.WELL_KNOWN_OWNERS.get(str(r.get("OwnerId", "")), ())
            )
        ]

    def list_images(self) -> list[Image]:
        """The account's own AMIs and the newest of each well-known series, each
        listing in flight at once."""
        tasks: dict[str, Callable[[], list[Image]]] = {}
        for owner in self.aws.image_owners:
            if owner == "well-known":
                tasks["well-known:"] = self._well_known_images
            else:
                tasks[owner] = partial(self._images_of, owner)
        found, errors = gather(self.name, tasks)
        if errors:
            raise next(iter(errors.values()))
        images: dict[str, Image] = {}
        well_known = [
            i for key, imgs in found.items() if key.startswith("well-known:") for i in imgs
        ]
        for img in rec.latest_per_series(well_known):
            images[img.id] = img
        for key, imgs in found.items():
            if not key.startswith("well-known:"):
                images.update((i.id, i) for i in imgs)
        return sorted(images.values(), key=lambda i: (i.distro, i.name))

    def _images_by_id(self, ids: list[str]) -> list[Image]:
        return [
            rec.image(r)
            for r in self._pages(
                "describe images",
                "describe_images",
                "Images",
                Filters=[{"Name": "image-id", "Values": ids}],
            )
        ]

    def list_networks(self) -> list[Network]:
        found, errors = gather(
            self.name,
            {
                "vpcs": lambda: [
                    rec.vpc(v) for v in self._pages("list VPCs", "describe_vpcs", "Vpcs")
                ],
                "subnets": lambda: [
                    rec.subnet(s)
                    for s in self._pages("list subnets", "describe_subnets", "Subnets")
                ],
            },
        )
        if errors:
            raise next(iter(errors.values()))
        subnets = sorted(found["subnets"], key=lambda n: (n.raw.get("VpcId", ""), n.zone, n.name))
        return found["vpcs"] + subnets

    def list_keys(self) -> list[KeyPair]:
        out = self._call("list key pairs", lambda: self.client().describe_key_pairs())
        return [rec.key_pair(k) for k in out.get("KeyPairs", [])]

    def list_addresses(self) -> list[PublicAddress]:
        out = self._call("list Elastic IPs", lambda: self.client().describe_addresses())
        return [rec.elastic_ip(a) for a in out.get("Addresses", [])]

    def list_security_groups(self) -> list[SecurityGroup]:
        return [
            rec.security_group(g)
            for g in self._pages(
                "list security groups", "describe_security_groups", "SecurityGroups"
            )
        ]

    def list_routers(self) -> list[Router]:
        """Internet gateways and route tables: together they say which subnets
        reach the internet (why the default VPC's nodes get a public address)."""
        found, errors = gather(
            self.name,
            {
                "gateways": lambda: [
                    rec.internet_gateway(g)
                    for g in self._pages(
                        "list internet gateways", "describe_internet_gateways", "InternetGateways"
                    )
                ],
                "tables": lambda: [
                    rec.route_table(t)
                    for t in self._pages(
                        "list route tables", "describe_route_tables", "RouteTables"
                    )
                ],
            },
        )
        if errors:
            raise next(iter(errors.values()))
        return found["gateways"] + sorted(
            found["tables"], key=lambda r: (r.raw.get("VpcId", ""), r.name)
        )

    def behaviour(self) -> CloudBehaviour:
        return rec.behaviour(self.list_networks(), list(self._known_images.values()))

    # ----------------------------------------------------------------- write
    def import_key(self, name: str, public_key: str) -> str:
        ec2 = self.client()
        self._call(
            "import key pair",
            lambda: ec2.import_key_pair(
                KeyName=name,
                PublicKeyMaterial=public_key.encode(),
                TagSpecifications=self._tag_specs("key-pair"),
            ),
        )
        return name

    def delete_key(self, name: str) -> None:
        ec2 = self.client()
        found = self._call(
            "find key pair",
            lambda: ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}]),
        )
        if not found.get("KeyPairs"):
            raise NotFoundError(f"{self.where}: key pair {name!r} not found")
        self._call("delete key pair", lambda: ec2.delete_key_pair(KeyName=name))

    def create_node(self, spec: NodeSpec) -> Node:
        ec2 = self.client()
        image_id = self._resolve_image(spec.image)
        subnet = self._resolve_subnet(spec.network or self.aws.overrides.network or "")
        kwargs: dict[str, Any] = {
            "ImageId": image_id,
            "InstanceType": spec.flavor,
            "MinCount": 1,
            "MaxCount": 1,
            "TagSpecifications": self._tag_specs("instance", {"Name": spec.name, **spec.tags})
            + self._tag_specs("volume", dict(spec.tags)),
        }
        if spec.key_name:
            kwargs["KeyName"] = spec.key_name
        if spec.disk_gb and (mapping := self._root_volume(image_id, spec.disk_gb)):
            kwargs["BlockDeviceMappings"] = mapping
        groups = self._resolve_groups(
            spec.security_groups or tuple(self.aws.overrides.security_groups or ()), subnet
        )
        if spec.public_ip and not subnet.auto_public_ip:
            nic: dict[str, Any] = {
                "DeviceIndex": 0,
                "SubnetId": subnet.id,
                "AssociatePublicIpAddress": True,
            }
            if groups:
                nic["Groups"] = groups
            kwargs["NetworkInterfaces"] = [nic]
        else:
            kwargs["SubnetId"] = subnet.id
            if groups:
                kwargs["SecurityGroupIds"] = groups
        out = self._call("run instance", lambda: ec2.run_instances(**kwargs))
        instance = out["Instances"][0]
        return rec.node(instance, {}, {subnet.id: subnet.name})

    def _resolve_image(self, wanted: str) -> str:
        if wanted.startswith("ami-"):
            return wanted
        ec2 = self.client()
        found = self._call(
            "find image",
            lambda: ec2.describe_images(Filters=[{"Name": "name", "Values": [wanted]}]),
        )["Images"]
        if not found:
            raise NotFoundError(f"{self.where}: no image named {wanted!r}")
        return str(max(found, key=lambda i: i.get("CreationDate", ""))["ImageId"])

    def _root_volume(self, image_id: str, size_gb: int) -> list[dict[str, Any]]:
        """The root volume at `size_gb` (`rec.root_volume_mapping`), read from the AMI."""
        ec2 = self.client()
        found = self._call("find image", lambda: ec2.describe_images(ImageIds=[image_id]))
        if not found["Images"]:
            raise NotFoundError(f"{self.where}: no image {image_id!r}")
        try:
            return rec.root_volume_mapping(found["Images"][0], size_gb)
        except ValueError as e:
            raise ProviderError(
                f"{self.where}: {e}", hint="Pick an EBS-backed image, or leave disk_gb out."
            ) from e

    def _resolve_groups(self, wanted: tuple[str, ...], subnet: Network) -> list[str]:
        """Security group names or ids → ids, within the subnet's VPC (names are per VPC)."""
        if not wanted:
            return []
        vpc_id = subnet.raw.get("VpcId", "")
        ec2 = self.client()
        found = self._call(
            "list security groups",
            lambda: ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]),
        )["SecurityGroups"]
        ids = []
        for w in wanted:
            match = next((g["GroupId"] for g in found if w in (g["GroupId"], g["GroupName"])), None)
            if match is None:
                names = ", ".join(sorted(g["GroupName"] for g in found)) or "none"
                raise NotFoundError(
                    f"{self.where}: security group {w!r} not found in {vpc_id} (have: {names})"
                )
            ids.append(match)
        return ids

    def _resolve_subnet(self, wanted: str) -> Network:
        subnets = [n for n in self.list_networks() if n.id.startswith("subnet-")]
        if wanted:
            for n in subnets:
                if wanted in (n.id, n.name):
                    return n
            raise NotFoundError(
                f"{self.where}: subnet {wanted!r} not found (have: {', '.join(n.name for n in subnets) or 'none'})"
            )
        defaults = [n for n in subnets if n.raw.get("DefaultForAz")]
        if defaults:
            return sorted(defaults, key=lambda n: n.zone)[0]
        if len(subnets) == 1:
            return subnets[0]
        raise ProviderError(
            f"{self.where}: no default subnet and {len(subnets)} others: which one?",
            title="Choose a subnet",
            hint="Set `overrides: {network: subnet-…}` for this cloud.",
        )

    def get_node(self, node_id: str) -> Node:
        ec2 = self.client()
        out = self._call("describe instance", lambda: ec2.describe_instances(InstanceIds=[node_id]))
        instances = [i for r in out.get("Reservations", []) for i in r.get("Instances", [])]
        if not instances:
            raise NotFoundError(f"{self.where}: instance {node_id!r} not found")
        return rec.node(instances[0], {})

    def ensure_public_address(self, node_id: str, pool: str | None = None) -> Address:
        node = self.get_node(node_id)
        public = [a for a in node.addresses if a.kind is not AddressKind.FIXED and a.version == 4]
        if public:
            return public[0]
        ec2 = self.client()
        extra = {"PublicIpv4Pool": pool} if pool else {}  # a BYOIP pool, if the site has one
        alloc = self._call(
            "allocate Elastic IP",
            lambda: ec2.allocate_address(
                Domain="vpc",
                TagSpecifications=self._tag_specs("elastic-ip", {"hybridtui:node": node_id}),
                **extra,
            ),
        )
        try:
            self._call(
                "associate Elastic IP",
                lambda: ec2.associate_address(
                    AllocationId=alloc["AllocationId"], InstanceId=node_id
                ),
            )
        except ProviderError:
            # Never leak an address we allocated: give it back, then report.
            self._call(
                "release Elastic IP",
                lambda: ec2.release_address(AllocationId=alloc["AllocationId"]),
            )
            raise
        return Address(alloc["PublicIp"], 4, AddressKind.FLOATING, node.zone)

    def release_address(self, address: PublicAddress) -> None:
        ec2 = self.client()
        found = self._call(
            "find Elastic IP",
            lambda: ec2.describe_addresses(
                Filters=[
                    {"Name": "public-ip", "Values": [address.ip]},
                    {"Name": f"tag:{MANAGED_TAG}", "Values": ["true"]},
                ]
            ),
        ).get("Addresses", [])
        if not found:
            raise NotFoundError(f"{self.where}: no Elastic IP {address.ip} tagged as hybridtui's")
        (eip,) = found
        if eip.get("AssociationId"):
            raise ProviderError(
                f"{self.where}: {address.ip} is attached to {eip.get('InstanceId')}: not released",
                title="Address in use",
            )
        self._call(
            "release Elastic IP", lambda: ec2.release_address(AllocationId=eip["AllocationId"])
        )

    def console_output(self, node_id: str) -> str:
        """EC2's console output (botocore decodes its base64); "" until EC2 has one."""
        ec2 = self.client()
        out = self._call("console output", lambda: ec2.get_console_output(InstanceId=node_id))
        return str(out.get("Output") or "")

    def delete_node(self, node_id: str) -> None:
        ec2 = self.client()
        self.get_node(node_id)  # NotFound is an error, not a silent success
        ours = self._call(
            "list Elastic IPs",
            lambda: ec2.describe_addresses(
                Filters=[
                    {"Name": "instance-id", "Values": [node_id]},
                    {"Name": f"tag:{MANAGED_TAG}", "Values": ["true"]},
                ]
            ),
        )
        for addr in ours.get("Addresses", []):
            if addr.get("AssociationId"):
                self._call(
                    "disassociate Elastic IP",
                    partial(ec2.disassociate_address, AssociationId=addr["AssociationId"]),
                )
            self._call(
                "release Elastic IP",
                partial(ec2.release_address, AllocationId=addr["AllocationId"]),
            )
        self._call("terminate instance", lambda: ec2.terminate_instances(InstanceIds=[node_id]))
