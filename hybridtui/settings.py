"""Everything the app and the CLI need to run, decided once at start-up.

Built by the CLI from flags, environment and config file (in that order of
precedence) and handed to `make_app`: no settings global anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hybridtui.config import AppConfig
from hybridtui.config_memo import load_config
from hybridtui.paths import Paths, data_dir, resolve_paths

DEMO_CONFIG = "demo.yaml"


@dataclass(frozen=True, slots=True)
class Settings:
    config: AppConfig
    #: Where the config came from, for the title bar and `locate`.
    source: str
    demo: bool
    offline: bool
    paths: Paths
    theme: str | None = None
    #: `--read-only`: every cloud is read-only for this run, whatever its config says.
    read_only: bool = False
    #: `--privacy` or the config's `privacy: true`: values masked (hybridtui.privacy).
    privacy: bool = False
    #: `--replay FILE`: when the capture shown was taken (ISO-8601); None otherwise.
    replay: str | None = None


def demo_config_path() -> Path:
    return data_dir("sample_configs") / DEMO_CONFIG


def resolve_settings(
    *,
    demo: bool = False,
    config_path: str | None = None,
    offline: bool = False,
    theme: str | None = None,
    env: dict[str, str] | None = None,
    read_only: bool = False,
    privacy: bool = False,
) -> Settings:
    """Pick the config: --demo > --config > $HYBRIDTUI_CONFIG > user file > demo."""
    env = dict(os.environ) if env is None else env
    paths = resolve_paths(env)
    chosen: Path | None = None
    if not demo:
        if config_path:
            chosen = Path(config_path).expanduser()
        elif env.get("HYBRIDTUI_CONFIG"):
            chosen = Path(env["HYBRIDTUI_CONFIG"]).expanduser()
        elif paths.config_file.is_file():
            chosen = paths.config_file
    if chosen is None:
        config = load_config(demo_config_path(), paths.config_memo_dir)
        source, is_demo = "built-in demo clouds", True
    else:
        config = load_config(chosen, paths.config_memo_dir)
        source, is_demo = str(chosen), all(c.kind == "simulator" for c in config.clouds)
    return Settings(
        config=config,
        source=source,
        demo=is_demo,
        offline=offline,
        paths=paths,
        theme=theme or env.get("HYBRIDTUI_THEME") or config.theme,
        read_only=read_only,
        privacy=privacy or config.privacy,
    )
