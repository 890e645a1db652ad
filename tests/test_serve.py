"""`hybridtui serve --demo` in a real browser: Debian's Chromium driven by
Playwright over loopback. The page loads, the panes arrive, a key switches the
tab and the filter narrows the rows; the screenshot is read back by OCR.

The terminal in the page is drawn on a canvas (xterm.js), so what the browser
shows is read where it arrives: the frames textual-serve sends over the page's
websocket. Nothing leaves loopback: the page's web font from Google is refused.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from peers.ports import free_port

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def served(tmp_path: Path, isolated_home: Path) -> Iterator[str]:
    """`hybridtui serve --demo` on a free loopback port; its URL."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hybridtui", "serve", "--demo", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the apps it starts go with it
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("serve did not start: " + (tmp_path / "serve.log").read_text())
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()
    assert "this machine only" in (tmp_path / "serve.log").read_text()


def flavor_counts(cloud: str, text: str) -> tuple[int, int]:
    """How many of `cloud`'s demo flavors `text` matches, and how many it has."""
    done = subprocess.run(
        [sys.executable, "-m", "hybridtui", "inventory", "--demo", "--kind", "flavors"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    names = [line.split()[1] for line in done.stdout.splitlines() if line.startswith(cloud + " ")]
    return sum(text in n for n in names), len(names)


def test_the_dashboard_in_a_real_browser(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is required for this test (tests/run.sh installs it)")
    frames: list[bytes] = []

    def received(payload: str | bytes) -> None:
        frames.append(payload.encode() if isinstance(payload, str) else payload)

    def shown_since(start: int, text: str, timeout: float = 30.0) -> None:
        """Wait until `text` has arrived in a frame after frame `start`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text.encode() in f for f in frames[start:]):
                return
            page.wait_for_timeout(50)  # lets Playwright deliver the next frames
        pytest.fail(f"{text!r} never reached the browser")

    def loopback_only(route: Route) -> None:
        if urlparse(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    refused: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            # root in CI needs no sandbox; no name but loopback resolves, so
            # not even a DNS prefetch leaves the machine
            args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.route("**/*", loopback_only)
            page.on("websocket", lambda ws: ws.on("framereceived", received))
            page.goto(served)
            shown_since(0, "aws-eu-west-1")
            shown_since(0, "web-prod-01")
            page.click("body")  # the terminal takes the keys
            mark = len(frames)
            page.keyboard.press("2")
            shown_since(mark, "vCPU")  # the Flavors tab's header
            mark = len(frames)
            page.keyboard.type("/m6i.2x")
            matches, total = flavor_counts("aws-eu-west-1", "m6i.2x")
            assert 0 < matches < total
            shown_since(mark, f"{matches}/{total} flavors")  # the pane's title, filtered
            shot = tmp_path / "serve.png"
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    # what a person sees: the screenshot read back by OCR (tesseract), which
    # may misread a glyph here and there, so two of the three must be there
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        pytest.fail("tesseract is required for this test (tests/run.sh installs it)")
    seen = subprocess.run(
        [tesseract, str(shot), "stdout"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    expected = ["aws-eu-west-1", f"{matches}/{total} flavors", "no rows match"]
    assert sum(e in seen for e in expected) >= 2, seen
    assert all("googleapis" in u for u in refused), refused


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("taken", "Address already in use"),
        ("203.0.113.7", "Cannot assign requested address"),  # not this machine's (TEST-NET-3)
        ("99999", "99999 is not a TCP port (1-65535)"),
    ],
)
def test_serve_says_why_it_cannot_listen(isolated_home: Path, where: str, says: str) -> None:
    """Each was a traceback out of aiohttp, after textual-serve's banner had
    said it was serving. Nothing is dialled: binding only."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        host, port = "127.0.0.1", str(taken.getsockname()[1])
        if where == "99999":
            port = where
        elif where != "taken":
            host = where
        done = subprocess.run(
            [sys.executable, "-m", "hybridtui", "serve", "--demo", "--host", host, "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert "Serving" not in done.stdout + done.stderr
