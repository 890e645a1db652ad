"""The headless CLI: same poller and cache as the dashboard, stable output for scripts."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import sim_cloud

from hybridtui.cli import build_parser, main


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "clouds": [
                    sim_cloud("aws-sim", "aws-default-vpc"),
                    sim_cloud("os-priv", "openstack-private"),
                ]
            }
        )
    )
    return path


@pytest.fixture
def failing_config(tmp_path: Path) -> Path:
    path = tmp_path / "failing.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "clouds": [
                    sim_cloud("healthy", "openstack-floating-ip"),
                    sim_cloud("broken", "aws-default-vpc", fault="http-500"),
                ]
            }
        )
    )
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_is_stable(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    code, out, err = run(
        capsys, "--config", str(config_file), "inventory", "--format", "json", "--kind", "all"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == 1
    assert doc["kinds"] == [
        "nodes",
        "flavors",
        "images",
        "networks",
        "keys",
        "addresses",
        "security-groups",
        "routers",
    ]
    assert [c["cloud"] for c in doc["clouds"]] == ["aws-sim", "os-priv"]
    for c in doc["clouds"]:
        assert c["status"] == "fresh"
        assert c["error"] is None
        assert c["fetched_at"].endswith("Z")
    kinds = {(r["cloud"], r["kind"]) for r in doc["records"]}
    assert ("aws-sim", "images") in kinds
    assert ("os-priv", "networks") in kinds
    node = next(r for r in doc["records"] if r["kind"] == "nodes" and r["cloud"] == "aws-sim")
    assert {
        "id",
        "name",
        "state",
        "raw_state",
        "addresses",
        "public_ip",
        "login_user",
    } <= node.keys()
    assert "raw" not in node


def test_raw_records_are_opt_in_and_scrubbed(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    code, out, _ = run(
        capsys,
        "inventory",
        "--config",
        str(config_file),
        "--format",
        "json",
        "--raw",
        "--cloud",
        "aws-sim",
    )
    assert code == 0
    records = json.loads(out)["records"]
    assert records
    assert all("InstanceId" in r["raw"] for r in records)


def test_csv_and_table(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    code, out, _ = run(
        capsys, "inventory", "--config", str(config_file), "--kind", "flavors", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    assert {"cloud", "kind", "name", "vcpus", "ram_mb"} <= rows[0].keys()
    assert {r["cloud"] for r in rows} == {"aws-sim", "os-priv"}
    code, out, _ = run(capsys, "inventory", "--config", str(config_file), "--cloud", "os-priv")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Cloud", "Name", "State"]
    assert all(line.startswith("os-priv") for line in lines[1:])


def test_csv_has_each_nodes_addresses_and_a_piped_table_cuts_nothing(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    from hybridtui.cli import _settings, build_parser
    from hybridtui.inventory.report import collect
    from hybridtui.providers import targets_for

    code, out, _ = run(capsys, "inventory", "--config", str(config_file), "--format", "csv")
    assert code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    settings = _settings(build_parser().parse_args(["--config", str(config_file), "inventory"]))
    results = collect(targets_for(settings.config), None, offline=False)
    nodes = [n for r in results if r.snapshot for n in r.snapshot.nodes]
    assert len(rows) == len(nodes)
    for n in nodes:  # checked against the records they came from
        assert rows[n.id]["public_ip"] == (n.public_ip or "")
        assert rows[n.id]["private_ip"] == (n.private_ip or "")
    assert any(n.public_ip for n in nodes)

    # capsys is not a terminal: the table is for a file or a pipe, whole values
    code, out, _ = run(
        capsys, "inventory", "--config", str(config_file), "--kind", "images", "--cloud", "aws-sim"
    )
    assert code == 0
    assert "…" not in out
    longest = max((r.name for r in results[0].snapshot.images), key=len)  # type: ignore[union-attr]
    assert len(longest) > 48, "the demo has names longer than the terminal cap"
    assert longest in out


def test_failing_cloud_exits_non_zero_and_others_still_print(
    capsys: pytest.CaptureFixture[str], failing_config: Path
) -> None:
    code, out, err = run(capsys, "--config", str(failing_config), "inventory", "--format", "json")
    assert code == 1
    doc = json.loads(out)
    status = {c["cloud"]: c for c in doc["clouds"]}
    assert status["healthy"]["status"] == "fresh"
    assert status["broken"]["status"] == "error"
    assert "HTTP 500" in status["broken"]["error"]
    assert {r["cloud"] for r in doc["records"]} == {"healthy"}
    assert "error: broken: HTTP 500" in err


def test_offline_reads_cache_only(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    code, _, err = run(capsys, "--config", str(config_file), "--offline", "inventory")
    assert code == 1
    assert "nothing cached yet" in err
    assert run(capsys, "--config", str(config_file), "inventory")[0] == 0
    code, out, _ = run(
        capsys, "inventory", "--offline", "--config", str(config_file), "--format", "json"
    )
    assert code == 0
    doc = json.loads(out)
    assert {c["status"] for c in doc["clouds"]} == {"stale"}
    assert all(c["from_cache"] for c in doc["clouds"])
    assert doc["records"]


def test_failed_cloud_falls_back_to_cached_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"clouds": [sim_cloud("flaky", "openstack-private")]}))
    assert run(capsys, "--config", str(path), "inventory")[0] == 0
    path.write_text(
        yaml.safe_dump(
            {"clouds": [sim_cloud("flaky", "openstack-private", fault="expired-credentials")]}
        )
    )
    code, out, err = run(capsys, "--config", str(path), "inventory", "--format", "json")
    assert code == 1
    assert "token has expired" in err
    assert "showing cached data" in err
    (cloud,) = json.loads(out)["clouds"]
    assert cloud["status"] == "error"
    assert cloud["from_cache"]
    assert json.loads(out)["records"]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    code, _, err = run(capsys, "--config", str(config_file), "inventory", "--cloud", "nope")
    assert code == 2
    assert "unknown cloud 'nope'" in err
    assert "aws-sim" in err
    code, _, err = run(capsys, "--config", str(config_file), "inventory", "--kind", "all")
    assert code == 2
    assert "--format json" in err
    code, _, err = run(capsys, "--demo", "--config", str(config_file), "inventory")
    assert code == 2


def test_global_options_work_before_and_after_subcommand() -> None:
    parser = build_parser()
    for argv in (["--demo", "--offline", "inventory"], ["inventory", "--demo", "--offline"]):
        ns = parser.parse_args(argv)
        assert ns.demo
        assert ns.offline
        assert ns.command == "inventory"


def test_locate_and_profiles(capsys: pytest.CaptureFixture[str], isolated_home: Path) -> None:
    code, out, _ = run(capsys, "locate")
    assert code == 0
    assert str(isolated_home) in out
    assert "config file" in out
    # where a validated config is remembered (hybridtui.config_memo)
    assert f"checked configs  {isolated_home / 'cache' / 'checked-config'}" in out
    code, out, _ = run(capsys, "locate", "--profiles")
    assert "openstack-floating-ip" in out
    assert "aws-default-vpc" in out


def test_a_refused_kind_is_reported_per_kind_with_its_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "clouds": [
                    sim_cloud(
                        "gce-sim",
                        "gce-access-config",
                        fault="forbidden",
                        fault_kinds=["security-groups"],
                    ),
                    sim_cloud("os-priv", "openstack-private"),
                ]
            }
        )
    )
    code, out, err = run(
        capsys, "--config", str(path), "inventory", "--kind", "all", "--format", "json"
    )
    assert code == 1, "a failed kind is a failure for scripts"
    doc = json.loads(out)
    clouds = {c["cloud"]: c for c in doc["clouds"]}
    gce = clouds["gce-sim"]
    assert gce["status"] == "fresh", "the cloud answered"
    nodes = gce["kinds"]["nodes"]
    assert nodes == {
        "status": "fresh",
        "fetched_at": nodes["fetched_at"],
        "age_seconds": nodes["age_seconds"],
        "error": None,
    }
    # fetched during this run: at most the run's own length before the report
    # (the second can turn between the two: equality failed on a busy machine)
    fetched, generated = (
        datetime.fromisoformat(t.replace("Z", "+00:00"))
        for t in (nodes["fetched_at"], doc["generated_at"])
    )
    assert timedelta(0) <= generated - fetched < timedelta(seconds=60)
    sg = gce["kinds"]["security-groups"]
    assert sg["status"] == "error"
    assert sg["error"]["title"] == "Permission denied"
    assert sg["error"]["denied"]
    assert "403" in sg["error"]["message"]
    assert all(k["status"] == "fresh" for k in clouds["os-priv"]["kinds"].values())
    assert {r["kind"] for r in doc["records"] if r["cloud"] == "gce-sim"} >= {"nodes", "images"}
    # stderr: the message and what to do, never cut
    assert "error: gce-sim: security-groups: HTTP 403 Forbidden" in err
    assert "  hint: The credentials lack this permission" in err
    assert "Refusals are remembered" in err

    # the next run does not ask again, and still says why the kind is missing
    code, out, err = run(
        capsys, "--config", str(path), "inventory", "--kind", "security-groups", "--format", "json"
    )
    assert code == 1
    gce = next(c for c in json.loads(out)["clouds"] if c["cloud"] == "gce-sim")
    assert gce["kinds"]["security-groups"]["error"]["denied"]
    assert "--refresh-catalogue" in err


def images_json(capsys: pytest.CaptureFixture[str], config: Path, *extra: str) -> Any:
    """`inventory --kind images --format json` on `config`, checked to exit 0."""
    code, out, err = run(
        capsys, "--config", str(config), "inventory", "--kind", "images", "--format", "json", *extra
    )
    assert code == 0, err
    return json.loads(out)


def test_inventory_honours_the_cached_catalogue(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    def images_status(*extra: str) -> set[tuple[str, str]]:
        doc = images_json(capsys, config_file, *extra)
        assert doc["records"], "images are printed either way"
        return {(c["status"], c["kinds"]["images"]["status"]) for c in doc["clouds"]}

    assert images_status() == {("fresh", "fresh")}
    assert images_status() == {("stale", "cached")}, (
        "a catalogue younger than a day is not fetched again, and the cloud is not called fresh"
    )
    assert images_status("--refresh-catalogue") == {("fresh", "fresh")}


def test_offline_a_kind_never_fetched_is_missing_not_empty(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    """After a run that asked only for nodes, `--offline --kind flavors` has
    nothing cached for flavors: the JSON says `missing` (not `cached` with no
    records, which reads as "this cloud has no flavors") and stderr says what
    to run; it is not a failure. Nodes are `cached`."""
    cfg = str(config_file)
    code, _, err = run(capsys, "--config", cfg, "inventory", "--kind", "nodes", "--format", "json")
    assert code == 0, err
    code, out, err = run(
        capsys, "--config", cfg, "--offline", "inventory", "--kind", "flavors", "--format", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["records"] == []
    assert {c["kinds"]["flavors"]["status"] for c in doc["clouds"]} == {"missing"}
    assert "note: aws-sim: flavors: never fetched, so nothing is cached" in err
    assert "--kind flavors" in err
    code, out, err = run(
        capsys, "--config", cfg, "--offline", "inventory", "--kind", "nodes", "--format", "json"
    )
    assert code == 0, err
    assert {c["kinds"]["nodes"]["status"] for c in json.loads(out)["clouds"]} == {"cached"}
    assert "never fetched" not in err


def test_a_kind_never_fetched_is_fetched_whatever_the_catalogue_age(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    """`--kind nodes` first caches a snapshot without images; `--kind images`
    next must ask for them, not print a recent-looking empty catalogue."""
    code, _, err = run(capsys, "--config", str(config_file), "inventory", "--kind", "nodes")
    assert code == 0, err
    doc = images_json(capsys, config_file)
    assert {c["kinds"]["images"]["status"] for c in doc["clouds"]} == {"fresh"}
    clouds = {c["cloud"] for c in doc["clouds"]}
    assert {r["cloud"] for r in doc["records"]} == clouds, "every cloud's images"


def test_check_config_validates_aws_regions_against_botocore(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "aws.yaml"
    path.write_text(
        "clouds:\n"
        "  - name: aws\n"
        "    kind: aws\n"
        "    regions: [eu-west-1, eu-wets-1]\n"
        "  - name: lab\n"
        "    kind: aws\n"
        "    regions: [lab-1]\n"
        "    endpoint_url: http://127.0.0.1:9/\n"
    )
    code, _, err = run(capsys, "check-config", "--config", str(path))
    assert code == 2
    assert f"{path}:4: clouds[0].regions[1]: unknown AWS region 'eu-wets-1'" in err
    assert "did you mean 'eu-west-1'" in err
    assert "lab-1" not in err, "a private endpoint may use any region name"


@pytest.mark.parametrize(
    ("command", "output"),
    [("inventory", ["--format", "json"]), ("compare", ["--format", "json"]), ("check-config", [])],
)
def test_a_headless_command_without_a_config_refuses_the_demo_fallback(
    capsys: pytest.CaptureFixture[str], command: str, output: list[str]
) -> None:
    """No config anywhere: a script gets exit 2 and the fix on stderr, never
    simulated clouds on stdout with exit 0. `--demo` asks for them."""
    code, out, err = run(capsys, command, *output)
    assert code == 2
    assert out == ""
    assert "No configuration" in err
    assert "does not exist" in err
    assert "--demo" in err, "the hint says how to get the demo clouds"
    code, out, _ = run(capsys, command, "--demo", *output)
    assert code == 0
    assert out
