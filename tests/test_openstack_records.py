"""The OpenStack public-IP strategy and address classification, table-driven
(the real-cloud tests cover one topology; clouds differ in many)."""

from __future__ import annotations

from typing import Any

import pytest

from hybridtui.domain import AddressKind, Network, PublicIpStrategy
from hybridtui.providers.openstack import records as rec

EXT4 = Network(id="e4", name="public", external=True, shared=True, cidrs=("198.51.100.0/24",))
EXT4_PRIVATE = Network(
    id="e4p", name="ext-net", external=True, shared=False, cidrs=("203.0.113.0/24",)
)
EXT6 = Network(id="e6", name="public-v6", external=True, shared=True, cidrs=("2001:db8:42::/64",))
TENANT = Network(id="t", name="private", cidrs=("10.0.0.0/24",))


@pytest.mark.parametrize(
    ("networks", "cfg", "router", "expected"),
    [
        (
            [EXT4_PRIVATE, TENANT],
            {},
            True,
            PublicIpStrategy.FLOATING_IP,
        ),  # DreamHost/HP: tenant + router
        (
            [EXT4_PRIVATE, TENANT],
            {"requires_floating_ip": True},
            False,
            PublicIpStrategy.FLOATING_IP,
        ),  # auro
        (
            [EXT4, TENANT],
            {"floating_ip_source": "None"},
            True,
            PublicIpStrategy.DIRECT,
        ),  # OVH: no FIPs
        ([EXT4], {}, False, PublicIpStrategy.DIRECT),  # provider network, no router
        ([EXT6, TENANT], {}, False, PublicIpStrategy.IPV6_ONLY),
        ([TENANT], {}, False, PublicIpStrategy.NONE),  # private cloud: jump host
    ],
    ids=[
        "tenant+router",
        "requires_fip",
        "fip_source_none",
        "provider_net",
        "ipv6_only",
        "private",
    ],
)
def test_public_ip_strategy(
    networks: list[Network], cfg: dict[str, Any], router: bool, expected: PublicIpStrategy
) -> None:
    b = rec.behaviour(networks, [], cfg, router)
    assert b.public_ip is expected
    assert b.needs_jump_host is (expected is PublicIpStrategy.NONE)


def test_vendor_and_network_flags_become_notes() -> None:
    cfg = {
        "floating_ip_source": "neutron",
        "requires_floating_ip": True,
        "nat_destination": "private",
        "networks": [
            {"name": "Public Internet", "routes_externally": True, "default_interface": True},
            {"name": "Private Network (Floating Public)", "nat_destination": True},
        ],
    }
    notes = rec.behaviour([EXT4_PRIVATE, TENANT], [], cfg, True).notes
    assert "requires_floating_ip: true" in notes
    assert "nat_destination: private" in notes
    assert "network Public Internet: routes_externally, default_interface" in notes
    assert "network Private Network (Floating Public): nat_destination" in notes


def test_address_classification() -> None:
    server = {
        "addresses": {
            "private": [
                {"addr": "10.0.0.5", "version": 4, "OS-EXT-IPS:type": "fixed"},
                {"addr": "203.0.113.9", "version": 4, "OS-EXT-IPS:type": "floating"},
            ],
            "Ext-Net": [{"addr": "198.51.100.7", "version": 4, "OS-EXT-IPS:type": "fixed"}],
            "v6net": [{"addr": "2a01:4f8::5", "version": 6, "OS-EXT-IPS:type": "fixed"}],
        }
    }
    kinds = {a.ip: a.kind for a in rec.addresses(server, {"Ext-Net"})}
    assert kinds == {
        "10.0.0.5": AddressKind.FIXED,
        "203.0.113.9": AddressKind.FLOATING,
        "198.51.100.7": AddressKind.PUBLIC,  # fixed, but on an external network
        "2a01:4f8::5": AddressKind.PUBLIC,  # a global IPv6 address
    }
