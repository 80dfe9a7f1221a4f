"""The manual checklist of the phase on view: ``[ ]``/``[x]``, the item, its role, who ticked it and when."""

from __future__ import annotations

# Command checks that wait for a person (``confirm = true``) are listed too: ticking one lets it run.
import time
from typing import Any

from golive.console.view import SessionView
from golive.screens.live_table import LiveTable, cell
from golive.screens.palette import Palette


def clock_text(at: float | None) -> str:
    """``20:44:38`` in local time (the tests pin TZ=UTC), or empty."""
    return "" if at is None else time.strftime("%H:%M:%S", time.localtime(at))


def tickable_checks(runbook: Any, phase_index: int) -> list[Any]:
    """The phase's manual items and its confirm-first command checks, in runbook order."""
    if not (0 <= phase_index < len(runbook.phases)):
        return []
    return [c for c in runbook.phases[phase_index].checks
            if c.source == "manual" or getattr(c, "confirm", False)]


def checklist_cells(view: SessionView, check: Any, palette: Palette) -> tuple:
    if check.source == "manual":
        ms = view.manual[check.id]
        checked, by, at, note = ms.checked, ms.by, ms.at, ms.note
        what = check.label + (f" ({check.role})" if check.role else "")
    else:
        checked, by, at, note = view.checks[check.id].confirmed, "", None, ""
        what = f"allow: {check.label}"
    box = cell("[x]" if checked else "[ ]", palette.style("status-pass" if checked else "status-warn", bold=True))
    item = cell(what)
    if not check.required:
        item.append(" (optional)", style="dim")
    return box, item, cell(by), cell(clock_text(at), "dim"), cell(note, "dim")


class Checklist(LiveTable):
    """Rows keyed by check id; ``space`` on the mission screen ticks the row under the cursor."""

    def __init__(self, runbook: Any, **kw: Any):
        super().__init__(**kw)
        self.runbook = runbook
        self.phase_index = -1

    def show(self, view: SessionView, phase_index: int, palette: Palette) -> None:
        """The items of phase ``phase_index`` as ``view`` (the screen's snapshot) has them."""
        if not self.size.width:
            return
        width = self.size.width
        item = max(16, (width - 3 - 8 - 12) // 2)
        self.set_columns([("box", "", 3), ("item", "Item", item), ("by", "By", 12), ("at", "At", 8),
                          ("note", "Note", max(8, width - item - 3 - 8 - 12 - 12))])
        self.phase_index = phase_index
        self.sync_rows([(c.id, checklist_cells(view, c, palette))
                        for c in tickable_checks(self.runbook, phase_index)])

    def highlighted_check(self) -> str | None:
        """The id of the item under the cursor (None when the phase has no items)."""
        return self.cursor_key()
