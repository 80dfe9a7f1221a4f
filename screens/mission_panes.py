"""The mission screen's panes as one table: which pass redraws each, and how. Adding a pane is one row here
(and its widget in layouts.Panes)."""

from __future__ import annotations

# Three passes redraw panes: "all" (a layout, a phase shown, a decision), "events" (the batch of events since the
# last pass: only what they touched) and "second" (clocks, holds, sparklines, the samples of the last second).
# A row names the touches it answers to. Every pane draws from the snapshot ``screen.shown`` (console/view.py),
# taken just before the pass, and the runbook.
from dataclasses import dataclass
from typing import Any, Callable

Draw = Callable[[Any, Any, "Pass"], None]   # (screen, the pane's widget, the pass)


@dataclass(frozen=True)
class Pass:
    now: float
    palette: Any
    touched: frozenset[str]            # "all", "events", "second", "checks", "checklist", "triggers", "log", "pods"
    checks: frozenset[str] = frozenset()   # the checks whose rows changed (for "events" and "second")

    @property
    def full(self) -> bool:
        return "all" in self.touched


@dataclass(frozen=True)
class PaneRow:
    name: str                    # the attribute of layouts.Panes
    touches: tuple[str, ...]     # a pass touching any of these redraws the pane ("all" always does)
    draw: Draw


def _phases(screen: Any, pane: Any, p: Pass) -> None:
    pane.show(screen.shown, p.now)
    if p.full and pane.highlighted != screen.viewed:
        pane.highlighted = screen.viewed


def _checks(screen: Any, pane: Any, p: Pass) -> None:
    if p.full:
        pane.show(screen.shown, screen.viewed, p.now, p.palette)
    elif p.checks:
        pane.show(screen.shown, screen.viewed, p.now, p.palette, only=set(p.checks))


def _checklist(screen: Any, pane: Any, p: Pass) -> None:
    pane.show(screen.shown, screen.viewed, p.palette)


def _detail(screen: Any, pane: Any, p: Pass) -> None:
    if not p.full:
        pane.show(screen.shown, None, p.now)   # the check shown stays; its figures move on
        return
    panes, rb = screen.panes, screen.runbook
    shown = pane.check_id
    if shown is None or rb.phase_of(shown) is not rb.phases[screen.viewed]:
        shown = panes.checks.cursor_key() or panes.checklist.cursor_key()
    pane.show(screen.shown, shown, p.now)


def _sparklines(screen: Any, pane: Any, p: Pass) -> None:
    pane.show(screen.shown, screen.viewed, p.palette)


def _triggers(screen: Any, pane: Any, p: Pass) -> None:
    pane.show(screen.shown, p.now)


def _pods(screen: Any, pane: Any, p: Pass) -> None:
    pane.show(screen.shown, p.palette)
    if not p.full:
        screen.set_titles()   # the pods title counts the pods in trouble


def _log(screen: Any, pane: Any, p: Pass) -> None:
    pane.sync(screen.shown, p.palette)


# In drawing order: the detail line follows the check and checklist cursors, so it comes after both.
PANES: tuple[PaneRow, ...] = (
    PaneRow("phases", ("second",), _phases),
    PaneRow("checks", ("checks",), _checks),
    PaneRow("checklist", ("checklist",), _checklist),
    PaneRow("detail", ("events", "second"), _detail),
    PaneRow("sparklines", ("second",), _sparklines),
    PaneRow("triggers", ("triggers", "second"), _triggers),
    PaneRow("pods", ("pods",), _pods),
    PaneRow("log", ("events",), _log),
)


def draw(screen: Any, p: Pass) -> None:
    """Redraw every pane the pass touches (each pane changes only what differs)."""
    for row in PANES:
        if p.full or p.touched.intersection(row.touches):
            row.draw(screen, getattr(screen.panes, row.name), p)
