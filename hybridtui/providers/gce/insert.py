"""The Instance resource `instances.insert` takes for a node spec: GCE's
naming rules for instances and labels, the boot disk, the node key as an
ssh-keys metadata line, and the managed label every node hybridtui makes
carries. Pure: the adapter supplies what it looked up (the interface from
`placement`, the image link)."""

from __future__ import annotations

import re
from typing import Any

from hybridtui.domain import NodeSpec
from hybridtui.providers.gce.records import MANAGED_LABEL


def instance_name(wanted: str) -> str:
    """A name GCE accepts: lower-case letters, digits and dashes, 63 at most."""
    return re.sub(r"[^a-z0-9-]", "-", wanted.lower()).strip("-")[:63] or "hybridtui-node"


def body(
    spec: NodeSpec, zone: str, *, nic: dict[str, Any], image_link: str, key_line: str
) -> dict[str, Any]:
    """`instance_resource` for `spec` in `zone`, with an access config when it
    wants a public address and `key_line` (empty: none) in its metadata."""
    if spec.public_ip:
        nic = {**nic, "access_configs": [{"type_": "ONE_TO_ONE_NAT", "name": "External NAT"}]}
    return {
        "name": instance_name(spec.name),
        "machine_type": f"zones/{zone}/machineTypes/{spec.flavor}",
        "disks": [
            {
                "boot": True,
                "auto_delete": True,
                "initialize_params": {
                    "source_image": image_link,
                    # (GCE refuses one smaller than the image: step 4 asks only larger)
                    **({"disk_size_gb": spec.disk_gb} if spec.disk_gb else {}),
                },
            }
        ],
        "network_interfaces": [nic],
        "metadata": {"items": [{"key": "ssh-keys", "value": key_line}] if key_line else []},
        "labels": {
            MANAGED_LABEL: "true",
            **{re.sub(r"[^a-z0-9_-]", "-", k.lower()): v.lower() for k, v in spec.tags.items()},
        },
    }
