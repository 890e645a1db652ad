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

import bisect
import fnmatch
import ipaddress
import re
from collections import OrderedDict
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


# ----------------------------------------------------------------- the index

#: Filter results a table keeps, to narrow from as the user types.
_REMEMBERED = 16


def _narrows(new: Term, known: Term) -> bool:
    """Every row `new` holds for, `known` holds for too: the same term, or
    longer plain text in the same place (`kafk` after `kaf`)."""
    if new == known:
        return True
    plain = not (new.negate or known.negate or new.glob or known.glob)
    return (
        plain
        and new.pattern is None
        and known.pattern is None
        and new.column == known.column
        and known.text in new.text
    )


def haystack(row: Sequence[str]) -> str:
    """What a free-text term searches in a row: its cells, lower-cased, one per line."""
    return "\n".join(row).lower()


class RowIndex:
    """One table's rows, searchable and sortable fast: each row's text (and,
    on first use, each column's, all rows' joined, each sort order) is built
    once per data set, so a keystroke is one comprehension per term over a
    precomputed haystack: ~10 ms on 50,000 rows (bench/table_50k.py)."""

    def __init__(self, rows: Sequence[Sequence[str]], hay: list[str] | None = None) -> None:
        """`hay`: each row's `haystack`, if the caller kept them from an earlier
        build (the unified table reuses the clouds that did not change)."""
        self.rows = rows
        self.hay = hay if hay is not None else [haystack(r) for r in rows]
        self._columns: dict[int, list[str]] = {}
        self._orders: dict[tuple[int, bool], list[int]] = {}
        #: Every row's text joined, and where each row starts in it (regexes).
        self._big: str | None = None
        #: Results already found, by (sort, terms), newest last.
        self._views: OrderedDict[tuple[tuple[int, bool] | None, tuple[Term, ...]], list[int]] = (
            OrderedDict()
        )
        self._starts: list[int] = []

    def select(
        self, query: Query, context: Mapping[str, str], sort: tuple[int, bool] | None
    ) -> list[int]:
        """The rows every term holds for, in sort order. Typing narrows a
        filter: a result already found for these terms' start (or for broader
        terms: `kaf` before `kafk`) is narrowed instead of all rows searched."""
        if any(not t.holds("", (), context) for t in query.terms if t.context):
            return []  # `cloud:gce*` on another cloud's pane
        terms = tuple(t for t in query.terms if not t.context)
        if not terms:
            return list(self.order(sort))
        view, todo = self._closest(sort, terms)
        for k, t in enumerate(terms):
            if k in todo:
                view = self._narrow(view, t)
                self._remember((sort, terms[: k + 1]), view)
        return list(view)

    def _closest(
        self, sort: tuple[int, bool] | None, terms: tuple[Term, ...]
    ) -> tuple[Sequence[int], set[int]]:
        """The smallest remembered result that holds every row `terms` can
        match, and which of `terms` are still to apply to it."""
        best: Sequence[int] = self.order(sort)
        todo = set(range(len(terms)))
        for (s, known), view in self._views.items():
            if s != sort or len(known) > len(terms) or len(view) >= len(best):
                continue
            if all(_narrows(t, k) for t, k in zip(terms, known, strict=False)):
                best = view
                todo = {i for i, t in enumerate(terms) if i >= len(known) or t != known[i]}
        return best, todo

    def _remember(
        self, key: tuple[tuple[int, bool] | None, tuple[Term, ...]], view: list[int]
    ) -> None:
        self._views[key] = view
        self._views.move_to_end(key)
        while len(self._views) > _REMEMBERED:
            self._views.popitem(last=False)

    def _narrow(self, view: Sequence[int], t: Term) -> list[int]:
        """The rows of `view` that term `t` holds for."""
        src = self.hay if t.column is None else self.column(t.column)
        w, neg = t.text, t.negate
        if t.glob:
            return [i for i in view if fnmatch.fnmatchcase(src[i], w) != neg]
        if t.pattern is not None and t.column is None:
            hits = self.regex_rows(t.pattern)
            return [i for i in view if (i in hits) != neg]
        if t.pattern is not None:
            search = t.pattern.search
            return [i for i in view if (search(src[i]) is None) == neg]
        if neg:
            return [i for i in view if w not in src[i]]
        return [i for i in view if w in src[i]]

    def order(self, sort: tuple[int, bool] | None) -> list[int]:
        """Every row index in the sort order (computed once per order)."""
        if sort is None:
            return list(range(len(self.hay)))
        found = self._orders.get(sort)
        if found is None:
            col, descending = sort
            keys = [sort_key(r[col]) if col < len(r) else sort_key("") for r in self.rows]
            found = self._orders[sort] = sorted(
                range(len(keys)), key=keys.__getitem__, reverse=descending
            )
        return found

    def column(self, col: int) -> list[str]:
        found = self._columns.get(col)
        if found is None:
            found = self._columns[col] = [r[col].lower() if col < len(r) else "" for r in self.rows]
        return found

    def regex_rows(self, pattern: re.Pattern[str]) -> set[int]:
        """The rows a regex matches, found in one scan of every row's text
        joined (one C-level pass instead of 50,000 Python calls); a match
        that runs across rows is checked row by row instead."""
        if self._big is None:
            self._big = "\n".join(self.hay)
            starts, at = [], 0
            for h in self.hay:
                starts.append(at)
                at += len(h) + 1
            self._starts = starts
        starts, hay, big = self._starts, self.hay, self._big
        rows: set[int] = set()
        text, scan = big, pattern
        if pattern.pattern.startswith("^") and "|" not in pattern.pattern:
            # `^web` at each line is slow to scan for; `\nweb` in "\n" + text
            # has a literal to look for, and its match starts where the line does
            text, scan = "\n" + big, re.compile("\n" + pattern.pattern[1:], pattern.flags)
        shift = len(text) - len(big)
        for m in scan.finditer(text):
            r = bisect.bisect_right(starts, m.start()) - 1
            if m.end() - shift <= starts[r] + len(hay[r]):
                rows.add(r)
            else:  # spans a row boundary: decide each row it touched on its own
                last = bisect.bisect_right(starts, m.end()) - 1
                rows.update(i for i in range(r, last + 1) if pattern.search(hay[i]))
        return rows


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
