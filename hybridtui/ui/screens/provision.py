"""Provisioning from the dashboard (key `p`): the spec form, the plan (one
column per cloud, each choice with its reason), and the live step × cloud grid
while the engine runs. The engine is the command line's (`provisioning/`);
these screens only ask, show and cancel. No SDK is imported here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select, SelectionList, Static

from hybridtui.errors import HybridError
from hybridtui.interop.equivalence import Spec, SpecError
from hybridtui.interop.site import Site
from hybridtui.provisioning.plan import Plan, PlanError, make_plan
from hybridtui.provisioning.steps import STEP_TITLES, Status
from hybridtui.ui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:  # the runner's types only; the screens get a started run
    from hybridtui.provisioning.runner import CloudRun, Progress

#: What the run screen needs from the app: start the engine on the plans with
#: a progress callback and a cancel event; returns when every cloud ended.
StartRun = Callable[
    [Sequence[Plan], Callable[["Progress"], None], threading.Event], list["CloudRun"]
]

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
#: The widest mark a grid cell shows: "✗ rolled back" (a spinner and "999.9s" is less).
CELL_WIDTH = len("✗ rolled back")
ARCHES = [("any", ""), ("x86_64", "x86_64"), ("arm64", "arm64")]


@dataclass(frozen=True)
class Writable:
    """A cloud as the form offers it: writable or why not."""

    name: str
    why_not: str = ""


class SpecScreen(ModalScreen[None]):
    """The cloud-neutral spec and the target clouds; `enter` plans."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Cancel", id="cancel-provision"),
    ]
    DEFAULT_CSS = """
    SpecScreen { align: center middle; }
    SpecScreen > Vertical {
        width: 96%; max-width: 110; height: auto; max-height: 96%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    SpecScreen .title { text-style: bold; color: $primary; }
    SpecScreen Horizontal { height: auto; }
    SpecScreen .field { width: 1fr; height: auto; }
    SpecScreen Input, SpecScreen Select { width: 100%; }
    SpecScreen SelectionList { height: auto; max-height: 10; }
    SpecScreen #error { color: $error; }
    """

    def __init__(
        self,
        sites: Sequence[Site],
        clouds: Sequence[Writable],
        start: StartRun,
        on_done: Callable[[list[CloudRun]], None],
        preselect: str = "",
    ) -> None:
        super().__init__()
        self.sites = {s.cloud: s for s in sites}
        self.clouds = list(clouds)
        self.start = start
        self.on_done = on_done
        self.preselect = preselect

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Provision a node", classes="title")
            with Horizontal():
                for key, label, value in (
                    ("vcpus", "vCPUs", "2"),
                    ("ram_gb", "RAM GiB", "4"),
                    ("disk_gb", "disk GiB", ""),
                ):
                    with Vertical(classes="field"):
                        yield Label(label)
                        yield Input(value, id=key, placeholder="any")
                with Vertical(classes="field"):
                    yield Label("arch")
                    yield Select(ARCHES, value="", allow_blank=False, id="arch")
                with Vertical(classes="field"):
                    yield Label("image")
                    yield Input("ubuntu", id="image", placeholder="e.g. ubuntu-24.04, debian")
            yield Label("clouds (space toggles; read-only ones cannot be chosen)")
            selectable = [c for c in self.clouds if not c.why_not]
            chosen = {self.preselect} if self.preselect in {c.name for c in selectable} else None
            yield SelectionList[str](
                *[(c.name, c.name, chosen is None or c.name in chosen) for c in selectable],
                id="clouds",
            )
            refused = [c for c in self.clouds if c.why_not]
            if refused:
                yield Static(
                    "\n".join(f"  {c.name}: {c.why_not}" for c in refused),
                    markup=False,
                    classes="dim",
                )
            yield Static("", id="error", markup=False)
            yield Static("[b]enter[/] (in a field) plan · [b]tab[/] next field · [b]esc[/] cancel")

    def spec_text(self) -> str:
        parts = []
        for key in ("vcpus", "ram_gb", "disk_gb"):
            value = self.query_one(f"#{key}", Input).value.strip()
            if value:
                parts.append(f"{key}={value}")
        arch = self.query_one("#arch", Select).value
        if isinstance(arch, str) and arch:
            parts.append(f"arch={arch}")
        image = self.query_one("#image", Input).value.strip()
        if image:
            parts.append(f"image={image}")
        return ",".join(parts)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_plan()

    @on(Input.Changed)
    def _typed(self) -> None:
        """Every field is checked as it is typed, so the fix is on screen
        before `enter`; a bad field is outlined, the first problem said."""
        problems = []
        for field in self.query(Input):
            problem = field_problem(str(field.id), field.value)
            field.set_class(bool(problem), "-invalid")
            if problem:
                problems.append(problem)
        self.query_one("#error", Static).update(problems[0] if problems else "")

    def action_plan(self) -> None:
        error = self.query_one("#error", Static)
        try:
            spec = Spec.parse(self.spec_text())
        except SpecError as e:
            error.update(f"spec: {e}")
            return
        chosen = list(self.query_one("#clouds", SelectionList).selected)
        if not chosen:
            error.update("choose at least one cloud (space on a cloud in the list)")
            return
        error.update("")
        plans: list[Plan] = []
        refused: dict[str, str] = {}
        for name in chosen:
            try:
                plans.append(make_plan(self.sites[name], spec, read_only=False))
            except PlanError as e:
                refused[name] = e.message + (f" ({e.hint})" if e.hint else "")
        self.app.push_screen(PlanScreen(spec, plans, refused), self._confirmed)

    def _confirmed(self, plans: list[Plan] | None) -> None:
        if plans:
            self.dismiss()
            self.app.push_screen(RunScreen(plans, self.start, self.on_done))


def field_problem(key: str, value: str) -> str:
    """What is wrong with one field of the form ("" when nothing is)."""
    value = value.strip()
    if not value:
        return ""  # blank means "any"
    if "," in value:
        return f"{key}: one value, no commas"
    try:
        Spec.parse(f"{key}={value}")
    except SpecError as e:
        said = str(e)
        return said if key in said else f"{key}: {said}"
    return ""


class PlanScreen(ModalScreen[list[Plan] | None]):
    """One column per cloud: what will be made there; the reasons of the
    column under the cursor below (←/→ moves); `y` goes ahead."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "go", "Provision", id="confirm-plan"),
        Binding("escape,n", "dismiss(None)", "Back", id="back-plan"),
    ]
    DEFAULT_CSS = """
    PlanScreen { align: center middle; }
    PlanScreen > Vertical {
        width: 98%; height: 96%; background: $surface; border: round $primary; padding: 0 1;
    }
    PlanScreen .title { text-style: bold; color: $primary; }
    PlanScreen DataTable { height: auto; max-height: 9; }
    PlanScreen #why { height: 1fr; }
    """
    ROWS = ("flavor", "image", "network", "public address", "login")

    def __init__(self, spec: Spec, plans: Sequence[Plan], refused: dict[str, str]) -> None:
        super().__init__()
        self.spec = spec
        self.plans = list(plans)
        self.refused = refused
        self.columns = [p.cloud for p in self.plans] + list(refused)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Plan for {self.spec}", classes="title", markup=False)
            yield DataTable(id="plan", cursor_type="column", zebra_stripes=True)
            with VerticalScroll(id="why"):
                yield Static("", id="why-text", markup=False)
            n = len(self.plans)
            yield Static(
                f"[b]y[/] provision on {n} cloud{'s' if n != 1 else ''} · [b]←/→[/] reasons"
                " per cloud · [b]esc[/] back"
                if n
                else "no cloud can take this spec · [b]esc[/] back"
            )

    def on_mount(self) -> None:
        table = self.query_one("#plan", DataTable)
        table.fixed_columns = 1  # the row names stay while the clouds scroll sideways
        table.add_column("", key="what")
        for cloud in self.columns:
            table.add_column(cloud, key=cloud)
        by_cloud = {p.cloud: {w: c for w, c, _ in p.rows()} for p in self.plans}
        for what in self.ROWS:
            cells = [
                _fit(by_cloud[c][what])
                if c in by_cloud
                else ("✗ cannot" if what == "flavor" else "")
                for c in self.columns
            ]
            table.add_row(what, *cells, key=what)
        table.move_cursor(column=1)
        self._explain(1)

    @on(DataTable.ColumnHighlighted)
    def _column(self, event: DataTable.ColumnHighlighted) -> None:
        self._explain(event.cursor_column)

    def _explain(self, column: int) -> None:
        if not 1 <= column <= len(self.columns):
            return
        cloud = self.columns[column - 1]
        plan = next((p for p in self.plans if p.cloud == cloud), None)
        text = plan_text(plan) if plan else f"{cloud}\n\n✗ {self.refused[cloud]}"
        self.query_one("#why-text", Static).update(text)

    def action_go(self) -> None:
        if self.plans:
            self.dismiss(self.plans)


def _fit(text: str, width: int = 22) -> str:
    """A cell that leaves room for the other clouds; the full text is below."""
    return text if len(text) <= width else text[: width - 1] + "…"


def plan_text(plan: Plan) -> str:
    lines = [plan.cloud, ""]
    for what, choice, why in plan.rows():
        lines += [f"{what}: {choice}", f"  {why}", ""]
    return "\n".join(lines)


class StepEvent(Message):
    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress


class RunDone(Message):
    def __init__(self, runs: list[CloudRun], error: str = "") -> None:
        super().__init__()
        self.runs = runs
        self.error = error


class RunScreen(ModalScreen[None]):
    """The live step × cloud grid. `esc` asks, then cancels: every cloud stops
    at its next step and rolls back what it made."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Cancel / close", id="cancel-run"),
    ]
    DEFAULT_CSS = """
    RunScreen { align: center middle; }
    RunScreen > Vertical {
        width: 98%; height: 96%; background: $surface; border: round $primary; padding: 0 1;
    }
    RunScreen .title { text-style: bold; color: $primary; }
    RunScreen DataTable { height: auto; max-height: 12; }
    RunScreen #details { height: 1fr; }
    """

    def __init__(
        self,
        plans: Sequence[Plan],
        start: StartRun,
        on_done: Callable[[list[CloudRun]], None],
    ) -> None:
        super().__init__()
        self.plans = list(plans)
        self.clouds = [p.cloud for p in self.plans]
        self.start = start
        self.on_done = on_done
        self.cancel = threading.Event()
        self.done = False
        #: Per cloud: the step running now and since when (None once it ended).
        self.running: dict[str, tuple[int, float] | None] = {
            c: (1, time.monotonic()) for c in self.clouds
        }
        self.details: dict[str, str] = dict.fromkeys(self.clouds, "")
        self.frame = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Provisioning on {', '.join(self.clouds)}", classes="title", markup=False)
            yield DataTable(id="grid", cursor_type="none", zebra_stripes=True)
            with VerticalScroll(id="details"):
                yield Static("", id="detail-text", markup=False)
            yield Static("[b]esc[/] cancel (rolls back what was made)", id="hint")

    def on_mount(self) -> None:
        grid = self.query_one("#grid", DataTable)
        grid.fixed_columns = 1
        grid.add_column("step", key="step")
        for c in self.clouds:
            # as wide as its widest mark from the start: a column that widens as
            # marks arrive was sometimes drawn before it had (Textual widens on idle)
            grid.add_column(c, key=c, width=max(len(c), CELL_WIDTH))
        for n in range(1, 9):
            grid.add_row(f"{n} {STEP_TITLES[n]}", *["·"] * len(self.clouds), key=str(n))
        self._paint_running()
        self.set_interval(0.25, self._tick)
        self._run()

    @work(thread=True, group="provision", exit_on_error=False, description="Provisioning")
    def _run(self) -> None:
        try:
            runs = self.start(self.plans, self._progress, self.cancel)
        except HybridError as e:
            self.post_message(RunDone([], e.message + (f" ({e.hint})" if e.hint else "")))
            return
        except Exception as e:  # an engine bug must not take the dashboard down
            self.post_message(RunDone([], f"{type(e).__name__}: {e}"))
            return
        self.post_message(RunDone(runs))

    def _progress(self, progress: Progress) -> None:
        """The engine's callback, in its thread: the screen paints it."""
        self.post_message(StepEvent(progress))

    def _tick(self) -> None:
        self.frame += 1
        self._paint_running()

    def _paint_running(self) -> None:
        grid = self.query_one("#grid", DataTable)
        now = time.monotonic()
        for cloud, state in self.running.items():
            if state is not None:
                step, since = state
                spin = SPINNER[self.frame % len(SPINNER)]
                grid.update_cell(str(step), cloud, f"{spin} {now - since:.1f}s")

    @on(StepEvent)
    def _step(self, event: StepEvent) -> None:
        ev = event.progress
        r = ev.result
        grid = self.query_one("#grid", DataTable)
        mark = {
            Status.OK: f"✓ {r.seconds:.1f}s",
            Status.SKIPPED: "– skipped",
            Status.FAILED: "✗ failed",
            Status.ROLLED_BACK: "✗ rolled back",
        }[r.status]
        grid.update_cell(str(r.step), ev.cloud, mark)
        if r.status in (Status.OK, Status.SKIPPED) and r.step < 8:
            self.running[ev.cloud] = (r.step + 1, time.monotonic())
        else:
            self.running[ev.cloud] = None
        self.details[ev.cloud] = f"step {r.step} {r.status}: {r.detail}"
        self._show_details()
        self._paint_running()

    def _show_details(self, summary: str = "") -> None:
        """The outcome first (once there is one), then each cloud's last step."""
        text = "\n".join(f"{c}: {d}" for c, d in self.details.items() if d)
        self.query_one("#detail-text", Static).update(f"{summary}\n\n{text}" if summary else text)

    @on(RunDone)
    def _finished(self, event: RunDone) -> None:
        self.done = True
        self.running = dict.fromkeys(self.clouds)
        lines = []
        for r in event.runs:
            if r.ok:
                via = f" via {r.via}" if r.via else ""
                lines.append(f"✓ {r.cloud}: {r.node_name} at {r.address or '-'}{via} as {r.login}")
            else:
                lines.append(f"✗ {r.cloud}: {r.error}")
                lines += [f"    rolled back: {what}" for what in r.rolled_back]
        if event.error:
            lines.append(f"✗ {event.error}")
        self._show_details("\n".join(lines))
        self.query_one("#hint", Static).update("[b]esc[/] close")
        if event.runs:
            self.on_done(event.runs)

    def action_leave(self) -> None:
        if self.done:
            self.dismiss()
            return
        if self.cancel.is_set():
            return  # already rolling back

        def answered(yes: bool | None) -> None:
            if yes:
                self.cancel.set()
                self.query_one("#hint", Static).update("cancelling: rolling back what was made…")

        self.app.push_screen(
            ConfirmScreen(
                "Cancel provisioning?",
                f"Every cloud ({', '.join(self.clouds)}) stops at its next step and "
                "removes what this run made there.",
            ),
            answered,
        )
