"""Per-kind columns: domain record → text cells. Pure (no Textual), so the CLI's
table output and the dashboard show exactly the same columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from hybridtui.domain import (
    Flavor,
    Image,
    KeyPair,
    Network,
    Node,
    PublicAddress,
    Resource,
    ResourceKind,
    Router,
    SecurityGroup,
)
from hybridtui.priority import chunked

R = TypeVar("R", bound=Resource)


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column of a kind's table: typed by the record it reads, so a
    column can only read fields its kind has."""

    key: str
    title: str
    get: Callable[[R], str]
    #: Widest the column grows; longer values are cut with an ellipsis.
    max_width: int = 30
    right: bool = False


def _gib(mb: int) -> str:
    g = mb / 1024
    return f"{g:g}G" if g >= 1 else f"{mb}M"


NODE_COLUMNS: list[Column[Node]] = [
    Column("name", "Name", lambda r: r.name, 20),
    Column("state", "State", lambda r: str(r.state), 8),
    Column("public_ip", "Public IP", lambda r: r.public_ip or "-", 22),
    Column("private_ip", "Private IP", lambda r: r.private_ip or "-", 15),
    Column("flavor", "Flavor", lambda r: r.flavor, 16),
    Column("image", "Image", lambda r: r.image, 36),
    Column("login", "Login", lambda r: r.login_user or "?", 12),
    Column("zone", "Zone", lambda r: r.zone, 14),
]
FLAVOR_COLUMNS: list[Column[Flavor]] = [
    Column("name", "Name", lambda r: r.name, 24),
    Column("vcpus", "vCPU", lambda r: str(r.vcpus), 5, right=True),
    Column("ram", "RAM", lambda r: _gib(r.ram_mb), 7, right=True),
    Column("disk", "Disk", lambda r: f"{r.disk_gb}G" if r.disk_gb else "-", 6, right=True),
    Column("arch", "Arch", lambda r: r.arch or "?", 6),
]
IMAGE_COLUMNS: list[Column[Image]] = [
    Column("name", "Name", lambda r: r.name, 48),
    Column("distro", "Distro", lambda r: r.distro or "?", 13),
    Column("version", "Ver", lambda r: r.version, 7),
    Column("arch", "Arch", lambda r: r.arch or "?", 6),
    Column("login", "Login", lambda r: r.login_user or "?", 12),
    # the smallest boot disk: what a flavor's root disk must hold
    Column("disk", "Disk", lambda r: f"{r.disk_gb} GB" if r.disk_gb else "-", 6),
    Column("created", "Created", lambda r: r.created_at[:10], 10),
]
NETWORK_COLUMNS: list[Column[Network]] = [
    Column("name", "Name", lambda r: r.name, 26),
    Column("external", "Ext", lambda r: "yes" if r.external else "no", 3),
    Column("shared", "Shared", lambda r: "yes" if r.shared else "no", 6),
    # how a node here gets a public address; "?" when the cloud does not say
    Column("public", "Public IP", lambda r: r.public_access or "?", 9),
    Column("cidrs", "CIDRs", lambda r: ", ".join(c for c in r.cidrs if c) or "-", 36),
    Column("zone", "Zone", lambda r: r.zone or "-", 14),
]
KEY_COLUMNS: list[Column[KeyPair]] = [
    Column("name", "Name", lambda r: r.name, 32),
    Column("type", "Type", lambda r: r.key_type or "?", 8),
    # EC2 key pairs are per region, Nova's per user, GCE keys metadata on the project or an instance
    Column("scope", "Scope", lambda r: r.scope or "-", 22),
    Column("user", "User", lambda r: r.user or "-", 10),
    Column("expires", "Expires", lambda r: r.expires[:10] or "never", 10),
    Column("fingerprint", "Fingerprint", lambda r: r.fingerprint or "-", 48),
    Column("managed", "Ours", lambda r: "yes" if r.managed else "no", 4),
    Column("created", "Created", lambda r: r.created_at[:10] or "-", 10),
]
ADDRESS_COLUMNS: list[Column[PublicAddress]] = [
    Column("ip", "Address", lambda r: r.ip, 39),
    Column("attached", "Attached to", lambda r: r.attached_to or "(free)", 38),
    Column("pool", "Pool", lambda r: r.pool, 16),
    Column("managed", "Ours", lambda r: "yes" if r.managed else "", 4),
]
SECURITY_GROUP_COLUMNS: list[Column[SecurityGroup]] = [
    Column("name", "Name", lambda r: r.name, 28),
    Column("ssh", "SSH open", lambda r: "yes" if r.ssh_open else "no", 8),
    Column("rules", "Rules", lambda r: str(r.rules), 5, right=True),
    Column("network", "Network", lambda r: r.network, 24),
    Column("description", "Description", lambda r: r.description, 40),
]
ROUTER_COLUMNS: list[Column[Router]] = [
    Column("name", "Name", lambda r: r.name, 24),
    Column("status", "Status", lambda r: r.status, 8),
    Column("external", "External network", lambda r: r.external_network or "-", 20),
    Column("ips", "External IPs", lambda r: ", ".join(r.external_ips) or "-", 32),
]
COLUMNS: dict[ResourceKind, Sequence[Column[Any]]] = {
    ResourceKind.NODES: NODE_COLUMNS,
    ResourceKind.FLAVORS: FLAVOR_COLUMNS,
    ResourceKind.IMAGES: IMAGE_COLUMNS,
    ResourceKind.NETWORKS: NETWORK_COLUMNS,
    ResourceKind.KEYS: KEY_COLUMNS,
    ResourceKind.ADDRESSES: ADDRESS_COLUMNS,
    ResourceKind.SECURITY_GROUPS: SECURITY_GROUP_COLUMNS,
    ResourceKind.ROUTERS: ROUTER_COLUMNS,
}
CLOUD_COLUMN_TITLE = "Cloud"
#: The short column titles and values, said in full (the help screen's legend).
COLUMN_LEGEND = (
    ("Ver", "Images: the release (24.04, 12, 9.4), read from the image's name or metadata"),
    ("Ext", "Networks: external, the network floating IPs and router gateways come from"),
    ("Public IP", "Networks: how a node on it gets a public address ('?': the cloud does not say)"),
    ("Ours", "Keys, Addresses: made by hybridtui (tagged), so `cleanup` may remove it"),
    ("Login", "The account the image logs in with ('?': no hint; GCE: any name)"),
    ("-", "no value (no public address, no disk size…), as opposed to an empty cell cut off"),
    ("…", "the value goes on: `enter` shows the whole record, `z` widens the pane"),
)


def node_names(nodes: Iterable[Resource]) -> dict[str, str]:
    """Node id (and the last part of a GCE self link) → name."""
    return {n.id: n.name for n in nodes if n.name}


def row_cells(
    kind: ResourceKind,
    record: Resource,
    cloud: str | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """A record's cells. `names` (node id → name, from the same cloud) turns
    an address's "Attached to" from an instance id into the node's name."""
    cells = tuple(c.get(record) for c in COLUMNS[kind])
    if names and isinstance(record, PublicAddress) and record.attached_to:
        name = names.get(record.attached_to) or names.get(record.attached_to.rsplit("/", 1)[-1])
        if name:
            cells = (cells[0], name, *cells[2:])
    return (cloud, *cells) if cloud is not None else cells


Rows = list[tuple[str, ...]]


def prepare_rows(
    resources: Mapping[ResourceKind, tuple[Resource, ...]], nodes: Iterable[Resource] = ()
) -> dict[ResourceKind, Rows]:
    """Every kind's cells at once. The poll worker calls this off the UI thread:
    for 50,000 nodes it is most of a second that the UI no longer waits for.
    `nodes` (default: the NODES given) name what addresses are attached to."""
    names = node_names(resources.get(ResourceKind.NODES, ()) or nodes)
    return {
        kind: chunked(partial(row_cells, kind, names=names), records)
        for kind, records in resources.items()
    }


def titles(kind: ResourceKind, with_cloud: bool = False) -> list[str]:
    t = [c.title for c in COLUMNS[kind]]
    return [CLOUD_COLUMN_TITLE, *t] if with_cloud else t


__all__ = ["COLUMNS", "Column", "Flavor", "Image", "Network", "Node", "row_cells", "titles"]
