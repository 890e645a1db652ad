"""JSON in and out, fast: the cache and the headless exports move 100,000
records (bench/scale.py), and the standard library's encoder with `indent`
runs in pure Python. orjson does both in C; what it refuses (an integer over
64 bits in a raw SDK record) falls back to the standard library, same text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import orjson


def _default(value: object) -> object:
    """SDK records carry datetimes (boto3) and other non-JSON scalars: store
    text; a mapping that is not a dict (a cached `RawRecord`) as its dict."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


def dumps(value: Any, *, indent: bool = False) -> bytes:
    """UTF-8 JSON; `indent`: two spaces, for people reading it."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(value, default=_default, option=option)
    except (orjson.JSONEncodeError, TypeError):
        text = json.dumps(
            value,
            default=_default,
            indent=2 if indent else None,
            separators=None if indent else (",", ":"),
            ensure_ascii=False,
        )
        return text.encode()


def loads(raw: str | bytes) -> Any:
    return orjson.loads(raw)
