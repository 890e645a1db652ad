"""The provider of a replayed capture's clouds (`--replay FILE`).

A replay runs offline: its records are put in the cache and nothing is ever
listed. This provider exists so that a refresh asked for anyway (a key, a
command) fails with a sentence saying why, instead of an unknown kind.
"""

from __future__ import annotations

from typing import ClassVar, NoReturn

from hybridtui.domain import CloudBehaviour, CloudKind, Flavor, Image, Network, Node
from hybridtui.errors import ProviderError
from hybridtui.providers.base import Provider


class ReplayProvider(Provider):
    kind: ClassVar[CloudKind] = CloudKind.REPLAY

    def _refused(self) -> NoReturn:
        raise ProviderError(
            f"{self.name} is a cloud of a capture: it is shown as captured and never refreshed",
            hint="Open hybridtui without --replay to see the cloud as it is now.",
        )

    def list_nodes(self) -> list[Node]:
        self._refused()

    def list_flavors(self) -> list[Flavor]:
        self._refused()

    def list_images(self) -> list[Image]:
        self._refused()

    def list_networks(self) -> list[Network]:
        self._refused()

    def behaviour(self) -> CloudBehaviour:
        self._refused()
