"""The provider contract: the only thing the poller, provisioning and UI see of a cloud.

Constructors are cheap (no I/O, no SDK import) so the app can build every
provider before first paint; SDKs load on the first call, in a worker thread.
Calls are synchronous because every cloud SDK is: the poller runs them in threads.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Flag, auto
from typing import Any, ClassVar, Protocol, TypeVar

from hybridtui.config import CloudBase
from hybridtui.domain import (
    CATALOGUE_KINDS,
    Address,
    CloudBehaviour,
    CloudKind,
    Flavor,
    Image,
    KeyPair,
    Network,
    Node,
    NodeSpec,
    NodeState,
    PublicAddress,
    Resource,
    ResourceKind,
    Router,
    SecurityGroup,
)
from hybridtui.errors import (
    AdapterMissingError,
    CancelledError,
    CloudTimeoutError,
    HybridError,
    NotFoundError,
    ProviderError,
    UnsupportedError,
)

K = TypeVar("K")
V = TypeVar("V")


class CloudSnapshotLike(Protocol):
    """What `prime` reads of a snapshot (the inventory layer's `CloudSnapshot`;
    providers never import the inventory layer)."""

    def resources(self, kind: ResourceKind) -> tuple[Resource, ...]: ...


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


#: Every kind a refresh can ask for, nodes first: an operator looks for nodes
#: first, and they are submitted first when the calls run at once.
ALL_KINDS: tuple[ResourceKind, ...] = tuple(ResourceKind)


def kind_order(kinds: Collection[ResourceKind] | None) -> list[ResourceKind]:
    """`kinds` (None: all) in the canonical order, nodes first."""
    wanted = set(ALL_KINDS if kinds is None else kinds)
    return [k for k in ALL_KINDS if k in wanted]


@dataclass(frozen=True, slots=True)
class Inventory:
    """What one refresh of one cloud returned, kind by kind.

    A kind is in `records` when its listing succeeded and in `errors` when it
    failed; a kind that was not asked for is in neither (the poller keeps the
    previous records). One failing kind never costs the others.
    """

    records: Mapping[ResourceKind, tuple[Resource, ...]] = field(default_factory=dict)
    errors: Mapping[ResourceKind, ProviderError] = field(default_factory=dict)
    #: Recomputed when the kinds it is inferred from were fetched, else None.
    behaviour: CloudBehaviour | None = None

    def get(self, kind: ResourceKind) -> tuple[Resource, ...]:
        return self.records.get(kind, ())

    def _typed(self, kind: ResourceKind) -> tuple[Any, ...]:
        """A kind's records as the typed properties below return them (each
        kind holds only its own class: the adapters' records functions)."""
        return self.records.get(kind, ())

    @property
    def nodes(self) -> tuple[Node, ...]:
        return self._typed(ResourceKind.NODES)

    @property
    def flavors(self) -> tuple[Flavor, ...]:
        return self._typed(ResourceKind.FLAVORS)

    @property
    def images(self) -> tuple[Image, ...]:
        return self._typed(ResourceKind.IMAGES)

    @property
    def networks(self) -> tuple[Network, ...]:
        return self._typed(ResourceKind.NETWORKS)

    @property
    def keys(self) -> tuple[KeyPair, ...]:
        return self._typed(ResourceKind.KEYS)

    @property
    def addresses(self) -> tuple[PublicAddress, ...]:
        return self._typed(ResourceKind.ADDRESSES)

    @property
    def security_groups(self) -> tuple[SecurityGroup, ...]:
        return self._typed(ResourceKind.SECURITY_GROUPS)

    @property
    def routers(self) -> tuple[Router, ...]:
        return self._typed(ResourceKind.ROUTERS)


def as_provider_error(cloud: str, e: BaseException) -> ProviderError:
    """Any exception from an adapter as a `ProviderError` (an adapter bug must
    not take the poller, or the other kinds, down with it)."""
    if isinstance(e, ProviderError):
        return e
    if isinstance(e, HybridError):
        return ProviderError(e.message, title=e.title, hint=e.hint)
    return ProviderError(f"{cloud}: unexpected {type(e).__name__}: {e}", title="Adapter error")


#: Listings running at once across every cloud (headless: no limit).
_slots = threading.BoundedSemaphore(1024)
_lane = threading.local()
_cutoff = threading.local()


def limit_calls(n: int) -> None:
    """Run at most `n` listings at once in this process. Each is a thread that
    also parses and normalizes what came back, holding the interpreter lock:
    with 50 clouds x 8 kinds in flight the dashboard's UI thread waited up to
    a second for its turn; with 8 at a time, 70 ms at the 99th percentile and
    the refresh is no slower (bench/scale.py). Calls over the limit wait for a
    slot, not for the lock. The headless commands have no UI and no limit."""
    global _slots
    _slots = threading.BoundedSemaphore(n)


def timed_out(cloud: str, limit: float) -> CloudTimeoutError:
    return CloudTimeoutError(
        f"{cloud}: no answer within {limit:g} s",
        hint="The cloud is slow or unreachable; raise `timeout` for it if it is just slow.",
    )


@contextlib.contextmanager
def deadline(at: float, limit: float) -> Iterator[list[threading.Thread]]:
    """`gather` calls made in this thread give up waiting at `at`
    (`time.monotonic()`): the calls that answered are returned and the rest
    fail with "no answer within `limit` s", so one hung listing costs only its
    kind, not the whole refresh. The calls still running are appended to the
    list yielded, for the caller to wait for before asking the cloud again."""
    _cutoff.at, _cutoff.limit, _cutoff.late = at, limit, []
    try:
        yield _cutoff.late
    finally:
        _cutoff.at = None


def gather(
    cloud: str, tasks: Mapping[K, Callable[[], V]]
) -> tuple[dict[K, V], dict[K, ProviderError]]:
    """Run independent calls at once; each succeeds or fails on its own.

    Used for the kinds of one refresh, and by adapters for independent calls
    inside one kind. Tasks start in the mapping's order (nodes first). Threads,
    because every cloud SDK is synchronous; the SDK's own timeouts bound each,
    and a `deadline` set by the caller bounds the wait for all of them.
    Daemon threads, not a ThreadPoolExecutor: its workers are joined when the
    interpreter exits, so one call hung in an SDK would hold `q` and the CLI.
    """
    results: dict[K, V] = {}
    errors: dict[K, ProviderError] = {}
    nested = getattr(_lane, "held", False)  # a call inside a call: its slot is the caller's
    slots = _slots
    at: float | None = getattr(_cutoff, "at", None)

    def run(key: K, fn: Callable[[], V]) -> None:
        if not nested:
            slots.acquire()
            _lane.held = True
        try:
            results[key] = fn()
        except Exception as e:  # each call fails on its own
            errors[key] = as_provider_error(cloud, e)
        finally:
            if not nested:
                _lane.held = False
                slots.release()

    if len(tasks) == 1 and at is None:  # no thread for a single call
        run(*next(iter(tasks.items())))
        return results, errors
    threads = {
        key: threading.Thread(target=run, args=(key, fn), name=f"fetch:{cloud}", daemon=True)
        for key, fn in tasks.items()
    }
    for t in threads.values():
        t.start()
    for t in threads.values():
        t.join(None if at is None else max(0.0, at - time.monotonic()))
    late = [key for key, t in threads.items() if t.is_alive()]
    if not late:
        return results, errors
    # the late calls may still write into `results` and `errors`: answer with copies
    _cutoff.late.extend(threads[key] for key in late)
    done = [key for key in threads if key not in late]
    return (
        {k: results[k] for k in done if k in results},
        {
            **{k: errors[k] for k in done if k in errors},
            **{k: timed_out(cloud, _cutoff.limit) for k in late},
        },
    )
    threads = [
        threading.Thread(target=run, args=item, name=f"fetch:{cloud}", daemon=True)
        for item in tasks.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


class Provider(ABC):
    """One pane's worth of cloud: a simulator profile, an OpenStack cloud, an AWS
    region or a GCE project."""

    kind: ClassVar[CloudKind]
    capabilities: ClassVar[Capability] = Capability.READ
    #: The kinds this provider really lists; the others are always empty (and
    #: their empty answer says nothing about whether the cloud is reachable).
    LISTS: ClassVar[frozenset[ResourceKind]] = frozenset(ResourceKind)

    #: The SDK's distribution name, whose version the health view shows ("": none).
    SDK_NAME: ClassVar[str] = ""

    def __init__(self, name: str, config: CloudBase, region: str | None = None) -> None:
        self.name = name
        self.config = config
        self.region = region
        #: SDK operations made so far (a listing's pages count one each where the
        #: adapter pages itself): the health view shows them per refresh.
        self.calls = 0

    # ------------------------------------------------------------------ read
    def fetch_inventory(self, kinds: Collection[ResourceKind] | None = None) -> Inventory:
        """One refresh of `kinds` (None: all of them), every kind's listing in
        flight at once and failing on its own. Adapters override `_fetch_kinds`
        when kinds share calls, and `_behaviour_from` to infer the behaviour."""
        wanted = kind_order(kinds)
        records, errors = self._fetch_kinds([k for k in wanted if k in self.LISTS])
        records.update({k: () for k in wanted if k not in self.LISTS})
        return Inventory(records=records, errors=errors, behaviour=self._behaviour_from(records))

    def _listers(self) -> dict[ResourceKind, Callable[[], list[Any]]]:
        """The call that lists each kind (an adapter may return raw records for
        a kind and describe them in its `_fetch_kinds`)."""
        return {
            ResourceKind.NODES: self.list_nodes,
            ResourceKind.FLAVORS: self.list_flavors,
            ResourceKind.IMAGES: self.list_images,
            ResourceKind.NETWORKS: self.list_networks,
            ResourceKind.KEYS: self.list_keys,
            ResourceKind.ADDRESSES: self.list_addresses,
            ResourceKind.SECURITY_GROUPS: self.list_security_groups,
            ResourceKind.ROUTERS: self.list_routers,
        }

    def _fetch_kinds(
        self, kinds: list[ResourceKind]
    ) -> tuple[dict[ResourceKind, tuple[Resource, ...]], dict[ResourceKind, ProviderError]]:
        listers = self._listers()
        results, errors = gather(self.name, {k: listers[k] for k in kinds})
        return {k: tuple(v) for k, v in results.items()}, errors

    def _behaviour_from(
        self, records: Mapping[ResourceKind, tuple[Resource, ...]]
    ) -> CloudBehaviour | None:
        """The behaviour, when this refresh fetched what it is inferred from
        (the catalogue); None keeps the previous one."""
        if not any(k in records for k in CATALOGUE_KINDS):
            return None
        try:
            return self.behaviour()
        except Exception:  # the behaviour is a bonus: never fail a refresh for it
            return None

    def prime(self, snapshot: CloudSnapshotLike) -> None:
        """Learn the last known catalogue (from the cache or the previous
        refresh), so nodes can be described (image names, login hints, public
        networks) on a refresh that does not fetch the catalogue itself."""

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

    @property
    def key_objects(self) -> bool:
        """The cloud has key objects (EC2 key pairs, Nova keypairs) that exist on
        their own; False where keys live only in nodes (GCE ssh-keys metadata),
        so deleting a key that is on no node is nothing to do, not an error."""
        return True

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

    def release_address(self, address: PublicAddress) -> None:
        """Give back a free public address hybridtui allocated (an Elastic IP, a
        floating IP) that no node holds any more: what clean-up finds after a
        run was killed between allocating and attaching, or a node deleted
        elsewhere. Refuses an address hybridtui did not make."""
        raise UnsupportedError(f"{self.name}: releasing addresses is not supported")

    def console_output(self, node_id: str) -> str:
        """The node's console (serial port) log, where cloud-init prints the SSH
        host key fingerprints; "" where the cloud offers none. Step 6 compares
        the host key it is shown with these, as `ssh` users are told to."""
        return ""

    def delete_node(self, node_id: str) -> None:
        """Ask the cloud to delete a node (and the addresses hybridtui allocated
        for it); returns once the request is accepted: `wait_for` DELETED."""
        raise UnsupportedError(f"{self.name}: deleting nodes is not supported")

    def wait_for(
        self,
        node_id: str,
        state: NodeState,
        deadline: float,
        cancel: threading.Event | None = None,
    ) -> Node:
        """Poll until the node is in `state`, by `deadline` (`time.monotonic()`),
        woken at once by `cancel`. One definition for every cloud: `create_node`
        and `delete_node` return when the cloud accepted the request (OpenStack
        while BUILD, EC2 while pending, GCE when its zone operation is done),
        and the engine waits here. A node the cloud no longer knows counts as
        DELETED. ERROR (or vanishing while waited on to run) fails at once."""
        delay = 0.2
        last: Node | None = None
        while True:
            try:
                node = self.get_node(node_id)
            except NotFoundError:
                if state is not NodeState.DELETED:
                    raise
                gone = last or Node(id=node_id, name=node_id)
                return dataclasses.replace(gone, state=NodeState.DELETED)
            last = node
            if node.state is state:
                return node
            if node.state in (NodeState.ERROR, NodeState.DELETED):
                raise ProviderError(
                    f"{self.name}: {node.name} went to {node.raw_state or node.state}"
                    f" while waiting for {state}",
                    title="Node failed",
                    hint="The cloud's console or event log says why (quota, image, host).",
                )
            if time.monotonic() > deadline:
                raise CloudTimeoutError(
                    f"{self.name}: {node.name} still {node.raw_state or node.state}, not {state},"
                    " at the deadline",
                    hint="Raise the timeout, or look at the node in the cloud's console.",
                )
            if cancel is not None and cancel.wait(delay):
                raise CancelledError(f"{self.name}: cancelled while waiting for {node.name}")
            if cancel is None:
                time.sleep(delay)
            delay = min(delay * 2, 5.0)

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

    def _import_sdk(self) -> None:
        """Import the SDK, so that a missing one is said before any call."""
        importlib.import_module(self.SDK_MODULE)

    def _require_sdk(self) -> None:
        try:
            self._import_sdk()
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
        with self._lock:
            self.calls += 1
        try:
            return fn()
        except ProviderError:
            raise
        except Exception as e:  # the SDK's own hierarchy: each adapter maps it
            raise self._map_error(op, e) from e

    @abstractmethod
    def _map_error(self, op: str, e: Exception) -> ProviderError:
        """A clear, user-facing error for an SDK exception raised by `op`."""
