"""What the scorecard is made of: checks, verdicts, evidence and cells.

A cell is one cloud's answer to one check, with the facts it stands on, so a
reader can always ask "why?" and get the records and raw values back. The JSON
of a cell (`to_dict`) is part of `hybridtui compare --format json`: add fields
freely, never rename or remove one without bumping `interop.report.SCHEMA`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """How well a step works on a cloud (RefStack-style pass/partial/fail)."""

    YES = "yes"  # works as is
    PARTIAL = "partial"  # works with an extra action or a choice the cloud leaves open
    NO = "no"  # does not work without outside help
    UNKNOWN = "unknown"  # the data to decide is missing


class Evidence(StrEnum):
    """Where a verdict comes from, weakest first: a measured one wins."""

    DECLARED = "declared"  # config, or what the platform is documented to do
    INFERRED = "inferred"  # read from the cloud's own records
    MEASURED = "measured"  # seen on a provisioning run


@dataclass(frozen=True, slots=True)
class Source:
    """One fact a verdict stands on: a record's field and its raw value
    (`kind` is a resource kind, or `config`/`platform` for declared facts)."""

    kind: str
    record: str
    field: str
    value: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "record": self.record, "field": self.field, "value": self.value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        return cls(str(data["kind"]), str(data["record"]), str(data["field"]), str(data["value"]))


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    #: What the check asks; a YES answers it.
    question: str
    #: One of the eight node-allocation steps (scored), or a behaviour row.
    step: bool = False


STEPS: tuple[Check, ...] = (
    Check(
        "1",
        "Add a node-specific SSH key",
        "Can a key made for one node be registered for it?",
        True,
    ),
    Check(
        "2",
        "Read networks, flavors, images",
        "Does the cloud list all three for this account?",
        True,
    ),
    Check(
        "3",
        "Pick network, flavor, image",
        "Does the site's catalogue give one clear choice for the spec?",
        True,
    ),
    Check("4", "Request the node", "Can a node be requested through the API?", True),
    Check(
        "5",
        "Get its PUBLIC address",
        "Does the node get a public address without extra steps?",
        True,
    ),
    Check(
        "6",
        "Log in with the node key",
        "Is the login account and the way in known beforehand?",
        True,
    ),
    Check(
        "7",
        "Root keys, no password login",
        "Can root's keys be set and password login turned off?",
        True,
    ),
    Check("8", "Remove the node key", "Does removing the key take it off the running node?", True),
)
BEHAVIOURS: tuple[Check, ...] = (
    Check("public-address", "Public-address strategy", "Does a node get a public IPv4 at boot?"),
    Check("ipv6", "IPv6 available", "Can nodes get a global IPv6 address?"),
    Check("root-login", "Root login with a key", "Does root log in with a key out of the box?"),
    Check("password-login", "Password login by default", "Is SSH password login on by default?"),
    Check("key-delivery", "How the node key arrives", "Can keys change on a running node?"),
    Check("default-network", "Default network", "Is there one network new nodes go on by default?"),
    Check("ssh-open", "SSH open by default", "Does the default firewall admit TCP 22?"),
    Check("state-words", "What the state words mean", "Are the cloud's state words unambiguous?"),
)
#: Login rows, one per distro family some cloud offers, in this order.
LOGIN_FAMILIES = (
    "ubuntu",
    "debian",
    "rhel",
    "centos",
    "rocky",
    "almalinux",
    "fedora",
    "amazon",
    "suse",
    "opensuse",
    "fedora-coreos",
    "flatcar",
    "cirros",
)
LOGIN_PREFIX = "login:"


def login_check(distro: str) -> Check:
    return Check(
        f"{LOGIN_PREFIX}{distro}",
        f"Login account: {distro}",
        f"Which account do {distro} images log in as?",
    )


def check_by_id(check_id: str) -> Check:
    for c in (*STEPS, *BEHAVIOURS):
        if c.id == check_id:
            return c
    if check_id.startswith(LOGIN_PREFIX):
        return login_check(check_id.removeprefix(LOGIN_PREFIX))
    raise KeyError(check_id)


@dataclass(frozen=True, slots=True)
class Cell:
    """One cloud's answer to one check."""

    cloud: str
    check: str
    verdict: Verdict
    #: A few words a person reads: "needs a floating IP from `ext-net`".
    reason: str
    evidence: Evidence
    #: When the facts were read (seconds since the epoch; 0: unknown).
    observed_at: float
    #: What two clouds must share to "behave the same" at this check
    #: (a strategy, a set of accounts); '' compares verdicts only.
    value: str = ""
    sources: tuple[Source, ...] = field(default=(), compare=False)

    @property
    def behaviour_key(self) -> tuple[str, str]:
        return (str(self.verdict), self.value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cloud": self.cloud,
            "check": self.check,
            "verdict": str(self.verdict),
            "reason": self.reason,
            "evidence": str(self.evidence),
            "observed_at": self.observed_at,
            "value": self.value,
            "sources": [s.to_dict() for s in self.sources],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cell:
        return cls(
            cloud=str(data["cloud"]),
            check=str(data["check"]),
            verdict=Verdict(data["verdict"]),
            reason=str(data.get("reason") or ""),
            evidence=Evidence(data.get("evidence") or Evidence.DECLARED),
            observed_at=float(data.get("observed_at") or 0.0),
            value=str(data.get("value") or ""),
            sources=tuple(Source.from_dict(s) for s in data.get("sources") or ()),
        )
