"""Themes: YAML files → Textual themes, plus the app's semantic colour variables.

Built-in themes ship in `themes/` (inside the wheel too); user themes come from
the user config dir. A broken user theme is reported, not fatal: every other
theme still loads (collect failures, report once).
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.theme import Theme

from hybridtui.config_memo import remembered
from hybridtui.paths import data_dir

#: Variables every theme gets unless it sets its own (CSS uses only variables).
VARIABLE_DEFAULTS: dict[str, str] = {
    "node-running": "ansi_green",
    "node-stopped": "ansi_bright_black",
    "node-building": "ansi_blue",
    "node-error": "ansi_red",
    "stale": "ansi_yellow",
    "demo-banner": "ansi_yellow",
}
DEFAULT_THEME = "hybrid-dark"
#: Cycled by the `t` key: ours first, then Textual's ANSI themes (best over SSH).
EXTRA_CYCLE = ("ansi-dark", "ansi-light")


@dataclass(frozen=True, kw_only=True)
class ThemeFile:
    """What a theme file may say. Checked by hand, not by pydantic: themes
    are read at every start, and pydantic's import alone is 60-80 ms of the
    first paint (bench/startup.py)."""

    name: str
    dark: bool = True
    primary: str
    secondary: str | None = None
    accent: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    boost: str | None = None
    variables: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: Any) -> ThemeFile:
        """A theme from its YAML; ValueError names the first problem."""
        if not isinstance(data, dict):
            raise ValueError("a theme is a mapping (name: ..., primary: '#rrggbb', ...)")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key, value in data.items():
            if key not in fields:
                close = difflib.get_close_matches(str(key), fields, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(f"unknown key {key!r}{hint}; allowed: {', '.join(fields)}")
            if key == "dark":
                ok = isinstance(value, bool)
            elif key == "variables":
                ok = isinstance(value, dict) and all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                )
            else:
                ok = isinstance(value, str) or (value is None and key not in ("name", "primary"))
            if not ok:
                want = {"dark": "true or false", "variables": "a mapping of names to colours"}
                raise ValueError(f"{key}: expected {want.get(key, 'text')}, got {value!r}")
        missing = [
            f.name
            for f in fields.values()
            if f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and f.name not in data
        ]
        if missing:
            raise ValueError(f"missing required key {missing[0]!r}")
        return cls(**data)

    def to_textual_theme(self) -> Theme:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del data["variables"]
        return Theme(**data, variables={**VARIABLE_DEFAULTS, **self.variables})


@dataclass
class ThemeLoadResult:
    themes: list[Theme] = field(default_factory=list)
    #: One line per file that failed: `path: reason`.
    failures: list[str] = field(default_factory=list)


def _theme_data(path: Path, data: bytes | None = None) -> Any:
    """A theme file's YAML; a YAML error is a ValueError like any other problem."""
    import yaml

    from hybridtui.config_file import read_yaml, utf8_problem

    try:
        text = path.read_text(encoding="utf-8") if data is None else data.decode("utf-8")
        return read_yaml(text)[1]
    except yaml.YAMLError as e:
        raise ValueError(f"not valid YAML: {' '.join(str(e).split())}") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"{utf8_problem(e)}; save it as UTF-8") from None


def load_theme_file(path: Path, memo_dir: Path | None = None) -> Theme:
    """The theme in `path`; with `memo_dir`, its YAML is parsed only when the
    file changed (`hybridtui.config_memo`: no PyYAML import at a start)."""
    data = remembered(path, memo_dir, _theme_data) if memo_dir else _theme_data(path)
    return ThemeFile.parse(data).to_textual_theme()


def load_themes(*dirs: Path, memo_dir: Path | None = None) -> ThemeLoadResult:
    result = ThemeLoadResult()
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")):
            try:
                result.themes.append(load_theme_file(path, memo_dir))
            except (OSError, ValueError, TypeError) as e:
                reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                result.failures.append(f"{path}: {reason}")
    return result


def builtin_themes_dir() -> Path:
    return data_dir("themes")
