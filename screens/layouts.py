"""The two arrangements of the same panes: side by side from 110×32 up, tabs below (80×24 works)."""

from __future__ import annotations

# Both hold one instance of each pane widget; switching arrangement mounts fresh widgets that fill themselves
# from the state, so nothing is copied between them.
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane, Tabs

from golive.screens.check_detail import CheckDetail
from golive.screens.check_table import CheckTable
from golive.screens.checklist import Checklist
from golive.screens.event_log import EventLog
from golive.screens.phase_list import PhaseList
from golive.screens.pod_table import PodPane
from golive.screens.sparkline_panel import SparklinePanel
from golive.screens.trigger_panel import TriggerPanel

WIDE_MIN_WIDTH, WIDE_MIN_HEIGHT = 110, 32

# what Tab walks through on a small terminal: (tab, widget that takes focus), in order
TAB_STOPS = (("tab-checks", "check-table"), ("tab-checks", "checklist"), ("tab-trends", "sparklines"),
             ("tab-phases", "phase-list"), ("tab-pods", "pod-table"), ("tab-log", "event-log"))


def is_wide(width: int, height: int) -> bool:
    return width >= WIDE_MIN_WIDTH and height >= WIDE_MIN_HEIGHT


@dataclass
class Panes:
    phases: PhaseList
    triggers: TriggerPanel
    checks: CheckTable
    detail: CheckDetail
    checklist: Checklist
    sparklines: SparklinePanel
    pods: PodPane
    log: EventLog

    @classmethod
    def create(cls, runbook: Any) -> "Panes":
        return cls(phases=PhaseList(runbook, id="phase-list"), triggers=TriggerPanel(runbook, id="triggers"),
                   checks=CheckTable(runbook, id="check-table"), detail=CheckDetail(runbook, id="check-detail"),
                   checklist=Checklist(runbook, id="checklist"),
                   sparklines=SparklinePanel(runbook, id="sparklines"), pods=PodPane(id="pods"),
                   log=EventLog(id="event-log"))


def _titled(widget: Widget, title: str) -> Widget:
    widget.border_title = title
    widget.add_class("pane")
    return widget


class WideBody(Vertical):
    """Phases and triggers on the left; checks, checklist and trends in the middle; pods and log below."""

    def __init__(self, panes: Panes, **kw):
        super().__init__(id="body", classes="wide", **kw)
        self.panes = panes

    def compose(self) -> ComposeResult:
        p = self.panes
        with Horizontal(id="wide-top"):
            with Vertical(id="wide-left"):
                yield _titled(p.phases, "Phases")
                with VerticalScroll(id="trigger-scroll"):
                    yield p.triggers
            with Vertical(id="wide-centre"):
                yield _titled(p.checks, "Checks")
                yield p.detail
                yield _titled(p.checklist, "Checklist")
                yield _titled(p.sparklines, "Trends")
        with Horizontal(id="wide-bottom"):
            yield _titled(p.pods, "Pods")
            yield _titled(p.log, "Event log")

    def on_mount(self) -> None:
        self.query_one("#trigger-scroll").border_title = "Triggers"
        self.query_one("#trigger-scroll").add_class("pane")


class NarrowBody(Vertical):
    """One pane at a time; Tab and Shift+Tab walk the tabs."""

    def __init__(self, panes: Panes, **kw):
        super().__init__(id="body", classes="narrow", **kw)
        self.panes = panes

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active

    @active.setter
    def active(self, pane_id: str) -> None:
        self.query_one(TabbedContent).active = pane_id

    def compose(self) -> ComposeResult:
        p = self.panes
        with TabbedContent(id="tabs"):
            with TabPane("Checks", id="tab-checks"):
                yield p.checks
                yield p.detail
                yield p.checklist
            with TabPane("Trends", id="tab-trends"):
                yield p.sparklines
            with TabPane("Phases", id="tab-phases"):
                yield p.phases
                yield Static("", id="phase-hint", markup=False)
                yield p.triggers
            with TabPane("Pods", id="tab-pods"):
                yield p.pods
            with TabPane("Log", id="tab-log"):
                yield p.log

    def on_mount(self) -> None:
        # Tab walks the panes (TAB_STOPS), never the tab bar: were the bar focusable, Textual would give it the
        # first focus (or the focus of a pane just replaced), where j/k do nothing.
        for tabs in self.query(Tabs):
            tabs.can_focus = False

    def on_phase_list_hint_changed(self, message: PhaseList.HintChanged) -> None:
        hint = self.query_one("#phase-hint", Static)
        hint.update(message.hint)
        hint.display = bool(message.hint)

    def step(self, focused_id: str | None, delta: int) -> str:
        """Move to the next (or previous) pane after ``focused_id``, switching tab as needed; returns the id of
        the widget to focus."""
        widgets = [w for _, w in TAB_STOPS]
        if focused_id in widgets:
            index = (widgets.index(focused_id) + delta) % len(TAB_STOPS)
        else:
            tabs = [t for t, _ in TAB_STOPS]
            index = tabs.index(self.active) if delta > 0 and self.active in tabs else 0
        tab, widget = TAB_STOPS[index]
        if self.active != tab:
            self.active = tab
        return widget
