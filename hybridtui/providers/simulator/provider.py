"""The simulator provider: demo clouds that behave like real ones, with no network.

It implements the whole provider contract, write operations included, so the
eight-step provisioning runs on it unchanged: a projector demo needs no
credentials. Latency, jitter and faults (hang, HTTP 500, expired token) are
per-cloud knobs so a demo can show a failing cloud next to healthy ones.
"""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path
from typing import Any, ClassVar

from hybridtui import jsonio
from hybridtui.config import GCE_IMAGE_FAMILIES, CloudBase, Fault, SimulatorCloud
from hybridtui.domain import (
    Address,
    CloudBehaviour,
    CloudKind,
    Flavor,
    Image,
    KeyPair,
    Network,
    Node,
    NodeSpec,
    PublicAddress,
    ResourceKind,
    Router,
    SecurityGroup,
)
from hybridtui.errors import (
    AuthError,
    CloudTimeoutError,
    CloudUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
)
from hybridtui.providers.base import Capability, Provider
from hybridtui.providers.simulator.epoch import made_now
from hybridtui.providers.simulator.guest import DemoNodeAccess
from hybridtui.providers.simulator.profiles import PROFILES, DemoProfile
from hybridtui.providers.simulator.world import World
from hybridtui.providers.simulator.worldgen import make_world


class SimulatorProvider(Provider):
    kind: ClassVar[CloudKind] = CloudKind.SIMULATOR
    capabilities: ClassVar[Capability] = Capability.READ | Capability.WRITE

    def __init__(self, name: str, config: CloudBase, region: str | None = None) -> None:
        super().__init__(name, config, region)
        assert isinstance(config, SimulatorCloud)
        self.sim: SimulatorCloud = config
        self.profile: DemoProfile = PROFILES[config.profile]
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._fault_rng = random.Random(config.seed ^ 0x5EED)
        self._world: World | None = None  # generated on first call, off the UI thread
        self.fault: Fault = config.fault
        self.fault_rate: float = config.fault_rate

    # -------------------------------------------------------------- plumbing
    def _call(self, op: str, kind: ResourceKind | None = None) -> World:
        """Every API call: wait the configured latency, maybe fail, then answer.
        `kind` is the resource kind a listing reads (faults can target kinds)."""
        targeted = (
            not self.sim.fault_kinds or (kind is not None and kind in self.sim.fault_kinds)
        ) and (not self.sim.fault_ops or op in self.sim.fault_ops)
        with self._lock:
            self.calls += 1
            jitter = self._fault_rng.uniform(0, self.sim.jitter) if self.sim.jitter else 0.0
            hit = (
                self.fault is not Fault.NONE
                and targeted
                and self._fault_rng.random() < self.fault_rate
            )
        delay = self.sim.latency + jitter
        if delay and self._closed.wait(delay):
            raise CloudTimeoutError(f"{self.name}: {op} cancelled (provider closed)")
        if hit:
            self._raise_fault(op)
        with self._lock:
            if self._world is None:
                self._world = make_world(self.profile, self.sim.seed, self.sim.nodes)
                self._world.restore(self._load_state())
            return self._world

    # ----------------------------------------------------------- persistence
    def _state_path(self) -> Path:
        """What hybridtui made on this demo cloud survives the process (a node
        provisioned headless shows up in the dashboard, `destroy` removes it)."""
        from hybridtui.paths import resolve_paths

        return (
            resolve_paths().cache_dir
            / "demo-state"
            / f"{self.name}-{self.profile.key}-{self.sim.seed}.json"
        )

    def _load_state(self) -> dict[str, Any]:
        path = self._state_path()
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):  # a damaged state file: start from the seed again
            return {}
        return data

    def _save_state(self) -> None:
        """Atomically (write, then rename) after every write operation; the
        caller holds the provider lock."""
        if self._world is None:
            return
        path = self._state_path()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
        # jsonio: a node's record is kept as a RawRecord, which the standard
        # library's encoder would write as its repr
        tmp.write_bytes(jsonio.dumps(self._world.state()))
        tmp.replace(path)

    def _raise_fault(self, op: str) -> None:
        if self.fault is Fault.TIMEOUT:
            # A hung API: block until the caller gives up and closes us.
            self._closed.wait()
            raise CloudTimeoutError(f"{self.name}: {op} did not answer")
        if self.fault is Fault.HTTP_500:
            raise CloudUnavailableError(
                f"{self.name}: HTTP 500 Internal Server Error from the compute API ({op}, simulated)",
                hint="The cloud's API is failing; hybridtui retries with back-off.",
            )
        if self.fault is Fault.EXPIRED_CREDENTIALS:
            raise AuthError(
                f"{self.name}: HTTP 401 Unauthorized: the token has expired (simulated)",
                hint="Renew the credentials (demo: set fault: none).",
            )
        if self.fault is Fault.FORBIDDEN:
            raise PermissionDeniedError(
                f"{self.name}: HTTP 403 Forbidden: {op} is not allowed for this account (simulated)",
                hint="The credentials lack this permission; the rest of the cloud is still shown.",
            )

    def close(self) -> None:
        self._closed.set()

    # ------------------------------------------------------------------ read
    def list_nodes(self) -> list[Node]:
        world = self._call("list nodes", ResourceKind.NODES)
        with self._lock:
            world.tick()
            return list(world.nodes.values())

    def list_flavors(self) -> list[Flavor]:
        return list(self._call("list flavors", ResourceKind.FLAVORS).flavors)

    def list_images(self) -> list[Image]:
        """What hybridtui's adapter for this cloud lists from the catalogue (the
        world's nodes may run older images, as real ones do): AWS the newest 3
        of each well-known AMI series, GCE the newest image of each family the
        adapter lists by default (`image_families`),
        OpenStack every image Glance shows."""
        images = self._call("list images", ResourceKind.IMAGES).images
        if self.profile.style == "aws":
            from hybridtui.providers.aws.records import latest_per_series

            return latest_per_series(images)
        if self.profile.style == "gce":  # in the adapter's order: as configured
            newest: dict[str, Image] = {}
            for image in images:
                family = f"{image.visibility}/{image.raw.get('family')}"
                if family in GCE_IMAGE_FAMILIES and (
                    family not in newest or image.created_at > newest[family].created_at
                ):
                    newest[family] = image
            return [newest[f] for f in GCE_IMAGE_FAMILIES if f in newest]
        return list(images)

    def list_networks(self) -> list[Network]:
        return list(self._call("list networks", ResourceKind.NETWORKS).networks)

    def list_keys(self) -> list[KeyPair]:
        world = self._call("list keys", ResourceKind.KEYS)
        with self._lock:
            return world.key_records()

    def list_addresses(self) -> list[PublicAddress]:
        world = self._call("list addresses", ResourceKind.ADDRESSES)
        with self._lock:
            return world.address_records()

    def list_security_groups(self) -> list[SecurityGroup]:
        world = self._call("list security groups", ResourceKind.SECURITY_GROUPS)
        with self._lock:
            return world.security_groups()

    def list_routers(self) -> list[Router]:
        world = self._call("list routers", ResourceKind.ROUTERS)
        with self._lock:
            return world.routers()

    def behaviour(self) -> CloudBehaviour:
        return self.profile.behaviour

    # ----------------------------------------------------------------- write
    def import_key(self, name: str, public_key: str) -> str:
        world = self._call("import key")
        with self._lock:
            if name in world.keys:
                raise ProviderError(
                    f"{self.name}: key pair {name!r} already exists", title="Conflict"
                )
            world.keys[name] = public_key
            world.key_created[name] = made_now()
            world.managed.add(name)
            self._save_state()
        return name

    def delete_key(self, name: str) -> None:
        world = self._call("delete key")
        with self._lock:
            if world.keys.pop(name, None) is None and self.key_objects:
                raise NotFoundError(f"{self.name}: key pair {name!r} not found")
            world.managed.discard(name)
            if self.profile.style == "gce":
                world.drop_metadata_key(name)
            self._save_state()

    def create_node(self, spec: NodeSpec) -> Node:
        world = self._call("create node")
        with self._lock:
            node = world.create(self.name, spec)
            self._save_state()
            return node

    def get_node(self, node_id: str) -> Node:
        world = self._call("get node")
        with self._lock:
            return world.get(self.name, node_id)

    def ensure_public_address(self, node_id: str, pool: str | None = None) -> Address:
        world = self._call("public address")
        with self._lock:
            addr = world.public_address(self.name, node_id, pool)
            self._save_state()
            return addr

    def release_address(self, address: PublicAddress) -> None:
        world = self._call("release address")
        with self._lock:
            if address.ip not in world.managed:
                raise NotFoundError(f"{self.name}: no address {address.ip} made by hybridtui")
            if world.fips.get(address.ip):
                raise ProviderError(
                    f"{self.name}: {address.ip} is attached to {world.fips[address.ip]}",
                    title="Address in use",
                )
            world.release_address(address.ip)
            self._save_state()

    def delete_node(self, node_id: str) -> None:
        world = self._call("delete node")
        with self._lock:
            world.get(self.name, node_id)
            node = world.nodes.pop(node_id)
            world.guests.pop(node_id, None)
            world.release_addresses(node)
            self._save_state()

    @property
    def key_objects(self) -> bool:
        return self.profile.style != "gce"

    def node_access(self, node_id: str, node_key: str) -> DemoNodeAccess:
        """Steps 6–8 on a demo node: the image model instead of SSH."""
        return DemoNodeAccess(self, node_id, node_key)

    # --------------------------------------------------------- for the tests
    def key_material(self) -> dict[str, str]:
        with self._lock:
            return dict(self._world.keys) if self._world else {}

    def floating_ips(self) -> dict[str, str]:
        """Allocated floating IP → node id ('' when free)."""
        with self._lock:
            return dict(self._world.fips) if self._world else {}
