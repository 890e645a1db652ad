"""Capture and replay (`hybridtui capture FILE`, `--replay FILE`): the replay
prints and shows the same records and scorecard as the clouds did, with no
credentials, no SDK and no network; a masked capture holds no address or id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import aws_cloud, sim_cloud
from test_privacy import sensitive_values

from hybridtui.cli import main
from hybridtui.settings import resolve_settings
from hybridtui.ui.app import make_app

CLOUDS = [
    sim_cloud("aws-sim", "aws-default-vpc"),
    sim_cloud("os-fip", "openstack-floating-ip"),
    sim_cloud("os-priv", "openstack-private", overrides={"jump_host": "ops@bastion.example.net"}),
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def records(capsys: pytest.CaptureFixture[str], *source: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, *source, "inventory", "--kind", "all", "--format", "json", "--raw")
    assert code == 0, err
    return list(json.loads(out)["records"])


def capture(capsys: pytest.CaptureFixture[str], config: Path, path: Path, *extra: str) -> None:
    code, _, err = run(capsys, "--config", str(config), "capture", str(path), *extra)
    assert code == 0, err
    assert f"{path}: " in err


def config_file(tmp_path: Path, clouds: list[dict[str, Any]]) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"clouds": clouds}))
    return path


def test_demo_capture_replays_the_same_records_and_scorecard(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = config_file(tmp_path, CLOUDS)
    path = tmp_path / "talk.json"
    capture(capsys, config, path)
    doc = json.loads(path.read_text())
    assert (doc["format"], doc["version"]) == ("hybridtui-capture", 1)
    assert path.stat().st_mode & 0o777 == 0o600
    live = records(capsys, "--config", str(config), "--offline")
    replayed = records(capsys, "--replay", str(path))
    assert len(live) > 100
    assert replayed == live, "every record, field and raw record, as the clouds gave them"
    for fmt in ("json", "table"):
        _, a, _ = run(capsys, "--config", str(config), "--offline", "compare", "--format", fmt)
        code, b, err = run(capsys, "--replay", str(path), "compare", "--format", fmt)
        assert code == 0, err
        if fmt == "json":  # when it was generated differs; what it says does not
            a_doc, b_doc = json.loads(a), json.loads(b)
            assert a_doc["cells"] == b_doc["cells"]
            assert [c["cloud"] for c in b_doc["clouds"]] == [c["name"] for c in CLOUDS]
        else:
            assert a == b
    assert "reached through jump host ops@bastion.example.net" in b, "the overrides came along"


def test_moto_capture_replays_the_same_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, aws_env: str
) -> None:
    from test_aws import launch_ubuntu

    launch_ubuntu(aws_env, count=2)
    config = config_file(tmp_path, [aws_cloud(aws_env)])
    path = tmp_path / "aws.json"
    capture(capsys, config, path)
    live = records(capsys, "--config", str(config), "--offline")
    assert sum(r["kind"] == "nodes" for r in live) == 2
    assert records(capsys, "--replay", str(path)) == live


def test_a_masked_capture_holds_no_address_or_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = config_file(tmp_path, CLOUDS)
    path = tmp_path / "masked.json"
    capture(capsys, config, path, "--privacy")
    live = records(capsys, "--config", str(config), "--offline")
    secrets = {
        s
        for r in live
        if r["kind"] != "flavors"
        for s in sensitive_values(r)
        if s.rpartition("/")[2] not in {x["name"] for x in live}
    }
    assert len(secrets) > 50
    text = path.read_text()
    assert not [s for s in secrets if s in text]
    assert json.loads(text)["masked"] is True
    replayed = records(capsys, "--replay", str(path))

    def nodes(rs: list[dict[str, Any]]) -> list[str]:
        return [r["name"] for r in rs if r["kind"] == "nodes"]

    assert nodes(replayed) == nodes(live), "it replays, masked"


#: The start of a script run in a process of its own: every socket call fails.
NO_SOCKETS = textwrap.dedent(
    """
    import socket
    import sys
    def refuse(*a, **k):
        raise AssertionError("a socket was opened")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    """
)


def capture_moto_and_demo(capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str) -> Path:
    """A capture of one EC2 instance on moto and the demo clouds."""
    from test_aws import launch_ubuntu

    launch_ubuntu(url)
    path = tmp_path / "c.json"
    capture(capsys, config_file(tmp_path, [aws_cloud(url), *CLOUDS]), path)
    return path


def test_replay_imports_no_sdk_and_opens_no_socket(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, aws_env: str
) -> None:
    path = capture_moto_and_demo(capsys, tmp_path, aws_env)
    script = NO_SOCKETS + textwrap.dedent(
        f"""
        from hybridtui.cli import main
        code = main(["--replay", {str(path)!r}, "inventory", "--format", "json"])
        sdks = [m for m in ("boto3", "botocore", "openstack", "google.cloud") if m in sys.modules]
        print("SDKS", sdks, "CODE", code, file=sys.stderr)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert "SDKS [] CODE" in done.stderr, done.stderr[-2000:]
    doc = json.loads(done.stdout)
    assert {c["cloud"] for c in doc["clouds"]} >= {"aws", "aws-sim"}
    assert any(r["cloud"] == "aws" for r in doc["records"]), "the EC2 records, without boto3"


async def test_the_replayed_dashboard_shows_the_captured_clouds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from hybridtui.capture import replay_settings

    config = config_file(tmp_path, CLOUDS)
    path = tmp_path / "talk.json"
    capture(capsys, config, path)
    live = [
        r for r in records(capsys, "--config", str(config), "--offline") if r["kind"] == "nodes"
    ]
    settings = replay_settings(path, resolve_settings(demo=True))
    app = make_app(settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.dashboard.views[app.dashboard.active_kind]
        assert [p.cloud for p in view.panes] == [c["name"] for c in CLOUDS]
        pane = view.panes[0]
        rows = pane.table.visible_rows()
        expected = [r for r in live if r["cloud"] == "aws-sim"]
        assert pane.table.total_count == len(expected)
        assert rows[0][:3] == (expected[0]["name"], expected[0]["state"], expected[0]["public_ip"])
        text = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "REPLAY — captured" in text
        assert app.poller._providers == {}, "no cloud is asked"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        ("not json", "not a hybridtui capture"),
        ('{"clouds": []}', 'no "format": "hybridtui-capture"'),
        ('{"format": "hybridtui-capture", "version": 9}', "format version 9"),
    ],
)
def test_a_file_that_cannot_be_replayed_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, says: str
) -> None:
    path = tmp_path / "x.json"
    if content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "--replay", str(path), "inventory")
    assert code == 2
    assert out == ""
    assert says in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("missing/dir", "Not a directory"),  # under a regular file: no mkdir
        ("is-a-dir", "Is a directory"),
    ],
)
def test_a_capture_that_cannot_be_written_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str, says: str
) -> None:
    """Each was a traceback (FileNotFoundError from mkdir, IsADirectoryError
    from the rename), and a directory in the way left a temporary file."""
    config = config_file(tmp_path, [sim_cloud("only", "openstack-private")])
    (tmp_path / "missing").write_text("a file, not a directory")
    (tmp_path / "is-a-dir").mkdir()
    code, out, err = run(capsys, "--config", str(config), "capture", str(tmp_path / where))
    assert code == 2
    assert "Cannot write the capture" in err
    assert says in err
    assert "Traceback" not in err
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")], "no file left"


def test_output_piped_into_a_reader_that_stops_ends_quietly(tmp_path: Path) -> None:
    """`hybridtui inventory ... | head -c 100` was a BrokenPipeError traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hybridtui", "--demo", "inventory", "--kind", "all"]
        + ["--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "HYBRIDTUI_HOME": str(tmp_path)},
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    assert len(proc.stdout.read(100)) == 100
    proc.stdout.close()  # the reader stops, as `head -c 100` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""


def test_the_replayed_dashboard_imports_no_sdk_and_opens_no_socket(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, aws_env: str
) -> None:
    """The dashboard on a capture of moto and the demo clouds, in a process of
    its own with every socket call refused: the panes fill from the capture,
    the scorecard is computed, and no cloud SDK was imported."""
    path = capture_moto_and_demo(capsys, tmp_path, aws_env)
    script = NO_SOCKETS + textwrap.dedent(
        f"""
        import asyncio, sys
        from pathlib import Path
        from hybridtui.capture import replay_settings
        from hybridtui.settings import resolve_settings
        from hybridtui.ui.app import make_app

        async def main():
            app = make_app(replay_settings(Path({str(path)!r}), resolve_settings(demo=True)))
            async with app.run_test(size=(160, 48)) as pilot:
                for _ in range(200):
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                    if app.scorecard_settled and not app.model.reading:
                        break
                view = app.dashboard.views[app.dashboard.active_kind]
                print("ROWS", [p.table.total_count for p in view.panes], file=sys.stderr)
                card = app.dashboard.interop.comparison
                print("CARD", card.scorecard.clouds if card else None, file=sys.stderr)
        asyncio.run(main())
        sdks = [m for m in ("boto3", "botocore", "openstack", "google.cloud") if m in sys.modules]
        print("SDKS", sdks, file=sys.stderr)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert "SDKS []" in done.stderr, done.stderr[-2000:]
    rows = done.stderr.split("ROWS ")[1].splitlines()[0]
    assert rows.startswith("[1, "), "the EC2 instance, from the capture"
    assert "'aws'" in done.stderr.split("CARD ")[1].splitlines()[0]


def test_a_broken_pipe_that_is_not_stdout_is_not_taken_for_head(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a closed reader of our output ends quietly with 141: a pipe that
    broke elsewhere (to a helper, to ssh) is an error, not swallowed."""
    import hybridtui.cli as cli

    def broken(args: Any) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_run", broken)
    with pytest.raises(BrokenPipeError):
        main(["--demo", "locate"])
