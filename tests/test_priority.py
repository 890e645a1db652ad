"""`hybridtui.priority`: background loops wait at their checkpoints while the UI
holds, go on when it releases, and never wait past the hold's limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from hybridtui import priority


def _run_chunked(done: list[int]) -> threading.Thread:
    t = threading.Thread(
        target=lambda: done.extend(priority.chunked(lambda x: x * 2, range(10), every=3)),
        daemon=True,
    )
    t.start()
    return t


def test_background_work_waits_while_the_ui_holds_and_goes_on_at_release() -> None:
    done: list[int] = []
    priority.hold(60.0)
    try:
        assert priority.holding()
        t = _run_chunked(done)
        t.join(0.3)
        assert t.is_alive(), "the first checkpoint waits while held"
        assert done == []
    finally:
        priority.release()
    t.join(10)
    assert not t.is_alive()
    assert done == [x * 2 for x in range(10)]
    assert not priority.holding()


def test_a_hold_ends_on_its_own() -> None:
    """A key held down (holds renewed, no release) cannot stall a refresh:
    each hold lasts at most its limit."""
    done: list[int] = []
    priority.hold(0.05)
    t = _run_chunked(done)
    t.join(10)
    try:
        assert not t.is_alive()
        assert done == [x * 2 for x in range(10)]
    finally:
        priority.release()


def test_without_a_hold_a_checkpoint_does_not_wait() -> None:
    priority.release()
    assert priority.chunked(str, [1, 2, 3], every=1) == ["1", "2", "3"]
    priority.yield_to_ui()


def test_chunked_is_a_list_comprehension_at_every_length() -> None:
    for n in (0, 1, 2, 3, 4, 6, 7, 255, 256, 257, 512):
        assert priority.chunked(lambda x: x + 1, range(n), every=3 if n < 10 else 256) == [
            x + 1 for x in range(n)
        ]
    assert priority.chunked(str, iter(range(5)), every=2) == ["0", "1", "2", "3", "4"]


def test_background_work_takes_turns() -> None:
    """While one thread has the turn, another waits for it (the lock released:
    it does not compete for the interpreter); a turn is re-entrant, so
    `chunked` inside a turn does not deadlock."""
    inside = threading.Event()
    leave = threading.Event()
    order: list[str] = []

    def first() -> None:
        with priority.turn():
            order.append("first in")
            assert priority.chunked(lambda x: x, range(5), every=2) == list(range(5))
            inside.set()
            leave.wait(10)
            order.append("first out")

    def second() -> None:
        with priority.turn():
            order.append("second in")

    a = threading.Thread(target=first, daemon=True)
    a.start()
    assert inside.wait(10)
    b = threading.Thread(target=second, daemon=True)
    b.start()
    b.join(0.3)
    assert b.is_alive(), "the second waits while the first has the turn"
    leave.set()
    a.join(10)
    b.join(10)
    assert order == ["first in", "first out", "second in"]


@contextmanager
def a_background_thread_in_its_turn() -> Iterator[None]:
    """A background thread (a refresh's) holds a turn until the block ends."""
    inside, leave = threading.Event(), threading.Event()

    def background() -> None:
        with priority.turn():
            inside.set()
            leave.wait(10)

    b = threading.Thread(target=background, daemon=True)
    b.start()
    assert inside.wait(10)
    try:
        yield
    finally:
        leave.set()
        b.join(10)


def test_the_ui_thread_never_waits_at_its_own_checkpoint_or_for_a_turn() -> None:
    """Its cells are built on the UI thread when a pane shows a cloud not yet
    prepared: a checkpoint there waited for the UI's own hold to end (the first
    rows at 50 clouds came a second late), and a turn could wait for a
    background thread that itself waits for the UI."""
    with a_background_thread_in_its_turn():
        priority.hold(60.0)  # this thread holds: it is the UI's
        try:
            assert priority.chunked(lambda x: -x, range(600)) == [-x for x in range(600)]
            with priority.turn():
                pass
        finally:
            priority.release()


def test_the_scorecard_takes_turns_with_other_background_work() -> None:
    """The comparator's worker evaluates each site in a turn: while a refresh
    thread has one, it waits (the UI then contends with one thread, not two)."""
    from hybridtui.interop.scorecard import build
    from hybridtui.interop.site import Site

    sites = [Site("a", "aws", None), Site("b", "gce", None)]
    cards: list[object] = []
    with a_background_thread_in_its_turn():
        t = threading.Thread(target=lambda: cards.append(build(sites)), daemon=True)
        t.start()
        t.join(0.3)
        assert t.is_alive(), "the scorecard waits for the turn"
        assert cards == []
    t.join(30)
    assert not t.is_alive()
    (card,) = cards
    assert card.clouds == ("a", "b")  # type: ignore[attr-defined]


def test_the_terminal_driver_holds_background_work_when_a_key_arrives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The input thread holds at once (the UI thread may be in the middle of a
    frame), and still passes the key on; a resize or a mouse move holds nothing."""
    from textual import events
    from textual.drivers.headless_driver import HeadlessDriver
    from textual.geometry import Size

    from hybridtui.ui.app import _holding_driver

    passed: list[object] = []

    class Recording(HeadlessDriver):
        def process_message(self, message: Any) -> None:
            passed.append(message)

    monkeypatch.setattr(priority, "MAX_HOLD", 60.0)
    driver = _holding_driver(Recording).__new__(_holding_driver(Recording))
    priority.release()
    resize = events.Resize(Size(80, 24), Size(80, 24))
    driver.process_message(resize)
    assert not priority.holding()
    done: list[int] = []
    key = events.Key("a", "a")
    driver.process_message(key)
    try:
        assert priority.holding()
        t = _run_chunked(done)  # a refresh thread's next checkpoint waits
        t.join(0.3)
        assert t.is_alive()
        assert done == []
    finally:
        priority.release()
    t.join(10)
    assert done == [x * 2 for x in range(10)]
    assert passed == [resize, key]
