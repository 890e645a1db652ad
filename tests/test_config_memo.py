"""A config validated once is taken back from the cache without pydantic on
the next start (a quarter of the first paint); any change is validated again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hybridtui import config_memo
from hybridtui.config_file import load_config as validate_file
from hybridtui.errors import ConfigError
from hybridtui.paths import data_dir

SAMPLES = sorted(data_dir("sample_configs").glob("*.yaml"))

#: A config with every kind of field `from_json` builds specially: a nested
#: model, an enum, a list of enums, a path, a normalised accent.
RICH = """\
clouds:
  - name: sim
    kind: simulator
    profile: aws-default-vpc
    fault: forbidden
    fault_kinds: [images, keys]
    accent: teal
    overrides: {network: db, jump_host: "ops@bastion:2222"}
  - {name: g, kind: gce, project: p, credentials_file: /etc/sa.json, zones: [europe-west1-b]}
  - {name: a, kind: aws, regions: [eu-west-1], retry_mode: standard}
  - {name: o, kind: openstack, cloud: fra, region: RegionOne}
keymap: {refresh: f5}
columns: {nodes: [name, state]}
root_keys: [~/.ssh/ops.pub]
"""


def load_fresh(path: Path, memo_dir: Path) -> tuple[dict[str, object], bool]:
    """`config_memo.load_config` in a new interpreter: the config's repr and
    whether pydantic was imported."""
    code = (
        "import sys; from pathlib import Path; from hybridtui.config_memo import load_config\n"
        f"c = load_config(Path({str(path)!r}), Path({str(memo_dir)!r}))\n"
        "import json; print(json.dumps({'repr': repr(c), 'pydantic': 'pydantic' in sys.modules}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(out.stdout)
    return result, result["pydantic"]


def test_the_second_start_builds_the_same_config_without_pydantic(tmp_path: Path) -> None:
    path, memo = tmp_path / "c.yaml", tmp_path / "memo"
    path.write_text(RICH)
    first, validated = load_fresh(path, memo)
    assert validated  # nothing remembered yet
    second, validated_again = load_fresh(path, memo)
    assert not validated_again
    assert second["repr"] == first["repr"] == repr(validate_file(path))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_config_is_remembered_exactly(path: Path, tmp_path: Path) -> None:
    """A config `from_json` cannot rebuild is validated every time (slow, not
    wrong): none of the shipped ones may be."""
    config_memo.load_config(path, tmp_path)
    assert config_memo.memo_file(tmp_path, path).exists()
    assert repr(config_memo.load_config(path, tmp_path)) == repr(validate_file(path))


def test_an_edited_config_is_validated_again(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(RICH)
    config_memo.load_config(path, tmp_path / "memo")
    path.write_text(RICH.replace("fault: forbidden", "fault: sometimes"))
    with pytest.raises(ConfigError) as info:
        config_memo.load_config(path, tmp_path / "memo")
    assert any("fault" in p for p in info.value.problems)


def test_a_memo_of_other_code_or_a_broken_one_is_not_used(tmp_path: Path) -> None:
    path, memo_dir = tmp_path / "c.yaml", tmp_path / "memo"
    path.write_text(RICH)
    expected = repr(config_memo.load_config(path, memo_dir))
    memo = config_memo.memo_file(memo_dir, path)
    kept = json.loads(memo.read_text())
    # the same key with other contents would be believed: a key from other
    # code (or text) must not be
    kept["value"]["clouds"][0]["name"] = "forged"
    kept["key"] = "0" * 64
    memo.write_text(json.dumps(kept))
    assert repr(config_memo.load_config(path, memo_dir)) == expected
    memo.write_text("{not json")
    assert repr(config_memo.load_config(path, memo_dir)) == expected
    assert json.loads(memo.read_text())["value"]["clouds"][0]["name"] == "sim"


def test_a_missing_config_is_said_as_before(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        config_memo.load_config(tmp_path / "absent.yaml", tmp_path / "memo")
    assert "not found" in info.value.message


def test_a_read_only_cache_only_costs_the_validation(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        memo_dir = tmp_path / "file-not-dir"
        memo_dir.write_text("")  # root writes anywhere: a file where the dir goes
    else:
        memo_dir = tmp_path / "ro"
        memo_dir.mkdir(mode=0o500)
    path = tmp_path / "c.yaml"
    path.write_text(RICH)
    assert repr(config_memo.load_config(path, memo_dir)) == repr(validate_file(path))


def test_a_config_saved_while_it_is_read_is_remembered_under_its_own_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo's key was made from one read of the file and the config from
    a second: an editor saving in between had the new config remembered under
    the old text (and the old text, saved back, would get the new config)."""
    path, memo_dir = tmp_path / "c.yaml", tmp_path / "memo"
    old = b"clouds:\n  - {name: before, kind: simulator, profile: openstack-private}\n"
    path.write_text("clouds:\n  - {name: after, kind: simulator, profile: openstack-private}\n")
    real = Path.read_bytes

    def saved_after_the_first_read(self: Path) -> bytes:
        return old if self == path else real(self)

    monkeypatch.setattr(Path, "read_bytes", saved_after_the_first_read)
    config = config_memo.load_config(path, memo_dir)
    assert [c.name for c in config.clouds] == ["before"], "the text the key was made from"
    path.write_bytes(old)  # the old text on disk: the memo answers it with its own config
    monkeypatch.setattr(Path, "read_bytes", real)
    assert [c.name for c in config_memo.load_config(path, memo_dir).clouds] == ["before"]
