"""Override: proceed with the gate closed. It needs a written reason and marks the go-live PARTIAL."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from golive.screens.dialog import Dialog, Judge, accept, quiet_input


class OverrideModal(Dialog[str]):
    """Returns the reason, or None when cancelled. Enter with an empty reason is refused, not sent."""

    ENTER = "overrides and proceeds"

    def __init__(self, phase_label: str, reasons: list[str], judge: Judge = accept):
        super().__init__()
        self.phase_label, self.reasons, self.judge = phase_label, reasons, judge

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Override the gate of {self.phase_label}", id="dialog-title")
            if self.reasons:
                yield Static("The gate is closed because:", classes="hint")
                yield Static("\n".join(f" • {r}" for r in self.reasons[:8])
                             + (f"\n • … and {len(self.reasons) - 8} more" if len(self.reasons) > 8 else ""),
                             classes="command", markup=False)
            else:
                yield Static("The gate is open: p proceeds without an override.", classes="hint")
            yield Static("Why proceed anyway? The reason is journaled, shown in the record, and the outcome "
                         "becomes PARTIAL.", classes="hint")
            yield quiet_input(placeholder="a written reason (required)", id="override-reason")
            yield Static("", classes="problem", id="problem")
            yield self.keys_line()
            yield from self.compose_buttons("Override and proceed", "warning")

    def submit(self) -> None:
        reason = self.query_one("#override-reason", Input).value.strip()
        problem = self.judge(reason)   # saying so here saves a round trip
        if problem:
            self.query_one("#problem", Static).update(problem)
            self.query_one("#override-reason", Input).focus()
            return
        self.dismiss(reason)
