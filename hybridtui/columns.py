"""Per-kind columns: domain record → text cells. Pure (no Textual), so the CLI's
table output and the dashboard show exactly the same columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hybridtui.domain import Flavor, Image, Network, Node, Resource, ResourceKind


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    get: Callable[[Resource], str]
    #: Widest the column grows; longer values are cut with an ellipsis.
    max_width: int = 30
    right: bool = False


def _n(fn: Callable[[Node], str]) -> Callable[[Resource], str]:
    return fn  # type: ignore[return-value]


def _gib(mb: int) -> str:
    g = mb / 1024
    return f"{g:g}G" if g >= 1 else f"{mb}M"


NODE_COLUMNS = [
    Column("name", "Name", lambda r: r.name, 20),
    Column("state", "State", _n(lambda r: str(r.state)), 8),
    Column("public_ip", "Public IP", _n(lambda r: r.public_ip or "-"), 22),
    Column("private_ip", "Private IP", _n(lambda r: r.private_ip or "-"), 15),
    Column("flavor", "Flavor", _n(lambda r: r.flavor), 16),
    Column("image", "Image", _n(lambda r: r.image), 36),
    Column("login", "Login", _n(lambda r: r.login_user or "?"), 12),
    Column("zone", "Zone", _n(lambda r: r.zone), 14),
]
FLAVOR_COLUMNS = [
    Column("name", "Name", lambda r: r.name, 24),
    Column("vcpus", "vCPU", lambda r: str(r.vcpus), 5, right=True),  # type: ignore[attr-defined]
    Column("ram", "RAM", lambda r: _gib(r.ram_mb), 7, right=True),  # type: ignore[attr-defined]
    Column("disk", "Disk", lambda r: f"{r.disk_gb}G" if r.disk_gb else "-", 6, right=True),  # type: ignore[attr-defined]
    Column("arch", "Arch", lambda r: r.arch or "?", 6),  # type: ignore[attr-defined]
]
IMAGE_COLUMNS = [
    Column("name", "Name", lambda r: r.name, 48),
    Column("distro", "Distro", lambda r: r.distro or "?", 13),  # type: ignore[attr-defined]
    Column("version", "Ver", lambda r: r.version, 7),  # type: ignore[attr-defined]
    Column("arch", "Arch", lambda r: r.arch or "?", 6),  # type: ignore[attr-defined]
    Column("login", "Login", lambda r: r.login_user or "?", 12),  # type: ignore[attr-defined]
    Column("created", "Created", lambda r: r.created_at[:10], 10),  # type: ignore[attr-defined]
]
NETWORK_COLUMNS = [
    Column("name", "Name", lambda r: r.name, 26),
    Column("external", "Ext", lambda r: "yes" if r.external else "no", 3),  # type: ignore[attr-defined]
    Column("shared", "Shared", lambda r: "yes" if r.shared else "no", 6),  # type: ignore[attr-defined]
    # how a node here gets a public address; "?" when the cloud does not say
    Column("public", "Public IP", lambda r: r.public_access or "?", 9),  # type: ignore[attr-defined]
    Column("cidrs", "CIDRs", lambda r: ", ".join(c for c in r.cidrs if c) or "-", 36),  # type: ignore[attr-defined]
    Column("zone", "Zone", lambda r: r.zone or "-", 14),  # type: ignore[attr-defined]
]
KEY_COLUMNS = [
    Column("name", "Name", lambda r: r.name, 32),
    Column("type", "Type", lambda r: r.key_type or "?", 8),  # type: ignore[attr-defined]
    # EC2 key pairs are per region, Nova's per user, GCE keys metadata on the project or an instance
    Column("scope", "Scope", lambda r: r.scope or "-", 22),  # type: ignore[attr-defined]
    Column("user", "User", lambda r: r.user or "-", 10),  # type: ignore[attr-defined]
    Column("expires", "Expires", lambda r: r.expires[:10] or "never", 10),  # type: ignore[attr-defined]
    Column("fingerprint", "Fingerprint", lambda r: r.fingerprint or "-", 48),  # type: ignore[attr-defined]
    Column("managed", "Ours", lambda r: "yes" if r.managed else "no", 4),  # type: ignore[attr-defined]
    Column("created", "Created", lambda r: r.created_at[:10] or "-", 10),  # type: ignore[attr-defined]
]
ADDRESS_COLUMNS = [
    Column("ip", "Address", lambda r: r.ip, 39),  # type: ignore[attr-defined]
    Column("attached", "Attached to", lambda r: r.attached_to or "(free)", 38),  # type: ignore[attr-defined]
    Column("pool", "Pool", lambda r: r.pool, 16),  # type: ignore[attr-defined]
    Column("managed", "Ours", lambda r: "yes" if r.managed else "", 4),  # type: ignore[attr-defined]
]
SECURITY_GROUP_COLUMNS = [
    Column("name", "Name", lambda r: r.name, 28),
    Column("ssh", "SSH open", lambda r: "yes" if r.ssh_open else "no", 8),  # type: ignore[attr-defined]
    Column("rules", "Rules", lambda r: str(r.rules), 5, right=True),  # type: ignore[attr-defined]
    Column("network", "Network", lambda r: r.network, 24),  # type: ignore[attr-defined]
    Column("description", "Description", lambda r: r.description, 40),  # type: ignore[attr-defined]
]
ROUTER_COLUMNS = [
    Column("name", "Name", lambda r: r.name, 24),
    Column("status", "Status", lambda r: r.status, 8),  # type: ignore[attr-defined]
    Column("external", "External network", lambda r: r.external_network or "-", 20),  # type: ignore[attr-defined]
    Column("ips", "External IPs", lambda r: ", ".join(r.external_ips) or "-", 32),  # type: ignore[attr-defined]
]
COLUMNS: dict[ResourceKind, list[Column]] = {
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


def row_cells(kind: ResourceKind, record: Resource, cloud: str | None = None) -> tuple[str, ...]:
    cells = tuple(c.get(record) for c in COLUMNS[kind])
    return (cloud, *cells) if cloud is not None else cells


Rows = list[tuple[str, ...]]


def prepare_rows(resources: dict[ResourceKind, tuple[Resource, ...]]) -> dict[ResourceKind, Rows]:
    """Every kind's cells at once. The poll worker calls this off the UI thread:
    for 50,000 nodes it is most of a second that the UI no longer waits for."""
    return {kind: [row_cells(kind, r) for r in records] for kind, records in resources.items()}


def titles(kind: ResourceKind, with_cloud: bool = False) -> list[str]:
    t = [c.title for c in COLUMNS[kind]]
    return [CLOUD_COLUMN_TITLE, *t] if with_cloud else t


__all__ = ["COLUMNS", "Column", "Flavor", "Image", "Network", "Node", "row_cells", "titles"]
