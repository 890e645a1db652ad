"""Layering, proved in fresh interpreters: the UI never loads a cloud SDK, the
core never loads Textual, and first paint happens before any SDK import."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SDK_ROOTS = ("boto3", "botocore", "openstack", "keystoneauth1", "google")
ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    modules: list[str] = json.loads(out.stdout.splitlines()[-1])
    return modules


def test_ui_imports_no_cloud_sdk() -> None:
    mods = loaded_after("import hybridtui.ui.app")
    assert "textual" in mods
    assert [m for m in mods if m.split(".")[0] in SDK_ROOTS] == []


def test_core_imports_no_textual() -> None:
    mods = loaded_after(
        "import hybridtui.cli, hybridtui.config, hybridtui.config_file, hybridtui.inventory.poller, hybridtui.inventory.cache,"
        " hybridtui.inventory.model, hybridtui.inventory.report, hybridtui.providers.simulator,"
        " hybridtui.interop.scorecard, hybridtui.interop.site"
    )
    assert [m for m in mods if m.split(".")[0] == "textual"] == []
    assert [m for m in mods if m.startswith("hybridtui.ui")] == []


def test_package_import_is_cheap() -> None:
    mods = loaded_after("import hybridtui")
    assert [m for m in mods if m.startswith("hybridtui.")] == []


def first_paint(record: Path) -> dict[str, Any]:
    """The dashboard's own record of its first paint (HYBRIDTUI_BENCH_FIRST_PAINT)."""
    env = {**os.environ, "HYBRIDTUI_BENCH_FIRST_PAINT": str(record)}
    subprocess.run(
        [sys.executable, "-m", "hybridtui", "--demo"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
        check=True,
    )
    said: dict[str, Any] = json.loads(record.read_text())
    return said


def test_first_paint_loads_no_sdk(tmp_path: Path) -> None:
    first = first_paint(tmp_path / "paint-1.json")["modules"]
    assert "pydantic" in first  # the config was checked
    second = first_paint(tmp_path / "paint-2.json")
    modules = second["modules"]
    # a key is answered between the poll threads' turns at the lock, not 5 ms later
    assert second["switch_interval"] == pytest.approx(0.001)
    assert "textual.app" in modules
    assert [m for m in modules if m.split(".")[0] in SDK_ROOTS] == []
    # An unchanged config is not checked again: pydantic (110-130 ms with
    # the models' schemas) is not imported (hybridtui.config_memo).
    assert [m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")] == []
    # Nor are the unchanged theme files parsed again (PyYAML: 10-17 ms).
    assert "yaml" in first
    assert "yaml" not in modules
    # Nor what only a later key or the comparator needs (40-50 ms of the
    # first paint when they were imported up front, bench/startup.py).
    later = (
        "hybridtui.inventory.scorecards",
        "hybridtui.interop.rules",
        "hybridtui.provisioning.plan",
        "hybridtui.ui.widgets.interop_view",
        "hybridtui.ui.screens.details",
        "hybridtui.ui.screens.help",
        "rich.syntax",
    )
    assert [m for m in later if m in modules] == []


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("lint-imports (import-linter) is a test dependency and must be installed")
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 kept, 0 broken" in proc.stdout
