"""Big demo worlds come from the helper process: the same world, made elsewhere,
and made in-process whenever the helper cannot do it."""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hybridtui.providers.simulator import worldgen
from hybridtui.providers.simulator.profiles import PROFILES
from hybridtui.providers.simulator.world import World

#: One profile of each public-address behaviour the node loop has a branch for.
KEYS = ["aws-default-vpc", "gce-access-config", "openstack-floating-ip", "openstack-direct-ipv4"]


@pytest.fixture(autouse=True)
def fresh_helper() -> Iterator[None]:
    worldgen.shutdown()
    yield
    worldgen.shutdown()


def _same(a: World, b: World) -> None:
    assert [n.to_dict() for n in a.nodes.values()] == [n.to_dict() for n in b.nodes.values()]
    assert a.fips == b.fips
    # what the world does next is the same too: the random stream (a new
    # node's id) and the public address pool (its address) are where they were
    # (a big world is over the instance quota: no node can be created to show it)
    assert [a._rng.random() for _ in range(3)] == [b._rng.random() for _ in range(3)]
    assert [a._next_public() for _ in range(3)] == [b._next_public() for _ in range(3)]


@pytest.mark.parametrize("key", KEYS)
def test_a_big_world_from_the_helper_is_the_world_made_here(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = World(PROFILES[key], 5, worldgen.OFFLOAD_AT + 100)

    def not_here(self: World, i: int) -> None:
        raise AssertionError("a node was generated in the app's process")

    monkeypatch.setattr(World, "_generate", not_here)
    made = worldgen.make_world(PROFILES[key], 5, worldgen.OFFLOAD_AT + 100)
    monkeypatch.undo()
    assert worldgen._broken is None
    assert worldgen._helper is not None
    assert worldgen._helper.proc.pid != os.getpid()
    assert len(made.nodes) == worldgen.OFFLOAD_AT + 100
    _same(expected, made)


def test_a_small_world_is_made_here_without_a_helper() -> None:
    world = worldgen.make_world(PROFILES["openstack-private"], 1, None)
    assert len(world.nodes) == PROFILES["openstack-private"].node_count
    assert worldgen._helper is None


def _fake_python(tmp_path: Path, body: str) -> str:
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("exit 3", "the helper exited (code 3)"),  # dies at once
        ("exec sleep 600", "no answer from the helper"),  # takes requests, never answers
    ],
)
def test_a_helper_that_fails_leaves_the_world_made_here(
    body: str,
    reason: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(sys, "executable", _fake_python(tmp_path, body))
    monkeypatch.setattr(worldgen, "STALL_S", 0.5)
    size = worldgen.OFFLOAD_AT
    with caplog.at_level(logging.WARNING, logger=worldgen.__name__):
        made = worldgen.make_world(PROFILES["aws-default-vpc"], 2, size)
    _same(World(PROFILES["aws-default-vpc"], 2, size), made)
    assert worldgen._broken is not None
    assert reason in worldgen._broken
    assert [r.getMessage() for r in caplog.records] == [
        f"demo worlds are made in-process from now on: {worldgen._broken}"
    ]
    assert worldgen._helper is not None
    assert worldgen._helper.proc.returncode is not None  # killed and reaped, not left behind
    # the next big world does not try again
    again = worldgen.make_world(PROFILES["aws-default-vpc"], 3, size)
    assert len(again.nodes) == size
    assert len(caplog.records) == 1


def test_a_helper_that_cannot_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    made = worldgen.make_world(PROFILES["gce-access-config"], 4, worldgen.OFFLOAD_AT)
    assert len(made.nodes) == worldgen.OFFLOAD_AT
    assert worldgen._broken is not None
    assert "cannot start the helper" in worldgen._broken


def test_a_helper_dead_before_the_request_is_said_by_its_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the request's write or the answer's read notices a dead helper
    first is a race; both say how it exited (the words once differed, and a
    test that expected one of them failed a run)."""
    monkeypatch.setattr(sys, "executable", _fake_python(tmp_path, "exit 4"))
    helper = worldgen._Helper()
    helper.proc.wait(timeout=30)  # dead before the request: its write fails
    world = World(PROFILES["aws-default-vpc"], 2, 0)
    try:
        with pytest.raises(worldgen.HelperError, match=r"^the helper exited \(code 4\)$"):
            helper.make(world, 2, worldgen.OFFLOAD_AT)
    finally:
        helper.close()
