"""The poller: concurrency, ordering by latency, timeouts and back-off, by events."""

from __future__ import annotations

import threading

import pytest
from conftest import sim_cloud

from hybridtui.config import AppConfig, Fault
from hybridtui.domain import CATALOGUE_KINDS, ResourceKind
from hybridtui.errors import CloudTimeoutError, CloudUnavailableError
from hybridtui.inventory.poller import Backoff, Poller
from hybridtui.providers import targets_for


def make_poller(clouds: list[dict[str, object]], **kwargs: object) -> Poller:
    return Poller(targets_for(AppConfig.validate({"clouds": clouds})), **kwargs)  # type: ignore[arg-type]


def test_results_arrive_in_latency_order_and_hung_cloud_times_out() -> None:
    clouds = [
        sim_cloud("slow", "openstack-private", latency=0.6),
        sim_cloud("hung", "openstack-floating-ip", fault="timeout", timeout=1.5),
        sim_cloud("fast", "aws-default-vpc", latency=0.05),
        sim_cloud("medium", "gce-access-config", latency=0.3),
    ]
    poller = make_poller(clouds)
    try:
        outcomes = list(poller.poll())
    finally:
        poller.close()
    assert [o.cloud for o in outcomes] == ["fast", "medium", "slow", "hung"]
    assert all(o.ok and o.snapshot and o.snapshot.nodes for o in outcomes[:3])
    assert isinstance(outcomes[3].error, CloudTimeoutError)
    assert "no answer within 1.5 s" in outcomes[3].error.message


def test_hung_cloud_is_not_asked_again_while_its_call_is_outstanding() -> None:
    poller = make_poller(
        [
            sim_cloud("hung", "openstack-private", fault="timeout", timeout=0.2),
            sim_cloud("ok", "aws-default-vpc"),
        ]
    )
    try:
        first = {o.cloud: o for o in poller.poll()}
        assert not first["hung"].ok
        assert "hung" in poller.in_flight(), "the stuck call is still outstanding"
        second = [o.cloud for o in poller.poll()]
        assert second == ["ok"], "no second thread piles up on the hung cloud"
    finally:
        poller.close()


def test_failure_backs_off_exponentially_and_success_resets() -> None:
    now = [1000.0]
    poller = make_poller(
        [sim_cloud("flaky", "aws-default-vpc", fault="http-500", refresh_interval=30)],
        clock=lambda: now[0],
        backoff=Backoff(base=5, cap=60),
    )
    provider = poller.provider("flaky")
    delays = []
    for _ in range(5):
        (o,) = list(poller.poll())
        assert isinstance(o.error, CloudUnavailableError)
        delays.append(poller.next_due("flaky") - now[0])
    assert delays == [5, 10, 20, 40, 60]
    assert poller.due(now[0] + 59) == []
    assert poller.due(now[0] + 60) == ["flaky"]
    provider.fault = provider.fault.NONE  # type: ignore[attr-defined]
    (o,) = list(poller.poll())
    assert o.ok
    assert poller.failures("flaky") == 0
    assert poller.next_due("flaky") - now[0] == 30, "back to the refresh interval"


def test_auth_errors_are_not_hammered() -> None:
    now = [0.0]
    poller = make_poller(
        [sim_cloud("expired", "aws-default-vpc", fault="expired-credentials")],
        clock=lambda: now[0],
        backoff=Backoff(base=5, cap=300),
    )
    (o,) = list(poller.poll())
    assert not o.error.transient  # type: ignore[union-attr]
    assert poller.next_due("expired") >= 300


def test_missing_adapter_fails_that_cloud_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from hybridtui import providers

    # as if the SDK behind the gce adapter were not installed
    monkeypatch.setitem(providers.REGISTRY, "gce", "hybridtui.providers.not_installed:GceProvider")
    poller = make_poller(
        [
            {"name": "gcp", "kind": "gce", "project": "p-1"},
            sim_cloud("sim", "openstack-private"),
        ]
    )
    outcomes = {o.cloud: o for o in poller.poll()}
    assert outcomes["sim"].ok
    assert not outcomes["gcp"].ok
    assert "gce adapter is not available" in outcomes["gcp"].error.message


def test_close_wakes_a_blocked_poll_at_once() -> None:
    poller = make_poller([sim_cloud("hung", "openstack-private", fault="timeout", timeout=300)])
    done = threading.Event()
    got: list[object] = []

    def run() -> None:
        got.extend(poller.poll())
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert not done.wait(0.3)
    poller.close()
    assert done.wait(5), "quitting must not wait for a hung cloud's timeout"
    assert got == []


def test_catalogue_refreshes_on_its_own_slower_schedule() -> None:
    now = [10_000.0]
    clouds = [sim_cloud("c", "openstack-floating-ip", refresh_interval=30, catalogue_interval=3600)]
    poller = make_poller(clouds, clock=lambda: now[0])
    provider = poller.provider("c")
    seen: list[bool] = []
    real = provider.fetch_inventory

    def spy(kinds=None):  # type: ignore[no-untyped-def]
        seen.append(set(kinds) >= CATALOGUE_KINDS)
        return real(kinds)

    provider.fetch_inventory = spy  # type: ignore[method-assign]
    (first,) = list(poller.poll())
    now[0] += 60
    (second,) = list(poller.poll())
    now[0] += 3600
    (third,) = list(poller.poll())
    (forced,) = list(poller.poll(full=True))
    assert seen == [True, False, True, True]
    assert first.snapshot is not None
    assert second.snapshot is not None
    assert second.snapshot.images == first.snapshot.images, "catalogue carried over"
    assert second.snapshot.catalogue_at == 10_000.0
    assert second.snapshot.fetched_at == 10_060.0
    assert third.snapshot is not None
    assert third.snapshot.catalogue_at == third.snapshot.fetched_at
    assert forced.ok


def test_seeded_cache_counts_as_a_catalogue() -> None:
    from hybridtui.inventory.snapshot import CloudSnapshot

    now = [5_000.0]
    poller = make_poller(
        [sim_cloud("c", "openstack-private", catalogue_interval=3600)], clock=lambda: now[0]
    )
    poller.seed(CloudSnapshot("c", "simulator", fetched_at=4_000.0, catalogue_at=4_000.0))
    assert not poller.catalogue_due("c")
    now[0] = 7_600.0
    assert poller.catalogue_due("c")


@pytest.mark.parametrize(
    ("cloud", "extra"),
    [
        ({"name": "a", "kind": "aws", "regions": ["eu-west-1"]}, "aws"),
        ({"name": "o", "kind": "openstack", "cloud": "x"}, "openstack"),
        ({"name": "g", "kind": "gce", "project": "p"}, "gce"),
    ],
)
def test_missing_sdk_is_a_clear_error_with_the_install_command(
    cloud: dict[str, object], extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hybridtui.errors import AdapterMissingError
    from hybridtui.providers import build_provider

    (target,) = targets_for(AppConfig.validate({"clouds": [cloud]}))
    provider = build_provider(target)
    monkeypatch.setattr(type(provider), "SDK_MODULE", "sdk_that_is_not_installed")
    with pytest.raises(AdapterMissingError) as info:
        provider.list_nodes()
    assert "sdk_that_is_not_installed is not installed" in info.value.message
    assert info.value.hint == f"pip install 'hybridtui[{extra}]'"


def test_one_failing_kind_keeps_its_last_records_and_the_rest_refresh() -> None:
    """A 403 on one listing costs that kind only: the others are fresh, the
    failed one keeps its previous records with their own age and the reason."""
    now = [1_000.0]
    poller = make_poller(
        [sim_cloud("c", "gce-access-config", catalogue_interval=0)], clock=lambda: now[0]
    )
    provider = poller.provider("c")
    (first,) = list(poller.poll())
    assert first.ok
    assert first.snapshot
    assert first.snapshot.security_groups
    before = first.snapshot.security_groups

    provider.fault, provider.sim = (
        Fault.FORBIDDEN,
        provider.sim.replace(  # type: ignore[attr-defined]
            fault_kinds=[ResourceKind.SECURITY_GROUPS]
        ),
    )
    now[0] += 60
    (second,) = list(poller.poll())
    snap = second.snapshot
    assert second.ok
    assert snap is not None, "one kind failing is not a failed cloud"
    assert snap.nodes
    assert snap.kind_at[ResourceKind.NODES] == 1_060.0
    assert snap.security_groups == before, "the last good records are kept"
    assert snap.kind_at[ResourceKind.SECURITY_GROUPS] == 1_000.0, "with their own age"
    err = snap.kind_errors[ResourceKind.SECURITY_GROUPS]
    assert err.denied
    assert err.title == "Permission denied"
    assert "403" in err.message
    assert set(snap.kind_errors) == {ResourceKind.SECURITY_GROUPS}


def test_a_refused_kind_is_not_asked_again_until_r() -> None:
    now = [1_000.0]
    poller = make_poller(
        [
            sim_cloud(
                "c",
                "aws-default-vpc",
                fault="forbidden",
                fault_kinds=["images"],
                catalogue_interval=3600,
            )
        ],
        clock=lambda: now[0],
    )
    asked: list[list[ResourceKind]] = []
    provider = poller.provider("c")
    real = provider.fetch_inventory

    def spy(kinds=None):  # type: ignore[no-untyped-def]
        asked.append(list(kinds))
        return real(kinds)

    provider.fetch_inventory = spy  # type: ignore[method-assign]
    (first,) = list(poller.poll())
    assert first.snapshot
    assert ResourceKind.IMAGES in first.snapshot.kind_errors
    now[0] += 60
    list(poller.poll())
    assert ResourceKind.IMAGES not in asked[1], "a permission error is remembered"
    assert ResourceKind.NODES in asked[1]
    list(poller.poll(full=True))
    assert ResourceKind.IMAGES in asked[2], "r asks again"


def test_a_kind_that_failed_transiently_is_asked_again_next_time() -> None:
    now = [1_000.0]
    poller = make_poller(
        [
            sim_cloud(
                "c",
                "aws-default-vpc",
                fault="http-500",
                fault_kinds=["flavors"],
                catalogue_interval=3600,
            )
        ],
        clock=lambda: now[0],
    )
    (first,) = list(poller.poll())
    assert first.snapshot
    assert ResourceKind.FLAVORS in first.snapshot.kind_errors
    assert not first.snapshot.flavors
    assert first.snapshot.images
    now[0] += 60
    assert ResourceKind.FLAVORS in poller.kinds_due("c"), "not a day later: at the next refresh"
    assert ResourceKind.IMAGES not in poller.kinds_due("c")


def test_every_kind_failing_is_a_failed_cloud() -> None:
    poller = make_poller([sim_cloud("c", "aws-default-vpc", fault="http-500")])
    (o,) = list(poller.poll())
    assert not o.ok
    assert isinstance(o.error, CloudUnavailableError)


def test_nodes_only_asks_for_nodes() -> None:
    poller = make_poller([sim_cloud("c", "aws-default-vpc")])
    provider = poller.provider("c")
    (o,) = list(poller.poll(kinds=[ResourceKind.NODES]))
    assert o.ok
    assert o.snapshot
    assert o.snapshot.nodes
    assert provider.calls == 1  # type: ignore[attr-defined]
    assert set(o.snapshot.kind_at) == {ResourceKind.NODES}


def test_a_hung_listing_never_holds_the_process_at_exit() -> None:
    """Listings run in threads that exit with the process: a call hung inside
    an SDK (a read that never returns) must not keep `q` or the CLI from
    exiting, as the workers of a ThreadPoolExecutor would (they are joined at
    interpreter exit)."""
    import subprocess
    import sys

    probe = """
import threading
from hybridtui.providers.base import gather
started = [threading.Event(), threading.Event()]
never = threading.Event()
def hang(i):
    started[i].set()
    never.wait()
threading.Thread(target=gather, args=("c", {0: lambda: hang(0), 1: lambda: hang(1)}),
                 daemon=True).start()
for e in started:
    e.wait()
print("both listings hung; exiting")
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert "exiting" in out.stdout
