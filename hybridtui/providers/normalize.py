"""Cloud-specific words → normalized ones, shared by the simulator and the real
adapters so both speak exactly the same way (cloud-facts §3.1)."""

from __future__ import annotations

import re

from hybridtui.domain import LOGIN_BY_DISTRO_AWS, LOGIN_BY_DISTRO_OPENSTACK, NodeState

AWS_STATES: dict[str, NodeState] = {
    "pending": NodeState.BUILDING,
    "running": NodeState.RUNNING,
    "stopping": NodeState.STOPPED,
    "stopped": NodeState.STOPPED,
    "shutting-down": NodeState.DELETING,
    "terminated": NodeState.DELETED,  # EC2: terminated means gone
}
GCE_STATES: dict[str, NodeState] = {
    "PROVISIONING": NodeState.BUILDING,
    "STAGING": NodeState.BUILDING,
    "RUNNING": NodeState.RUNNING,
    "STOPPING": NodeState.STOPPED,
    "SUSPENDING": NodeState.SUSPENDED,
    "SUSPENDED": NodeState.SUSPENDED,
    "REPAIRING": NodeState.ERROR,
    "TERMINATED": NodeState.STOPPED,  # GCE: TERMINATED is stopped and restartable
}
OPENSTACK_STATES: dict[str, NodeState] = {
    "BUILD": NodeState.BUILDING,
    "REBUILD": NodeState.BUILDING,
    "ACTIVE": NodeState.RUNNING,
    "REBOOT": NodeState.RUNNING,
    "HARD_REBOOT": NodeState.RUNNING,
    "RESIZE": NodeState.RUNNING,
    "VERIFY_RESIZE": NodeState.RUNNING,
    "MIGRATING": NodeState.RUNNING,
    "PASSWORD": NodeState.RUNNING,
    "SHUTOFF": NodeState.STOPPED,
    "STOPPED": NodeState.STOPPED,
    "PAUSED": NodeState.SUSPENDED,
    "SUSPENDED": NodeState.SUSPENDED,
    "SHELVED": NodeState.SHELVED,
    "SHELVED_OFFLOADED": NodeState.SHELVED,
    "RESCUE": NodeState.ERROR,
    "ERROR": NodeState.ERROR,
    "DELETED": NodeState.DELETED,
    "SOFT_DELETED": NodeState.DELETED,
}


#: GCE has no fixed login account: the name is whatever an ssh-keys metadata
#: entry says (the guest agent creates it). Shown where no entry names one.
ANY_LOGIN_GCE = "any, via ssh-keys metadata"


def node_state(table: dict[str, NodeState], raw: str) -> NodeState:
    return table.get(raw, NodeState.UNKNOWN)


_DISTRO_PATTERNS: list[tuple[str, str]] = [
    (r"fedora[-_ ]?coreos", "fedora-coreos"),
    (r"flatcar", "flatcar"),
    # "Fedora-Cloud-Base-AmazonEC2" is Fedora: match Amazon Linux by its own names only
    (r"^al20\d\d|^amzn|amazon linux", "amazon"),
    (r"ubuntu", "ubuntu"),
    (r"debian", "debian"),
    (r"rhel|red ?hat", "rhel"),
    (r"centos", "centos"),
    (r"rocky", "rocky"),
    (r"alma", "almalinux"),
    (r"fedora", "fedora"),
    (r"opensuse", "opensuse"),
    (r"sles|suse", "suse"),
    (r"cirros", "cirros"),
    (r"cos-|container-optimized", "cos"),
    (r"windows", "windows"),
]
_VERSION = re.compile(r"(\d{1,2}(?:[.-]\d{1,2})?)")


def guess_distro(name: str) -> tuple[str, str]:
    """(distro, version) from an image name, when the cloud gives no properties."""
    low = name.lower()
    for pattern, distro in _DISTRO_PATTERNS:
        m = re.search(pattern, low)
        if m:
            rest = low[m.end() :]
            v = _VERSION.search(rest)
            return distro, (v.group(1).replace("-", ".") if v else "")
    return "", ""


def login_user(distro: str, flavour: str) -> str:
    """Default login account for a distro on an AWS-style or OpenStack-style image."""
    table = LOGIN_BY_DISTRO_AWS if flavour == "aws" else LOGIN_BY_DISTRO_OPENSTACK
    return table.get(distro, "")
