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
#: Name tokens that hold digits but are never a release: storage and
#: virtualization words of AMI names (`gp3`, `hvm`), architectures, kernels.
_NOISE = re.compile(
    r"gp[23]|io[12]|x86[_-]64|amd64|arm64|aarch64|i386|i686|hvm|ebs|ssd|"
    r"kernel-[\d.]+|v?20\d{6}[\d.-]*|\d{8}"
)
#: Ubuntu and Debian codenames, for names that carry only those.
_CODENAMES = {
    "trusty": "14.04",
    "xenial": "16.04",
    "bionic": "18.04",
    "focal": "20.04",
    "jammy": "22.04",
    "noble": "24.04",
    "oracular": "24.10",
    "plucky": "25.04",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
}
#: Per distro: how its images spell a release (first match wins).
_RELEASE: dict[str, tuple[re.Pattern[str], ...]] = {
    # "ubuntu-noble-24.04", "Ubuntu 22.04", GCE "ubuntu-2204-jammy"
    "ubuntu": (
        re.compile(r"(?<![\d.])(\d{2})\.(\d{2})(?![\d])"),
        re.compile(r"ubuntu-(\d{2})(\d{2})(?!\d)"),
    ),
    # "al2023-ami", "amzn2-ami", "amzn-ami-hvm-2017.09"
    "amazon": (
        re.compile(r"^al(20\d\d)"),
        re.compile(r"^amzn(\d)\b"),
        re.compile(r"^amzn-ami-\D*(20\d\d\.\d\d)"),
    ),
    # "fedora-coreos-40.20240906.3.0", GCE "fedora-coreos-40-20240906-3-0"
    "fedora-coreos": (re.compile(r"coreos[- ](?:stable[- ])?(\d{2})(?=[.\- ]|$)"),),
    "flatcar": (re.compile(r"(\d{4})(?:\.\d+)*"),),
    # "cos-stable-117-18613-0-79": the milestone
    "cos": (re.compile(r"cos-[a-z]+-(\d{2,3})(?=-)"),),
    # "suse-sles-15-sp6", "sles-15-sp6" → 15.6
    "suse": (re.compile(r"sles-(\d{2})-sp(\d)"), re.compile(r"sles-(\d{2})")),
    "windows": (re.compile(r"(20\d\d)"),),
}
#: Everything else: a major or major.minor[.patch] standing alone after the
#: distro's name ("Rocky Linux 9.4", "RHEL-9.4.0_HVM", "centos-stream-9-v2024").
_GENERIC = re.compile(r"(?<![a-z\d.])(\d{1,2}(?:\.\d{1,2}){0,2})(?![\d])")


def image_version(distro: str, name: str, start: int = 0) -> str:
    """The release an image name carries, the way each distro writes it
    (`start`: where the distro's name begins in `name`).

    Not "the first small number": `gp3`, `x86_64`, kernel versions and build
    dates are skipped, and Ubuntu's `2204` (GCE) and codenames are understood."""
    low = name.lower()
    for pattern in _RELEASE.get(distro, ()):
        m = pattern.search(low, start)
        if m:
            return ".".join(g for g in m.groups() if g)
    for word, version in _CODENAMES.items():
        if word in low:
            return version
    if distro in _NO_GENERIC:
        return ""
    m = _GENERIC.search(_NOISE.sub(" ", low[start:]))
    if not m:
        return ""
    version = m.group(1)
    return version.removesuffix(".0") if version.count(".") == 2 else version


#: Distros whose releases only their own patterns recognise: any other number in
#: their names is something else (a DLAMI's "2.4", a kernel, a build).
_NO_GENERIC = frozenset({"ubuntu", "amazon", "fedora-coreos", "flatcar", "cos", "windows"})


def guess_distro(name: str) -> tuple[str, str]:
    """(distro, version) from an image name, when the cloud gives no properties."""
    low = name.lower()
    for pattern, distro in _DISTRO_PATTERNS:
        m = re.search(pattern, low)
        if m:
            return distro, image_version(distro, name, m.start())
    return "", ""


#: Spellings of CPU architectures across the APIs → the two names the
#: comparator uses (EC2 `x86_64`/`arm64`, GCE `X86_64`/`ARM64`, Glance
#: `x86_64`/`aarch64`, Debian and Ubuntu image names `amd64`/`arm64`).
_ARCH = {
    "x86_64": "x86_64",
    "x86-64": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "arm64": "arm64",
    "aarch64": "arm64",
    "i386": "i386",
    "i686": "i386",
}


def arch(value: object) -> str:
    """A normalized architecture ('' when unknown or unrecognised)."""
    return _ARCH.get(str(value or "").strip().lower(), "")


def arch_in_name(name: str) -> str:
    """The architecture an image name spells, if any (`…-arm64-server-…`)."""
    m = _ARCH_WORD.search(name.lower())
    return arch(m.group(1).replace("-", "_")) if m else ""


_ARCH_WORD = re.compile(r"(?<![a-z0-9])(x86[_-]64|amd64|arm64|aarch64|i386)(?![a-z0-9])")


def login_user(distro: str, flavour: str) -> str:
    """Default login account for a distro on an AWS-style or OpenStack-style image."""
    table = LOGIN_BY_DISTRO_AWS if flavour == "aws" else LOGIN_BY_DISTRO_OPENSTACK
    return table.get(distro, "")
