"""`hybridtui compare`: the scorecard headless, its reports (golden files), and
drift kept in the cache."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml
from conftest import sim_cloud

from hybridtui.cli import main
from hybridtui.config import AppConfig
from hybridtui.domain import Network, ResourceKind
from hybridtui.interop import report
from hybridtui.interop.equivalence import Spec
from hybridtui.interop.model import Verdict
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.poller import Poller
from hybridtui.inventory.scorecards import compare
from hybridtui.inventory.snapshot import CloudSnapshot, KindError
from hybridtui.providers import CloudTarget, targets_for

GOLDEN = Path(__file__).parent / "golden"
NOW = 1_796_083_200.0  # 2026-12-01T00:00:00Z


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "clouds": [
                    sim_cloud("aws-sim", "aws-default-vpc"),
                    sim_cloud("os-fip", "openstack-floating-ip"),
                    {
                        **sim_cloud("os-priv", "openstack-private"),
                        "overrides": {"jump_host": "ops@bastion"},
                    },
                ]
            }
        )
    )
    return path


def test_compare_json_has_every_cell_pairs_and_equivalents(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    code, out, err = run(
        capsys,
        "compare",
        "--config",
        str(config_file),
        "--format",
        "json",
        "--spec",
        "vcpus=2,ram_gb=4,image=ubuntu-22.04",
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["schema"] == 1
    assert doc["spec"] == "vcpus=2,ram_gb=4,arch=x86_64,image=ubuntu-22.04"
    assert [c["cloud"] for c in doc["clouds"]] == ["aws-sim", "os-fip", "os-priv"]
    cells = {(c["cloud"], c["check"]): c for c in doc["cells"]}
    for cloud in ("aws-sim", "os-fip", "os-priv"):
        for step in "12345678":
            cell = cells[(cloud, step)]
            assert set(cell) >= {
                "cloud",
                "check",
                "verdict",
                "reason",
                "evidence",
                "observed_at",
                "sources",
            }
            assert cell["verdict"] in ("yes", "partial", "no", "unknown")
            assert cell["evidence"] in ("declared", "inferred", "measured")
            assert cell["observed_at"].endswith("Z")
    assert cells[("aws-sim", "5")]["verdict"] == "yes"
    assert cells[("os-fip", "5")]["verdict"] == "no"
    assert cells[("os-fip", "5")]["reason"].startswith("needs a floating IP from `ext-net`")
    src = cells[("aws-sim", "5")]["sources"][0]
    assert (src["kind"], src["field"], src["value"]) == ("networks", "MapPublicIpOnLaunch", "True")
    assert cells[("aws-sim", "login:debian")]["value"] == "admin"
    assert cells[("os-fip", "login:debian")]["value"] == "debian"
    pairs = {(p["a"], p["b"]): p for p in doc["pairs"]}
    assert pairs[("aws-sim", "os-fip")] == {
        "a": "aws-sim",
        "b": "os-fip",
        "same": 6,
        "total": 8,
        "differ": ["5", "6"],
    }
    eq = {e["cloud"]: e for e in doc["equivalence"]}
    assert eq["aws-sim"]["flavor"]["vcpus"] >= 2
    assert eq["aws-sim"]["flavor"]["arch"] == "x86_64"
    assert eq["aws-sim"]["image"]["version"] == "22.04"
    assert eq["aws-sim"]["image"]["arch"] == "x86_64"
    assert eq["os-priv"]["image"]["name"].startswith("ubuntu-22.04-cis-")
    assert eq["os-priv"]["network"]["name"] == "internal"
    assert set(eq["aws-sim"]) >= {"cloud", "flavor", "image", "network", "reason", "runner_up"}


def test_compare_table_markdown_csv(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    code, out, _ = run(capsys, "compare", "--config", str(config_file))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Check", "aws-sim", "os-fip", "os-priv"]
    step5 = next(line for line in lines if line.startswith("5 Get its PUBLIC address"))
    assert step5.split()[-3:] == ["YES", "NO", "PARTIAL"]
    assert "  aws-sim ↔ os-fip: 6/8 steps behave the same; differ at 5, 6" in lines
    code, md, _ = run(capsys, "compare", "--config", str(config_file), "--format", "markdown")
    assert md.splitlines()[2] == "| Check | aws-sim | os-fip | os-priv |"
    code, csv_text, _ = run(capsys, "compare", "--config", str(config_file), "--format", "csv")
    rows = csv_text.splitlines()
    assert rows[0] == "cloud,check,title,step,verdict,value,reason,evidence,observed_at"
    assert any(r.startswith("os-fip,5,Get its PUBLIC address,true,no,floating-ip,") for r in rows)


def test_compare_usage_errors(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    code, _, err = run(capsys, "compare", "--config", str(config_file), "--spec", "image=ubnutu")
    assert code == 2
    assert "unknown distro 'ubnutu'; did you mean 'ubuntu'?" in err
    assert "Example: --spec vcpus=2,ram_gb=4,image=ubuntu-22.04" in err
    code, _, err = run(capsys, "compare", "--config", str(config_file), "--cloud", "nope")
    assert code == 2
    assert "unknown cloud 'nope'; configured: aws-sim, os-fip, os-priv" in err


def test_compare_with_a_failing_cloud_exits_1_and_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "clouds": [
                    sim_cloud("ok", "openstack-floating-ip"),
                    sim_cloud(
                        "refuses-images",
                        "aws-default-vpc",
                        fault="forbidden",
                        fault_kinds=["images"],
                    ),
                ]
            }
        )
    )
    code, out, err = run(capsys, "compare", "--config", str(path), "--format", "json")
    assert code == 1
    assert "error: refuses-images: images: HTTP 403 Forbidden" in err
    cells = {(c["cloud"], c["check"]): c for c in json.loads(out)["cells"]}
    assert cells[("refuses-images", "2")]["verdict"] == "partial"
    assert cells[("refuses-images", "2")]["reason"].startswith("images: Permission denied")
    assert cells[("refuses-images", "5")]["verdict"] == "yes", "networks still came back"
    assert cells[("ok", "2")]["verdict"] == "yes"


# ---------------------------------------------------------- golden files


def demo_targets() -> list[CloudTarget]:
    from hybridtui.settings import resolve_settings

    settings = resolve_settings(demo=True, config_path=None, offline=False, theme=None)
    return [
        CloudTarget(t.name, t.kind, t.config.replace(latency=0, jitter=0), t.region)
        for t in targets_for(settings.config)
    ]


def demo_snapshots(targets: list[CloudTarget]) -> dict[str, CloudSnapshot | None]:
    poller = Poller(targets, cache=None, clock=lambda: NOW)
    try:
        return {o.cloud: o.snapshot for o in poller.poll()}
    finally:
        poller.close()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HYBRIDTUI_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} missing: run with HYBRIDTUI_UPDATE_GOLDEN=1 once and review it"
    assert text == path.read_text(), f"{name} differs from its golden file"


def test_reports_match_their_golden_files() -> None:
    targets = demo_targets()
    result = compare(
        targets,
        demo_snapshots(targets),
        None,
        spec=Spec.parse("vcpus=2,ram_gb=4,image=debian-12"),
        now=NOW,
    )
    card = result.scorecard
    clouds: list[dict[str, Any]] = [
        {"cloud": t.name, "provider": t.kind, "status": "fresh"} for t in targets
    ]
    check_golden("compare.md", report.to_markdown(card, now=NOW))
    check_golden("compare.json", report.to_json(card, now=NOW, clouds=clouds))
    check_golden("compare.junit.xml", report.to_junit(card))
    check_golden("compare.txt", report.to_table(card))
    suites = ET.fromstring(report.to_junit(card))
    failures = {s.get("name"): int(s.get("failures", "0")) for s in suites}
    assert failures["os-fip-fra"] == 1, "step 5 NO on the floating-IP cloud fails its suite"
    assert failures["aws-eu-west-1"] == 0


# ------------------------------------------------------------------ drift


def test_behaviour_changes_are_kept_and_listed(tmp_path: Path) -> None:
    targets = [t for t in demo_targets() if t.name in ("aws-eu-west-1", "os-fip-fra")]
    cache = InventoryCache(tmp_path / "cache")
    snaps = demo_snapshots(targets)
    first = compare(targets, snaps, cache, now=NOW)
    assert first.changes == []
    again = compare(targets, snaps, cache, now=NOW + 60)
    assert again.changes == [], "the same behaviour is not a change"
    assert len(cache.scorecard_history(targets[0])) == 1

    # a failing kind makes checks UNKNOWN: not a change either
    aws = snaps["aws-eu-west-1"]
    assert aws is not None
    failing = replace(
        aws,
        kind_errors={ResourceKind.NETWORKS: KindError("boom", at=NOW)},
        kind_at={k: v for k, v in aws.kind_at.items() if k is not ResourceKind.NETWORKS},
        networks=(),
    )
    assert compare(targets, {**snaps, "aws-eu-west-1": failing}, cache, now=NOW + 120).changes == []

    # the default subnets stop mapping public IPv4: step 5 regresses YES → NO
    closed = replace(
        aws,
        networks=tuple(
            Network(
                **{
                    **n.to_dict(),
                    "auto_public_ip": False,
                    "raw": {**n.raw, "MapPublicIpOnLaunch": False},
                }
            )
            if n.id.startswith("subnet-")
            else n
            for n in aws.networks
        ),
    )
    later = NOW + 86_400
    result = compare(targets, {**snaps, "aws-eu-west-1": closed}, cache, now=later)
    step5 = next(ch for ch in result.changes if ch.check == "5")
    assert step5.regression
    assert step5.text.startswith(
        "aws-eu-west-1: step 5 (Get its PUBLIC address): yes (auto-assign) → no (floating-ip) since 2026-12-02 00:00 UTC: "
    )
    assert "5" in result.changed["aws-eu-west-1"]
    assert result.changed.get("os-fip-fra", frozenset()) == frozenset()
    junit = ET.fromstring(
        report.to_junit(result.scorecard, [c for c in result.changes if c.since == later])
    )
    case = next(
        c
        for s in junit
        if s.get("name") == "aws-eu-west-1"
        for c in s
        if c.get("name", "").startswith("5 ")
    )
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "regression"
    # kept in the cache: a new process sees the same history
    cache.close()
    reopened = InventoryCache(tmp_path / "cache")
    assert len(reopened.scorecard_history(targets[0])) == 2
    assert result.scorecard.cell("aws-eu-west-1", "5").verdict is Verdict.NO  # type: ignore[union-attr]


def test_compare_changes_from_the_cli(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    code, out, _ = run(capsys, "compare", "--config", str(config_file), "--changes")
    assert code == 0
    assert out.startswith("No behaviour changes recorded yet")
    config = AppConfig.validate(yaml.safe_load(config_file.read_text()))
    assert len(targets_for(config)) == 3


def test_diff_of_two_clouds(capsys: pytest.CaptureFixture[str], config_file: Path) -> None:
    code, out, _ = run(
        capsys, "compare", "--config", str(config_file), "--diff", "aws-sim", "os-fip"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "aws-sim ↔ os-fip: what differs"
    checks = [
        line.strip() for line in lines if line.startswith("  ") and not line.startswith("    ")
    ]
    assert checks[:3] == [
        "5 Get its PUBLIC address",
        "6 Log in with the node key",
        "Public-address strategy",
    ]
    assert "1 Add a node-specific SSH key" not in checks, "only what differs"
    assert "Login account: debian" in checks
    assert "Login account: rocky" not in checks, (
        "a distro one side lacks is an image release, not a check"
    )
    assert any(
        line.startswith("Image releases only aws-sim offers: amazon 2, amazon 2023")
        for line in lines
    )
    code, out, _ = run(
        capsys,
        "compare",
        "--config",
        str(config_file),
        "--diff",
        "aws-sim",
        "os-fip",
        "--format",
        "json",
    )
    d = json.loads(out)["diff"]
    assert (d["a"], d["b"]) == ("aws-sim", "os-fip")
    assert [c["check"] for c in d["checks"]][:2] == ["5", "6"]
    assert {f["name"] for f in d["flavors_only_a"]} == {"g5.xlarge", "g5.2xlarge"}, (
        "GPU sizes OpenStack lacks"
    )
    assert "rocky 9.4" in d["images_only_b"]
    code, _, err = run(
        capsys, "compare", "--config", str(config_file), "--diff", "aws-sim", "aws-sim"
    )
    assert code == 2
    assert "two different clouds" in err
    code, _, err = run(
        capsys,
        "compare",
        "--config",
        str(config_file),
        "--diff",
        "aws-sim",
        "os-fip",
        "--format",
        "junit",
    )
    assert code == 2
