"""The phase list: every phase with its status symbol; moving the highlight shows that phase's checks."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from golive.console.runbook import Runbook
from golive.console.state import GoLiveState
from golive.console.units import format_duration

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

    @dataclass
    class HintChanged(Message):
        """The scroll hint changed ("▼ 5 of 6 phases shown — j/k scrolls"; empty when all fit)."""

        hint: str

    def __init__(self, runbook: Runbook, **kw):
        super().__init__(*[Option(p.label, id=p.id) for p in runbook.phases], **kw)
        self.runbook = runbook
        self._shown: list[str] = [""] * len(runbook.phases)
        self._hint = ""

    def show(self, state: GoLiveState, now: float) -> None:
        """Update the prompts that changed (the active phase's duration ticks once a second)."""
        for i, (phase, status) in enumerate(zip(self.runbook.phases, state.phases, strict=True)):
            duration = None
            if status.started is not None:
                end = status.ended if status.ended is not None else (state.finished or now)
                duration = max(0.0, end - status.started)
            prompt = phase_prompt(i + 1, phase.label, status.status, duration)
            if prompt.markup != self._shown[i]:
                self._shown[i] = prompt.markup
                self.replace_option_prompt_at_index(i, prompt)
        self.call_after_refresh(self._update_hint)

    def scroll_hint(self) -> str:
        """How many phases are in view when not all of them fit, and which way the others are."""
        height = self.scrollable_content_region.height
        lines = self._lines   # (option index, line within it) for every line of the list
        if height <= 0 or len(lines) <= height:
            return ""
        top = int(self.scroll_y)
        in_view = {i for i, _ in lines[top:top + height]}
        cut = {i for i, _ in lines[:top]} | {i for i, _ in lines[top + height:]}
        shown = len(in_view - cut)
        where = ("▲▼" if top > 0 and top + height < len(lines) else "▲" if top > 0 else "▼")
        return f"{where} {shown} of {self.option_count} phases shown — j/k scrolls"

    def _update_hint(self) -> None:
        hint = self.scroll_hint()
        if hint != self._hint:
            self._hint = hint
            self.border_subtitle = hint
            self.post_message(self.HintChanged(hint))

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_hint)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.call_after_refresh(self._update_hint)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        # Only the lead's own moves change the phase on view; the screen sets the highlight to follow it.
        if event.option_index is not None and self.has_focus:
            self.post_message(self.Viewed(event.option_index))
