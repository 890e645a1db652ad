"""The configuration's models: what a config file may say. Plain frozen
dataclasses, validated by pydantic (`hybridtui.config_schema`) from the
constraints their annotations carry. Reading the file and saying its
problems: `hybridtui.config_file`.

Why not pydantic models: importing pydantic and building the models' schemas
took 110-130 ms of every start, a quarter of the first paint
(bench/startup.py), for a file that rarely changes. A config is validated when
its text (or hybridtui) changed, and otherwise rebuilt from what the last
validation returned (`hybridtui.config_memo`), without pydantic. The
annotations are strings (`from __future__ import annotations`) that pydantic
alone evaluates, so `constrained` and `checked` import it only then.

A cloud entry names the credential *reference* of its kind (a clouds.yaml cloud
name, an AWS profile, a GCP project), never the secret itself: the SDKs' own
credential chains stay the single place where secrets live.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self

from hybridtui.domain import GCE_KEY_TTL_HOURS, ResourceKind

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"


def constrained(**rules: Any) -> Any:
    """pydantic's `Field(**rules)` (ge, le, gt, pattern, min_length,
    discriminator), made only when pydantic reads the annotation."""
    from pydantic import Field

    return Field(**rules)


def checked(check: Callable[[Any], Any]) -> Any:
    """A check (or normaliser) run on a field's value after its type's,
    made only when pydantic reads the annotation; a ValueError is the problem."""
    from pydantic import AfterValidator

    return AfterValidator(check)


@dataclass(frozen=True, kw_only=True)
class Strict:
    # `forbid`, not `allow`: a typo such as `regoin:` must be an error, not ignored.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    @classmethod
    def validate(cls, data: Any) -> Self:
        """`data` (as a config file's YAML gives it) checked and built; raises
        pydantic's ValidationError. Made without the checks: `from_json`."""
        from hybridtui.config_schema import validate

        return validate(cls, data)

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes` (not checked again, as pydantic's model_copy)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON values (enums as their value, paths as text):
        what `from_json` takes back."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Built from `to_json`'s output of a validated config, without
        checking it again (`config_memo` proves the round trip before it
        keeps one)."""
        nested = _NESTED.get(cls, {})
        return cls(**{k: nested[k](v) if k in nested else v for k, v in data.items()})


def _jsonable(value: Any) -> Any:
    if isinstance(value, Strict):
        return value.to_json()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


#: `overrides.jump_host`: `[user@]host[:port]`, the host a name, an IPv4 address
#: or a bracketed IPv6 one (as `ssh -J` takes it).
JUMP_HOST_PATTERN = (
    r"^(?:(?P<user>[^@\s]+)@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:@\[\]]+)(?::(?P<port>\d{1,5}))?$"
)


#: `overrides.ssh_endpoint`: `HOST:PORT`.
ENDPOINT_PATTERN = r"^[^\s:]+:\d{1,5}$"


#: Each pattern in words, for config errors (a regex is not an explanation).
PATTERN_WORDS = {
    NAME_PATTERN: "a name is 1-40 characters: lower-case letters and digits, then also"
    " '-', '_' or '.' (e.g. 'aws-eu-west-1')",
    ENDPOINT_PATTERN: "expected HOST:PORT (e.g. '127.0.0.1:2222')",
    JUMP_HOST_PATTERN: "expected [user@]host[:port] (e.g. 'ops@bastion.example.org:2222')",
}


@dataclass(frozen=True, kw_only=True)
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
    jump_host: Annotated[str | None, constrained(pattern=JUMP_HOST_PATTERN)] = None
    """`[user@]host[:port]` to reach private nodes through (ssh -J); the
    operator's key (`--root-key`'s private half), the agent or ~/.ssh/id_* log in there."""
    flavor: str | None = None
    """Flavor / instance type / machine type for new nodes."""
    image: str | None = None
    """Image name or id for new nodes."""
    ssh_endpoint: Annotated[str | None, constrained(pattern=ENDPOINT_PATTERN)] = None
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


def _known_accent(accent: str | None) -> str | None:
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


@dataclass(frozen=True, kw_only=True)
class CloudBase(Strict):
    name: Annotated[str, constrained(pattern=NAME_PATTERN)]
    """Short unique name shown on the pane: lower case, digits, `-_.`."""
    refresh_interval: Annotated[float, constrained(ge=1.0, le=86400.0)] = 60.0
    """Seconds between inventory refreshes (AWS throttles polls under ~30 s)."""
    catalogue_interval: Annotated[float, constrained(ge=0.0, le=7 * 86400.0)] = 86400.0
    """Seconds between refreshes of flavors, images and networks, which rarely
    change (0: every refresh). Nodes, keys and addresses follow `refresh_interval`;
    `r` in the dashboard refreshes everything."""
    timeout: Annotated[float, constrained(gt=0.0, le=600.0)] = 30.0
    """Seconds one inventory refresh may take before it counts as failed."""
    read_only: bool = True
    """Hide every write action (provisioning) for this cloud."""
    overrides: Overrides = Overrides()
    """Per-site choices for provisioning."""
    accent: Annotated[str | None, checked(_known_accent)] = None
    """This cloud's colour in pane titles, status chips and the unified Cloud
    column: `#rrggbb` or one of red, orange, yellow, green, teal, blue, purple, pink."""
    production: bool = False
    """Mark the cloud as production (k9s' per-context skin): its panes get a
    `PROD` badge and a red edge, its chip a `!`, so nobody mistakes it for staging."""


class Fault(StrEnum):
    NONE = "none"
    TIMEOUT = "timeout"  # the API hangs
    HTTP_500 = "http-500"  # the API answers 500 Internal Server Error
    EXPIRED_CREDENTIALS = "expired-credentials"  # 401: token expired
    FORBIDDEN = "forbidden"  # 403: the account may not do this (per kind, see fault_kinds)


def _known_profile(value: str) -> str:
    from hybridtui.providers.simulator.profiles import PROFILES

    if value not in PROFILES:
        raise ValueError(f"unknown profile {value!r}; allowed: {', '.join(sorted(PROFILES))}")
    return value


@dataclass(frozen=True, kw_only=True)
class SimulatorCloud(CloudBase):
    """A built-in demo cloud: seeded, deterministic, no network."""

    kind: Literal["simulator"]
    profile: Annotated[str, checked(_known_profile)]
    """Which real-world behaviour to simulate; see `hybridtui locate --profiles`."""
    seed: int = 0
    """Seed for names, counts and addresses."""
    latency: Annotated[float, constrained(ge=0.0, le=600.0)] = 0.3
    """Seconds each inventory call takes."""
    jitter: Annotated[float, constrained(ge=0.0, le=60.0)] = 0.1
    """Up to this many seconds added at random to `latency`."""
    fault: Fault = Fault.NONE
    """Inject a failure: none, timeout, http-500, expired-credentials, forbidden."""
    fault_rate: Annotated[float, constrained(ge=0.0, le=1.0)] = 1.0
    """Probability that a call hits `fault` (1.0: always)."""
    fault_kinds: list[ResourceKind] = field(default_factory=list)
    """Resource kinds whose listings the fault hits (empty: every call), e.g.
    `[images]` with `fault: forbidden` for a cloud that refuses one listing."""
    fault_ops: list[str] = field(default_factory=list)
    """API operations the fault hits (empty: every call), e.g. `[public address]`
    to fail provisioning at step 5: import key, create node, get node, public
    address, delete node, delete key, node login, node harden, node key removal."""
    nodes: Annotated[int | None, constrained(ge=0, le=200_000)] = None
    """Override the profile's node count (benchmarks)."""
    read_only: bool = False


@dataclass(frozen=True, kw_only=True)
class OpenStackCloud(CloudBase):
    kind: Literal["openstack"]
    cloud: str
    """Cloud name in clouds.yaml (what `openstack --os-cloud NAME` takes);
    `"*"`: every cloud in clouds.yaml, one pane each."""
    region: str | None = None
    """Region, when the cloud has several."""
    retries: Annotated[int, constrained(ge=0, le=10)] = 2
    """Retries per API call on connection failures and HTTP 429/503, with
    exponential back-off (keystoneauth's `connect_retries`/`status_code_retries`)."""


@dataclass(frozen=True, kw_only=True)
class AwsCloud(CloudBase):
    kind: Literal["aws"]
    profile: str | None = None
    """AWS profile from ~/.aws/config; empty: the standard credential chain."""
    regions: Annotated[list[str], constrained(min_length=1)]
    """Regions to show, one pane each."""
    image_owners: list[str] = field(default_factory=lambda: ["self", "well-known"])
    """AMI owners to list: `self`, `well-known` (Ubuntu, Debian, Amazon Linux, RHEL,
    Fedora, CentOS, SUSE, Flatcar, Rocky, Alma: newest 3 per series), or account ids."""
    endpoint_url: str | None = None
    """EC2 endpoint override (a VPC endpoint; a local emulator in tests)."""
    max_attempts: Annotated[int, constrained(ge=1, le=10)] = 3
    """Attempts per API call, retries included."""
    retry_mode: Literal["adaptive", "standard", "legacy"] = "adaptive"
    """botocore retry mode: `adaptive` also slows the client down when EC2 throttles."""


#: The public images a GCE cloud lists by default, as `project/family` (the
#: demo GCE cloud lists the same).
GCE_IMAGE_FAMILIES = (
    "debian-cloud/debian-12",
    "debian-cloud/debian-11",
    "ubuntu-os-cloud/ubuntu-2404-lts-amd64",
    "ubuntu-os-cloud/ubuntu-2204-lts",
    "rhel-cloud/rhel-9",
    "centos-cloud/centos-stream-9",
    "rocky-linux-cloud/rocky-linux-9-optimized-gcp",
    "fedora-coreos-cloud/fedora-coreos-stable",
    "cos-cloud/cos-stable",
)


@dataclass(frozen=True, kw_only=True)
class GceCloud(CloudBase):
    kind: Literal["gce"]
    project: str
    """GCP project id."""
    zones: list[str] = field(default_factory=lambda: ["all"])
    """Zones to show; `all` uses the aggregated list."""
    credentials_file: Path | None = None
    """Service-account JSON file; empty: Application Default Credentials."""
    default_zone: str | None = None
    """Zone new nodes go to (default: the first of `zones`, unless that is `all`)."""
    image_families: list[str] = field(default_factory=lambda: list(GCE_IMAGE_FAMILIES))
    """Public images to list, as `project/family` (the newest image of each)."""
    key_ttl_hours: Annotated[float, constrained(gt=0, le=24 * 365)] = GCE_KEY_TTL_HOURS
    """Node keys put into ssh-keys metadata expire by themselves after this (expireOn)."""
    api_endpoint: str | None = None
    """Compute API endpoint override (a private endpoint; a local peer in tests)."""
    metadata_server: bool = False
    """Let Application Default Credentials come from the GCE metadata server
    (hybridtui running on a GCE VM). Off: no credentials fails at once with
    what to run, instead of probing 169.254.169.254 for seconds."""


@dataclass(frozen=True, kw_only=True)
class ReplayCloud(CloudBase):
    """A cloud of a capture (`--replay FILE`): its records come from the file,
    shown offline. Made by hybridtui from the capture, not written by hand."""

    kind: Literal["replay"]
    platform: Literal["aws", "openstack", "gce"]
    """The API family the captured cloud behaves like."""
    captured_region: str | None = None
    """The region the captured pane showed."""


CloudConfig = SimulatorCloud | OpenStackCloud | AwsCloud | GceCloud | ReplayCloud
CLOUD_MODELS: dict[str, type[CloudBase]] = {
    "simulator": SimulatorCloud,
    "openstack": OpenStackCloud,
    "aws": AwsCloud,
    "gce": GceCloud,
    "replay": ReplayCloud,
}


def _known_keys(keymap: dict[str, str]) -> dict[str, str]:
    """Unknown ids and clashing keys are errors here, not a binding that
    silently never fires once the dashboard is open (parse_config says
    each at its own line)."""
    from hybridtui.keys import check_keymap

    problems = check_keymap(keymap)
    if problems:
        raise ValueError("; ".join(f"{bid}: {msg}" for bid, msg in problems))
    return keymap


def _known_columns(columns: dict[str, list[str]]) -> dict[str, list[str]]:
    from hybridtui.columns import COLUMNS

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


@dataclass(frozen=True, kw_only=True)
class AppConfig(Strict):
    clouds: Annotated[
        list[Annotated[CloudConfig, constrained(discriminator="kind")]],
        constrained(min_length=1),
    ]
    """The clouds to show, in pane order."""
    theme: str | None = None
    """Theme name (built-in, from themes/, or the user themes dir)."""
    keymap: Annotated[dict[str, str], checked(_known_keys)] = field(default_factory=dict)
    """Binding id → keys, e.g. `refresh: f5`."""
    columns: Annotated[dict[str, list[str]], checked(_known_columns)] = field(default_factory=dict)
    """Per tab, the columns shown and their order (kind → column keys, e.g.
    `nodes: [name, state, public_ip]`); the dashboard's column picker (`o`) writes it."""
    root_keys: list[str] = field(default_factory=list)
    """Public key files provisioning installs for root at step 7 (`--root-key`
    overrides; default: ~/.ssh/id_ed25519.pub, else ~/.ssh/id_rsa.pub)."""
    privacy: bool = False
    """Mask IP addresses, account/project ids, key fingerprints and resource
    ids on screen and in what the commands print (as `--privacy` does)."""

    def __post_init__(self) -> None:
        """Names key the cache, the ledger and the panes: two clouds of one
        name would share them (pydantic reports this ValueError as a problem)."""
        seen: set[str] = set()
        for cloud in self.clouds:
            if cloud.name in seen:
                raise ValueError(f"duplicate cloud name {cloud.name!r}: names must be unique")
            seen.add(cloud.name)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        clouds = [CLOUD_MODELS[c["kind"]].from_json(c) for c in data["clouds"]]
        return super().from_json({**data, "clouds": []}).replace(clouds=clouds)


#: How `Strict.from_json` builds a field whose JSON is not its value: nested
#: models, enums and paths. `config_memo` checks the round trip of every
#: config it keeps, so a field missing here costs a validation, never a wrong value.
_NESTED: dict[type[Strict], dict[str, Callable[[Any], Any]]] = {
    cls: {"overrides": Overrides.from_json} for cls in CLOUD_MODELS.values()
}
_NESTED[SimulatorCloud] |= {"fault": Fault, "fault_kinds": lambda v: [ResourceKind(k) for k in v]}
_NESTED[GceCloud] |= {"credentials_file": lambda v: None if v is None else Path(v)}
