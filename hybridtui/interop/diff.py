"""Two clouds side by side, only what differs: the checks that disagree, the
flavors of one with no equivalent on the other, the image releases one offers
and the other does not."""

from __future__ import annotations

from dataclasses import dataclass

from hybridtui.domain import Flavor, Image
from hybridtui.interop.equivalence import match_flavor, spec_of_flavor
from hybridtui.interop.model import Cell, Check
from hybridtui.interop.scorecard import Scorecard
from hybridtui.interop.site import Site

#: Flavors compared per side: enough for any real catalogue's distinct sizes.
MAX_FLAVORS = 400


@dataclass(frozen=True, slots=True)
class CheckDiff:
    check: Check
    a: Cell | None
    b: Cell | None


@dataclass(frozen=True, slots=True)
class Diff:
    a: str
    b: str
    checks: tuple[CheckDiff, ...]
    #: Flavors of `a` with no equivalent on `b` (no flavor at least as big, same arch), and back.
    flavors_only_a: tuple[Flavor, ...]
    flavors_only_b: tuple[Flavor, ...]
    #: Image releases (`distro version`) only one side offers.
    images_only_a: tuple[str, ...]
    images_only_b: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (
            self.checks
            or self.flavors_only_a
            or self.flavors_only_b
            or self.images_only_a
            or self.images_only_b
        )

    def to_dict(self) -> dict[str, object]:
        def flavor(f: Flavor) -> dict[str, object]:
            return {
                "name": f.name,
                "vcpus": f.vcpus,
                "ram_mb": f.ram_mb,
                "arch": f.arch,
                "gpus": f.gpus,
            }

        return {
            "a": self.a,
            "b": self.b,
            "checks": [
                {
                    "check": d.check.id,
                    "title": d.check.title,
                    "a": d.a.to_dict() if d.a else None,
                    "b": d.b.to_dict() if d.b else None,
                }
                for d in self.checks
            ],
            "flavors_only_a": [flavor(f) for f in self.flavors_only_a],
            "flavors_only_b": [flavor(f) for f in self.flavors_only_b],
            "images_only_a": list(self.images_only_a),
            "images_only_b": list(self.images_only_b),
        }


def releases(images: tuple[Image, ...] | list[Image]) -> set[str]:
    """`distro version` of every recognised image (`ubuntu 24.04`, `debian 12`)."""
    return {f"{i.distro} {i.version}".strip() for i in images if i.distro and i.distro != "windows"}


def _unmatched(flavors: list[Flavor], other: list[Flavor]) -> list[Flavor]:
    out = []
    seen: set[tuple[int, int, str, int]] = set()
    for f in sorted(flavors, key=lambda f: (f.vcpus, f.ram_mb, f.name))[:MAX_FLAVORS]:
        size = (f.vcpus, f.ram_mb, f.arch, f.gpus)
        if size in seen:  # one per distinct size: a family of equal sizes is one answer
            continue
        seen.add(size)
        if match_flavor(other, spec_of_flavor(f)).record is None:
            out.append(f)
    return out


def diff(card: Scorecard, sites: dict[str, Site], a: str, b: str) -> Diff:
    """What differs between clouds `a` and `b` (both in `card` and `sites`)."""
    checks = []
    for check in card.checks:
        ca, cb = card.cell(a, check.id), card.cell(b, check.id)
        if ca is None or cb is None:
            if check.step or not check.id.startswith("login:"):
                checks.append(CheckDiff(check, ca, cb))
            continue  # a distro one side lacks: listed with the image releases
        if ca.behaviour_key != cb.behaviour_key:
            checks.append(CheckDiff(check, ca, cb))
    sa, sb = sites[a], sites[b]
    fa = sa.of(Flavor)
    fb = sb.of(Flavor)
    ia = sa.of(Image)
    ib = sb.of(Image)
    ra, rb = releases(ia), releases(ib)
    return Diff(
        a,
        b,
        tuple(checks),
        tuple(_unmatched(fa, fb)) if fb else (),
        tuple(_unmatched(fb, fa)) if fa else (),
        tuple(sorted(ra - rb)) if rb else (),
        tuple(sorted(rb - ra)) if ra else (),
    )


def diff_text(d: Diff, width: int = 100) -> str:
    """The diff as plain text (the CLI's table format, the screen's content)."""
    lines = [f"{d.a} ↔ {d.b}: what differs", ""]
    if d.empty:
        return (
            "\n".join([*lines, "Nothing: every check, flavor size and image release matches."])
            + "\n"
        )
    if d.checks:
        lines.append("Checks that disagree:")
        for cd in d.checks:
            label = f"{cd.check.id} {cd.check.title}" if cd.check.step else cd.check.title
            lines.append(f"  {label}")
            for cloud, cell in ((d.a, cd.a), (d.b, cd.b)):
                text = (
                    "-"
                    if cell is None
                    else f"{str(cell.verdict).upper()}{' ' + cell.value if cell.value else ''}: {cell.reason}"
                )
                lines.append(f"    {cloud}: {text}"[:width])
        lines.append("")
    for cloud, other, only in ((d.a, d.b, d.flavors_only_a), (d.b, d.a, d.flavors_only_b)):
        if only:
            sizes = ", ".join(
                f"{f.name} ({f.vcpus} vCPU, {f.ram_mb / 1024:g} GiB{', ' + f.arch if f.arch else ''})"
                for f in only[:12]
            )
            more = f" and {len(only) - 12} more" if len(only) > 12 else ""
            lines.append(f"Flavors of {cloud} with no equivalent on {other}: {sizes}{more}")
    for cloud, releases in ((d.a, d.images_only_a), (d.b, d.images_only_b)):
        if releases:
            lines.append(f"Image releases only {cloud} offers: {', '.join(releases)}")
    return "\n".join(lines) + "\n"
