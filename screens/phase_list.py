"""The phase list: every phase with its status symbol; moving the highlight shows that phase's checks."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from console.runbook import Runbook
from console.state import GoLiveState
from console.units import format_duration

# phase status → (symbol, theme variable)
PHASE_SYMBOLS = {
    "pending": ("○", "phase-pending"),
    "active": ("◐", "phase-active"),
    "passed": ("✓", "phase-done"),
    "failed": ("✗", "status-fail"),
    "timeout": ("✗", "status-fail"),
    "aborted": ("✗", "status-fail"),
    "rolled_back": ("↺", "status-fail"),
    "overridden": ("⚠", "status-warn"),
}


def phase_prompt(number: int, title: str, status: str, duration: float | None) -> Content:
    symbol, variable = PHASE_SYMBOLS.get(status, ("?", "phase-pending"))
    bold = "bold " if status == "active" else ""
    return Content.assemble(
        (f"{symbol} ", f"bold ${variable}"), (f"{number}. ", "dim"), (title, f"{bold}${variable}"),
        (f"  {format_duration(duration)}" if duration is not None else "", "dim"),
        (f"  {status.replace('_', ' ')}" if status not in ("pending", "active", "passed") else "", f"${variable}"),
    )


class PhaseList(OptionList):
    """One option per phase, refreshed in place; posts ``Viewed`` when the highlight moves."""

    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]

    @dataclass
    class Viewed(Message):
        index: int

    def __init__(self, runbook: Runbook, **kw):
        super().__init__(*[Option(p.label, id=p.id) for p in runbook.phases], **kw)
        self.runbook = runbook
        self._shown: list[str] = [""] * len(runbook.phases)

    def show(self, state: GoLiveState, now: float) -> None:
        """Update the prompts that changed (the active phase's duration ticks once a second)."""
        for i, (phase, status) in enumerate(zip(self.runbook.phases, state.phases)):
            duration = None
            if status.started is not None:
                end = status.ended if status.ended is not None else (state.finished or now)
                duration = max(0.0, end - status.started)
            prompt = phase_prompt(i + 1, phase.label, status.status, duration)
            if prompt.markup != self._shown[i]:
                self._shown[i] = prompt.markup
                self.replace_option_prompt_at_index(i, prompt)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        # Only the lead's own moves change the phase on view; the screen sets the highlight to follow it.
        if event.option_index is not None and self.has_focus:
            self.post_message(self.Viewed(event.option_index))
