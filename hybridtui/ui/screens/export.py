"""`x`: write the table on screen (filtered and sorted as shown) to a file.
The file name's ending picks the format: `.json` (a list of objects, one per
row, keyed by column title) or anything else as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


def render_table(path: Path, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The file's text: JSON for `.json`, else CSV."""
    if path.suffix.lower() == ".json":
        return json.dumps([dict(zip(headers, r, strict=False)) for r in rows], indent=2) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


class ExportScreen(ModalScreen[Path | None]):
    """The path to write to, prefilled; `enter` writes, `esc` cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="cancel-export"),
    ]
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 80; max-width: 96%; height: auto; background: $surface;
        border: round $primary; padding: 0 1;
    }
    ExportScreen .title { text-style: bold; color: $primary; }
    ExportScreen #export-error { color: $error; }
    """

    def __init__(
        self, what: str, headers: Sequence[str], rows: Sequence[Sequence[str]], default: Path
    ) -> None:
        super().__init__()
        self.what = what
        self.headers = list(headers)
        self.rows = list(rows)
        self.default = default

    def compose(self) -> ComposeResult:
        n = len(self.rows)
        with Vertical():
            yield Static(f"Export {n} {self.what} row{'s' if n != 1 else ''}", classes="title")
            yield Static("to (.json for JSON, else CSV):")
            yield Input(str(self.default), id="export-path")
            yield Static("", id="export-error", markup=False)
            yield Static("[b]enter[/] write · [b]esc[/] cancel")

    @on(Input.Submitted)
    def _write(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        try:
            if path.is_dir():
                raise IsADirectoryError(21, "is a directory", str(path))
            path.write_text(render_table(path, self.headers, self.rows), encoding="utf-8")
        except OSError as e:
            self.query_one("#export-error", Static).update(
                f"{e.strerror or e}: {path} (choose another path)"
            )
            return
        self.dismiss(path)
