"""`hybridtui compare` output: table, JSON, Markdown, CSV and JUnit.

The JSON shape is a public interface (README "compare JSON"), versioned by
`schema`: add fields freely, never rename or remove one without bumping it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from hybridtui.domain import Flavor, Image, Network
from hybridtui.interop.drift import Change
from hybridtui.interop.equivalence import Choice, Match
from hybridtui.interop.model import STEPS, Cell, Check, Verdict
from hybridtui.interop.scorecard import Scorecard

SCHEMA = 1
STEP_COUNT = len(STEPS)


def iso(ts: float) -> str | None:
    if not ts:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def cell_text(cell: Cell | None, check: Check) -> str:
    """A cell in a few characters: the verdict word, and the value of a behaviour row."""
    if cell is None:
        return "-"
    word = str(cell.verdict).upper()
    if check.step or not cell.value or cell.value == str(cell.verdict):
        return word
    return cell.value if check.id.startswith("login:") else f"{word} {cell.value}"


# ------------------------------------------------------------------ JSON


def _record(rec: Flavor | Image | Network | None) -> dict[str, Any] | None:
    if rec is None:
        return None
    d = rec.to_dict()
    d.pop("raw", None)
    return d


def _choice(c: Choice) -> dict[str, Any]:
    return {
        "record": _record(c.record),
        "reason": c.reason,
        "runner_up": _record(c.runner_up),
        "closest": _record(c.closest),
        "ambiguous": c.ambiguous,
    }


def match_json(m: Match) -> dict[str, Any]:
    return {
        "cloud": m.cloud,
        "spec": str(m.spec),
        "complete": m.complete,
        "flavor": _record(m.flavor.record),
        "image": _record(m.image.record),
        "network": _record(m.network.record),
        "reason": {"flavor": m.flavor.reason, "image": m.image.reason, "network": m.network.reason},
        "runner_up": {
            "flavor": _record(m.flavor.runner_up),
            "image": _record(m.image.runner_up),
            "network": _record(m.network.runner_up),
        },
        "closest": {"flavor": _record(m.flavor.closest), "image": _record(m.image.closest)},
    }


def to_json(
    card: Scorecard,
    *,
    now: float,
    clouds: Sequence[Mapping[str, Any]],
    changes: Sequence[Change] | None = None,
) -> str:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "generated_at": iso(now),
        "spec": str(card.spec) if card.spec else None,
        "clouds": [{**c, "score": card.score(c["cloud"]), "steps": STEP_COUNT} for c in clouds],
        "checks": [
            {"id": c.id, "title": c.title, "question": c.question, "step": c.step}
            for c in card.checks
        ],
        "cells": [
            {**cell.to_dict(), "observed_at": iso(cell.observed_at)}
            for check in card.checks
            for cloud in card.clouds
            if (cell := card.cell(cloud, check.id)) is not None
        ],
        "pairs": [p.to_dict() for p in card.pairs()],
    }
    if card.spec is not None:
        doc["equivalence"] = [match_json(card.matches[c]) for c in card.clouds if c in card.matches]
    if changes is not None:
        doc["changes"] = [{**ch.to_dict(), "since": iso(ch.since)} for ch in changes]
    return json.dumps(doc, indent=2)


# ----------------------------------------------------------------- table


def _grid(head: list[str], rows: list[list[str]], limits: list[int]) -> list[str]:
    widths = [
        min(limits[i], max(len(head[i]), *(len(r[i]) for r in rows))) if rows else len(head[i])
        for i in range(len(head))
    ]

    def fmt(cells: Sequence[str]) -> str:
        out = []
        for cell, w in zip(cells, widths, strict=True):
            out.append((cell if len(cell) <= w else cell[: w - 1] + "…").ljust(w))
        return "  ".join(out).rstrip()

    return [fmt(head), *(fmt(r) for r in rows)]


def to_table(card: Scorecard, changed: Mapping[str, frozenset[str]] | None = None) -> str:
    """Checks down, clouds across; then the reasons of every step that is not a
    plain YES, the scores, the pair scores and (with a spec) the equivalents."""
    changed = changed or {}
    head = ["Check", *card.clouds]
    rows = []
    for check in card.checks:
        label = f"{check.id} {check.title}" if check.step else check.title
        cells = []
        for cloud in card.clouds:
            text = cell_text(card.cell(cloud, check.id), check)
            cells.append(text + (" *" if check.id in changed.get(cloud, ()) else ""))
        rows.append([label, *cells])
    rows.append(["Steps that just work", *(f"{card.score(c)}/{STEP_COUNT}" for c in card.clouds)])
    lines = _grid(head, rows, [34, *([22] * len(card.clouds))])
    why = [
        f"  {cloud} · {s.id}: {c.verdict}: {c.reason} [{c.evidence}]"
        for s in STEPS
        for cloud in card.clouds
        if (c := card.cell(cloud, s.id)) is not None and c.verdict is not Verdict.YES
    ]
    if why:
        lines += ["", "Why not YES:", *why]
    if any(changed.values()):
        lines += ["", "* changed since the previous scorecard (hybridtui compare --changes)"]
    pairs = card.pairs()
    if pairs:
        lines += ["", "Pairs:", *(f"  {p.text}" for p in pairs)]
    if card.spec is not None:
        lines += ["", f"Equivalents for {card.spec}:"]
        eq_rows = []
        for cloud in card.clouds:
            m = card.matches.get(cloud)
            if m is None:
                continue
            eq_rows.append([cloud, _name(m.flavor), _name(m.image), _name(m.network)])
        lines += [
            "  " + line
            for line in _grid(["Cloud", "Flavor", "Image", "Network"], eq_rows, [20, 24, 60, 26])
        ]
        for cloud in card.clouds:
            m = card.matches.get(cloud)
            if m is not None:
                lines += [f"  {cloud}: {m.flavor.reason} · {m.image.reason} · {m.network.reason}"]
    return "\n".join(lines) + "\n"


def _name(c: Choice) -> str:
    return c.record.name if c.record is not None else "no match"


# -------------------------------------------------------------- markdown


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(card: Scorecard, *, now: float) -> str:
    """Pastes into a wiki or a ticket: the grid with reasons, scores, pairs."""
    out = [f"# Interop scorecard ({iso(now)})", ""]
    if card.spec is not None:
        out += [f"Spec: `{card.spec}`", ""]
    out.append("| Check | " + " | ".join(card.clouds) + " |")
    out.append("|---|" + "---|" * len(card.clouds))
    for check in card.checks:
        label = f"{check.id}. {check.title}" if check.step else check.title
        cells = []
        for cloud in card.clouds:
            c = card.cell(cloud, check.id)
            cells.append("–" if c is None else f"**{cell_text(c, check)}** {_md(c.reason)}")
        out.append(f"| {_md(label)} | " + " | ".join(cells) + " |")
    out.append(
        "| **Steps that just work** | "
        + " | ".join(f"**{card.score(c)}/{STEP_COUNT}**" for c in card.clouds)
        + " |"
    )
    pairs = card.pairs()
    if pairs:
        out += ["", "## Pairs", "", *(f"- {_md(p.text)}" for p in pairs)]
    if card.spec is not None:
        out += [
            "",
            "## Equivalents",
            "",
            "| Cloud | Flavor | Image | Network |",
            "|---|---|---|---|",
        ]
        for cloud in card.clouds:
            m = card.matches.get(cloud)
            if m is not None:
                out.append(
                    f"| {cloud} | "
                    + " | ".join(
                        f"`{_md(c.record.name)}` {_md(c.reason)}"
                        if c.record is not None
                        else f"no match: {_md(c.reason)}"
                        for c in (m.flavor, m.image, m.network)
                    )
                    + " |"
                )
    out += [
        "",
        "Evidence: *declared* (config or the platform's documented behaviour), *inferred* (the cloud's own "
        "records), *measured* (a provisioning run). `hybridtui compare --format json` has the records behind each cell.",
    ]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------- CSV


def to_csv(card: Scorecard) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        ["cloud", "check", "title", "step", "verdict", "value", "reason", "evidence", "observed_at"]
    )
    for check in card.checks:
        for cloud in card.clouds:
            c = card.cell(cloud, check.id)
            if c is not None:
                w.writerow(
                    [
                        cloud,
                        check.id,
                        check.title,
                        "true" if check.step else "false",
                        str(c.verdict),
                        c.value,
                        c.reason,
                        str(c.evidence),
                        iso(c.observed_at) or "",
                    ]
                )
    return out.getvalue()


# ----------------------------------------------------------------- JUnit


def to_junit(card: Scorecard, changes: Sequence[Change] = ()) -> str:
    """One testcase per cloud × check. A step that is NO fails; so does any
    check that regressed in `changes` (pass this run's changes: YES → PARTIAL
    counts too), so a CI pipeline fails when a cloud's behaviour gets worse.
    UNKNOWN is skipped."""
    latest: dict[tuple[str, str], Change] = {}
    for ch in changes:  # oldest first: the last one per check is where it stands
        latest[(ch.cloud, ch.check)] = ch
    suites = ET.Element("testsuites", name="hybridtui interop")
    for cloud in card.clouds:
        suite = ET.SubElement(suites, "testsuite", name=cloud)
        failures = skipped = tests = 0
        for check in card.checks:
            c = card.cell(cloud, check.id)
            if c is None:
                continue
            tests += 1
            name = f"{check.id} {check.title}" if check.step else check.title
            case = ET.SubElement(
                suite, "testcase", classname=f"hybridtui.interop.{cloud}", name=name
            )
            reg = latest.get((cloud, check.id))
            if reg is not None and reg.regression:
                failures += 1
                ET.SubElement(case, "failure", message=f"regressed: {reg.text}", type="regression")
            elif check.step and c.verdict is Verdict.NO:
                failures += 1
                ET.SubElement(case, "failure", message=c.reason, type="no")
            elif c.verdict is Verdict.UNKNOWN:
                skipped += 1
                ET.SubElement(case, "skipped", message=c.reason)
            ET.SubElement(case, "system-out").text = f"{c.verdict}: {c.reason} [{c.evidence}]"
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def changes_text(changes: Sequence[Change]) -> str:
    if not changes:
        return "No behaviour changes recorded yet (each run of compare or the dashboard keeps the scorecard when it changes).\n"
    return "\n".join(("REGRESSION " if ch.regression else "") + ch.text for ch in changes) + "\n"
