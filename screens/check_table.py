"""The checks of the phase on view: verdict symbol and word, value with unit, target, hold progress."""

from __future__ import annotations

from typing import Any

from golive.console.view import SessionView
from golive.screens.check_cells import check_cells
from golive.screens.live_table import LiveTable
from golive.screens.palette import Palette


def check_columns(width: int) -> list[tuple[str, str, int]]:
    """Column (key, label, width) for a table ``width`` cells wide; the title and hold columns take the rest."""
    # a wide value column fits an old value with its age ("2m ago: 0.1405 %")
    fixed = {"verdict": 9, "value": 12 if width < 100 else 17, "target": 16 if width < 100 else 20}
    padding = 2 * 5 + 2   # each cell has one cell of padding either side; the vertical scrollbar
    rest = max(30, width - sum(fixed.values()) - padding)
    title = max(14, min(34, rest * 11 // 20))
    hold = max(14, rest - title)
    return [("verdict", "", fixed["verdict"]), ("title", "Check", title), ("value", "Value", fixed["value"]),
            ("target", "Target", fixed["target"]), ("hold", "Hold / why", hold)]


class CheckTable(LiveTable):
    """Rows keyed by check id, for the automated checks of the phase on view."""

    read_only = False   # a follower's table names no key it cannot use

    def __init__(self, runbook: Any, **kw: Any):
        super().__init__(**kw)
        self.runbook = runbook
        self.phase_index = -1

    def show(self, view: SessionView, phase_index: int, now: float, palette: Palette,
             only: set[str] | None = None) -> None:
        """Show the phase's checks; with ``only``, just those rows changed (the others keep their cells).
        Rows out of view are computed when they scroll into view."""
        if not self.size.width:
            return
        self.set_columns(check_columns(self.size.width))
        runbook = self.runbook
        if not (0 <= phase_index < len(runbook.phases)):
            self.sync_rows([])
            return
        self.phase_index = phase_index
        active = phase_index == view.active and view.outcome is None
        checks = {c.id: c for c in runbook.phases[phase_index].automated_checks}

        def make(check_id: str) -> tuple:
            return check_cells(view, runbook, checks[check_id], now, active, palette, self.read_only)
        self.sync_lazy(list(checks), make, dirty=None if only is None else set(only))
