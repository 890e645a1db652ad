"""Config validation: every failure mode gives file:line, the key and what is allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hybridtui.config import AppConfig
from hybridtui.config_file import load_config, parse_config
from hybridtui.errors import ConfigError
from hybridtui.paths import data_dir

SAMPLES = sorted(data_dir("sample_configs").glob("*.yaml"))


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "cfg.yaml")
    return info.value.problems


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_config_is_valid(path: Path) -> None:
    config = load_config(path)
    assert isinstance(config, AppConfig)
    assert config.clouds


def test_samples_cover_each_kind() -> None:
    names = {p.name for p in SAMPLES}
    assert {
        "demo.yaml",
        "openstack-two-clouds.yaml",
        "aws-two-regions.yaml",
        "gce-one-project.yaml",
        "hybrid.yaml",
    } <= names
    kinds = {c.kind for p in SAMPLES for c in load_config(p).clouds}
    assert kinds == {"simulator", "openstack", "aws", "gce"}


def test_unknown_key_names_line_key_and_suggestion() -> None:
    text = "clouds:\n  - name: a\n    kind: aws\n    regoins: [eu-west-1]\n"
    got = problems(text)
    unknown = [p for p in got if "regoins" in p]
    assert unknown, got
    assert unknown[0].startswith("cfg.yaml:4:")
    assert "did you mean 'regions'" in unknown[0]
    assert "allowed:" in unknown[0]
    assert "profile" in unknown[0]


def test_wrong_type_reports_value_and_line() -> None:
    text = "clouds:\n  - name: a\n    kind: simulator\n    profile: aws-default-vpc\n    latency: fast\n"
    (msg,) = problems(text)
    assert msg.startswith("cfg.yaml:5: clouds[0].latency:")
    assert "valid number" in msg
    assert "'fast'" in msg


def test_unknown_kind_lists_allowed_kinds() -> None:
    (msg,) = problems("clouds:\n  - name: a\n    kind: azure\n")
    assert msg.startswith("cfg.yaml:3:"), "the line of the kind"
    assert "unknown kind 'azure'" in msg
    assert "simulator, openstack, aws, gce" in msg


def test_missing_credential_reference_is_named() -> None:
    got = problems("clouds:\n  - name: os\n    kind: openstack\n  - name: g\n    kind: gce\n")
    assert any(
        "clouds[0]" in p and "missing required key 'cloud'" in p and "clouds.yaml" in p for p in got
    ), got
    assert any("clouds[1]" in p and "missing required key 'project'" in p for p in got), got
    assert any(p.startswith("cfg.yaml:2:") for p in got)
    assert any(p.startswith("cfg.yaml:4:") for p in got)


def test_bad_yaml_gives_line_and_column() -> None:
    got = problems("clouds:\n  - name: a\n    kind: [simulator\n")
    assert len(got) == 1
    assert got[0].startswith("cfg.yaml:4:") or got[0].startswith("cfg.yaml:3:")


def test_all_problems_reported_at_once() -> None:
    text = (
        "clouds:\n"
        "  - name: Bad Name\n    kind: simulator\n    profile: nope\n"
        "  - name: b\n    kind: aws\n    regions: []\n    colour: red\n"
    )
    got = problems(text)
    assert len(got) >= 4, got
    joined = "\n".join(got)
    assert "clouds[0].name" in joined
    assert "clouds[0].profile" in joined
    assert "unknown profile 'nope'" in joined
    assert "aws-default-vpc" in joined
    assert "clouds[1].regions" in joined
    assert "unknown key 'colour'" in joined


def test_duplicate_names_rejected() -> None:
    text = "clouds:\n  - {name: a, kind: simulator, profile: aws-default-vpc}\n  - {name: a, kind: simulator, profile: openstack-private}\n"
    (msg,) = problems(text)
    assert msg.startswith("cfg.yaml:3: clouds[1].name:"), "at the second one's line"
    assert "duplicate cloud name 'a' (clouds[0] has it)" in msg


def test_a_duplicate_name_is_said_with_the_other_problems() -> None:
    text = (
        "clouds:\n"
        "  - {name: a, kind: simulator, profile: aws-default-vpc}\n"
        "  - {name: a, kind: simulator, profile: nope}\n"
    )
    got = problems(text)
    assert any("unknown profile 'nope'" in p for p in got), got
    assert any(p.startswith("cfg.yaml:3: clouds[1].name: duplicate") for p in got), got


def test_a_keymap_with_an_unknown_id_or_a_clash_is_refused_line_by_line() -> None:
    """`quit: u` would take toggle-unified's key (one of them never fires);
    `refrsh` is a typo. Both are said, each at its line, with the fix."""
    text = (
        "clouds:\n"
        "  - {name: a, kind: simulator, profile: aws-default-vpc}\n"
        "keymap:\n"
        "  quit: u\n"
        "  refrsh: f5\n"
        "  cursor-down: t\n"
    )
    got = problems(text)
    assert len(got) == 3, got
    assert got[0].startswith("cfg.yaml:4: keymap.quit: 'u' is already the key of toggle-unified")
    assert "remap toggle-unified too" in got[0]
    assert got[1].startswith("cfg.yaml:5: keymap.refrsh: unknown binding id 'refrsh'")
    assert "(did you mean 'refresh'?)" in got[1]
    assert got[2].startswith(
        "cfg.yaml:6: keymap.cursor-down: 't' is already the key of cycle-theme"
    )


def test_a_keymap_that_moves_keys_around_without_clashes_is_fine() -> None:
    """Swapping two keys, a key a scorecard and a table may share, and the
    `?`-style names people write."""
    text = (
        "clouds:\n"
        "  - {name: a, kind: simulator, profile: aws-default-vpc}\n"
        "keymap: {quit: u, toggle-unified: q, help: '?, f1', details: space, evidence: space}\n"
    )
    config = parse_config(text, "cfg.yaml")
    assert config.keymap["quit"] == "u"


def test_top_level_must_be_mapping() -> None:
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        parse_config("- just\n- a list\n", "cfg.yaml")


def test_missing_file_has_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "absent.yaml")
    assert "not found" in info.value.message
    assert info.value.hint


def hybridtui(*args: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "hybridtui", *args], capture_output=True, text=True, timeout=60
    )


def test_cli_reports_config_error_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("clouds:\n  - name: a\n    kind: azure\n")
    proc = hybridtui("--config", str(bad), "check-config")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.yaml:3" in proc.stderr
    assert "unknown kind 'azure'" in proc.stderr


def test_env_var_selects_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hybridtui.settings import resolve_settings

    cfg = tmp_path / "c.yaml"
    cfg.write_text("clouds:\n  - {name: only, kind: simulator, profile: openstack-private}\n")
    monkeypatch.setenv("HYBRIDTUI_CONFIG", str(cfg))
    s = resolve_settings()
    assert [c.name for c in s.config.clouds] == ["only"]
    assert s.source == str(cfg)
    # --config beats the environment, --demo beats both
    assert resolve_settings(demo=True).source == "built-in demo clouds"


def test_no_config_falls_back_to_demo() -> None:
    from hybridtui.settings import resolve_settings

    s = resolve_settings()
    assert s.demo
    assert len(s.config.clouds) >= 6


def test_all_clouds_in_clouds_yaml_shortcut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hybridtui.providers import targets_for

    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n  fra: {auth: {auth_url: 'http://127.0.0.1:1'}}\n  lab: {region_name: R2}\n"
    )
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    config = parse_config(
        "clouds:\n  - {name: os, kind: openstack, cloud: '*', refresh_interval: 90}\n"
    )
    targets = targets_for(config)
    assert [t.name for t in targets] == ["os/fra", "os/lab"]
    assert [t.config.cloud for t in targets] == ["fra", "lab"]  # type: ignore[attr-defined]
    assert all(t.config.refresh_interval == 90 for t in targets)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(empty / "absent.yaml"))
    monkeypatch.setenv("HOME", str(empty))
    monkeypatch.chdir(empty)
    assert [t.name for t in targets_for(config)] == ["os"], "no clouds.yaml: one pane that says so"
    latin1 = tmp_path / "latin1.yaml"  # was a UnicodeDecodeError out of targets_for
    latin1.write_bytes(b"clouds:\n  caf\xe9: {region_name: R1}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(latin1))
    assert [t.name for t in targets_for(config)] == ["os"], "an unreadable clouds.yaml: one pane"


def test_check_config_takes_the_file_as_an_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hybridtui.cli import main

    good = tmp_path / "good.yaml"
    good.write_text("clouds:\n  - {name: only, kind: simulator, profile: openstack-private}\n")
    assert main(["check-config", str(good)]) == 0
    assert f"{good}: OK (1 cloud)" in capsys.readouterr().out
    assert main(["check-config", str(tmp_path / "absent.yaml")]) == 2
    err = capsys.readouterr().err
    assert "No configuration" in err, "a missing file is not an invalid one"
    assert "config file not found" in err


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "clouds:\n  - name: a\n    kind: simulator\n   profile: x\n",
            "cfg.yaml:4:4: this line is indented differently from the lines above it",
        ),
        ("clouds:\n\t- name: a\n", "cfg.yaml:2:1: a tab: YAML indents with spaces only"),
        ("clouds: [a\n", "a [list opened and never closed with ]"),
        (
            "clouds:\n  - {name: 'Bad Name!', kind: simulator, profile: aws-default-vpc}\n",
            "cfg.yaml:2: clouds[0].name: a name is 1-40 characters: lower-case letters and digits",
        ),
        (
            "clouds:\n  - name: a\n    kind: simulator\n    profile: aws-default-vpc\n"
            "    overrides: {jump_host: 'a b'}\n",
            "clouds[0].overrides.jump_host: expected [user@]host[:port]",
        ),
    ],
    ids=["indent", "tab", "bracket", "name", "jump-host"],
)
def test_yaml_and_pattern_problems_are_said_in_words(text: str, said: str) -> None:
    got = problems(text)
    assert any(said in p for p in got), got
    assert not any("^[" in p for p in got), "no regex shown as the explanation"


def test_a_bad_kind_does_not_hide_the_rest_of_its_entry() -> None:
    text = (
        "clouds:\n"
        "  - name: a\n"
        "    kind: awz\n"
        "    regions: 3\n"
        "    timeout: -1\n"
        "  - name: b\n"
        "    kind: nothing-like-it\n"
        "    timeout: fast\n"
    )
    got = problems(text)
    assert got[0].startswith("cfg.yaml:3: clouds[0].kind: unknown kind 'awz'")
    assert "(did you mean 'aws'?)" in got[0]
    assert any(p.startswith("cfg.yaml:4: clouds[0].regions:") for p in got), got
    assert any(p.startswith("cfg.yaml:5: clouds[0].timeout:") for p in got), got
    assert any(p.startswith("cfg.yaml:8: clouds[1].timeout:") for p in got), "the common keys"


@pytest.mark.parametrize(
    ("columns", "said"),
    [
        ("{nodez: [name]}", "unknown tab 'nodez'"),
        ("{nodes: [name, colour]}", "unknown column 'colour'; allowed: name, state, public_ip"),
        ("{nodes: []}", "no column chosen"),
    ],
)
def test_columns_name_known_tabs_and_columns(columns: str, said: str) -> None:
    text = (
        f"clouds:\n  - {{name: a, kind: simulator, profile: aws-default-vpc}}\ncolumns: {columns}\n"
    )
    got = problems(text)
    assert any(said in p for p in got), got


def test_saving_columns_keeps_every_other_line(tmp_path: Path) -> None:
    from hybridtui.config_file import save_columns

    path = tmp_path / "c.yaml"
    original = (
        "# my clouds\n"
        "clouds:\n"
        "  - {name: a, kind: simulator, profile: aws-default-vpc}  # the lab\n"
        "columns:\n"
        "  images: [name, distro]\n"
        "theme: projector  # for the meetup\n"
    )
    path.write_text(original)
    save_columns(path, {"nodes": ["name", "public_ip"], "images": ["name"]})
    text = path.read_text()
    assert text.startswith("# my clouds\nclouds:\n  - {name: a,")
    assert "# the lab" in text
    assert "theme: projector  # for the meetup" in text
    cfg = load_config(path)
    assert cfg.columns == {"nodes": ["name", "public_ip"], "images": ["name"]}
    assert cfg.theme == "projector"
    save_columns(path, {})
    assert load_config(path).columns == {}
    assert "columns" not in path.read_text()
    with pytest.raises(ConfigError):
        save_columns(path, {"nodes": ["nope"]})
    assert load_config(path).theme == "projector", "a bad choice is never written"


def test_a_missing_key_is_explained_by_its_documentation() -> None:
    """The field's docstring says what the key is for (read from the source
    only when a message needs it, not at every start)."""
    (said,) = problems("clouds:\n  - name: g\n    kind: gce\n    zones: [europe-west1-b]\n")
    assert said == "cfg.yaml:2: clouds[0].project: missing required key 'project' (GCP project id.)"


def test_a_yaml_error_reads_the_same_with_libyaml() -> None:
    """Valid documents are parsed by libyaml when PyYAML has it; one it
    rejects is parsed again by the pure-Python loader, whose messages the
    plain-words hints are matched on (libyaml says "did not find expected
    key" where the hint below needs "expected <block end>")."""
    import yaml

    from hybridtui.config_file import parse_config, read_yaml

    assert yaml.__with_libyaml__, "the test's premise: PyYAML built with libyaml"
    text = "clouds:\n  - name: a\n    kind: aws\n   regions: [x]\n"
    with pytest.raises(ConfigError) as e:
        parse_config(text, "c.yaml")
    assert e.value.problems == [
        "c.yaml:4:4: this line is indented differently from the lines above it: keys of one "
        "entry start in the same column (YAML: expected <block end>, but found "
        "'<block mapping start>')"
    ]
    # and a valid document is the same data, with the same line numbers, either way
    good = "clouds:\n  - name: a\n    kind: aws\n    regions: [eu-west-1]\n"
    root, data = read_yaml(good)
    assert data == yaml.safe_load(good)
    assert root is not None
    assert root.value[0][1].value[0].value[2][1].start_mark.line == 3


def test_a_config_not_in_utf8_says_where_and_what_to_do(tmp_path: Path) -> None:
    """A config saved as Latin-1 by an editor was a UnicodeDecodeError traceback."""
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"clouds:\n  - name: caf\xe9\n    kind: simulator\n")
    with pytest.raises(ConfigError) as info:
        load_config(latin1)
    assert info.value.message == f"{latin1}: not UTF-8 text (byte 0xe9 at line 2, column 14)"
    assert info.value.hint is not None
    assert "UTF-8" in info.value.hint
    proc = hybridtui("--config", str(latin1), "inventory")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "not UTF-8 text (byte 0xe9 at line 2, column 14)" in proc.stderr
