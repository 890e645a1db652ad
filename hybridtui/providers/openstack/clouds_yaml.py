"""Cloud names from clouds.yaml, without importing openstacksdk (which costs
~0.5 s and must stay off the start-up path). Same search order as the SDK:
$OS_CLIENT_CONFIG_FILE, ./clouds.yaml, the user config dir, /etc/openstack."""

from __future__ import annotations

import os
from pathlib import Path

import yaml


def search_path(env: dict[str, str] | None = None) -> list[Path]:
    env = dict(os.environ) if env is None else env
    paths = [Path(env["OS_CLIENT_CONFIG_FILE"])] if env.get("OS_CLIENT_CONFIG_FILE") else []
    home = Path(env.get("HOME", "~")).expanduser()
    for base in (Path.cwd(), home / ".config" / "openstack", Path("/etc/openstack")):
        paths += [base / "clouds.yaml", base / "clouds.yml"]
    return paths


def cloud_names(env: dict[str, str] | None = None) -> tuple[Path | None, list[str]]:
    """(the clouds.yaml in use, its cloud names); (None, []) when there is none."""
    for path in search_path(env):
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, ValueError, yaml.YAMLError):  # ValueError: not UTF-8
                return path, []
            clouds = data.get("clouds") if isinstance(data, dict) else None
            return path, sorted(clouds) if isinstance(clouds, dict) else []
    return None, []
