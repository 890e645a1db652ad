"""Where a new GCE node goes: the network interface `instances.insert` takes
for what step 3 picked or `overrides.network` names. GCE's own rules decide
it (an auto-mode network places a node itself; a custom-mode one needs its
subnetwork named; a subnetwork serves its own region only), and a spec they
refuse is refused here, with the names there are, before anything is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hybridtui.domain import Network
from hybridtui.errors import ProviderError
from hybridtui.providers.gce.records import last


def interface(
    wanted: str, zone: str, networks: Callable[[], list[Network]], where: str
) -> dict[str, Any]:
    """The node's network interface on `wanted`: a subnetwork as the networks
    tab and step 3 name it (`default/europe-west1`, `prod-vpc/prod-web`) or
    by id, which is both its network and itself; or a network by name. An
    auto-mode network puts the node on its subnetwork of the zone's region
    by itself; a custom-mode one needs the subnetwork named, which is taken
    when the network has exactly one in that region. The API takes neither
    `global/networks/default/europe-west1` nor a custom-mode network alone."""
    region = zone.rsplit("-", 1)[0]
    if wanted == "default":  # the auto-mode network every project starts with
        return {"network": "global/networks/default"}
    listed = networks()
    subnets = [n for n in listed if n.zone]
    chosen = next((n for n in subnets if wanted in (n.name, n.id)), None)
    if chosen is None:
        network = next((n for n in listed if not n.zone and wanted in (n.name, n.id)), None)
        if network is None:
            have = ", ".join(n.name for n in listed) or "none"
            raise ProviderError(
                f"{where}: network or subnetwork {wanted!r} not found (have: {have})",
                title="Not found",
                hint="Set overrides.network to one of these, as the Networks tab names it.",
            )
        if network.raw.get("auto_create_subnetworks", network.raw.get("autoCreateSubnetworks")):
            return {"network": f"global/networks/{network.name}"}
        here = [
            n
            for n in subnets
            if n.zone == region and last(str(n.raw.get("network", ""))) == network.name
        ]
        if len(here) != 1:
            names = ", ".join(n.name for n in here) or f"none in {region}"
            raise ProviderError(
                f"{where}: custom-mode network {network.name!r} needs a subnetwork"
                f" of region {region} named ({names})",
                title="Choose a subnetwork",
                hint="Set overrides.network to the subnetwork, as the Networks tab names it.",
            )
        chosen = here[0]
    if chosen.zone != region:
        raise ProviderError(
            f"{where}: subnetwork {chosen.name!r} is in {chosen.zone}, not in"
            f" {region}, the region of zone {zone}",
            title="Invalid node spec",
            hint="Pick a subnetwork of the zone's region, or set `default_zone:` to a zone of its region.",
        )
    raw = chosen.raw
    return {
        "network": f"global/networks/{last(str(raw.get('network', '')))}",
        "subnetwork": f"regions/{region}/subnetworks/{raw.get('name', '')}",
    }
