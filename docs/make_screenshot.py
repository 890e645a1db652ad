"""Regenerate docs/screenshot.svg from the app itself: the built-in demo clouds,
seeded, with the clock frozen at the demo epoch so the image is reproducible.

    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

OUT = Path(__file__).parent / "screenshot.svg"


async def main() -> None:
    os.environ["HYBRIDTUI_HOME"] = tempfile.mkdtemp(prefix="hybridtui-shot-")
    from hybridtui.providers.simulator.epoch import DEMO_EPOCH
    from hybridtui.settings import resolve_settings
    from hybridtui.ui.app import make_app

    now = DEMO_EPOCH.timestamp()
    app = make_app(resolve_settings(demo=True), clock=lambda: now)
    async with app.run_test(size=(160, 42)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.pause()
        OUT.write_text(app.export_screenshot(title="hybridtui --demo"))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
