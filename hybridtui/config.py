"""The configuration file: YAML validated by pydantic, every problem reported at once.

A cloud entry names the credential *reference* of its kind (a clouds.yaml cloud
name, an AWS profile, a GCP project), never the secret itself: the SDKs' own
credential chains stay the single place where secrets live.
"""

from __future__ import annotations

import ast
import difflib
import functools
import inspect
import re
import textwrap
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hybridtui.domain import ResourceKind
from hybridtui.errors import ConfigError, NoConfigError

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
    key_ttl_hours: float = Field(default=24.0, gt=0, le=24 * 365)
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


# --------------------------------------------------------------------- loading


def load_config(path: Path) -> AppConfig:
    """Read and validate a config file; raise ConfigError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NoConfigError(
            f"config file not found: {path}",
            hint="Create it (see sample_configs/) or run with --demo.",
        ) from None
    except OSError as e:
        raise ConfigError(f"cannot read config file {path}: {e.strerror}") from e
    return parse_config(text, str(path))


#: libyaml's loader where PyYAML has it: the pure-Python one took 6 of the
#: 8 ms the demo config's parse adds to every start (bench/startup.py).
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """A document's node tree (for the line numbers of problems) and its data.
    A document libyaml rejects is parsed again by the pure-Python loader, so
    a YAML error reads the same with or without libyaml."""
    try:
        return yaml.compose(text, Loader=_FAST_LOADER), yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)


def parse_config(text: str, source: str = "<config>") -> AppConfig:
    try:
        root, data = read_yaml(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError(
            f"{source}: not valid YAML", problems=[f"{where}: {_yaml_words(problem)}"]
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the top level must be a mapping with a `clouds:` list",
            problems=[f"{source}:1: found {type(data).__name__}"],
        )
    # checked here as well as by the model, so each is said at its own line and
    # together with every other problem (the model stops at the first of them)
    own = _keymap_problems(root, data, source) + _duplicate_names(root, data, source)
    try:
        return AppConfig.model_validate(data)
    except ValidationError as e:
        problems = (
            [
                line  # an entry of an unknown kind says its other problems on lines of their own
                for err in e.errors()
                if tuple(err["loc"])[:1] != ("keymap",) and "duplicate cloud name" not in err["msg"]
                for line in _describe(err, root, data, source).split("\n")
            ]
            + own
        )
        n = len(problems)
        raise ConfigError(
            f"{source}: {n} problem{'s' if n != 1 else ''} found",
            problems=problems,
            hint="Fix them all and run `hybridtui check-config` again.",
        ) from None


#: PyYAML's parser words → what to do about them (its own words kept after).
_YAML_WORDS = (
    (
        "expected <block end>",
        "this line is indented differently from the lines above it: keys of one"
        " entry start in the same column",
    ),
    (
        "mapping values are not allowed here",
        "a `key: value` where none can start: check this line's indentation, or quote"
        " a value that contains ': '",
    ),
    ("found character '\\t'", "a tab: YAML indents with spaces only"),
    ("found unexpected end of stream", "a quote or bracket opened and never closed"),
    ("expected ',' or ']'", "a [list opened and never closed with ]"),
    ("expected ',' or '}'", "a {mapping opened and never closed with }"),
)


def _yaml_words(problem: str) -> str:
    for raw, words in _YAML_WORDS:
        if raw in problem:
            return f"{words} (YAML: {problem})"
    return problem


def _keymap_problems(root: yaml.Node | None, data: dict[str, Any], source: str) -> list[str]:
    from hybridtui.keys import check_keymap

    keymap = data.get("keymap")
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        return []  # the model says what is wrong with its shape
    found = [(_line_of(root, ("keymap", bid)), bid, msg) for bid, msg in check_keymap(keymap)]
    return [f"{source}:{line}: keymap.{bid}: {msg}" for line, bid, msg in sorted(found)]


def _duplicate_names(root: yaml.Node | None, data: dict[str, Any], source: str) -> list[str]:
    clouds = data.get("clouds")
    if not isinstance(clouds, list):
        return []
    first: dict[str, int] = {}
    problems = []
    for i, cloud in enumerate(clouds):
        name = cloud.get("name") if isinstance(cloud, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append(
                f"{source}:{_line_of(root, ('clouds', i, 'name'))}: clouds[{i}].name: duplicate "
                f"cloud name {name!r} (clouds[{first[name]}] has it): names must be unique"
            )
        else:
            first[name] = i
    return problems


def check_aws_regions(text: str, source: str, known: list[str]) -> list[str]:
    """`file:line` problems for AWS regions that `known` (botocore's own list)
    does not have, with the closest names. Entries with an `endpoint_url` are
    skipped: a private endpoint or emulator may use any region name."""
    import difflib

    root, data = read_yaml(text)
    data = data or {}
    problems = []
    for i, cloud in enumerate(data.get("clouds") or []):
        if not isinstance(cloud, dict) or cloud.get("kind") != "aws" or cloud.get("endpoint_url"):
            continue
        for j, region in enumerate(cloud.get("regions") or []):
            if region in known:
                continue
            line = _line_of(root, ("clouds", i, "regions", j))
            close = difflib.get_close_matches(str(region), known, n=3, cutoff=0.6)
            hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
            problems.append(
                f"{source}:{line}: clouds[{i}].regions[{j}]: unknown AWS region {region!r}{hint}"
            )
    return problems


class _AnyKind(CloudBase):
    """What every kind has: an entry of an unknown kind is checked this far."""

    model_config = ConfigDict(extra="ignore")


def _at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _describe(err: Any, root: yaml.Node | None, data: Any, source: str) -> str:
    loc: tuple[Any, ...] = tuple(err["loc"])
    line = _line_of(root, loc)
    path = _loc_text(loc, data)
    etype = err["type"]
    ctx = err.get("ctx") or {}
    if etype == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1], data)
        hint = difflib.get_close_matches(key, allowed, n=1)
        msg = f"unknown key {key!r}"
        if hint:
            msg += f" (did you mean {hint[0]!r}?)"
        if allowed:
            msg += f"; allowed: {', '.join(allowed)}"
        parent = _loc_text(loc[:-1], data) or "top level"
        return f"{source}:{line}: {parent}: {msg}"
    if etype == "missing":
        key = str(loc[-1])
        doc = _field_doc(loc, data)
        return f"{source}:{line}: {path}: missing required key {key!r}" + (
            f" ({doc})" if doc else ""
        )
    if etype == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        close = difflib.get_close_matches(tag, CLOUD_MODELS, n=1)
        said = (
            f"{source}:{_line_of(root, (*loc, 'kind'))}: {path}.kind: unknown kind {tag!r}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + f"; allowed: {', '.join(CLOUD_MODELS)}"
        )
        # the rest of the entry is checked too, as the closest kind (or what
        # every kind has), so fixing the kind does not reveal a second round
        entry = _at(data, loc)
        if isinstance(entry, dict):
            model: type[CloudBase] = CLOUD_MODELS[close[0]] if close else _AnyKind
            try:
                model.model_validate({**entry, "kind": close[0]} if close else entry)
            except ValidationError as inner:
                rest = [
                    _describe({**e, "loc": (*loc, *e["loc"])}, root, data, source)
                    for e in inner.errors()
                    if tuple(e["loc"])[:1] != ("kind",)
                ]
                said = "\n".join([said, *rest])
        return said
    if etype == "union_tag_not_found":
        return f"{source}:{line}: {path}: missing required key 'kind'; allowed: {', '.join(CLOUD_MODELS)}"
    if etype == "string_pattern_mismatch":
        what = PATTERN_WORDS.get(str(ctx.get("pattern")))
        if what:
            return f"{source}:{line}: {path}: {what} (got {err.get('input')!r})"
    msg = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    return f"{source}:{line}: {path or 'top level'}: {msg}{shown}"


def _walk(loc: tuple[Any, ...], data: Any) -> list[tuple[str, Any]]:
    """Pair each loc element with what it means, dropping pydantic's union tags."""
    out: list[tuple[str, Any]] = []
    node = data
    for part in loc:
        if isinstance(node, dict):
            if part in node:
                out.append(("key", part))
                node = node[part]
            elif isinstance(part, str) and node.get("kind") == part:
                out.append(("tag", part))  # discriminated union: the model chosen
            else:
                out.append(("key", part))
                node = None
        elif isinstance(node, list) and isinstance(part, int):
            out.append(("index", part))
            node = node[part] if part < len(node) else None
        else:
            out.append(("key", part))
            node = None
    return out


def _loc_text(loc: tuple[Any, ...], data: Any) -> str:
    text = ""
    for what, part in _walk(loc, data):
        if what == "index":
            text += f"[{part}]"
        elif what == "key":
            text += f".{part}" if text else str(part)
    return text


def _model_at(loc: tuple[Any, ...], data: Any) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at `loc`, if there is one."""
    model: type[BaseModel] | None = AppConfig
    in_clouds = False
    for what, part in _walk(loc, data):
        if what == "tag":
            model = CLOUD_MODELS.get(str(part))
        elif what == "index" and in_clouds:
            entry = data["clouds"][part] if part < len(data["clouds"]) else {}
            model = CLOUD_MODELS.get(entry.get("kind", "")) if isinstance(entry, dict) else None
            in_clouds = False
        elif model is AppConfig and part == "clouds":
            model, in_clouds = None, True
        elif model is not None and part == "overrides":
            model = Overrides
        else:
            return None
    return model


def _allowed_keys(loc: tuple[Any, ...], data: Any) -> list[str]:
    model = _model_at(loc, data)
    return list(model.model_fields) if model else []


def _field_doc(loc: tuple[Any, ...], data: Any) -> str:
    model = _model_at(loc[:-1], data)
    return _attribute_docs(model).get(str(loc[-1]), "") if model else ""


@functools.cache
def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """A model's field docstrings, read from its source when an error needs
    one. Pydantic's `use_attribute_docstrings` reads every model's source at
    import instead: 50 ms of every start, before the first paint."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for stmt, after in zip(body, body[1:], strict=False):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[stmt.target.id] = inspect.cleandoc(after.value.value)
    return docs


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest YAML node the error location reaches."""
    if root is None:
        return 1
    node: yaml.Node = root
    best: int = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    best = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                continue  # a union tag, or a missing key: stay on the mapping's line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            best = node.start_mark.line + 1
        else:
            break
    return best


def save_columns(path: Path, columns: dict[str, list[str]]) -> None:
    """Write the `columns:` block of a config file, leaving every other line
    (comments included) as it is: the block is replaced where it is, or added
    at the end. The result is validated before the file is replaced."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    block = (
        ["columns:\n"] + [f"  {kind}: [{', '.join(keys)}]\n" for kind, keys in columns.items()]
        if columns
        else []
    )
    start = next((i for i, line in enumerate(lines) if re.match(r"columns\s*:", line)), None)
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        new = lines + block
    else:
        end = start + 1
        while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
            end += 1
        new = lines[:start] + block + lines[end:]
    text = "".join(new)
    parse_config(text, str(path))  # never write a file hybridtui would then refuse
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
