"""Provider registry: cloud kind → "module:Class", imported on demand.

Nothing here imports a provider module at import time, so building the list of
clouds costs nothing; an adapter whose SDK is missing fails for its cloud only.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hybridtui.errors import AdapterMissingError, ConfigError

if TYPE_CHECKING:  # keep `hybridtui.providers` import-free at run time
    from hybridtui.config import AppConfig, CloudBase
    from hybridtui.providers.base import Provider

REGISTRY: dict[str, str] = {
    "simulator": "hybridtui.providers.simulator.provider:SimulatorProvider",
    "openstack": "hybridtui.providers.openstack.adapter:OpenStackProvider",
    "aws": "hybridtui.providers.aws.adapter:AwsProvider",
    "gce": "hybridtui.providers.gce.adapter:GceProvider",
    "replay": "hybridtui.providers.replay:ReplayProvider",
}

#: pip extra that installs each kind's SDK.
EXTRAS: dict[str, str] = {"openstack": "openstack", "aws": "aws", "gce": "gce"}


@dataclass(frozen=True, slots=True)
class CloudTarget:
    """One pane: a config entry, or one region of a multi-region entry."""

    name: str
    kind: str
    config: CloudBase
    region: str | None = None

    @property
    def platform(self) -> str:
        """The API family this pane behaves like (`aws`, `openstack`, `gce`); a
        demo cloud plays its profile's. The comparator reads it from here so it
        never imports a provider package."""
        if self.kind == "replay":  # a captured cloud: the platform it was
            return str(getattr(self.config, "platform", "aws"))
        if self.kind != "simulator":
            return self.kind
        from hybridtui.providers.simulator.profiles import PROFILES

        return PROFILES[getattr(self.config, "profile", "")].style


#: `cloud: "*"` in an openstack entry: every cloud in clouds.yaml, one pane each.
ALL_CLOUDS = "*"


def targets_for(config: AppConfig) -> list[CloudTarget]:
    """Expand config entries into panes: an AWS entry gives one pane per region,
    an OpenStack entry with `cloud: "*"` one pane per cloud in clouds.yaml."""
    out: list[CloudTarget] = []
    for cloud in config.clouds:
        if cloud.kind == "openstack" and getattr(cloud, "cloud", "") == ALL_CLOUDS:
            from hybridtui.providers.openstack.clouds_yaml import cloud_names

            _, names = cloud_names()
            out.extend(
                CloudTarget(
                    f"{cloud.name}/{n}",
                    cloud.kind,
                    cloud.replace(cloud=n),
                    getattr(cloud, "region", None),
                )
                for n in names
            )
            if not names:  # its pane says clouds.yaml has no clouds
                out.append(
                    CloudTarget(cloud.name, cloud.kind, cloud, getattr(cloud, "region", None))
                )
            continue
        regions = getattr(cloud, "regions", None)
        if cloud.kind == "aws" and regions:
            if len(regions) == 1:
                out.append(CloudTarget(cloud.name, cloud.kind, cloud, regions[0]))
            else:
                out.extend(CloudTarget(f"{cloud.name}/{r}", cloud.kind, cloud, r) for r in regions)
        else:
            out.append(CloudTarget(cloud.name, cloud.kind, cloud, getattr(cloud, "region", None)))
    return out


def load_provider_class(kind: str) -> type[Provider]:
    try:
        spec = REGISTRY[kind]
    except KeyError:
        raise ConfigError(f"unknown cloud kind {kind!r}; allowed: {', '.join(REGISTRY)}") from None
    module_name, _, class_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        extra = EXTRAS.get(kind, kind)
        raise AdapterMissingError(
            f"the {kind} adapter is not available ({e.name} is not installed)",
            hint=f"pip install 'hybridtui[{extra}]'",
        ) from e
    cls: type[Provider] = getattr(module, class_name)
    return cls


def build_provider(target: CloudTarget) -> Provider:
    cls = load_provider_class(target.kind)
    return cls(target.name, target.config, target.region)
