"""Every built-in theme is readable: each piece of text on screen, as Textual
composes it, against the background it is drawn on, meets WCAG's 4.5:1 for
text. Measured on the dashboard (a stopped node, a failing cloud, the demo
banner, the status strip, tabs, footer, a production cloud's badge), the
unified table, the Interop
scorecard, help and the provisioning plan. (The ANSI themes use the terminal's
own palette, which only the terminal knows: they are not measured.)"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import make_settings, sim_cloud

from hybridtui.paths import data_dir
from hybridtui.ui.app import make_app

THEMES = sorted(p.stem for p in data_dir("themes").glob("*.yaml"))
CLOUDS = [
    # an accent and the production badge are on screen to be measured too
    sim_cloud("aws-sim", "aws-default-vpc", accent="yellow", production=True),
    sim_cloud("broken", "gce-access-config", fault="http-500", accent="#0090ff"),
]
#: Box drawing, blocks and the like: lines and bars, not text.
NOT_TEXT = range(0x2500, 0x25A0)


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_formula_matches_wcag() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)


def faint_text(app: Any) -> dict[str, float]:
    """Text on screen below 4.5:1, with its colours and ratio."""
    found: dict[str, float] = {}
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            text = seg.text.strip()
            if not text or all(ord(ch) in NOT_TEXT for ch in text):
                continue
            style = seg.style
            if style is None or style.color is None or style.bgcolor is None:
                continue
            fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
            ratio = 1.0 if style.dim else contrast(tuple(fg), tuple(bg))  # type: ignore[arg-type]
            if ratio < 4.5:
                found[f"{text[:40]!r} {fg.hex} on {bg.hex}"] = round(ratio, 2)
    return found


@pytest.mark.parametrize("theme", THEMES)
async def test_every_text_on_every_screen_is_readable(theme: str, frozen_clock: Any) -> None:
    assert THEMES == ["hybrid-dark", "hybrid-light", "projector"]
    app = make_app(make_settings(CLOUDS, theme=theme), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.theme == theme
        screens = {
            "dashboard": (),
            "unified": ("u",),
            "interop": ("u", "9"),
            "help": ("question_mark",),
            "plan": ("escape", "1", "p", "enter"),
        }
        faint = {}
        stopped = False
        for name, keys in screens.items():
            await pilot.press(*keys)
            await pilot.pause()
            shown = faint_text(app)
            faint.update({f"{name}: {k}": v for k, v in shown.items()})
            stopped = stopped or any(
                "stopped" in "".join(s.text for s in strip)
                for strip in app.screen._compositor.render_strips()
            )
        assert stopped, "a stopped node was on screen to be measured"
        assert faint == {}, faint
