"""Instance type specs shared by the regions of one account: each type is
described once, the regions' describes run at once, and a region whose peer
failed or hangs still gets every type it offers. First the catalogue's rules
with describes the test controls, then three regions of moto at once through
the real boto3."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from conftest import aws_cloud
from peers.fault_proxy import fault_proxy

from hybridtui.config import AwsCloud
from hybridtui.domain import Flavor
from hybridtui.providers.aws.adapter import AwsProvider
from hybridtui.providers.aws.instance_types import TypeCatalogue


def flavor(name: str) -> Flavor:
    return Flavor(id=name, name=name, vcpus=len(name), ram_mb=1024)


class Describer:
    """A describe that records what it was asked and can be held or made to fail."""

    def __init__(self, *, hold: bool = False, fail: bool = False) -> None:
        self.asked: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self.fail = fail

    def __call__(self, names: list[str]) -> list[Flavor]:
        self.asked.append(list(names))
        self.started.set()
        assert self.release.wait(10)
        if self.fail:
            raise RuntimeError("throttled")
        return [flavor(n) for n in names]


def in_thread(fn: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except Exception as e:  # the test looks at it
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def test_a_region_describes_at_once_what_no_other_region_is_describing() -> None:
    cat = TypeCatalogue()
    first, second = Describer(hold=True), Describer()
    a, a_out = in_thread(lambda: cat.specs_of(["m5.large", "t3.micro"], first, wait=30))
    assert first.started.wait(10)
    b, b_out = in_thread(lambda: cat.specs_of(["c7g.large", "t3.micro"], second, wait=30))
    # the second region sends its own new type while the first one's describe
    # is still out, and asks nothing the first one is describing
    assert second.started.wait(10)
    assert second.asked == [["c7g.large"]]
    b.join(0.05)
    assert b.is_alive(), "t3.micro is still being described by the first region"
    first.release.set()
    a.join(10)
    b.join(10)
    assert [f.name for f in a_out["value"]] == ["m5.large", "t3.micro"]
    assert [f.name for f in b_out["value"]] == ["c7g.large", "t3.micro"]
    assert first.asked == [["m5.large", "t3.micro"]], "each type described once"
    # a third region later finds every type known and describes nothing
    third = Describer()
    assert len(cat.specs_of(["t3.micro", "c7g.large"], third, wait=30)) == 2
    assert third.asked == []


def test_a_region_describes_itself_what_a_failed_region_was_describing() -> None:
    cat = TypeCatalogue()
    first, second = Describer(hold=True, fail=True), Describer()
    a, a_out = in_thread(lambda: cat.specs_of(["m5.large", "t3.micro"], first, wait=30))
    assert first.started.wait(10)
    b, b_out = in_thread(lambda: cat.specs_of(["t3.micro"], second, wait=30))
    first.release.set()
    a.join(10)
    b.join(10)
    assert isinstance(a_out["error"], RuntimeError), "the failing region's own kind fails"
    assert [f.name for f in b_out["value"]] == ["t3.micro"]
    assert second.asked == [["t3.micro"]]
    # the failed types are free again: the next refresh describes them
    again = Describer()
    assert len(cat.specs_of(["m5.large", "t3.micro"], again, wait=30)) == 2
    assert again.asked == [["m5.large"]]


def test_a_hung_region_holds_another_only_as_long_as_the_wait() -> None:
    cat = TypeCatalogue()
    hung = Describer(hold=True)
    a, _ = in_thread(lambda: cat.specs_of(["m5.large"], hung, wait=30))
    assert hung.started.wait(10)
    second = Describer()
    got = cat.specs_of(["m5.large", "t3.micro"], second, wait=0.05)
    assert [f.name for f in got] == ["m5.large", "t3.micro"]
    assert second.asked == [["t3.micro"], ["m5.large"]]
    hung.release.set()
    a.join(10)


def test_cached_flavors_are_not_described_again() -> None:
    cat = TypeCatalogue()
    cat.remember([flavor("t3.micro")])
    describe = Describer()
    assert [f.name for f in cat.specs_of(["t3.micro", "m5.large"], describe, wait=30)] == [
        "t3.micro",
        "m5.large",
    ]
    assert describe.asked == [["m5.large"]]


REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]


def test_three_regions_at_once_describe_each_type_once(
    aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real adapter, boto3 and moto: three regions list their flavors at
    once; each gets exactly its offerings with specs, and no type is asked
    for twice (a fresh endpoint: its own catalogue)."""
    asked: list[str] = []
    real = AwsProvider._instance_types

    def recording(self: AwsProvider, names: list[str]) -> list[dict[str, Any]]:
        asked.extend(names)
        return real(self, names)

    monkeypatch.setattr(AwsProvider, "_instance_types", recording)
    with fault_proxy(aws_env) as proxy:
        cfg = AwsCloud.validate(aws_cloud(proxy.url, regions=REGIONS))
        providers = [AwsProvider("aws", cfg, r) for r in REGIONS]
        runs = [in_thread(p.list_flavors) for p in providers]
        for t, _ in runs:
            t.join(120)
        offered = {
            p.region_name: {
                o["InstanceType"]
                for o in p.client().describe_instance_type_offerings(
                    LocationType="region",
                    Filters=[{"Name": "location", "Values": [p.region_name]}],
                )["InstanceTypeOfferings"]
            }
            for p in providers
        }
    for p, (_, out) in zip(providers, runs, strict=True):
        flavors = out["value"]
        assert {f.name for f in flavors} == offered[p.region_name]
        assert all(f.vcpus > 0 and f.ram_mb > 0 for f in flavors)
    union = set().union(*offered.values())
    assert sorted(asked) == sorted(union), "every offered type described exactly once"
