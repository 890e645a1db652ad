"""The OpenStack provider (openstacksdk): one cloud (and region) from clouds.yaml.

Whatever works with the `openstack` CLI works here: the SDK reads clouds.yaml,
secure.yaml, vendor profiles and OS_* variables itself. Public addresses go
through the SDK's cloud layer (`create_server`, `add_ips_to_server`,
`get_server_public_ip`), which already knows the direct / IPv6 / floating-IP
cases, instead of rewriting that logic. The SDK is imported on the first call,
in a poll worker thread, and every request has a real timeout (`api_timeout` on
the keystoneauth session).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, ClassVar, TypeVar

from hybridtui.config import CloudBase, OpenStackCloud
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
from hybridtui.providers.base import Capability, CloudSnapshotLike, SdkProvider, gather
from hybridtui.providers.openstack import clouds_yaml
from hybridtui.providers.openstack import errors as cloud_errors
from hybridtui.providers.openstack import records as rec

#: Seconds to wait for a floating IP to show up on a server.
FIP_WAIT = 60


def _reach(conn: Any, service: str) -> None:
    """Make the SDK proxy of `service`; for compute, also learn its
    microversions, which the SDK otherwise asks for on each first request
    (three listings at once: three version documents)."""
    proxy = getattr(conn, service)
    if service == "compute":
        proxy.get_endpoint_data()


#: The SDK proxy (the OpenStack service) each kind is listed through.
SERVICE: dict[ResourceKind, str] = {
    ResourceKind.NODES: "compute",
    ResourceKind.FLAVORS: "compute",
    ResourceKind.KEYS: "compute",
    ResourceKind.IMAGES: "image",
    ResourceKind.NETWORKS: "network",
    ResourceKind.ADDRESSES: "network",
    ResourceKind.SECURITY_GROUPS: "network",
    ResourceKind.ROUTERS: "network",
}


class OpenStackProvider(SdkProvider):
    kind: ClassVar[CloudKind] = CloudKind.OPENSTACK
    capabilities: ClassVar[Capability] = Capability.READ | Capability.WRITE
    SDK_MODULE, SDK_EXTRA, SDK_NAME = "openstack", "openstack", "openstacksdk"

    def __init__(self, name: str, config: CloudBase, region: str | None = None) -> None:
        super().__init__(name, config, region)
        assert isinstance(config, OpenStackCloud)
        self.os: OpenStackCloud = config
        #: Names of external networks, for classifying fixed addresses as public.
        self._external: set[str] = set()
        #: Network id → name from the last network listing (router gateways and
        #: floating-IP pools name their network by id).
        self._net_names: dict[str, str] = {}
        self._images: dict[str, Image] = {}
        #: Whether the project has a router (floating IPs need one); None: not known yet.
        self._has_router: bool | None = None
        #: Services whose SDK proxy is made (their API version discovered), and
        #: those this refresh could not reach, with why (`_reached`).
        self._discovered: set[str] = set()
        self._unreached: dict[str, ProviderError] = {}
        self._service_locks: dict[str, threading.Lock] = {}

    # ------------------------------------------------------------- plumbing
    @property
    def where(self) -> str:
        region = f", {self.os.region}" if self.os.region else ""
        return f"{self.name} (cloud {self.os.cloud!r}{region})"

    def conn(self) -> Any:
        return self._session("conn", self._connect)

    def _connect(self) -> Any:
        import openstack
        import openstack.exceptions

        try:
            return openstack.connect(
                cloud=self.os.cloud,
                region_name=self.os.region,
                api_timeout=self.os.timeout,
                app_name="hybridtui",
                # keystoneauth retries with exponential back-off; set explicitly
                # (its defaults: no connect retries, and 503 only). 429 and 503
                # mean the request was not processed, so even a create is safe
                # to repeat; 502/504 may hide one that was, so they are not retried.
                connect_retries=self.os.retries,
                status_code_retries=self.os.retries,
                retriable_status_codes=[429, 503],
            )
        except openstack.exceptions.ConfigException as e:
            path, names = clouds_yaml.cloud_names()
            where = str(path) if path else "no clouds.yaml found"
            raise AuthError(
                f"{self.name}: cloud {self.os.cloud!r} is not in clouds.yaml ({where}); "
                f"clouds there: {', '.join(names) or 'none'}",
                title="Unknown cloud",
                hint="Fix `cloud:` or set OS_CLIENT_CONFIG_FILE to the right clouds.yaml.",
            ) from e

    def _auth_url(self) -> str:
        try:
            return str(self._sessions["conn"].config.config["auth"].get("auth_url", "?"))
        except Exception:
            return "?"

    def _map_error(self, op: str, e: Exception) -> ProviderError:
        return cloud_errors.map_error(
            op, e, where=self.where, timeout=self.os.timeout, auth_url=self._auth_url()
        )

    # ------------------------------------------------------------------ read
    def prime(self, snapshot: CloudSnapshotLike) -> None:
        if not self._net_names:
            nets = [n for n in snapshot.resources(ResourceKind.NETWORKS) if isinstance(n, Network)]
            self._external = {n.name for n in nets if n.external}
            self._net_names = {n.id: n.name for n in nets}
        if not self._images:
            images = snapshot.resources(ResourceKind.IMAGES)
            self._images = {i.id: i for i in images if isinstance(i, Image)}
        if self._has_router is None and snapshot.resources(ResourceKind.ROUTERS):
            self._has_router = True

    def _fetch_kinds(
        self, kinds: list[ResourceKind]
    ) -> tuple[dict[ResourceKind, tuple[Resource, ...]], dict[ResourceKind, ProviderError]]:
        """Every listing at once; servers, floating IPs and routers come back raw
        and are described afterwards with this refresh's networks and images
        (or the last known ones), which name their networks and login accounts."""
        raw: dict[ResourceKind, Callable[[], list[Any]]] = {
            **self._listers(),
            ResourceKind.NODES: lambda: self._list(
                "list servers", lambda c: c.compute.servers(details=True)
            ),
            ResourceKind.ADDRESSES: lambda: self._list(
                "list floating IPs", lambda c: c.network.ips()
            ),
            ResourceKind.ROUTERS: lambda: self._list("list routers", lambda c: c.network.routers()),
        }
        tasks: dict[ResourceKind, Callable[[], list[Any]]] = {k: raw[k] for k in kinds}
        needs_nets = {ResourceKind.NODES, ResourceKind.ADDRESSES, ResourceKind.ROUTERS} & set(kinds)
        if needs_nets and not self._net_names and ResourceKind.NETWORKS not in tasks:
            tasks[ResourceKind.NETWORKS] = self.list_networks  # to name what the others refer to
        self._unreached.clear()
        results, errors = gather(
            self.name, {k: self._reached(SERVICE[k], fn) for k, fn in tasks.items()}
        )
        if ResourceKind.NETWORKS not in kinds:
            results.pop(ResourceKind.NETWORKS, None)
            errors.pop(ResourceKind.NETWORKS, None)
        nets = self._net_names
        if ResourceKind.NODES in results:
            results[ResourceKind.NODES] = [
                rec.node(s, self._external, self._images) for s in results[ResourceKind.NODES]
            ]
        if ResourceKind.ADDRESSES in results:
            results[ResourceKind.ADDRESSES] = [
                rec.floating_ip(f, nets) for f in results[ResourceKind.ADDRESSES]
            ]
        if ResourceKind.ROUTERS in results:
            results[ResourceKind.ROUTERS] = [
                rec.router(r, nets) for r in results[ResourceKind.ROUTERS]
            ]
            self._has_router = bool(results[ResourceKind.ROUTERS])
        return {k: tuple(v) for k, v in results.items()}, errors

    def _reached(self, service: str, fn: Callable[[], _T]) -> Callable[[], _T]:
        """`fn`, once the SDK proxy of `service` is made.

        openstacksdk makes a proxy on first use, with a version-discovery call,
        and without a lock: the five network listings of a cold refresh each
        made their own (17 calls where 12 do). The first listing of a service
        makes it while the others of that service wait; other services go on.
        If it fails, the others fail at once with its reason, instead of each
        waiting out the same timeout again (for this refresh only)."""

        def run() -> _T:
            with self._service_locks.setdefault(service, threading.Lock()):
                if service not in self._discovered:
                    if (failed := self._unreached.get(service)) is not None:
                        raise failed
                    try:
                        conn = self.conn()
                        self._call(f"discover the {service} API", partial(_reach, conn, service))
                    except ProviderError as e:
                        self._unreached[service] = e
                        raise
                    self._discovered.add(service)
            return fn()

        return run

    def _list(self, op: str, fn: Callable[[Any], Any]) -> list[dict[str, Any]]:
        """One SDK listing as plain dicts."""
        conn = self.conn()
        rows: list[dict[str, Any]] = self._call(op, lambda: [r.to_dict() for r in fn(conn)])
        return rows

    def _behaviour_from(
        self, records: Mapping[ResourceKind, tuple[Resource, ...]]
    ) -> CloudBehaviour | None:
        if ResourceKind.NETWORKS not in records:
            return None
        return rec.behaviour(
            [n for n in records[ResourceKind.NETWORKS] if isinstance(n, Network)],
            list(self._images.values()),
            self._cloud_config(),
            bool(self._has_router),
        )

    def _cloud_config(self) -> dict[str, Any]:
        """Vendor-profile and clouds.yaml settings that decide the public-IP strategy."""
        cfg = self.conn().config
        out: dict[str, Any] = {
            "floating_ip_source": cfg.config.get("floating_ip_source", "neutron")
        }
        out["requires_floating_ip"] = cfg.config.get("requires_floating_ip")
        out["nat_destination"] = cfg.get_nat_destination()
        out["default_interface"] = cfg.get_default_network()
        out["networks"] = list(cfg.config.get("networks") or [])
        return out

    def list_nodes(self) -> list[Node]:
        servers = self._list("list servers", lambda c: c.compute.servers(details=True))
        return [rec.node(s, self._external, self._images) for s in servers]

    def list_flavors(self) -> list[Flavor]:
        conn = self.conn()
        flavors = self._call(
            "list flavors", lambda: [f.to_dict() for f in conn.compute.flavors(details=True)]
        )
        return sorted((rec.flavor(f) for f in flavors), key=lambda f: (f.vcpus, f.ram_mb, f.name))

    def list_images(self) -> list[Image]:
        conn = self.conn()
        images = [
            rec.image(i)
            for i in self._call("list images", lambda: [i.to_dict() for i in conn.image.images()])
        ]
        self._images = {i.id: i for i in images}
        return sorted(images, key=lambda i: (i.distro, i.name))

    def list_networks(self) -> list[Network]:
        conn = self.conn()
        subnets = {
            s["id"]: s
            for s in self._call(
                "list subnets", lambda: [s.to_dict() for s in conn.network.subnets()]
            )
        }
        nets = [
            rec.network(n, subnets)
            for n in self._call(
                "list networks", lambda: [n.to_dict() for n in conn.network.networks()]
            )
        ]
        self._external = {n.name for n in nets if n.external}
        self._net_names = {n.id: n.name for n in nets}
        return sorted(nets, key=lambda n: (not n.external, n.name))

    def list_keys(self) -> list[KeyPair]:
        conn = self.conn()
        return [
            rec.key_pair(k)
            for k in self._call(
                "list key pairs", lambda: [k.to_dict() for k in conn.compute.keypairs()]
            )
        ]

    def _network_names(self) -> dict[str, str]:
        if not self._net_names:
            self.list_networks()
        return self._net_names

    def list_addresses(self) -> list[PublicAddress]:
        nets = self._network_names()
        return [
            rec.floating_ip(f, nets)
            for f in self._list("list floating IPs", lambda c: c.network.ips())
        ]

    def list_security_groups(self) -> list[SecurityGroup]:
        conn = self.conn()
        groups = self._call(
            "list security groups", lambda: [g.to_dict() for g in conn.network.security_groups()]
        )
        return [rec.security_group(g) for g in groups]

    def list_routers(self) -> list[Router]:
        nets = self._network_names()
        routers = [
            rec.router(r, nets) for r in self._list("list routers", lambda c: c.network.routers())
        ]
        self._has_router = bool(routers)
        return routers

    def behaviour(self) -> CloudBehaviour:
        has_router = bool(self.list_routers())
        return rec.behaviour(
            self.list_networks(), list(self._images.values()), self._cloud_config(), has_router
        )

    # ----------------------------------------------------------------- write
    def import_key(self, name: str, public_key: str) -> str:
        conn = self.conn()
        self._call(
            "import key pair", lambda: conn.compute.create_keypair(name=name, public_key=public_key)
        )
        return name

    def delete_key(self, name: str) -> None:
        conn = self.conn()
        if (
            self._call(
                "find key pair", lambda: conn.compute.find_keypair(name, ignore_missing=True)
            )
            is None
        ):
            raise NotFoundError(f"{self.where}: key pair {name!r} not found")
        self._call("delete key pair", lambda: conn.compute.delete_keypair(name))

    def create_node(self, spec: NodeSpec) -> Node:
        if spec.disk_gb:  # (booting from a sized volume needs Cinder: not done yet)
            raise ProviderError(
                f"{self.where}: the boot disk here is the flavor's, not sized at launch",
                title="Invalid node spec",
                hint="Pick a flavor with the disk (step 3 does, for a spec's disk_gb).",
            )
        conn = self.conn()
        if not self._net_names:
            self.list_networks()
        network = spec.network or self.os.overrides.network or self._only_network()
        groups = list(spec.security_groups or self.os.overrides.security_groups or [])
        meta = {MANAGED_TAG: "true", **{k[:255]: v[:255] for k, v in spec.tags.items()}}
        kwargs: dict[str, Any] = {
            "network": network,
            "meta": meta,
            "auto_ip": False,
            # accepted is enough: the engine waits (`wait_for`) like on every cloud
            "wait": False,
        }
        if spec.key_name:
            kwargs["key_name"] = spec.key_name
        if groups:
            kwargs["security_groups"] = groups
        server = self._call(
            "create server",
            lambda: conn.create_server(spec.name, image=spec.image, flavor=spec.flavor, **kwargs),
        )
        return self.get_node(server["id"])

    def _only_network(self) -> str | None:
        """The one tenant network to use when none is chosen; a clear error when
        there are several (before Nova says "Multiple possible networks found")."""
        conn = self.conn()
        project = self._call("whoami", lambda: conn.current_project_id)
        nets = [
            n
            for n in self._call("list networks", lambda: list(conn.network.networks()))
            if not n.is_router_external and (n.project_id == project or n.is_shared)
        ]
        if len(nets) > 1:
            names = ", ".join(sorted(n.name for n in nets))
            raise ProviderError(
                f"{self.where}: several networks ({names}) and none chosen",
                title="Choose a network",
                hint="Set `overrides: {network: NAME}` for this cloud.",
            )
        return nets[0].name if nets else None

    def get_node(self, node_id: str) -> Node:
        conn = self.conn()
        server = self._call("get server", lambda: conn.compute.get_server(node_id))
        return rec.node(server.to_dict(), self._external, self._images)

    def ensure_public_address(self, node_id: str, pool: str | None = None) -> Address:
        node = self.get_node(node_id)
        public = sorted(
            (a for a in node.addresses if a.is_public), key=lambda a: (a.version != 4, a.kind)
        )
        if public:
            return public[0]
        conn = self.conn()
        pool = pool or self.os.overrides.floating_ip_pool
        before = {f.id for f in self._call("list floating IPs", lambda: list(conn.network.ips()))}
        server = self._call("get server", lambda: conn.compute.get_server(node_id))
        self._call(
            "attach floating IP",
            lambda: conn.add_ips_to_server(
                server, auto_ip=True, ip_pool=pool, reuse=True, wait=True, timeout=FIP_WAIT
            ),
        )
        ip = self._call(
            "read public IP", lambda: conn.get_server_public_ip(conn.get_server(node_id))
        )
        if not ip:
            raise ProviderError(
                f"{self.where}: no public address for {node.name}: the cloud gave no floating IP and no routable address",
                title="No public address",
                hint="Set `overrides: {floating_ip_pool: NETWORK}`, or reach the node through a jump host.",
            )
        fip = next(
            iter(
                self._call(
                    "find floating IP", lambda: list(conn.network.ips(floating_ip_address=ip))
                )
            ),
            None,
        )
        if fip is not None and fip.id not in before:
            # We allocated it: mark it so delete_node releases it (and nothing else).
            self._call(
                "tag floating IP",
                lambda: conn.network.update_ip(fip, description=rec.MANAGED_DESCRIPTION),
            )
        return Address(
            ip, 6 if ":" in ip else 4, AddressKind.FLOATING if fip else AddressKind.PUBLIC, ""
        )

    def release_address(self, address: PublicAddress) -> None:
        conn = self.conn()
        found = self._call(
            "find floating IP", lambda: list(conn.network.ips(floating_ip_address=address.ip))
        )
        ours = [f for f in found if (f.description or "") == rec.MANAGED_DESCRIPTION]
        if not ours:
            raise NotFoundError(f"{self.where}: no floating IP {address.ip} made by hybridtui")
        (fip,) = ours
        if fip.port_id:
            raise ProviderError(
                f"{self.where}: {address.ip} is attached (port {fip.port_id}): not released",
                title="Address in use",
            )
        self._call("release floating IP", lambda: conn.network.delete_ip(fip))

    def console_output(self, node_id: str) -> str:
        """Nova's console log (`openstack console log show`)."""
        conn = self.conn()
        out = self._call(
            "console log", lambda: conn.compute.get_server_console_output(node_id, length=2000)
        )
        return str((out or {}).get("output") or "")

    def delete_node(self, node_id: str) -> None:
        conn = self.conn()
        self.get_node(node_id)  # NotFound is an error, not a silent success
        ports = [
            p.id
            for p in self._call("list ports", lambda: list(conn.network.ports(device_id=node_id)))
        ]
        ours = [
            f
            for port in ports
            for f in self._call(
                "list floating IPs", partial(_listed, conn.network.ips, port_id=port)
            )
            if (f.description or "") == rec.MANAGED_DESCRIPTION
        ]
        self._call("delete server", lambda: conn.delete_server(node_id, wait=False))
        # Neutron releases a floating IP that is still attached (it detaches it
        # first): no need to wait for the server to be gone.
        for fip in ours:  # only the FIPs we allocated; reused ones just come free
            self._call(
                "release floating IP", partial(conn.network.delete_ip, fip, ignore_missing=True)
            )


_T = TypeVar("_T")


def _listed(lister: Callable[..., Iterable[_T]], **query: Any) -> list[_T]:
    """A paginated SDK listing read to its end, inside the one retried call."""
    return list(lister(**query))
