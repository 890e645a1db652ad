"""Per-cloud accents (`accent:`) and the production marker (`production: true`):
a colour bar before the cloud's name in its pane title, its status chip and
the unified Cloud column; a PROD badge, a red edge and a `!` for production.
(Readable on every theme: tests/test_contrast.py measures them.)"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import make_settings, sim_cloud
from pydantic import ValidationError

from hybridtui.config import ACCENTS, SimulatorCloud
from hybridtui.ui.app import make_app
from hybridtui.ui.widgets.status_strip import StatusStrip

CLOUDS = [
    sim_cloud("prod-eu", "aws-default-vpc", accent="red", production=True),
    sim_cloud("lab", "openstack-floating-ip", accent="#12a594"),
    sim_cloud("plain", "gce-access-config"),
]


def colour_of(strip: Any, text: str) -> str | None:
    """The colour (hex) of the first segment of `strip` that is `text`."""
    for seg in strip:
        if seg.text == text and seg.style is not None and seg.style.color is not None:
            return str(seg.style.color.get_truecolor().hex).lower()
    return None


def test_accents_are_named_or_hex() -> None:
    def accent(value: str) -> str | None:
        return SimulatorCloud.validate(sim_cloud("c", "aws-default-vpc", accent=value)).accent

    assert accent("Orange") == ACCENTS["orange"]
    assert accent("#AABBCC") == "#aabbcc"
    with pytest.raises(ValidationError, match=r"not #rrggbb or one of: red, orange"):
        accent("chartreuse")


async def test_accents_and_production_on_screen(frozen_clock: Any) -> None:
    app = make_app(make_settings(CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(200, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.dashboard.views[app.dashboard.active_kind]
        prod, lab, plain = view.panes
        assert prod.has_class("-production")
        assert not lab.has_class("-production")
        titles = {p.cloud: p.title_bar.render_line(0) for p in view.panes}
        assert colour_of(titles["prod-eu"], "▌") == ACCENTS["red"]
        assert colour_of(titles["lab"], "▌") == "#12a594"
        assert colour_of(titles["plain"], "▌") is None
        assert " PROD " in titles["prod-eu"].text
        assert " PROD " not in titles["lab"].text
        strip = app.dashboard.query_one(StatusStrip).text.replace("\xa0", " ")
        assert "▌!prod-eu" in strip
        assert "▌lab" in strip
        assert "▌plain" not in strip
        await pilot.press("u")
        table = view.unified_table
        seen: dict[str, str | None] = {}

        def look() -> None:
            for y in range(1, table.size.height):
                line = table.render_line(y)
                cloud = line.text.split()[0].lstrip("▌") if line.text.strip() else ""
                if cloud:
                    seen.setdefault(cloud, colour_of(line, "▌"))

        look()
        await pilot.press("G")  # the last rows: the cloud without an accent
        look()
        assert seen["prod-eu"] == ACCENTS["red"]
        assert seen["plain"] is None
