"""The dashboard's filter language, and sort keys that know numbers, sizes and
addresses. Pure (no Textual): the table widget and its tests use it alike.

A filter is terms separated by spaces; a row is shown when every term holds:

    kafka            the text anywhere in the row (case-insensitive)
    !stopped         rows without it
    state:running    that column (by key or title: `public_ip`, `publicip`, `Public IP`)
    cloud:aws*       shell-style wildcards in a column's value (the whole value)
    ^web-.*-0[12]$   a regular expression, when the term has regex characters

Plain text is matched with `in` (no regex engine), so the common keystroke
stays as fast as before on 50,000 rows.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_REGEX_CHARS = frozenset("^$[]()|+?{}\\.*")


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    negate: bool = False
    #: Column index the term is limited to (None: the whole row).
    column: int | None = None
    #: A field the table does not show as a column (the pane's cloud).
    context: str = ""
    pattern: re.Pattern[str] | None = None
    glob: bool = False

    def holds(self, hay: str, row: Sequence[str], context: Mapping[str, str]) -> bool:
        if self.context:
            found = self._cell(context.get(self.context, "").lower())
        elif self.column is not None:
            found = self._cell(row[self.column].lower()) if self.column < len(row) else False
        elif self.pattern is not None:
            found = self.pattern.search(hay) is not None
        else:
            found = self.text in hay
        return found != self.negate

    def _cell(self, value: str) -> bool:
        if self.glob:
            return fnmatch.fnmatchcase(value, self.text)
        if self.pattern is not None:
            return self.pattern.search(value) is not None
        return self.text in value


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    terms: tuple[Term, ...] = ()
    #: Rows are searched as their cells joined by newlines (see HAY_SEP).
    #: Why a term was taken literally (a bad regex), for the filter box.
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, text: str, headers: Sequence[str], context_fields: Sequence[str] = ()) -> Query:
        names = {_norm(h): i for i, h in enumerate(headers)}
        terms, notes = [], []
        for raw in text.split():
            negate = raw.startswith("!") and len(raw) > 1
            body = raw[1:] if negate else raw
            column, context = None, ""
            name, sep, value = body.partition(":")
            if sep and value and _norm(name) in names:
                column, body = names[_norm(name)], value
            elif sep and value and _norm(name) in context_fields:
                context, body = _norm(name), value
            body = body.lower()
            glob = (column is not None or bool(context)) and any(c in body for c in "*?")
            pattern = None
            if not glob and any(c in _REGEX_CHARS for c in body):
                try:
                    pattern = re.compile(body, re.MULTILINE)  # ^ $ at each cell
                except re.error as e:
                    notes.append(f"{body!r} taken as text ({e.msg})")
            terms.append(Term(body, negate, column, context, pattern, glob))
        return cls(text, tuple(terms), tuple(notes))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def matches(self, hay: str, row: Sequence[str], context: Mapping[str, str]) -> bool:
        return all(t.holds(hay, row, context) for t in self.terms)

    def spans(self, column: int, cell: str) -> list[tuple[int, int]]:
        """Where the positive terms match in one cell, to highlight them."""
        low = cell.lower()
        out: list[tuple[int, int]] = []
        for t in self.terms:
            if t.negate or t.context or t.glob or (t.column is not None and t.column != column):
                continue
            if t.pattern is not None:
                out += [m.span() for m in t.pattern.finditer(low) if m.end() > m.start()]
            elif t.text:
                start = low.find(t.text)
                while start >= 0:
                    out.append((start, start + len(t.text)))
                    start = low.find(t.text, start + len(t.text))
        return sorted(out)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# ------------------------------------------------------------------ sorting

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$", re.IGNORECASE)
_IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def sort_key(value: str) -> tuple[int, float, str]:  # an int for addresses: exact
    """Numbers and sizes by value (`16G` after `512M`), addresses by address
    (`10.0.0.10` after `10.0.0.9`), the rest as text; empty and `-` last."""
    v = value.strip()
    if not v or v in ("-", "?", "(free)"):
        return (3, 0.0, "")
    if _IPV4.match(v):  # the common address, without ipaddress's parser (50k rows)
        a, b, c, d = (int(p) for p in v.split("."))
        return (1, (a << 24) | (b << 16) | (c << 8) | d, v)
    m = _SIZE.match(v)
    if m:
        return (0, float(m.group(1)) * _UNITS[m.group(2).lower()], v)
    try:
        ip = ipaddress.ip_address(v.split("/")[0])
    except ValueError:
        return (2, 0.0, v.lower())
    return (1, int(ip) + (2**128 if ip.version == 6 else 0), v)
