"""Themes: YAML files → Textual themes, plus the app's semantic colour variables.

Built-in themes ship in `themes/` (inside the wheel too); user themes come from
the user config dir. A broken user theme is reported, not fatal: every other
theme still loads (collect failures, report once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from textual.theme import Theme

from hybridtui.config_file import read_yaml
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


class ThemeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

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
    variables: dict[str, str] = {}

    def to_textual_theme(self) -> Theme:
        data = self.model_dump(exclude={"variables"})
        return Theme(**data, variables={**VARIABLE_DEFAULTS, **self.variables})


@dataclass
class ThemeLoadResult:
    themes: list[Theme] = field(default_factory=list)
    #: One line per file that failed: `path: reason`.
    failures: list[str] = field(default_factory=list)


def load_theme_file(path: Path) -> Theme:
    _, data = read_yaml(path.read_text(encoding="utf-8"))
    return ThemeFile.model_validate(data).to_textual_theme()


def load_themes(*dirs: Path) -> ThemeLoadResult:
    result = ThemeLoadResult()
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")):
            try:
                result.themes.append(load_theme_file(path))
            except (OSError, yaml.YAMLError, ValidationError, TypeError) as e:
                reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                result.failures.append(f"{path}: {reason}")
    return result


def builtin_themes_dir() -> Path:
    return data_dir("themes")
