"""End to end, as a person types: the real `hybridtui --demo` in a tmux pane."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.tmux


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str) -> str:
        proc = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, what: str, check: Callable[[str], bool], timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if check(text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{text}")


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    """A directory first on PATH with an `ssh` that records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ssh = bin_dir / "ssh"
    ssh.write_text(
        f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {shlex.quote(str(tmp_path / 'ssh-argv'))}\n"
        "echo fake ssh session over\n"
    )
    ssh.chmod(0o755)
    return bin_dir


@pytest.fixture
def tmux(isolated_home: Path, fake_bin: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for this test (tests/run.sh installs it)")
    t = Tmux(f"hybridtui-e2e-{uuid.uuid4().hex[:8]}")
    path = f"{fake_bin}:{os.environ.get('PATH', '')}"
    cmd = (
        f"env HYBRIDTUI_HOME={shlex.quote(str(isolated_home))} TERM=xterm-256color "
        f"PATH={shlex.quote(path)} "
        f"{shlex.quote(sys.executable)} -m hybridtui --demo; echo EXITED:$?; sleep 60"
    )
    t("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", "-c", os.getcwd(), cmd)
    try:
        yield t
    finally:
        subprocess.run(["tmux", "-L", t.socket, "kill-server"], capture_output=True, timeout=10)


def test_demo_filter_and_quit(tmux: Tmux) -> None:
    tmux.wait_for(
        "demo panes", lambda s: "DEMO" in s and "web-prod-01" in s and "● os-private-dc1 " in s
    )

    # one write, as a fast typist or a paste over SSH sends it: every key after
    # `/` must reach the filter
    tmux("send-keys", "-t", "e2e", "-l", "/kafka")
    screen = tmux.wait_for(
        "filtered rows", lambda s: "kafka-prod-01" in s and "web-prod-01" not in s
    )
    rows = [
        line
        for line in screen.splitlines()
        if "-prod-" in line or "-stage-" in line or "-dev-" in line
    ]
    assert rows, screen
    assert all("kafka" in line for line in rows), screen
    assert "/48 nodes" in screen  # e.g. "3/48 nodes" on the aws-eu-west-1 pane

    tmux("send-keys", "-t", "e2e", "Escape")
    tmux.wait_for(
        "filter cleared", lambda s: "web-prod-01" in s and "48 nodes" in s and "/48" not in s
    )

    # the Interop tab: the floating-IP cloud says NO at step 5, and why
    tmux("send-keys", "-t", "e2e", "9")

    def step5(screen: str) -> list[str]:  # aws, gce, os-fip-fra (cut at 80 columns)
        line = next((x for x in screen.splitlines() if "5 Get its PUBLIC address" in x), "")
        return line.split()[-3:]

    # a demo cloud that is still loading is UNK: on a busy machine os-fip-fra
    # answered after the tab was shown, so wait for the answer, not the tab
    tmux.wait_for("scorecard", lambda s: step5(s) == ["YES", "YES", "NO"])
    tmux(
        "send-keys", "-t", "e2e", "Down", "Down", "Down", "Down", "Right", "Right", "Right", "Enter"
    )
    tmux.wait_for(
        "evidence", lambda s: "needs a floating IP from `ext-net`" in s and "router1" in s
    )
    tmux("send-keys", "-t", "e2e", "Escape")
    tmux.wait_for(
        "scorecard again", lambda s: "Steps that just work" in s or "5 Get its PUBLIC" in s
    )

    tmux("send-keys", "-t", "e2e", "q")
    tmux.wait_for("clean exit", lambda s: "EXITED:0" in s, timeout=15)


def test_ssh_to_a_node_hands_over_the_terminal_and_comes_back(
    tmux: Tmux, isolated_home: Path, tmp_path: Path
) -> None:
    """`s` on a node suspends the dashboard, runs the system `ssh` (a fake one
    on PATH that records its arguments) and resumes where it was."""
    tmux.wait_for("demo panes", lambda s: "DEMO" in s and "web-prod-01" in s)
    tmux("send-keys", "-t", "e2e", "s")
    record = tmp_path / "ssh-argv"
    tmux.wait_for(
        "the dashboard back after ssh",
        lambda s: record.exists() and "DEMO" in s and "web-prod-01" in s,
    )
    argv = record.read_text().splitlines()
    known = isolated_home / "data" / "known_hosts"
    assert argv[:2] == ["-o", f"UserKnownHostsFile={known} ~/.ssh/known_hosts"], argv
    assert argv[-1].endswith("@198.51.100.2"), "web-prod-01's public address"
    assert argv[-1].split("@")[0] in ("admin", "ubuntu", "ec2-user", "root"), argv
    tmux("send-keys", "-t", "e2e", "q")
    tmux.wait_for("clean exit", lambda s: "EXITED:0" in s, timeout=15)


def test_provision_on_the_demo_clouds_as_a_person_types(tmux: Tmux) -> None:
    """p, enter (plan), y (go): the live grid fills in, every demo cloud ends
    with all eight steps done, esc closes it, and the new nodes are listed."""
    tmux.wait_for("demo panes", lambda s: "DEMO" in s and "web-prod-01" in s)
    tmux("send-keys", "-t", "e2e", "p")
    tmux.wait_for("the spec form", lambda s: "Provision a node" in s)
    tmux("send-keys", "-t", "e2e", "Enter")
    tmux.wait_for("the plan", lambda s: "Plan for vcpus=2,ram_gb=4" in s and "provision on" in s)
    tmux("send-keys", "-t", "e2e", "y")
    tmux.wait_for("the step grid", lambda s: "Provisioning on" in s and "1 add node key" in s)
    screen = tmux.wait_for("every cloud done", lambda s: "esc close" in s, timeout=90)
    assert "✗" not in screen, screen
    assert screen.count("✓") >= 6, screen
    tmux("send-keys", "-t", "e2e", "Escape")  # alone: ESC then `/` would read as alt+/
    tmux.wait_for("the dashboard", lambda s: "DEMO" in s and "Provisioning on" not in s)
    tmux("send-keys", "-t", "e2e", "-l", "/hybrid-")
    tmux.wait_for("the new node listed", lambda s: "hybrid-" in s and "1/" in s, timeout=60)
    tmux("send-keys", "-t", "e2e", "Escape")
    tmux.wait_for("the filter cleared", lambda s: "web-prod-01" in s)
    tmux("send-keys", "-t", "e2e", "q")
    tmux.wait_for("clean exit", lambda s: "EXITED:0" in s, timeout=15)


def test_filter_sort_and_copy_as_an_operator_types(tmux: Tmux) -> None:
    """`/state:stopped`, shift+N, then `y`: the rows shown are the stopped
    ones, sorted by name with ▲ in the header, and the copied cell reaches
    tmux's paste buffer through OSC 52, as it would a local terminal's clipboard."""
    tmux("set-option", "-g", "set-clipboard", "on")
    tmux.wait_for("demo panes", lambda s: "DEMO" in s and "web-prod-01" in s)
    tmux("send-keys", "-t", "e2e", "-l", "/state:stopped")
    tmux("send-keys", "-t", "e2e", "Enter")
    screen = tmux.wait_for("only stopped rows", lambda s: "web-prod-01" not in s and "/48" in s)
    rows = [line.split() for line in screen.splitlines() if "-prod-" in line or "-stage-" in line]
    assert rows, screen
    assert all(r[1] == "stopped" for r in rows), screen
    tmux("send-keys", "-t", "e2e", "N")
    screen = tmux.wait_for("sorted by name", lambda s: "Name ▲" in s)
    names = [
        line.split()[0]
        for line in screen.splitlines()
        if "-prod-" in line or "-stage-" in line or "-dev-" in line
    ]
    assert names == sorted(names, key=str.lower), screen
    tmux("send-keys", "-t", "e2e", "y")
    tmux.wait_for("copied", lambda s: "Copied" in s)
    copied = tmux("show-buffer").strip()
    assert copied in names, (copied, names)
    tmux("send-keys", "-t", "e2e", "q")
    tmux.wait_for("clean exit", lambda s: "EXITED:0" in s, timeout=15)
