"""A config checked by pydantic: the models of `hybridtui.config` are plain
dataclasses whose annotations carry their constraints, read here (and only
here: importing pydantic and building the schemas costs 110-130 ms, which a
start with an unchanged config does not pay, see `hybridtui.config_memo`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")

_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(model: type[Any]) -> TypeAdapter[Any]:
    """The model's schema, built once (about 35 ms for AppConfig's)."""
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def validate(model: type[T], data: Any) -> T:
    """`data` checked against `model` and built; raises ValidationError with
    every problem (an unknown key's type is `unexpected_keyword_argument`)."""
    built: T = _adapter(model).validate_python(data)
    return built
