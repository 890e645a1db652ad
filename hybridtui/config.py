"""The configuration's models: what a config file may say, validated by
pydantic. Reading the file and saying its problems: `hybridtui.config_file`.

A cloud entry names the credential *reference* of its kind (a clouds.yaml cloud
name, an AWS profile, a GCP project), never the secret itself: the SDKs' own
credential chains stay the single place where secrets live.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hybridtui.domain import GCE_KEY_TTL_HOURS, ResourceKind

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"


class Strict(BaseModel):
    # `forbid`, not `allow`: a typo such as `regoin:` must be an error, not ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


#: `overrides.jump_host`: `[user@]host[:port]`, the host a name, an IPv4 address
#: or a bracketed IPv6 one (as `ssh -J` takes it).
JUMP_HOST_PATTERN = (
    r"^(?:(?P<user>[^@\s]+)@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:@\[\]]+)(?::(?P<port>\d{1,5}))?$"
)


#: Each pattern in words, for config errors (a regex is not an explanation).
PATTERN_WORDS = {
    NAME_PATTERN: "a name is 1-40 characters: lower-case letters and digits, then also"
    " '-', '_' or '.' (e.g. 'aws-eu-west-1')",
    r"^[^\s:]+:\d{1,5}$": "expected HOST:PORT (e.g. '127.0.0.1:2222')",
    JUMP_HOST_PATTERN: "expected [user@]host[:port] (e.g. 'ops@bastion.example.org:2222')",
}


class Overrides(Strict):
    """Per-site answers to step 3 (pick network, flavor, image) and step 6 (login)."""

    network: str | None = None
    """Network (OpenStack), subnet (AWS) or subnetwork (GCE) new nodes go on."""
    floating_ip_pool: str | None = None
    """External network to take floating IPs from (OpenStack)."""
    security_groups: list[str] | None = None
    """Security groups (names or ids) for new nodes; empty: the default group."""
    login_user: str | None = None
    """Login account to try first, before the image's hints."""
    jump_host: str | None = Field(default=None, pattern=JUMP_HOST_PATTERN)
    """`[user@]host[:port]` to reach private nodes through (ssh -J); the
    operator's key (`--root-key`'s private half), the agent or ~/.ssh/id_* log in there."""
    flavor: str | None = None
    """Flavor / instance type / machine type for new nodes."""
    image: str | None = None
    """Image name or id for new nodes."""
    ssh_endpoint: str | None = Field(default=None, pattern=r"^[^\s:]+:\d{1,5}$")
    """`HOST:PORT` that provisioning's steps 6–8 dial instead of the node's own
    address: a port forward in front of a lab cloud (and the tests' loopback sshd)."""


#: Named accent colours (Radix Colors' step 9 of each hue: saturated enough to
#: tell clouds apart, mid-light so text stays readable on dark and light themes).
ACCENTS: dict[str, str] = {
    "red": "#e5484d",
    "orange": "#f76b15",
    "yellow": "#ffc53d",
    "green": "#46a758",
    "teal": "#12a594",
    "blue": "#0090ff",
    "purple": "#8e4ec6",
    "pink": "#d6409f",
}


class CloudBase(Strict):
    name: str = Field(pattern=NAME_PATTERN)
    """Short unique name shown on the pane: lower case, digits, `-_.`."""
    refresh_interval: float = Field(default=60.0, ge=1.0, le=86400.0)
    """Seconds between inventory refreshes (AWS throttles polls under ~30 s)."""
    catalogue_interval: float = Field(default=86400.0, ge=0.0, le=7 * 86400.0)
    """Seconds between refreshes of flavors, images and networks, which rarely
    change (0: every refresh). Nodes, keys and addresses follow `refresh_interval`;
    `r` in the dashboard refreshes everything."""
    timeout: float = Field(default=30.0, gt=0.0, le=600.0)
    """Seconds one inventory refresh may take before it counts as failed."""
    read_only: bool = True
    """Hide every write action (provisioning) for this cloud."""
    overrides: Overrides = Overrides()
    """Per-site choices for provisioning."""
    accent: str | None = None
    """This cloud's colour in pane titles, status chips and the unified Cloud
    column: `#rrggbb` or one of red, orange, yellow, green, teal, blue, purple, pink."""
    production: bool = False
    """Mark the cloud as production (k9s' per-context skin): its panes get a
    `PROD` badge and a red edge, its chip a `!`, so nobody mistakes it for staging."""

    @field_validator("accent")
    @classmethod
    def _known_accent(cls, accent: str | None) -> str | None:
        """Named accents become their hex (readable on the dark, light and
        projector themes alike); anything else must be `#rrggbb`."""
        if accent is None:
            return None
        value = accent.strip().lower()
        if value in ACCENTS:
            return ACCENTS[value]
        if re.fullmatch(r"#[0-9a-f]{6}", value):
            return value
        raise ValueError(f"accent {accent!r} is not #rrggbb or one of: {', '.join(ACCENTS)}")


class Fault(StrEnum):
    NONE = "none"
    TIMEOUT = "timeout"  # the API hangs
    HTTP_500 = "http-500"  # the API answers 500 Internal Server Error
    EXPIRED_CREDENTIALS = "expired-credentials"  # 401: token expired
    FORBIDDEN = "forbidden"  # 403: the account may not do this (per kind, see fault_kinds)


class SimulatorCloud(CloudBase):
    """A built-in demo cloud: seeded, deterministic, no network."""

    kind: Literal["simulator"]
    profile: str
    """Which real-world behaviour to simulate; see `hybridtui locate --profiles`."""
    seed: int = 0
    """Seed for names, counts and addresses."""
    latency: float = Field(default=0.3, ge=0.0, le=600.0)
    """Seconds each inventory call takes."""
    jitter: float = Field(default=0.1, ge=0.0, le=60.0)
    """Up to this many seconds added at random to `latency`."""
    fault: Fault = Fault.NONE
    """Inject a failure: none, timeout, http-500, expired-credentials, forbidden."""
    fault_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    """Probability that a call hits `fault` (1.0: always)."""
    fault_kinds: list[ResourceKind] = Field(default_factory=list)
    """Resource kinds whose listings the fault hits (empty: every call), e.g.
    `[images]` with `fault: forbidden` for a cloud that refuses one listing."""
    fault_ops: list[str] = Field(default_factory=list)
    """API operations the fault hits (empty: every call), e.g. `[public address]`
    to fail provisioning at step 5: import key, create node, get node, public
    address, delete node, delete key, node login, node harden, node key removal."""
    nodes: int | None = Field(default=None, ge=0, le=200_000)
    """Override the profile's node count (benchmarks)."""
    read_only: bool = False

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        from hybridtui.providers.simulator.profiles import PROFILES

        if value not in PROFILES:
            raise ValueError(f"unknown profile {value!r}; allowed: {', '.join(sorted(PROFILES))}")
        return value


class OpenStackCloud(CloudBase):
    kind: Literal["openstack"]
    cloud: str
    """Cloud name in clouds.yaml (what `openstack --os-cloud NAME` takes);
    `"*"`: every cloud in clouds.yaml, one pane each."""
    region: str | None = None
    """Region, when the cloud has several."""
    retries: int = Field(default=2, ge=0, le=10)
    """Retries per API call on connection failures and HTTP 429/503, with
    exponential back-off (keystoneauth's `connect_retries`/`status_code_retries`)."""


class AwsCloud(CloudBase):
    kind: Literal["aws"]
    profile: str | None = None
    """AWS profile from ~/.aws/config; empty: the standard credential chain."""
    regions: list[str] = Field(min_length=1)
    """Regions to show, one pane each."""
    image_owners: list[str] = Field(default_factory=lambda: ["self", "well-known"])
    """AMI owners to list: `self`, `well-known` (Ubuntu, Debian, Amazon Linux, RHEL,
    Fedora, CentOS, SUSE, Flatcar, Rocky, Alma: newest 3 per series), or account ids."""
    endpoint_url: str | None = None
    """EC2 endpoint override (a VPC endpoint; a local emulator in tests)."""
    max_attempts: int = Field(default=3, ge=1, le=10)
    """Attempts per API call, retries included."""
    retry_mode: Literal["adaptive", "standard", "legacy"] = "adaptive"
    """botocore retry mode: `adaptive` also slows the client down when EC2 throttles."""


class GceCloud(CloudBase):
    kind: Literal["gce"]
    project: str
    """GCP project id."""
    zones: list[str] = Field(default_factory=lambda: ["all"])
    """Zones to show; `all` uses the aggregated list."""
    credentials_file: Path | None = None
    """Service-account JSON file; empty: Application Default Credentials."""
    default_zone: str | None = None
    """Zone new nodes go to (default: the first of `zones`, unless that is `all`)."""
    image_families: list[str] = Field(
        default_factory=lambda: [
            "debian-cloud/debian-12",
            "debian-cloud/debian-11",
            "ubuntu-os-cloud/ubuntu-2404-lts-amd64",
            "ubuntu-os-cloud/ubuntu-2204-lts",
            "rhel-cloud/rhel-9",
            "centos-cloud/centos-stream-9",
            "rocky-linux-cloud/rocky-linux-9-optimized-gcp",
            "fedora-coreos-cloud/fedora-coreos-stable",
            "cos-cloud/cos-stable",
        ]
    )
    """Public images to list, as `project/family` (the newest image of each)."""
    key_ttl_hours: float = Field(default=GCE_KEY_TTL_HOURS, gt=0, le=24 * 365)
    """Node keys put into ssh-keys metadata expire by themselves after this (expireOn)."""
    api_endpoint: str | None = None
    """Compute API endpoint override (a private endpoint; a local peer in tests)."""
    metadata_server: bool = False
    """Let Application Default Credentials come from the GCE metadata server
    (hybridtui running on a GCE VM). Off: no credentials fails at once with
    what to run, instead of probing 169.254.169.254 for seconds."""


class ReplayCloud(CloudBase):
    """A cloud of a capture (`--replay FILE`): its records come from the file,
    shown offline. Made by hybridtui from the capture, not written by hand."""

    kind: Literal["replay"]
    platform: Literal["aws", "openstack", "gce"]
    """The API family the captured cloud behaves like."""
    captured_region: str | None = None
    """The region the captured pane showed."""


CloudConfig = Annotated[
    SimulatorCloud | OpenStackCloud | AwsCloud | GceCloud | ReplayCloud,
    Field(discriminator="kind"),
]
CLOUD_MODELS: dict[str, type[CloudBase]] = {
    "simulator": SimulatorCloud,
    "openstack": OpenStackCloud,
    "aws": AwsCloud,
    "gce": GceCloud,
    "replay": ReplayCloud,
}


class AppConfig(Strict):
    clouds: list[CloudConfig] = Field(min_length=1)
    """The clouds to show, in pane order."""
    theme: str | None = None
    """Theme name (built-in, from themes/, or the user themes dir)."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id → keys, e.g. `refresh: f5`."""
    columns: dict[str, list[str]] = Field(default_factory=dict)
    """Per tab, the columns shown and their order (kind → column keys, e.g.
    `nodes: [name, state, public_ip]`); the dashboard's column picker (`o`) writes it."""
    root_keys: list[str] = Field(default_factory=list)
    """Public key files provisioning installs for root at step 7 (`--root-key`
    overrides; default: ~/.ssh/id_ed25519.pub, else ~/.ssh/id_rsa.pub)."""
    privacy: bool = False
    """Mask IP addresses, account/project ids, key fingerprints and resource
    ids on screen and in what the commands print (as `--privacy` does)."""

    @field_validator("keymap")
    @classmethod
    def _known_keys(cls, keymap: dict[str, str]) -> dict[str, str]:
        """Unknown ids and clashing keys are errors here, not a binding that
        silently never fires once the dashboard is open (parse_config says
        each at its own line)."""
        from hybridtui.keys import check_keymap

        problems = check_keymap(keymap)
        if problems:
            raise ValueError("; ".join(f"{bid}: {msg}" for bid, msg in problems))
        return keymap

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, columns: dict[str, list[str]]) -> dict[str, list[str]]:
        from hybridtui.columns import COLUMNS
        from hybridtui.domain import ResourceKind

        kinds = {str(k): k for k in ResourceKind}
        for kind, keys in columns.items():
            if kind not in kinds:
                raise ValueError(f"unknown tab {kind!r}; allowed: {', '.join(kinds)}")
            allowed = [c.key for c in COLUMNS[kinds[kind]]]
            unknown = [k for k in keys if k not in allowed]
            if unknown or not keys:
                raise ValueError(
                    f"{kind}: "
                    + (f"unknown column {unknown[0]!r}" if unknown else "no column chosen")
                    + f"; allowed: {', '.join(allowed)}"
                )
        return columns

    @model_validator(mode="after")
    def _unique_names(self) -> AppConfig:
        seen: set[str] = set()
        for cloud in self.clouds:
            if cloud.name in seen:
                raise ValueError(f"duplicate cloud name {cloud.name!r}: names must be unique")
            seen.add(cloud.name)
        return self
