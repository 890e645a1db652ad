"""Frozen records every layer shares: providers produce them, the cache stores
them, the model and views read them. No SDK objects and no renderables here.

Each record keeps the provider's own record in `raw` (secrets stripped), so the
details view can show what the cloud really said next to our normalization.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar


class CloudKind(StrEnum):
    SIMULATOR = "simulator"
    OPENSTACK = "openstack"
    AWS = "aws"
    GCE = "gce"
    REPLAY = "replay"  # a cloud of a capture (`--replay`), shown offline


class ResourceKind(StrEnum):
    NODES = "nodes"
    FLAVORS = "flavors"
    IMAGES = "images"
    NETWORKS = "networks"
    KEYS = "keys"
    ADDRESSES = "addresses"
    SECURITY_GROUPS = "security-groups"
    ROUTERS = "routers"


class NodeState(StrEnum):
    """Normalized node state. Clouds disagree on names: EC2 `terminated` means
    deleted, GCE `TERMINATED` means stopped and restartable, Nova has `SHUTOFF`."""

    BUILDING = "building"
    RUNNING = "running"
    STOPPED = "stopped"
    SUSPENDED = "suspended"
    SHELVED = "shelved"
    ERROR = "error"
    DELETING = "deleting"
    DELETED = "deleted"
    UNKNOWN = "unknown"


class PublicIpStrategy(StrEnum):
    """How a node on this cloud gets an address reachable from outside."""

    AUTO_ASSIGN = "auto-assign"  # AWS default subnet: MapPublicIpOnLaunch
    ACCESS_CONFIG = "access-config"  # GCE: ONE_TO_ONE_NAT access config on the NIC
    DIRECT = "direct"  # OpenStack provider network with routable IPv4
    FLOATING_IP = "floating-ip"  # OpenStack tenant network + router + FIP
    IPV6_ONLY = "ipv6-only"  # only a global IPv6 address
    NONE = "none"  # private: reach it through a jump host


class AddressKind(StrEnum):
    FIXED = "fixed"
    FLOATING = "floating"
    PUBLIC = "public"  # provider-assigned public (AWS auto, GCE natIP)


@dataclass(frozen=True, slots=True)
class Address:
    ip: str
    version: int
    kind: AddressKind
    network: str = ""

    @property
    def is_public(self) -> bool:
        """Reachable from outside: floating, provider-public, or a global address."""
        if self.kind in (AddressKind.FLOATING, AddressKind.PUBLIC):
            return True
        return _is_global(self.ip)


@lru_cache(maxsize=65536)
def _is_global(ip: str) -> bool:
    """`ipaddress` parses at ~10 µs an address; 100,000 nodes ask every
    refresh and every export (bench/scale.py), mostly for the same few."""
    import ipaddress

    try:
        return ipaddress.ip_address(ip).is_global
    except ValueError:
        return False


#: `public_rank` of an address that is not reachable from outside.
NOT_PUBLIC = 4


def public_rank(ip: str, version: int, kind: str) -> int:
    """How good an address is to reach a node by (lower is better): IPv4 before
    IPv6, floating before other public ones; `NOT_PUBLIC` if not reachable.
    On plain values, so `Node.public_ip` and the headless export of cached
    records (which never builds a `Node`) rank alike."""
    if kind != "floating" and kind != "public" and not _is_global(ip):
        return NOT_PUBLIC
    return 2 * (version != 4) + (kind != "floating")


def _raw_field() -> Any:
    return field(default_factory=dict, compare=False, hash=False, repr=False)


class RawRecord(Mapping[str, Any]):
    """A provider's record as the cache keeps it: JSON text, decoded on first
    use. Most raw records are never read (the details view and `--raw` read
    them), and decoding 100,000 of them into dicts was half of loading a
    large cache and most of its memory (bench/scale.py)."""

    __slots__ = ("_data", "text")

    def __init__(self, text: str) -> None:
        #: The record as JSON, already scrubbed of secrets.
        self.text = text
        self._data: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._data is None:
            self._data = self.peek()
        return self._data

    @property
    def is_decoded(self) -> bool:
        """Whether the decoded record is kept (after an item was read)."""
        return self._data is not None

    def peek(self) -> dict[str, Any]:
        """The record decoded for one look, not kept (unless it already is)."""
        if self._data is not None:
            return self._data
        from hybridtui import jsonio

        decoded = jsonio.loads(self.text)
        return decoded if isinstance(decoded, dict) else {}

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __bool__(self) -> bool:
        """Without decoding: `if record.raw:` is asked of every record."""
        if self._data is not None:
            return bool(self._data)
        return self.text.strip() not in ("", "{}", "null")

    def __repr__(self) -> str:
        return f"RawRecord({self.text[:40]!r}…)"


def peek_raw(record: Resource) -> Mapping[str, Any]:
    """A record's provider record for one look: the comparator reads a field
    or two of every node on each run, and keeping 100,000 of them decoded
    would undo `RawRecord`'s saving."""
    raw: Mapping[str, Any] | None = getattr(record, "raw", None)
    if isinstance(raw, RawRecord):
        return raw.peek()
    return raw if raw is not None else {}


@dataclass(frozen=True, slots=True)
class Resource:
    """Common base: identity plus the provider's raw record."""

    KIND: ClassVar[ResourceKind]

    id: str
    name: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready normalized fields (raw included), used by the cache and the CLI."""
        return _codec(type(self))[0](self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Resource:
        record: Resource = _codec(cls)[1](data)
        return record


#: Field types whose values are JSON-ready as they are.
_PLAIN_TYPES = frozenset({"str", "int", "float", "bool", "Mapping[str, Any]"})
_CODECS: dict[type, tuple[Callable[[Any], dict[str, Any]], Callable[[Mapping[str, Any]], Any]]] = {}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, StrEnum):
        return str(value)
    return value


def _codec(
    cls: type[Resource],
) -> tuple[Callable[[Any], dict[str, Any]], Callable[[Mapping[str, Any]], Any]]:
    """`to_dict` and `from_dict` written out for one record type, field by
    field, as `dataclasses` writes `__init__`: a loop over the fields with a
    test per field was 1.7 s each way for 100,000 cached nodes, most of a
    headless `inventory --offline` (bench/scale.py)."""
    found = _CODECS.get(cls)
    if found is not None:
        return found
    out, into = [], []
    for f in fields(cls):
        n = f.name
        if n == "addresses":
            out.append(
                f"{n!r}: [{{'ip': a.ip, 'version': a.version, 'kind': str(a.kind),"
                f" 'network': a.network}} for a in r.{n}]"
            )
            into.append(
                f"    if {n!r} in d: kw[{n!r}] = tuple(Address(a['ip'], int(a['version']),"
                f" _AK[a['kind']], _in(a.get('network', ''))) for a in d[{n!r}])"
            )
            continue
        out.append(f"{n!r}: r.{n}" if f.type in _PLAIN_TYPES else f"{n!r}: _plain(r.{n})")
        if n == "raw":
            into.append(
                f"    if {n!r} in d:\n        v = d[{n!r}]\n"
                f"        kw[{n!r}] = RawRecord(v) if isinstance(v, str) else v"
            )
        elif n == "state":
            into.append(
                f"    if {n!r} in d:\n        v = d[{n!r}]\n"
                f"        kw[{n!r}] = _NS.get(v) or NodeState(v)"
            )
        elif n in _SHARED_VALUES:
            into.append(f"    if {n!r} in d: kw[{n!r}] = _in(d[{n!r}])")
        else:
            into.append(
                f"    if {n!r} in d:\n        v = d[{n!r}]\n"
                f"        kw[{n!r}] = tuple(v) if v.__class__ is list else v"
            )
    source = (
        "def to_dict(r):\n    return {" + ", ".join(out) + "}\n"
        "def from_dict(d):\n    kw = {}\n" + "\n".join(into) + "\n    return cls(**kw)\n"
    )
    scope: dict[str, Any] = {
        "cls": cls,
        "_plain": _plain,
        "Address": Address,
        "_AK": _ADDRESS_KINDS,
        "_NS": _NODE_STATES,
        "NodeState": NodeState,
        "RawRecord": RawRecord,
        # a builtin, not a wrapper: a million calls per 100,000 nodes
        "_in": sys.intern,
    }
    exec(source, scope)  # noqa: S102 - code built above from the class's own field names
    found = _CODECS[cls] = (scope["to_dict"], scope["from_dict"])
    return found


#: Fields whose values repeat across records (a flavor, a zone, a login
#: account): decoded JSON has a string object per record, which `from_dict`
#: shares (`sys.intern`), as the provider's own records mostly do. At 100,000
#: cached nodes the copies were 54 MB of 206 (the records of 50 x 2,000). A
#: value that is not a string is a TypeError: the cache drops the entry.
_SHARED_VALUES = frozenset(
    {
        "raw_state",
        "flavor",
        "image",
        "zone",
        "key_name",
        "login_user",
        "arch",
        "distro",
        "version",
        "visibility",
        "public_access",
        "key_type",
        "scope",
        "user",
        "pool",
        "status",
        "network",
        "external_network",
    }
)


#: Enum members by value: `Enum(value)` costs a few µs, 266,000 times per load.
_ADDRESS_KINDS = {str(k): k for k in AddressKind}
_NODE_STATES = {str(s): s for s in NodeState}


@dataclass(frozen=True, slots=True)
class Node(Resource):
    KIND: ClassVar[ResourceKind] = ResourceKind.NODES

    state: NodeState = NodeState.UNKNOWN
    #: The state word the cloud used (`SHUTOFF`, `terminated`, `TERMINATED`…).
    raw_state: str = ""
    flavor: str = ""
    image: str = ""
    zone: str = ""
    addresses: tuple[Address, ...] = ()
    key_name: str = ""
    created_at: str = ""
    #: Login account the image suggests (`ubuntu`, `ec2-user`, `cloud-user`…), if known.
    login_user: str = ""
    raw: Mapping[str, Any] = _raw_field()

    @property
    def public_ip(self) -> str:
        """The address used to reach the node: IPv4 public first, then global
        IPv6; a floating one first within each (the first such, in order).
        One pass, no list or sort: asked for 100,000 nodes per export."""
        best = ""
        rank = NOT_PUBLIC
        for a in self.addresses:
            r = public_rank(a.ip, a.version, a.kind)
            if r < rank:
                best, rank = a.ip, r
        return best

    @property
    def private_ip(self) -> str:
        for a in self.addresses:
            if a.kind == AddressKind.FIXED and not a.is_public:
                return a.ip
        return ""


@dataclass(frozen=True, slots=True)
class Flavor(Resource):
    KIND: ClassVar[ResourceKind] = ResourceKind.FLAVORS

    vcpus: int = 0
    ram_mb: int = 0
    disk_gb: int = 0
    #: CPU architecture (`x86_64`, `arm64`); '' when the cloud does not say
    #: (OpenStack flavors rarely do: the image and the host decide).
    arch: str = ""
    #: GPUs attached (AWS GpuInfo, GCE accelerators, OpenStack PCI/vGPU extra specs).
    gpus: int = 0
    raw: Mapping[str, Any] = _raw_field()


@dataclass(frozen=True, slots=True)
class Image(Resource):
    KIND: ClassVar[ResourceKind] = ResourceKind.IMAGES

    distro: str = ""
    version: str = ""
    #: Default login account for this image, from its distro (cloud-facts §3.1).
    login_user: str = ""
    created_at: str = ""
    visibility: str = ""
    #: Glance: the image file's size (GiB), not the disk it needs.
    size_gb: float = 0.0
    #: CPU architecture (`x86_64`, `arm64`); '' when the image does not say.
    arch: str = ""
    #: The smallest boot disk a node of this image takes (GB), where the API
    #: says it: EC2 the root volume's size, GCE diskSizeGb, Glance min_disk.
    #: 0: the image does not say (Glance's min_disk is often unset).
    disk_gb: int = 0
    raw: Mapping[str, Any] = _raw_field()


@dataclass(frozen=True, slots=True)
class Network(Resource):
    KIND: ClassVar[ResourceKind] = ResourceKind.NETWORKS

    external: bool = False
    shared: bool = False
    cidrs: tuple[str, ...] = ()
    #: AWS subnets: instances get a public IPv4 on launch.
    auto_public_ip: bool = False
    zone: str = ""
    #: How a node on this network gets a public address: `auto` (AWS subnet
    #: mapping public IPv4), `no`, `direct` (OpenStack external network nodes
    #: attach to), `direct-v6`, `fip-pool` (external, floating IPs come from
    #: here), `per-node` (GCE: an access config on the node decides); '' unknown.
    public_access: str = ""
    raw: Mapping[str, Any] = _raw_field()


@dataclass(frozen=True, slots=True)
class KeyPair(Resource):
    """An SSH key registered with the cloud (Nova keypair, EC2 key pair)."""

    KIND: ClassVar[ResourceKind] = ResourceKind.KEYS

    fingerprint: str = ""
    key_type: str = ""
    created_at: str = ""
    #: Created by hybridtui (tagged or name-prefixed), so clean-up may remove it.
    managed: bool = False
    #: Where the key lives: `region` (EC2 key pair), `user` (Nova keypair),
    #: `project` or `instance NAME` (GCE ssh-keys metadata).
    scope: str = ""
    #: The login account the key is for (GCE metadata names one; key pairs do not).
    user: str = ""
    #: When the key stops working by itself (GCE `expireOn`), if it does.
    expires: str = ""
    raw: Mapping[str, Any] = _raw_field()


@dataclass(frozen=True, slots=True)
class PublicAddress(Resource):
    """An allocated public address: an Elastic IP or a floating IP."""

    KIND: ClassVar[ResourceKind] = ResourceKind.ADDRESSES

    ip: str = ""
    #: Where it comes from: an external network (OpenStack), `vpc` (AWS).
    pool: str = ""
    #: Node id it is attached to; empty when free (and still billed on AWS).
    attached_to: str = ""
    managed: bool = False
    raw: Mapping[str, Any] = _raw_field()


@dataclass(frozen=True, slots=True)
class SecurityGroup(Resource):
    """A security group (OpenStack, AWS) or firewall rule set: decides whether
    step 6 can reach the node on port 22 at all."""

    KIND: ClassVar[ResourceKind] = ResourceKind.SECURITY_GROUPS

    description: str = ""
    rules: int = 0
    #: Inbound TCP 22 allowed from anywhere (0.0.0.0/0 or ::/0).
    ssh_open: bool = False
    #: VPC / network it belongs to, where that matters.
    network: str = ""
    raw: Mapping[str, Any] = _raw_field()


@dataclass(frozen=True, slots=True)
class Router(Resource):
    """A router between tenant networks and an external one (floating IPs need it)."""

    KIND: ClassVar[ResourceKind] = ResourceKind.ROUTERS

    status: str = ""
    external_network: str = ""
    external_ips: tuple[str, ...] = ()
    raw: Mapping[str, Any] = _raw_field()


#: Kinds that rarely change: refreshed on the slower catalogue schedule.
CATALOGUE_KINDS = frozenset({ResourceKind.FLAVORS, ResourceKind.IMAGES, ResourceKind.NETWORKS})

RESOURCE_TYPES: dict[ResourceKind, type[Resource]] = {
    ResourceKind.NODES: Node,
    ResourceKind.FLAVORS: Flavor,
    ResourceKind.IMAGES: Image,
    ResourceKind.NETWORKS: Network,
    ResourceKind.KEYS: KeyPair,
    ResourceKind.ADDRESSES: PublicAddress,
    ResourceKind.SECURITY_GROUPS: SecurityGroup,
    ResourceKind.ROUTERS: Router,
}


def ssh_open(rules: list[tuple[str, str, int | None, int | None, str]]) -> bool:
    """(direction, protocol, port_min, port_max, remote CIDR) rules → is TCP 22 open to anyone?"""
    for direction, proto, lo, hi, cidr in rules:
        if direction != "ingress" or cidr not in ("0.0.0.0/0", "::/0"):
            continue
        if proto not in ("tcp", "6", "-1", "any", ""):
            continue
        if lo is None or hi is None or lo <= 22 <= hi:
            return True
    return False


#: Tag / metadata key marking what hybridtui created, so clean-up finds it.
MANAGED_TAG = "hybridtui:managed"


@dataclass(frozen=True, slots=True)
class CloudBehaviour:
    """What a cloud does for each of the eight node-allocation steps.

    Filled by each provider from what it knows about its cloud (vendor profile,
    subnet flags, image metadata); the scorecard compares these side by side.
    """

    public_ip: PublicIpStrategy
    #: Step 1: how the node key reaches the node.
    key_mechanism: str
    #: Step 1/8: keys can be added or removed on a running node through the API.
    live_key_update: bool
    #: Step 6: login accounts to try, best first.
    login_users: tuple[str, ...]
    #: Step 7: root logs in directly with a key (False: cloud-init's exit-142 refusal).
    root_login: bool
    ipv6: bool = False
    needs_jump_host: bool = False
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "public_ip": str(self.public_ip),
            "key_mechanism": self.key_mechanism,
            "live_key_update": self.live_key_update,
            "login_users": list(self.login_users),
            "root_login": self.root_login,
            "ipv6": self.ipv6,
            "needs_jump_host": self.needs_jump_host,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CloudBehaviour:
        return cls(
            public_ip=PublicIpStrategy(data["public_ip"]),
            key_mechanism=data["key_mechanism"],
            live_key_update=bool(data["live_key_update"]),
            login_users=tuple(data["login_users"]),
            root_login=bool(data["root_login"]),
            ipv6=bool(data.get("ipv6", False)),
            needs_jump_host=bool(data.get("needs_jump_host", False)),
            notes=tuple(data.get("notes", ())),
        )


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """What step 4 asks a cloud for, after step 3 picked this site's names."""

    name: str
    flavor: str
    image: str
    network: str = ""
    key_name: str = ""
    #: The node key's public line. Clouds without key objects (GCE: ssh-keys
    #: metadata) put it into the node itself; the others have it by `key_name`.
    public_key: str = ""
    public_ip: bool = True
    floating_ip_pool: str = ""
    #: Security group names or ids; empty: the cloud's default group.
    security_groups: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    #: The boot disk to ask for (GB), on clouds that size it at launch (EC2's
    #: root volume, GCE's boot disk); 0: the image's own size. OpenStack's is
    #: the flavor's (step 3 picks a flavor with the disk).
    disk_gb: int = 0


#: How long a node key hybridtui writes into GCE ssh-keys metadata lives by
#: default (`key_ttl_hours`): a key a run forgot expires by itself. The GCE
#: adapter and the demo GCE cloud write it alike.
GCE_KEY_TTL_HOURS = 24.0

#: Login account per distro, as cloud-init and the AWS docs give them (cloud-facts §3.1).
LOGIN_BY_DISTRO_OPENSTACK: dict[str, str] = {
    "ubuntu": "ubuntu",
    "debian": "debian",
    "fedora": "fedora",
    "centos": "cloud-user",
    "rhel": "cloud-user",
    "rocky": "rocky",
    "almalinux": "almalinux",
    "opensuse": "opensuse",
    "cirros": "cirros",
    "fedora-coreos": "core",
    "flatcar": "core",
}
LOGIN_BY_DISTRO_AWS: dict[str, str] = {
    "ubuntu": "ubuntu",
    "debian": "admin",
    "amazon": "ec2-user",
    "rhel": "ec2-user",
    "centos": "centos",
    "fedora": "fedora",
    "suse": "ec2-user",
    "fedora-coreos": "core",
    "flatcar": "core",
}
