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
    ts = targets_for(AppConfig.model_validate({"clouds": [sim_cloud("c", profile)]}))
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
