"""The Google Compute Engine provider (google-cloud-compute): one project.

`google.cloud.compute_v1` takes about a second and ~150 MB to import whole, so
only the services this adapter calls are loaded (`sdk`), on the first call, in
a poll worker thread, and only when a GCE cloud is configured.
Every call passes an explicit timeout (the client default is 600 s) and
`retry=None`: the poller's back-off is the one retry policy. Long-running
operations are waited on through our own ZoneOperationsClient with the
configured endpoint, never `operation.result()`, whose internal client ignores
the endpoint and calls the real compute.googleapis.com.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar

from hybridtui.config import CloudBase, GceCloud
from hybridtui.domain import (
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
    CloudTimeoutError,
    NotFoundError,
    ProviderError,
    shorten,
)
from hybridtui.providers.base import Capability, CloudSnapshotLike, SdkProvider, gather
from hybridtui.providers.gce import errors as cloud_errors
from hybridtui.providers.gce import insert, placement, sdk
from hybridtui.providers.gce import records as rec

SCOPES = ["https://www.googleapis.com/auth/compute"]
DEFAULT_LOGIN = "hybrid"


class GceProvider(SdkProvider):
    kind: ClassVar[CloudKind] = CloudKind.GCE
    capabilities: ClassVar[Capability] = Capability.READ | Capability.WRITE
    SDK_MODULE, SDK_EXTRA, SDK_NAME = "google.cloud.compute_v1", "gce", "google-cloud-compute"

    def __init__(self, name: str, config: CloudBase, region: str | None = None) -> None:
        super().__init__(name, config, region)
        assert isinstance(config, GceCloud)
        self.gce: GceCloud = config
        self._creds: Any = None
        self._images: dict[str, Image] = {}
        #: `rec.boot_disk` → image name: the disks listing is needed only for new ones.
        self._boot_images: dict[str, str] = {}

    # ------------------------------------------------------------- plumbing
    @property
    def where(self) -> str:
        return f"{self.name} (project {self.gce.project!r})"

    @property
    def login(self) -> str:
        return self.gce.overrides.login_user or DEFAULT_LOGIN

    def client(self, kind: str) -> Any:
        """A compute_v1 client class (`InstancesClient`…), built once."""
        return self._session(kind, lambda: self._make_client(kind))

    def _require_sdk(self) -> None:
        if not self.gce.metadata_server:
            # Off GCE, google-auth would spend seconds probing the metadata
            # server before saying there are no credentials: fail fast instead.
            # Its own switch, read once when google.auth is first imported.
            os.environ.setdefault("NO_GCE_CHECK", "true")  # compared exactly to "true"
        super()._require_sdk()

    def _import_sdk(self) -> None:
        sdk.package(self.SDK_MODULE)

    def _make_client(self, kind: str) -> Any:
        if self._creds is None:
            self._creds = self._credentials()
        options = {"api_endpoint": self.gce.api_endpoint} if self.gce.api_endpoint else None
        return sdk.client_class(kind)(
            credentials=self._creds, client_options=options, transport="rest"
        )

    def _credentials(self) -> Any:
        import google.auth
        from google.auth import exceptions as gx
        from google.oauth2 import service_account

        try:
            if self.gce.credentials_file:
                # the specific loader: it accepts only a service-account key (the
                # generic one would take any credential configuration it is given)
                creds = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                    str(self.gce.credentials_file), scopes=SCOPES
                )
            else:
                creds, _ = google.auth.default(scopes=SCOPES)
        except (gx.DefaultCredentialsError, ValueError, KeyError, OSError) as e:
            source = (
                f"credentials file {self.gce.credentials_file}"
                if self.gce.credentials_file
                else "Application Default Credentials"
            )
            raise AuthError(
                f"{self.where}: no usable {source} ({shorten(str(e).splitlines()[0], 200) if str(e) else type(e).__name__})",
                hint="Run `gcloud auth application-default login`, or set `credentials_file:` to a service-account key.",
            ) from e
        return creds

    def _kw(self, *, write: bool = False) -> dict[str, Any]:
        """Per-call settings, explicit on every request: each request's timeout,
        and for reads google-api-core's `Retry` on 429 and 5xx (exponential
        back-off with jitter, all attempts within the cloud's `timeout`). A write
        is never retried blindly: a lost answer to an insert may mean it worked."""
        if write:
            return {"timeout": self.gce.timeout, "retry": None}
        return {"timeout": self.gce.timeout, "retry": self._read_retry()}

    def _read_retry(self) -> Any:
        from google.api_core import exceptions as gx
        from google.api_core import retry as gr

        return gr.Retry(
            predicate=gr.if_exception_type(
                gx.TooManyRequests,
                gx.InternalServerError,
                gx.BadGateway,
                gx.ServiceUnavailable,
                gx.GatewayTimeout,
            ),
            initial=0.25,
            maximum=4.0,
            multiplier=2.0,
            timeout=self.gce.timeout,
        )

    def _map_error(self, op: str, e: Exception) -> ProviderError:
        return cloud_errors.map_error(
            op, e, where=self.where, timeout=self.gce.timeout, project=self.gce.project
        )

    @staticmethod
    def _dict(message: Any) -> dict[str, Any]:
        result: dict[str, Any] = type(message).to_dict(message)
        return result

    def _wait(self, operation: Any, zone: str) -> None:
        """Wait for a zone operation through our own client and endpoint."""
        ops = self.client("ZoneOperationsClient")
        name = operation.name
        deadline = time.monotonic() + max(self.gce.timeout, 120.0)
        op = operation
        # compute_v1's enum values are arbitrary large ints: compare by name
        while op.status.name != "DONE":
            if time.monotonic() > deadline:
                raise CloudTimeoutError(f"{self.where}: operation {name} not done in time")
            op = self._call(
                "wait for operation",
                lambda: ops.wait(project=self.gce.project, zone=zone, operation=name, **self._kw()),
            )
            if op.status.name != "DONE":
                time.sleep(0.2)
        if op.error and op.error.errors:
            first = op.error.errors[0]
            raise cloud_errors.operation_error(
                f"{self.where}: {op.operation_type}", first.code, first.message
            )

    # ------------------------------------------------------------------ read
    def _instances(self) -> list[dict[str, Any]]:
        client = self.client("InstancesClient")
        zones = set(self.gce.zones) - {"all"}
        pager = self._call(
            "list instances",
            lambda: list(client.aggregated_list(project=self.gce.project, **self._kw())),
        )
        out: list[dict[str, Any]] = []
        for scope, scoped in pager:
            if zones and rec.last(scope) not in zones:
                continue
            out.extend(self._dict(i) for i in scoped.instances)
        return out

    def _disk_images(self) -> dict[str, str]:
        """Disk self link → the image it was made from: one aggregated disks
        listing names every node's image (instances only link their disks)."""
        client = self.client("DisksClient")
        pager = self._call(
            "list disks",
            lambda: list(client.aggregated_list(project=self.gce.project, **self._kw())),
        )
        return {
            d.self_link: d.source_image
            for _, scoped in pager
            for d in scoped.disks
            if d.source_image
        }

    def _nodes_listing(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """The instances, and the images of their boot disks.

        Cold, both aggregated listings go at once. Once the adapter knows the
        boot disks (primed from the cache, or from its last listing), the
        instances go alone, and the disks listing follows only when a boot
        disk is new: one call, not two, for a refresh where no node was made.
        Without the disks listing the nodes are still shown, image unnamed.
        """
        if not self._boot_images:
            tasks: dict[str, Callable[[], Any]] = {
                "instances": self._instances,
                "disks": self._disk_images,
            }
            found, errors = gather(self.name, tasks)
            if "instances" in errors:
                raise errors["instances"]
            return found["instances"], found.get("disks", {})
        instances = self._instances()
        disks = {rec.boot_disk(i) for i in instances} - {""}
        if disks <= self._boot_images.keys():
            return instances, {}
        try:
            return instances, self._disk_images()
        except ProviderError:
            return instances, {}

    def _nodes(self, instances: list[dict[str, Any]], disks: dict[str, str]) -> list[Node]:
        nodes = [rec.node(i, disks, self._images, self._boot_images) for i in instances]
        self._boot_images = {
            key: n.image
            for i, n in zip(instances, nodes, strict=True)
            # an image not named for want of the disks listing is asked again
            if (key := rec.boot_disk(i)) and (n.image or disks)
        }
        return nodes

    def _fetch_kinds(
        self, kinds: list[ResourceKind]
    ) -> tuple[dict[ResourceKind, tuple[Resource, ...]], dict[ResourceKind, ProviderError]]:
        """Nodes and keys both come from one aggregated instances listing (GCE
        keys live in instance metadata); nodes name their image through the
        aggregated disks listing (`_nodes_listing`). Everything else is a
        listing of its own."""
        tasks: dict[str, Callable[[], Any]] = {}
        want = set(kinds)
        if ResourceKind.NODES in want:
            tasks["instances"] = self._nodes_listing
        elif ResourceKind.KEYS in want:
            tasks["instances"] = lambda: (self._instances(), {})
        if ResourceKind.KEYS in want:
            tasks["project"] = self._project_metadata
        listers: dict[ResourceKind, Callable[[], Any]] = {
            ResourceKind.FLAVORS: self.list_flavors,
            ResourceKind.IMAGES: self.list_images,
            ResourceKind.NETWORKS: self.list_networks,
            ResourceKind.SECURITY_GROUPS: self.list_security_groups,
            ResourceKind.ADDRESSES: self.list_addresses,
            ResourceKind.ROUTERS: self.list_routers,
        }
        tasks.update({str(k): listers[k] for k in kinds if k in listers})
        found, errors = gather(self.name, tasks)
        out: dict[ResourceKind, tuple[Resource, ...]] = {}
        failed: dict[ResourceKind, ProviderError] = {}
        for k in kinds:
            if k in listers:
                if str(k) in found:
                    out[k] = tuple(found[str(k)])
                else:
                    failed[k] = errors[str(k)]
        if "instances" in errors:
            failed.update(
                {
                    k: errors["instances"]
                    for k in kinds
                    if k in (ResourceKind.NODES, ResourceKind.KEYS)
                }
            )
        else:
            instances, disks = found.get("instances", ([], {}))
            if ResourceKind.NODES in want:
                out[ResourceKind.NODES] = tuple(self._nodes(instances, disks))
            if ResourceKind.KEYS in want and "project" in errors:
                failed[ResourceKind.KEYS] = errors["project"]
            elif ResourceKind.KEYS in want:
                keys = rec.key_pairs(instances, found.get("project"))
                out[ResourceKind.KEYS] = tuple(keys)
        return {k: out[k] for k in kinds if k in out}, failed

    def _behaviour_from(
        self, records: Mapping[ResourceKind, tuple[Resource, ...]]
    ) -> CloudBehaviour | None:
        if ResourceKind.SECURITY_GROUPS not in records:
            return None
        return rec.behaviour(list(records[ResourceKind.SECURITY_GROUPS]), self.login)  # type: ignore[arg-type]

    def prime(self, snapshot: CloudSnapshotLike) -> None:
        if not self._images:
            images = snapshot.resources(ResourceKind.IMAGES)
            self._images = {i.id: i for i in images if isinstance(i, Image)}
        if not self._boot_images:
            self._boot_images = {
                key: n.image
                for n in snapshot.resources(ResourceKind.NODES)
                if isinstance(n, Node) and n.image and (key := rec.boot_disk(n.raw))
            }

    def list_nodes(self) -> list[Node]:
        return self._nodes(*self._nodes_listing())

    def list_flavors(self) -> list[Flavor]:
        client = self.client("MachineTypesClient")
        zones = set(self.gce.zones) - {"all"}
        pager = self._call(
            "list machine types",
            lambda: list(client.aggregated_list(project=self.gce.project, **self._kw())),
        )
        seen: dict[str, Flavor] = {}
        for scope, scoped in pager:
            if zones and rec.last(scope) not in zones:
                continue
            for mt in scoped.machine_types:
                seen.setdefault(mt.name, rec.flavor(self._dict(mt)))
        return sorted(seen.values(), key=lambda f: (f.vcpus, f.ram_mb, f.name))

    def list_images(self) -> list[Image]:
        """The project's own images and the newest of each configured public
        family, every call in flight at once (a family this endpoint does not
        have is skipped, the rest are listed)."""
        client = self.client("ImagesClient")
        tasks: dict[str, Callable[[], Any]] = {
            "own": lambda: self._call(
                "list images", lambda: list(client.list(project=self.gce.project, **self._kw()))
            )
        }
        for entry in self.gce.image_families:
            project, _, family = entry.partition("/")
            tasks[entry] = partial(
                self._call,
                "image family",
                partial(client.get_from_family, project=project, family=family, **self._kw()),
            )
        found, errors = gather(self.name, tasks)
        if "own" in errors:
            raise errors["own"]
        failed = [e for e in errors.values() if not isinstance(e, NotFoundError)]
        if failed:
            raise failed[0]
        images = [rec.image(self._dict(i), self.gce.project) for i in found.pop("own")]
        for entry in self.gce.image_families:
            if entry in found:
                images.append(rec.image(self._dict(found[entry]), entry.partition("/")[0]))
        self._images = {i.id: i for i in images}
        return images

    def list_networks(self) -> list[Network]:
        nets = self.client("NetworksClient")
        subs = self.client("SubnetworksClient")
        found, errors = gather(
            self.name,
            {
                "networks": lambda: self._call(
                    "list networks", lambda: list(nets.list(project=self.gce.project, **self._kw()))
                ),
                "subnetworks": lambda: self._call(
                    "list subnetworks",
                    lambda: list(subs.aggregated_list(project=self.gce.project, **self._kw())),
                ),
            },
        )
        if errors:
            raise next(iter(errors.values()))
        out = [rec.network(self._dict(n)) for n in found["networks"]]
        for _, scoped in found["subnetworks"]:
            out.extend(rec.subnetwork(self._dict(s)) for s in scoped.subnetworks)
        return out

    def list_security_groups(self) -> list[SecurityGroup]:
        fw = self.client("FirewallsClient")
        return [
            rec.firewall(self._dict(f))
            for f in self._call(
                "list firewalls", lambda: list(fw.list(project=self.gce.project, **self._kw()))
            )
        ]

    def list_keys(self) -> list[KeyPair]:
        return rec.key_pairs(self._instances(), self._project_metadata())

    def list_addresses(self) -> list[PublicAddress]:
        """Reserved external addresses, regional and global (the aggregated
        listing has a `global` scope for those) in one call."""
        client = self.client("AddressesClient")
        scopes = self._call(
            "list addresses",
            lambda: list(client.aggregated_list(project=self.gce.project, **self._kw())),
        )
        records = [self._dict(a) for _, scoped in scopes for a in scoped.addresses]
        return [a for r in records if (a := rec.static_address(r)) is not None]

    def list_routers(self) -> list[Router]:
        client = self.client("RoutersClient")
        scopes = self._call(
            "list routers",
            lambda: list(client.aggregated_list(project=self.gce.project, **self._kw())),
        )
        return [rec.router(self._dict(r)) for _, scoped in scopes for r in scoped.routers]

    def _project_metadata(self) -> dict[str, Any]:
        """The project's own record: its `commonInstanceMetadata` holds the
        project-wide ssh-keys and whether OS Login is on."""
        client = self.client("ProjectsClient")
        project = self._call(
            "read project metadata", lambda: client.get(project=self.gce.project, **self._kw())
        )
        return self._dict(project)

    def behaviour(self) -> CloudBehaviour:
        return rec.behaviour(self.list_security_groups(), self.login)

    # ----------------------------------------------------------------- write
    def _zone(self) -> str:
        if self.gce.default_zone:
            return self.gce.default_zone
        zones = [z for z in self.gce.zones if z != "all"]
        if not zones:
            raise ProviderError(
                f"{self.where}: which zone for new nodes?",
                title="Choose a zone",
                hint="Set `default_zone:` for this cloud.",
            )
        return zones[0]

    def _split(self, node_id: str) -> tuple[str, str]:
        zone, _, name = node_id.rpartition("/")
        return (zone or self._zone()), name

    @property
    def key_objects(self) -> bool:
        return False

    def import_key(self, name: str, public_key: str) -> str:
        """GCE has no key objects: nothing is registered. The key travels in the
        node spec (`NodeSpec.public_key`) into the node's metadata at create, so
        no provider instance keeps it (another instance can create the node)."""
        if len(public_key.split()) < 2 or not public_key.startswith(("ssh-", "ecdsa-", "sk-")):
            raise ProviderError(
                f"{self.where}: {name!r} is not an OpenSSH public key", title="Invalid key"
            )
        return name

    def delete_key(self, name: str) -> None:
        """Step 8 is live on GCE: the guest agent removes a key dropped from
        metadata. A key on no node is already gone (GCE has no key object)."""
        client = self.client("InstancesClient")
        for inst in self._instances():
            lines = rec.ssh_entries(inst)
            keep = [line for line in lines if not line.endswith(f"hybridtui:{name}")]
            if keep == lines:
                continue
            zone = rec.last(inst["zone"])
            meta = inst.get("metadata") or {}
            items = [i for i in meta.get("items") or [] if i.get("key") != "ssh-keys"]
            if keep:
                items.append({"key": "ssh-keys", "value": "\n".join(keep)})
            body = {"fingerprint": meta.get("fingerprint"), "items": items}
            op = self._call(
                "remove key from metadata",
                partial(
                    client.set_metadata,
                    project=self.gce.project,
                    zone=zone,
                    instance=inst["name"],
                    metadata_resource=body,
                    **self._kw(write=True),
                ),
            )
            self._wait(op, zone)

    def create_node(self, spec: NodeSpec) -> Node:
        zone = self._zone()
        key_line = ""
        if spec.key_name:
            if not spec.public_key:
                raise ProviderError(
                    f"{self.where}: node {spec.name!r} names key {spec.key_name!r} but carries no public key",
                    title="Invalid node spec",
                    hint="GCE keeps keys in node metadata: set NodeSpec.public_key.",
                )
            key_line = rec.ssh_key_entry(
                self.login,
                spec.public_key,
                spec.key_name,
                rec.expiry(self.gce.key_ttl_hours, datetime.now(UTC)),
            )
        nic = placement.interface(
            spec.network or self.gce.overrides.network or "default",
            zone,
            self.list_networks,
            self.where,
        )
        image_link = self._image_link(spec.image)
        body = insert.body(spec, zone, nic=nic, image_link=image_link, key_line=key_line)
        client = self.client("InstancesClient")
        op = self._call(
            "insert instance",
            lambda: client.insert(
                project=self.gce.project, zone=zone, instance_resource=body, **self._kw(write=True)
            ),
        )
        self._wait(op, zone)
        return self.get_node(rec.node_id(zone, body["name"]))

    def _image_link(self, wanted: str) -> str:
        if wanted in self._images or wanted.startswith(("http", "projects/")):
            return wanted
        if "/" in wanted:  # project/family
            project, _, family = wanted.partition("/")
            client = self.client("ImagesClient")
            img = self._call(
                "image family",
                lambda: client.get_from_family(project=project, family=family, **self._kw()),
            )
            return str(img.self_link)
        match = next((i.id for i in self._images.values() if i.name == wanted), None)
        if match is None:
            raise NotFoundError(
                f"{self.where}: image {wanted!r} not found (use project/family, e.g. debian-cloud/debian-12)"
            )
        return match

    def get_node(self, node_id: str) -> Node:
        zone, name = self._split(node_id)
        client = self.client("InstancesClient")
        inst = self._call(
            "get instance",
            lambda: client.get(project=self.gce.project, zone=zone, instance=name, **self._kw()),
        )
        return rec.node(self._dict(inst), images=self._images)

    def ensure_public_address(self, node_id: str, pool: str | None = None) -> Address:
        """An ephemeral external IP through a ONE_TO_ONE_NAT access config (GCE has
        no pools: `pool` is ignored)."""
        del pool
        node = self.get_node(node_id)
        public = [a for a in node.addresses if a.kind is AddressKind.PUBLIC and a.version == 4]
        if public:
            return public[0]
        zone, name = self._split(node_id)
        client = self.client("InstancesClient")
        nic = (node.raw.get("network_interfaces") or [{}])[0].get("name", "nic0")
        op = self._call(
            "add access config",
            lambda: client.add_access_config(
                project=self.gce.project,
                zone=zone,
                instance=name,
                network_interface=nic,
                access_config_resource={"type_": "ONE_TO_ONE_NAT", "name": "External NAT"},
                **self._kw(write=True),
            ),
        )
        self._wait(op, zone)
        public = [
            a
            for a in self.get_node(node_id).addresses
            if a.kind is AddressKind.PUBLIC and a.version == 4
        ]
        if not public:
            raise ProviderError(
                f"{self.where}: {name} got no external IP", title="No public address"
            )
        return public[0]

    def console_output(self, node_id: str) -> str:
        """Serial port 1, where the guest and cloud-init log (`gcloud compute
        instances get-serial-port-output`)."""
        zone, name = self._split(node_id)
        client = self.client("InstancesClient")
        out = self._call(
            "serial port output",
            lambda: client.get_serial_port_output(
                # `port` is only in the request message (no flattened argument)
                request={"project": self.gce.project, "zone": zone, "instance": name, "port": 1},
                **self._kw(),
            ),
        )
        return str(out.contents or "")

    def delete_node(self, node_id: str) -> None:
        zone, name = self._split(node_id)
        client = self.client("InstancesClient")
        op = self._call(
            "delete instance",
            lambda: client.delete(
                project=self.gce.project, zone=zone, instance=name, **self._kw(write=True)
            ),
        )
        self._wait(op, zone)

    def _close_session(self, session: Any) -> None:
        session.transport.close()
