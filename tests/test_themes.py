"""Every shipped theme loads; a broken user theme is reported, not fatal."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings

from hybridtui.paths import resolve_paths
from hybridtui.ui.app import make_app
from hybridtui.ui.themes import VARIABLE_DEFAULTS, builtin_themes_dir, load_theme_file, load_themes

SHIPPED = sorted(builtin_themes_dir().glob("*.yaml"))


def test_ships_dark_light_and_projector() -> None:
    names = {load_theme_file(p).name for p in SHIPPED}
    assert {"hybrid-dark", "hybrid-light", "projector"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_each_theme_defines_the_semantic_variables(path: Path) -> None:
    theme = load_theme_file(path)
    assert set(VARIABLE_DEFAULTS) <= set(theme.variables)


def test_user_theme_is_loaded_and_a_broken_one_reported(tmp_path: Path) -> None:
    user = resolve_paths().user_themes_dir
    user.mkdir(parents=True)
    (user / "mine.yaml").write_text("name: mine\nprimary: '#ff0000'\n")
    (user / "broken.yaml").write_text("name: broken\nprimery: '#ff0000'\n")
    result = load_themes(builtin_themes_dir(), user)
    assert "mine" in [t.name for t in result.themes]
    assert len(result.failures) == 1
    assert "broken.yaml" in result.failures[0]
    assert "unknown key 'primery' (did you mean 'primary'?)" in result.failures[0]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("name: x\n", "missing required key 'primary'"),
        ("name: x\nprimary: '#ff0000'\ndark: maybe\n", "dark: expected true or false, got 'maybe'"),
        ("name: x\nprimary: '#ff0000'\nvariables: [a]\n", "variables: expected a mapping"),
        ("name: x\nprimary: 12\n", "primary: expected text, got 12"),
        ("- a list\n", "a theme is a mapping"),
    ],
)
def test_a_broken_theme_says_what_is_wrong(tmp_path: Path, text: str, said: str) -> None:
    (tmp_path / "t.yaml").write_text(text)
    (failure,) = load_themes(tmp_path).failures
    assert said in failure


async def test_app_registers_user_theme_and_warns_about_broken_one() -> None:
    user = resolve_paths().user_themes_dir
    user.mkdir(parents=True)
    (user / "mine.yaml").write_text("name: mine\nprimary: '#ff0000'\n")
    (user / "broken.yaml").write_text("- not a mapping\n")
    app = make_app(make_settings(theme="mine"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "mine"
        assert any(
            n.title == "Theme not loaded" and "broken.yaml" in n.message for n in app._notifications
        )
        await pilot.press("q")


def test_css_uses_only_theme_variables() -> None:
    """No literal colours in our CSS: themes decide every colour."""
    import re

    root = Path(__file__).resolve().parent.parent / "hybridtui"
    sources = [*root.rglob("*.tcss"), *root.rglob("*.py")]
    literal = re.compile(r"(?:color|background|border[-a-z]*):[^;\n]*(#[0-9a-fA-F]{3,8}\b|rgb\()")
    offenders = [
        f"{p.name}: {m.group(0)}" for p in sources for m in literal.finditer(p.read_text())
    ]
    assert offenders == []


def test_a_theme_file_edited_since_it_was_remembered_is_read_again(tmp_path: Path) -> None:
    themes, memo = tmp_path / "themes", tmp_path / "memo"
    themes.mkdir()
    path = themes / "mine.yaml"
    path.write_text("name: mine\nprimary: '#ff0000'\n")
    assert load_themes(themes, memo_dir=memo).themes[0].primary == "#ff0000"
    path.write_text("name: mine\nprimary: '#00ff00'\n")
    assert load_themes(themes, memo_dir=memo).themes[0].primary == "#00ff00"
    path.write_text("name: mine\nprimary: [unclosed\n")
    (failure,) = load_themes(themes, memo_dir=memo).failures
    assert "mine.yaml: not valid YAML" in failure


def test_a_theme_not_in_utf8_is_reported_with_where(tmp_path: Path) -> None:
    user = resolve_paths().user_themes_dir
    user.mkdir(parents=True)
    (user / "latin1.yaml").write_bytes(b"# th\xe8me\nname: x\nprimary: '#ff0000'\n")
    result = load_themes(builtin_themes_dir(), user)
    assert len(result.failures) == 1
    assert "latin1.yaml" in result.failures[0]
    assert "not UTF-8 text (byte 0xe8 at line 1, column 5); save it as UTF-8" in result.failures[0]
