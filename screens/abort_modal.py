"""Abort: end the go-live now, NO-GO, with a written reason; nothing rolls back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from golive.screens.dialog import Dialog, Judge, accept, quiet_input


class AbortModal(Dialog[str]):
    """Returns the reason, or None when cancelled. Enter without a reason is refused here, not sent."""

    ENTER = "aborts the go-live (NO-GO)"

    def __init__(self, phase_label: str, judge: Judge = accept):
        super().__init__()
        self.phase_label, self.judge = phase_label, judge

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Abort the go-live in {self.phase_label}", id="dialog-title", markup=False)
            yield Static("The go-live ends now with outcome NO-GO. Nothing is rolled back: what is deployed stays "
                         "as it is (r rolls back instead).", classes="hint")
            yield Static("Why abort? The reason and your name are journaled and shown in the record.",
                         classes="hint")
            yield quiet_input(placeholder="a written reason (required)", id="abort-reason")
            yield Static("", classes="problem", id="problem")
            yield self.keys_line()
            yield from self.compose_buttons("Abort (NO-GO)", "error")

    def submit(self) -> None:
        reason = self.query_one("#abort-reason", Input).value.strip()
        problem = self.judge(reason)
        if problem:
            self.query_one("#problem", Static).update(problem)
            self.query_one("#abort-reason", Input).focus()
            return
        self.dismiss(reason)
