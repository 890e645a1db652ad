"""A local Google Compute Engine REST peer for the tests.

No usable GCE emulator exists, so this speaks the GCE v1 REST JSON for the calls
the adapter makes: zones, machineTypes, images (incl. getFromFamily), instances
(list, aggregatedList, get, insert, delete, setMetadata, start, stop,
addAccessConfig, getSerialPortOutput), zoneOperations get/wait, networks, subnetworks, firewalls.
Long-running operations are *not* done on the first response: they advance one
step per poll. Its wire (HTTP, the bearer token, the OAuth2 token endpoint,
injected faults and latency) is `peers.gce_http`.
The real `google-cloud-compute` clients reach it through `api_endpoint`.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from peers.fault_proxy import Hold
from peers.gce_http import Fault, PeerError, serve

TOKEN = "peer-token"
#: The OAuth2 refresh token the peer's `/token` endpoint honours (the
#: `authorized_user` credentials `gcloud auth application-default login` writes).
REFRESH_TOKEN = "peer-refresh-token"
BASE = "/compute/v1/projects/"


def image_disk_gb(project: str) -> int:
    """The boot disk an image of the public `project` needs (and gets by default)."""
    return 20 if project == "rhel-cloud" else 10


def _by_scope(kind: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """An aggregated listing: records under `regions/R` by their `region`
    link, those without one under `global`; scopes without any are left out."""
    scopes: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        region = r.get("region", "").rsplit("/", 1)[-1]
        scopes.setdefault(f"regions/{region}" if region else "global", []).append(r)
    return {"items": {scope: {kind: found} for scope, found in scopes.items()}}


def _project(params: dict[str, Any]) -> str:
    """The project of a disk's `sourceImage` link."""
    m = re.search(r"projects/([^/]+)/global/images", params.get("sourceImage") or "")
    return m[1] if m else ""


PUBLIC_IMAGES = {
    "debian-cloud": [
        ("debian-12-bookworm-v20261001", "debian-12"),
        ("debian-12-bookworm-v20261105", "debian-12"),
        ("debian-11-bullseye-v20261105", "debian-11"),
    ],
    "ubuntu-os-cloud": [
        ("ubuntu-2404-noble-amd64-v20261028", "ubuntu-2404-lts-amd64"),
        ("ubuntu-2204-jammy-v20261020", "ubuntu-2204-lts"),
    ],
    "rhel-cloud": [("rhel-9-v20261014", "rhel-9")],
    "centos-cloud": [("centos-stream-9-v20261014", "centos-stream-9")],
    "fedora-coreos-cloud": [("fedora-coreos-40-20261012-3-0-gcp-x86-64", "fedora-coreos-stable")],
    "cos-cloud": [("cos-stable-117-18613-0-79", "cos-stable")],
}
#: A real ed25519 public key (no private half anywhere): the project-wide key.
PROJECT_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
MACHINE_TYPES = [
    ("e2-micro", 2, 1024),
    ("e2-small", 2, 2048),
    ("e2-medium", 2, 4096),
    ("e2-standard-2", 2, 8192),
    ("n2-standard-4", 4, 16384),
]


#: (network, region, subnetwork) -> range: the auto-mode `default` network's
#: subnetworks, and a custom-mode `prod-vpc` with two in one region.
SUBNETWORKS = {
    ("default", "europe-west1", "default"): "10.132.0.0/20",
    ("default", "us-central1", "default"): "10.128.0.0/20",
    ("prod-vpc", "europe-west1", "prod-web"): "10.10.0.0/24",
    ("prod-vpc", "europe-west1", "prod-db"): "10.10.1.0/24",
}
_NAME = r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"


@dataclass
class GcePeer:
    project: str = "hybrid-test"
    zones: tuple[str, ...] = ("europe-west1-b", "europe-west1-c", "us-central1-a")
    #: Polls an operation needs before it is DONE (real GCE: seconds).
    op_steps: int = 2
    url: str = ""
    instances: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    #: Boot disks per zone, named like their instance (GCE's default).
    disks: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    #: Instance quota per project: insert beyond it fails in the operation, like GCE.
    quota: int = 24
    #: Zones out of capacity: insert there fails in the operation.
    exhausted: set[str] = field(default_factory=set)
    #: The project's commonInstanceMetadata items: a project-wide key, as teams keep one.
    project_metadata: list[dict[str, str]] = field(
        default_factory=lambda: [{"key": "ssh-keys", "value": f"ops:{PROJECT_KEY} ops@laptop"}]
    )
    #: Reserved addresses and Cloud Routers, as the API returns them (a test
    #: adds them; an address without `region` is a global one).
    addresses: list[dict[str, Any]] = field(default_factory=list)
    routers: list[dict[str, Any]] = field(default_factory=list)
    #: What an instance wrote to serial port 1 (by instance name); a test puts
    #: cloud-init's host key fingerprints there, as a booting image does.
    serial: dict[str, str] = field(default_factory=dict)
    #: The access token the API accepts now: a test rotates it to expire the
    #: client's token mid-session.
    token: str = TOKEN
    #: What `/token` takes for a refresh grant; changing it revokes the grant.
    refresh_token: str = REFRESH_TOKEN
    #: Access tokens `/token` has handed out.
    grants: int = 0
    hold: Hold = field(default_factory=Hold)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(4_000_000_000_000_000_001))
    _ips: Iterator[int] = field(default_factory=lambda: itertools.count(10))
    _op_polls: dict[str, int] = field(default_factory=dict)

    def clear(self) -> None:
        """No more faults, and the requests a delay holds are answered now."""
        with self._lock:
            self.faults.clear()
        self.hold.release()

    def reset(self) -> None:
        with self._lock:
            self.instances = {z: {} for z in self.zones}
            self.disks = {z: {} for z in self.zones}
            self.operations.clear()
            self.faults.clear()
            self.requests.clear()
            self._op_polls.clear()
            self.addresses.clear()
            self.routers.clear()
            self.project_metadata = [{"key": "ssh-keys", "value": f"ops:{PROJECT_KEY} ops@laptop"}]

    # ------------------------------------------------------------ helpers
    def link(self, path: str) -> str:
        return f"{self.url}{BASE}{self.project}/{path}"

    def _zone(self, zone: str) -> dict[str, dict[str, Any]]:
        if zone not in self.instances:
            raise PeerError(
                404,
                "notFound",
                f"The resource 'projects/{self.project}/zones/{zone}' was not found",
            )
        return self.instances[zone]

    def _instance(self, zone: str, name: str) -> dict[str, Any]:
        try:
            return self._zone(zone)[name]
        except KeyError:
            raise PeerError(
                404,
                "notFound",
                f"The resource 'projects/{self.project}/zones/{zone}/instances/{name}' was not found",
            ) from None

    def _operation(
        self, zone: str, kind: str, target: str, then: Any, error: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        name = f"operation-{next(self._ids)}"
        op = {
            "kind": "compute#operation",
            "id": str(next(self._ids)),
            "name": name,
            "zone": self.link(f"zones/{zone}"),
            "operationType": kind,
            "targetLink": target,
            "status": "RUNNING",
            "progress": 0,
            "insertTime": time.strftime("%Y-%m-%dT%H:%M:%S.000-00:00"),
            "selfLink": self.link(f"zones/{zone}/operations/{name}"),
        }
        self.operations[name] = op
        self._op_polls[name] = 0
        op["_then"], op["_error"] = then, error
        return self._public(op)

    @staticmethod
    def _public(op: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in op.items() if not k.startswith("_")}

    def _advance(self, name: str) -> dict[str, Any]:
        op = self.operations.get(name)
        if op is None:
            raise PeerError(404, "notFound", f"operation {name} not found")
        self._op_polls[name] += 1
        if op["status"] != "DONE" and self._op_polls[name] >= self.op_steps:
            op["status"], op["progress"] = "DONE", 100
            if op["_error"]:
                op["error"] = op["_error"]
                op["httpErrorStatusCode"] = 403
            elif op["_then"]:
                op["_then"]()
        return self._public(op)

    # ------------------------------------------------------------ routes
    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Any:
        if not path.startswith(BASE):
            raise PeerError(404, "notFound", path)
        project, _, rest = path[len(BASE) :].partition("/")
        if project in PUBLIC_IMAGES:
            return self._public_images(project, rest)
        if project != self.project and rest.startswith("global/images"):
            raise PeerError(
                404, "notFound", f"The resource 'projects/{project}/{rest}' was not found"
            )
        if project != self.project:
            raise PeerError(
                403,
                "forbidden",
                f"Required 'compute.instances.list' permission for 'projects/{project}'",
            )
        routes: list[tuple[str, str, Any]] = [
            (
                "GET",
                r"",
                lambda m: {
                    "kind": "compute#project",
                    "name": self.project,
                    "id": "424242",
                    "commonInstanceMetadata": {"items": self.project_metadata},
                },
            ),
            (
                "GET",
                r"zones",
                lambda m: {
                    "items": [
                        {"name": z, "status": "UP", "region": self.link(f"regions/{z[:-2]}")}
                        for z in self.zones
                    ]
                },
            ),
            ("GET", r"zones/([^/]+)/machineTypes", lambda m: self._machine_types(m[1])),
            (
                "GET",
                r"aggregated/machineTypes",
                lambda m: {
                    "items": {
                        f"zones/{z}": {"machineTypes": self._machine_types(z)["items"]}
                        for z in self.zones
                    }
                },
            ),
            ("GET", r"global/images", lambda m: {"items": []}),
            ("GET", r"aggregated/instances", lambda m: self._aggregated()),
            ("GET", r"aggregated/addresses", lambda m: _by_scope("addresses", self.addresses)),
            ("GET", r"aggregated/routers", lambda m: _by_scope("routers", self.routers)),
            (
                "GET",
                r"aggregated/disks",
                lambda m: {
                    "items": {
                        f"zones/{z}": {"disks": list(d.values())}
                        for z, d in self.disks.items()
                        if d
                    }
                },
            ),
            (
                "GET",
                r"zones/([^/]+)/instances",
                lambda m: {"items": list(self._zone(m[1]).values())},
            ),
            ("GET", r"zones/([^/]+)/instances/([^/]+)", lambda m: self._instance(m[1], m[2])),
            (
                "GET",
                r"zones/([^/]+)/instances/([^/]+)/serialPort",
                lambda m: self._serial(m[1], m[2]),
            ),
            ("POST", r"zones/([^/]+)/instances", lambda m: self._insert(m[1], body)),
            ("DELETE", r"zones/([^/]+)/instances/([^/]+)", lambda m: self._delete(m[1], m[2])),
            (
                "POST",
                r"zones/([^/]+)/instances/([^/]+)/setMetadata",
                lambda m: self._set_metadata(m[1], m[2], body),
            ),
            (
                "POST",
                r"zones/([^/]+)/instances/([^/]+)/(start|stop)",
                lambda m: self._power(m[1], m[2], m[3]),
            ),
            (
                "POST",
                r"zones/([^/]+)/instances/([^/]+)/addAccessConfig",
                lambda m: self._add_access(m[1], m[2], body),
            ),
            ("GET", r"zones/([^/]+)/operations/([^/]+)", lambda m: self._advance(m[2])),
            ("POST", r"zones/([^/]+)/operations/([^/]+)/wait", lambda m: self._advance(m[2])),
            (
                "GET",
                r"global/networks",
                lambda m: {
                    "items": [
                        {
                            "id": str(11 + i),
                            "name": name,
                            "autoCreateSubnetworks": name == "default",
                            "selfLink": self.link(f"global/networks/{name}"),
                        }
                        for i, name in enumerate(sorted({n for n, _, _ in SUBNETWORKS}))
                    ]
                },
            ),
            (
                "GET",
                r"aggregated/subnetworks",
                lambda m: {
                    "items": {
                        f"regions/{region}": {
                            "subnetworks": [
                                {
                                    "id": str(20 + i),
                                    "name": name,
                                    "selfLink": self.link(f"regions/{region}/subnetworks/{name}"),
                                    "region": self.link(f"regions/{region}"),
                                    "ipCidrRange": cidr,
                                    "network": self.link(f"global/networks/{network}"),
                                }
                                for i, (network, r, name) in enumerate(SUBNETWORKS)
                                if r == region
                                for cidr in [SUBNETWORKS[(network, r, name)]]
                            ]
                        }
                        for region in sorted({r for _, r, _ in SUBNETWORKS})
                    }
                },
            ),
            (
                "GET",
                r"global/firewalls",
                lambda m: {
                    "items": [
                        {
                            "id": "31",
                            "name": "default-allow-ssh",
                            "direction": "INGRESS",
                            "network": self.link("global/networks/default"),
                            "sourceRanges": ["0.0.0.0/0"],
                            "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}],
                        },
                        {
                            "id": "32",
                            "name": "default-allow-internal",
                            "direction": "INGRESS",
                            "network": self.link("global/networks/default"),
                            "sourceRanges": ["10.128.0.0/9"],
                            "allowed": [{"IPProtocol": "all"}],
                        },
                    ]
                },
            ),
        ]
        for verb, pattern, fn in routes:
            m = re.fullmatch(pattern, rest)
            if verb == method and m:
                return fn(m)
        raise PeerError(404, "notFound", f"no route for {method} {path}")

    def _public_images(self, project: str, rest: str) -> Any:
        images = [
            {
                "id": str(abs(hash(n)) % 10**18),
                "name": n,
                "family": f,
                "status": "READY",
                "architecture": "X86_64",
                "creationTimestamp": f"20{n.split('-v20')[-1][:2] if '-v20' in n else '26'}-10-01T00:00:00.000-07:00",
                "selfLink": f"{self.url}{BASE}{project}/global/images/{n}",
                # int64 fields are strings in the REST API's JSON
                "diskSizeGb": str(image_disk_gb(project)),
            }
            for n, f in PUBLIC_IMAGES[project]
        ]
        if rest == "global/images":
            return {"items": images}
        m = re.fullmatch(r"global/images/family/([^/]+)", rest)
        if m:
            family = [i for i in images if i["family"] == m[1]]
            if not family:
                raise PeerError(
                    404,
                    "notFound",
                    f"The resource 'projects/{project}/global/images/family/{m[1]}' was not found",
                )
            return max(family, key=lambda i: i["name"])
        raise PeerError(404, "notFound", rest)

    def _machine_types(self, zone: str) -> dict[str, Any]:
        self._zone(zone)
        return {
            "items": [
                {
                    "id": str(1000 + i),
                    "name": n,
                    "guestCpus": c,
                    "memoryMb": mem,
                    "zone": zone,
                    "selfLink": self.link(f"zones/{zone}/machineTypes/{n}"),
                }
                for i, (n, c, mem) in enumerate(MACHINE_TYPES)
            ]
        }

    def _aggregated(self) -> dict[str, Any]:
        items: dict[str, Any] = {}
        for z, insts in self.instances.items():
            items[f"zones/{z}"] = (
                {"instances": list(insts.values())}
                if insts
                else {
                    "warning": {
                        "code": "NO_RESULTS_ON_PAGE",
                        "message": "There are no results for scope",
                    }
                }
            )
        return {"items": items}

    def _check_interface(self, i: int, nic: dict[str, Any], zone: str) -> None:
        """As the API checks a network interface: `network` is a network's path
        (`global/networks/NAME`, or its URL) and exists; `subnetwork` is
        `regions/REGION/subnetworks/NAME` of the instance's own region."""
        field = f"resource.networkInterfaces[{i}]"
        prefix = f"^(?:{re.escape(self.link(''))}|projects/{re.escape(self.project)}/)?"

        def parts(key: str, path: str) -> tuple[str, ...] | None:
            """The path's names, or the API's 400 for a malformed URL."""
            if nic.get(key) is None:
                return None
            m = re.match(prefix + path + "$", nic[key])
            if m is None:
                raise PeerError(
                    400,
                    "invalid",
                    f"Invalid value for field '{field}.{key}': '{nic[key]}'. The URL is malformed.",
                )
            return m.groups()

        def missing(path: str) -> PeerError:
            return PeerError(
                404, "notFound", f"The resource 'projects/{self.project}/{path}' was not found"
            )

        net = parts("network", f"global/networks/({_NAME})")
        network = net[0] if net else "default"
        if network not in {n for n, _, _ in SUBNETWORKS}:
            raise missing(f"global/networks/{network}")
        sub = parts("subnetwork", f"regions/({_NAME})/subnetworks/({_NAME})")
        if sub is None:
            if network != "default":
                raise PeerError(
                    400,
                    "invalid",
                    f"Invalid value for field '{field}.subnetwork': ''."
                    " Subnetwork should be specified for custom subnetmode network",
                )
            return
        region, name = sub
        owner = next((n for n, r, s in SUBNETWORKS if (r, s) == (region, name)), None)
        if owner is None:
            raise missing(f"regions/{region}/subnetworks/{name}")
        if region != zone.rsplit("-", 1)[0]:
            raise PeerError(
                400,
                "invalid",
                f"Invalid value for field '{field}.subnetwork': '{nic['subnetwork']}'."
                " Subnetwork must be in the same region as the instance.",
            )
        if net is not None and owner != network:
            raise PeerError(
                400,
                "invalid",
                f"Invalid value for field '{field}.subnetwork': '{nic['subnetwork']}'."
                f" Subnetwork does not belong to network '{network}'.",
            )

    def _insert(self, zone: str, body: dict[str, Any]) -> dict[str, Any]:
        insts = self._zone(zone)
        name = body["name"]
        if name in insts:
            raise PeerError(
                409,
                "alreadyExists",
                f"The resource 'projects/{self.project}/zones/{zone}/instances/{name}' already exists",
            )
        mt = body.get("machineType", "").rsplit("/", 1)[-1]
        if mt not in {n for n, _, _ in MACHINE_TYPES}:
            raise PeerError(
                400,
                "invalid",
                f"Invalid value for field 'resource.machineType': '{body.get('machineType')}'.",
            )
        for i, nic in enumerate(body.get("networkInterfaces") or []):
            self._check_interface(i, nic, zone)
        for disk in body.get("disks") or []:
            params = disk.get("initializeParams") or {}
            need = image_disk_gb(_project(params))
            if "diskSizeGb" in params and int(params["diskSizeGb"]) < need:
                raise PeerError(
                    400,
                    "invalid",
                    f"Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb':"
                    f" '{params['diskSizeGb']}'. Requested disk size cannot be smaller than"
                    f" the image size ({need} GB)",
                )
        target = self.link(f"zones/{zone}/instances/{name}")
        if zone in self.exhausted:
            error = {
                "errors": [
                    {
                        "code": "ZONE_RESOURCE_POOL_EXHAUSTED",
                        "message": f"The zone 'projects/{self.project}/zones/{zone}' does not have enough resources available to fulfill the request.",
                    }
                ]
            }
            return self._operation(zone, "insert", target, None, error)
        total = sum(len(v) for v in self.instances.values())
        if total >= self.quota:
            error = {
                "errors": [
                    {
                        "code": "QUOTA_EXCEEDED",
                        "message": f"Quota 'INSTANCES' exceeded.  Limit: {self.quota}.0 in region {zone[:-2]}.",
                    }
                ]
            }
            return self._operation(zone, "insert", target, None, error)

        def create() -> None:
            nics = []
            for i, nic in enumerate(body.get("networkInterfaces") or [{}]):
                # the subnetwork as given, else the auto-mode network's in the
                # zone's region; the address comes from its range
                region, _, sub = (
                    str(
                        nic.get("subnetwork")
                        or f"regions/{zone.rsplit('-', 1)[0]}/subnetworks/default"
                    )
                    .split("regions/", 1)[1]
                    .partition("/subnetworks/")
                )
                cidr = next(c for (_, r, n), c in SUBNETWORKS.items() if (r, n) == (region, sub))
                out = {
                    "name": f"nic{i}",
                    "network": nic.get("network") or self.link("global/networks/default"),
                    "subnetwork": self.link(f"regions/{region}/subnetworks/{sub}"),
                    "networkIP": str(ipaddress.ip_network(cidr).network_address + next(self._ips)),
                }
                if nic.get("accessConfigs"):
                    out["accessConfigs"] = [
                        {
                            "type": "ONE_TO_ONE_NAT",
                            "name": a.get("name", "External NAT"),
                            "natIP": f"192.0.2.{next(self._ips)}",
                        }
                        for a in nic["accessConfigs"]
                    ]
                nics.append(out)
            disks = []
            for i, disk in enumerate(body.get("disks") or []):
                params = disk.get("initializeParams") or {}
                size = params.get("diskSizeGb") or str(image_disk_gb(_project(params)))
                disk_name = name if i == 0 else f"{name}-{i}"
                link = self.link(f"zones/{zone}/disks/{disk_name}")
                self.disks.setdefault(zone, {})[disk_name] = {
                    "kind": "compute#disk",
                    "id": str(next(self._ids)),
                    "name": disk_name,
                    "sourceImage": params.get("sourceImage", ""),
                    "sizeGb": size,
                    "selfLink": link,
                    "status": "READY",
                    "zone": self.link(f"zones/{zone}"),
                    "users": [self.link(f"zones/{zone}/instances/{name}")],
                }
                disks.append(
                    {
                        "boot": bool(disk.get("boot")),
                        "source": link,
                        "deviceName": disk_name,
                        "autoDelete": bool(disk.get("autoDelete")),
                        "diskSizeGb": size,
                    }
                )
            insts[name] = {
                "kind": "compute#instance",
                "id": str(next(self._ids)),
                "name": name,
                "status": "RUNNING",
                "zone": self.link(f"zones/{zone}"),
                "machineType": self.link(f"zones/{zone}/machineTypes/{mt}"),
                "networkInterfaces": nics,
                "labels": body.get("labels") or {},
                "metadata": {
                    "fingerprint": "fp-0",
                    "items": (body.get("metadata") or {}).get("items") or [],
                },
                "disks": disks,
                "creationTimestamp": "2026-11-21T08:00:00.000-08:00",
                "selfLink": target,
            }

        return self._operation(zone, "insert", target, create)

    def _delete(self, zone: str, name: str) -> dict[str, Any]:
        self._instance(zone, name)

        def delete() -> None:
            inst = self._zone(zone).pop(name, None) or {}
            for disk in inst.get("disks") or []:
                if disk.get("autoDelete"):
                    self.disks.get(zone, {}).pop(disk["source"].rsplit("/", 1)[-1], None)

        return self._operation(zone, "delete", self.link(f"zones/{zone}/instances/{name}"), delete)

    def _set_metadata(self, zone: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        inst = self._instance(zone, name)
        if body.get("fingerprint") != inst["metadata"]["fingerprint"]:
            raise PeerError(
                412,
                "conditionNotMet",
                "Supplied fingerprint does not match current metadata fingerprint.",
            )

        def apply() -> None:
            n = int(inst["metadata"]["fingerprint"].split("-")[1]) + 1
            inst["metadata"] = {"fingerprint": f"fp-{n}", "items": body.get("items") or []}

        return self._operation(zone, "setMetadata", inst["selfLink"], apply)

    def _serial(self, zone: str, name: str) -> dict[str, Any]:
        inst = self._instance(zone, name)
        text = self.serial.get(name, f"[    0.000000] Linux version 6.1.0 ({name})\n")
        return {
            "kind": "compute#serialPortOutput",
            "contents": text,
            "start": "0",
            "next": str(len(text)),
            "selfLink": inst["selfLink"] + "/serialPort",
        }

    def _power(self, zone: str, name: str, verb: str) -> dict[str, Any]:
        inst = self._instance(zone, name)
        state = "RUNNING" if verb == "start" else "TERMINATED"
        return self._operation(zone, verb, inst["selfLink"], lambda: inst.update(status=state))

    def _add_access(self, zone: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        inst = self._instance(zone, name)
        nic = inst["networkInterfaces"][0]
        if nic.get("accessConfigs"):
            raise PeerError(400, "invalid", "At most one access config currently supported.")

        def attach() -> None:
            nic["accessConfigs"] = [
                {
                    "type": "ONE_TO_ONE_NAT",
                    "name": body.get("name", "External NAT"),
                    "natIP": f"192.0.2.{next(self._ips)}",
                }
            ]

        return self._operation(zone, "addAccessConfig", inst["selfLink"], attach)


@contextmanager
def gce_peer() -> Iterator[GcePeer]:
    peer = GcePeer()
    with serve(peer) as url:
        peer.url = url
        peer.reset()
        try:
            yield peer
        finally:
            peer.clear()
