"""google-cloud-compute's clients, importing only the services the adapter uses.

`google.cloud.compute_v1`'s `__init__` imports all of its ~100 services: 0.9 s
and ~150 MB on the project machine, for the 9 this adapter calls. A service's
own package (`google.cloud.compute_v1.services.instances`) needs only the
shared types, but Python runs a package's `__init__` before any of its
submodules. So the package module is made from its spec without running its
`__init__`; its submodules import as usual, from its `__path__`. Measured: the
9 services in 0.46 s and ~110 MB, the same client classes.

Anyone else in the process who asks the package for a name it does not have
yet (`compute_v1.AcceleratorTypesClient`) gets it: the first such lookup runs
the real `__init__` in that same module object, through the module's own
`__getattr__` (PEP 562), and the package is then whole, as if imported
normally. If the package is already imported, it is used as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import threading
from types import ModuleType
from typing import Any

PACKAGE = "google.cloud.compute_v1"
_lock = threading.RLock()


def client_class(kind: str) -> Any:
    """The client class `kind` (`"InstancesClient"`), from its service's own
    package. Raises ModuleNotFoundError when google-cloud-compute is missing."""
    service = re.sub(r"(?<!^)(?=[A-Z])", "_", kind.removesuffix("Client")).lower()
    name = f"{PACKAGE}.services.{service}"
    with _lock:
        whole = package()
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            # not where this layout puts it (another version): the whole package
            return getattr(whole, kind)
    return getattr(module, kind)


def package(name: str = PACKAGE) -> ModuleType:
    """The package module, registered as imported without its `__init__` run.
    Raises ModuleNotFoundError naming what is missing."""
    with _lock:  # (two GCE clouds' first polls run at once)
        if (found := sys.modules.get(name)) is not None:
            return found
        return _register(name)


def _register(name: str) -> ModuleType:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def finish(attr: str) -> Any:
        """PEP 562's hook: called only for a name the module does not have."""
        dunder = attr.startswith("__") and attr != "__all__"  # (`import *` asks __all__)
        if dunder or importlib.util.find_spec(f"{name}.{attr}") is not None:
            # dunders are asked by the import system and inspect; a submodule
            # (`gapic_version`, `types`) is for the import system to import
            raise AttributeError(attr)
        with _lock:
            if vars(package).get("__getattr__") is finish:
                del package.__getattr__  # the real __init__ defines its names
                loader.exec_module(package)
        return getattr(package, attr)

    package.__getattr__ = finish  # type: ignore[method-assign]
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(importlib.import_module(parent), child, package)
    return package
