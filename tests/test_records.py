"""Record codecs (`Resource.to_dict` / `from_dict`, written out per type) and
`Node.public_ip`, on every kind of every demo profile: what the cache stores
comes back equal, raw record included."""

from __future__ import annotations

import pytest
from conftest import sim_cloud

from hybridtui.config import AppConfig
from hybridtui.domain import Address, AddressKind, Node, ResourceKind
from hybridtui.inventory.poller import Poller
from hybridtui.jsonio import dumps, loads
from hybridtui.providers import targets_for
from hybridtui.providers.simulator.profiles import PROFILES


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_record_round_trips_through_json(profile: str) -> None:
    ts = targets_for(AppConfig.validate({"clouds": [sim_cloud("c", profile)]}))
    snap = next(iter(Poller(ts).poll())).snapshot
    assert snap is not None
    seen = 0
    for kind in ResourceKind:
        for record in snap.resources(kind):
            data = loads(dumps(record.to_dict()))
            back = type(record).from_dict(data)
            assert back == record
            assert dict(back.raw) == dict(record.raw)  # raw is not compared by ==
            assert back.to_dict() == data
            seen += 1
    assert seen > 50


def _by_sort(node: Node) -> str:
    """The definition `public_ip` had before it was written as one pass."""
    public = [a for a in node.addresses if a.is_public]
    public.sort(key=lambda a: (a.version != 4, a.kind != AddressKind.FLOATING))
    return public[0].ip if public else ""


@pytest.mark.parametrize(
    "addresses",
    [
        (),
        (Address("10.0.0.5", 4, AddressKind.FIXED),),
        (
            Address("2001:db8::5", 6, AddressKind.PUBLIC),
            Address("10.0.0.5", 4, AddressKind.FIXED),
            Address("203.0.113.9", 4, AddressKind.PUBLIC),
            Address("203.0.113.7", 4, AddressKind.FLOATING),
        ),
        (
            Address("2606:4700::1", 6, AddressKind.FIXED),  # global IPv6 on a fixed port
            Address("10.0.0.5", 4, AddressKind.FIXED),
        ),
        (
            Address("198.51.100.1", 4, AddressKind.PUBLIC),
            Address("198.51.100.2", 4, AddressKind.PUBLIC),
        ),
    ],
)
def test_public_ip_prefers_ipv4_then_floating_then_the_first(
    addresses: tuple[Address, ...],
) -> None:
    node = Node(id="i", name="n", addresses=addresses)
    assert node.public_ip == _by_sort(node)


def test_decoded_records_share_their_repeated_values() -> None:
    """Each decoded JSON string is an object of its own; `from_dict` shares
    the values that repeat across records (flavor, zone, account, network),
    not the ones that are each record's own (id, name)."""
    ts = targets_for(AppConfig.validate({"clouds": [sim_cloud("c", "aws-default-vpc", nodes=300)]}))
    snap = next(iter(Poller(ts).poll())).snapshot
    assert snap is not None
    data = loads(dumps([n.to_dict() for n in snap.nodes]))
    nodes = [Node.from_dict(d) for d in data]
    for field in ("flavor", "zone", "key_name", "login_user", "raw_state"):
        objects: dict[str, set[int]] = {}
        for n in nodes:
            objects.setdefault(getattr(n, field), set()).add(id(getattr(n, field)))
        assert len(objects) < len(nodes) / 5, f"{field} repeats across nodes"
        copied = {v for v, ids in objects.items() if len(ids) > 1}
        assert not copied, f"{field} {sorted(copied)[:3]} decoded as a copy per record"
    networks = {id(a.network) for n in nodes for a in n.addresses}
    assert len(networks) < len(nodes) / 10
    assert len({id(n.name) for n in nodes}) == len(nodes), "names are each node's own"
