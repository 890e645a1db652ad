"""Every location hybridtui reads or writes, in one place.

`HYBRIDTUI_HOME` moves all of them under one directory; tests and demos use it
so they never touch a user's real config or cache. `hybridtui locate` prints them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "hybridtui"


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    cache_dir: Path
    log_dir: Path
    #: Things that must not be thrown away with a cache: node keys, the ledger.
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.yaml"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def inventory_cache_dir(self) -> Path:
        return self.cache_dir / "inventory"

    @property
    def config_memo_dir(self) -> Path:
        """Configs as their last validation built them (`hybridtui.config_memo`)."""
        return self.cache_dir / "checked-config"

    @property
    def node_keys_dir(self) -> Path:
        """Private keys of nodes being provisioned (0600, deleted at step 8)."""
        return self.data_dir / "node-keys"

    @property
    def ledger_file(self) -> Path:
        """What provisioning made, before and after it made it (`hybridtui cleanup`)."""
        return self.data_dir / "ledger.sqlite"


def resolve_paths(env: dict[str, str] | None = None) -> Paths:
    """Where things live, honouring `HYBRIDTUI_HOME`, else the platform's user dirs."""
    env = dict(os.environ) if env is None else env
    home = env.get("HYBRIDTUI_HOME")
    if home:
        base = Path(home).expanduser()
        return Paths(
            config_dir=base / "config",
            cache_dir=base / "cache",
            log_dir=base / "log",
            data_dir=base / "data",
        )
    import platformdirs  # small, but only needed here

    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
    )


def data_dir(name: str) -> Path:
    """A directory shipped with the app (`themes`, `sample_configs`).

    In a wheel they live in `hybridtui/_data/`; in a source checkout (editable
    install, tests) they are the repo's top-level folders. One source of truth.
    """
    packaged = Path(__file__).parent / "_data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / name


def ensure_private_dir(path: Path) -> Path:
    """Create `path` readable by its owner only: caches may name internal hosts."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path
