"""The provider contract: the only thing the poller, provisioning and UI see of a cloud.

Constructors are cheap (no I/O, no SDK import) so the app can build every
provider before first paint; SDKs load on the first call, in a worker thread.
Calls are synchronous because every cloud SDK is: the poller runs them in threads.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import Flag, auto
from typing import Any, ClassVar

from hybridtui.config import CloudBase
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
    Router,
    SecurityGroup,
)
from hybridtui.errors import AdapterMissingError, ProviderError, UnsupportedError


class Capability(Flag):
    """What a provider can do; the UI asks before offering an action."""

    NONE = 0
    READ = auto()
    IMPORT_KEY = auto()
    CREATE_NODE = auto()
    PUBLIC_ADDRESS = auto()
    DELETE_KEY = auto()
    DELETE_NODE = auto()
    WRITE = IMPORT_KEY | CREATE_NODE | PUBLIC_ADDRESS | DELETE_KEY | DELETE_NODE


@dataclass(frozen=True, slots=True)
class Inventory:
    """Everything one refresh of one cloud returns."""

    nodes: tuple[Node, ...]
    flavors: tuple[Flavor, ...]
    images: tuple[Image, ...]
    networks: tuple[Network, ...]
    behaviour: CloudBehaviour | None = None
    keys: tuple[KeyPair, ...] = ()
    addresses: tuple[PublicAddress, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    routers: tuple[Router, ...] = ()
    #: False when flavors, images and networks were not fetched this time (the
    #: poller then keeps the previous ones).
    catalogue: bool = True


class Provider(ABC):
    """One pane's worth of cloud: a simulator profile, an OpenStack cloud, an AWS
    region or a GCE project."""

    kind: ClassVar[CloudKind]
    capabilities: ClassVar[Capability] = Capability.READ

    def __init__(self, name: str, config: CloudBase, region: str | None = None) -> None:
        self.name = name
        self.config = config
        self.region = region

    # ------------------------------------------------------------------ read
    def fetch_inventory(self, catalogue: bool = True) -> Inventory:
        """One refresh; with `catalogue=False` flavors, images and networks are skipped.
        Adapters may override to share a session or paginate in parallel."""
        return Inventory(
            nodes=tuple(self.list_nodes()),
            flavors=tuple(self.list_flavors()) if catalogue else (),
            images=tuple(self.list_images()) if catalogue else (),
            networks=tuple(self.list_networks()) if catalogue else (),
            behaviour=self.behaviour() if catalogue else None,
            keys=tuple(self.list_keys()),
            addresses=tuple(self.list_addresses()),
            security_groups=tuple(self.list_security_groups()),
            routers=tuple(self.list_routers()),
            catalogue=catalogue,
        )

    @abstractmethod
    def list_nodes(self) -> list[Node]: ...

    @abstractmethod
    def list_flavors(self) -> list[Flavor]: ...

    @abstractmethod
    def list_images(self) -> list[Image]: ...

    @abstractmethod
    def list_networks(self) -> list[Network]: ...

    def list_keys(self) -> list[KeyPair]:
        """Registered SSH keys; the contract tests use it to prove nothing leaked."""
        return []

    def list_addresses(self) -> list[PublicAddress]:
        """Allocated public addresses (Elastic IPs, floating IPs), attached or not."""
        return []

    def list_security_groups(self) -> list[SecurityGroup]:
        return []

    def list_routers(self) -> list[Router]:
        return []

    @abstractmethod
    def behaviour(self) -> CloudBehaviour:
        """What this cloud does at each of the eight steps (for the scorecard)."""

    # ----------------------------------------------------------------- write
    # Optional: the default says "unsupported" so a read-only adapter is complete.
    def import_key(self, name: str, public_key: str) -> str:
        """Step 1: register a node-specific public key; returns the key's cloud name."""
        raise UnsupportedError(f"{self.name}: importing keys is not supported")

    def delete_key(self, name: str) -> None:
        """Step 8: remove the node-specific key from the cloud."""
        raise UnsupportedError(f"{self.name}: deleting keys is not supported")

    def create_node(self, spec: NodeSpec) -> Node:
        """Step 4: request a node; returns it as first seen (usually building)."""
        raise UnsupportedError(f"{self.name}: creating nodes is not supported")

    def get_node(self, node_id: str) -> Node:
        raise UnsupportedError(f"{self.name}: reading a single node is not supported")

    def ensure_public_address(self, node_id: str, pool: str | None = None) -> Address:
        """Step 5: the node's public address, allocating and attaching one if the
        cloud needs it (floating IP, Elastic IP)."""
        raise UnsupportedError(f"{self.name}: public addresses are not supported")

    def delete_node(self, node_id: str) -> None:
        raise UnsupportedError(f"{self.name}: deleting nodes is not supported")

    def close(self) -> None:
        """Release sessions and wake any call blocked in this provider."""


class SdkProvider(Provider):
    """Base for the adapters over a cloud SDK: the SDK's clients are built once,
    lazily (in a poll worker, never on the way to first paint), and every SDK call
    goes through `_call`, the one place where its exceptions become `ProviderError`s."""

    #: Module to import, pip extra that installs it, and its name for the user.
    SDK_MODULE: ClassVar[str]
    SDK_EXTRA: ClassVar[str]
    SDK_NAME: ClassVar[str]

    def __init__(self, name: str, config: CloudBase, region: str | None = None) -> None:
        super().__init__(name, config, region)
        self._lock = threading.Lock()
        self._sessions: dict[str, Any] = {}

    def _require_sdk(self) -> None:
        try:
            importlib.import_module(self.SDK_MODULE)
        except ModuleNotFoundError as e:
            raise AdapterMissingError(
                f"{self.name}: the {self.kind} adapter needs {self.SDK_NAME} ({e.name} is not installed)",
                hint=f"pip install 'hybridtui[{self.SDK_EXTRA}]'",
            ) from e

    def _session(self, key: str, make: Callable[[], Any]) -> Any:
        """The SDK object `key` (a client, a connection), built by `make` on first use."""
        with self._lock:
            if key not in self._sessions:
                self._require_sdk()
                self._sessions[key] = make()
            return self._sessions[key]

    def _close_session(self, session: Any) -> None:
        session.close()

    def close(self) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for s in sessions:
            with contextlib.suppress(Exception):  # closing is best effort
                self._close_session(s)

    def _call(self, op: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except ProviderError:
            raise
        except Exception as e:  # the SDK's own hierarchy: each adapter maps it
            raise self._map_error(op, e) from e

    @abstractmethod
    def _map_error(self, op: str, e: Exception) -> ProviderError:
        """A clear, user-facing error for an SDK exception raised by `op`."""
