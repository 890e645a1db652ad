"""The built wheel carries its themes and demo config and runs the demo from them."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_data_and_runs_demo(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("hybridtui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "hybridtui/_data/themes/projector.yaml",
        "hybridtui/_data/sample_configs/demo.yaml",
        "hybridtui/ui/app.tcss",
    ):
        assert needed in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "hybridtui = hybridtui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    probe = (
        "import hybridtui, json; from hybridtui.paths import data_dir;"
        "print(json.dumps([hybridtui.__file__, str(data_dir('themes'))]))"
    )
    # -S skips site processing, so the checkout's editable-install hook cannot
    # shadow the wheel; dependencies still come from this venv's site-packages.
    deps = sysconfig.get_paths()["purelib"]
    env = {
        "PYTHONPATH": f"{target}:{deps}",
        "HYBRIDTUI_HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    module_file, themes = json.loads(out.stdout)
    assert module_file.startswith(str(target)), "the wheel, not the checkout, was imported"
    assert themes == str(target / "hybridtui" / "_data" / "themes")

    run = subprocess.run(
        [
            sys.executable,
            "-S",
            "-m",
            "hybridtui",
            "inventory",
            "--demo",
            "--format",
            "json",
            "--cloud",
            "os-v6-zrh",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["clouds"][0]["status"] == "fresh"
    assert doc["records"]
