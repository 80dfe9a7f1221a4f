"""Add a note: one line of text that goes to the journal and the record."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from golive.screens.dialog import Dialog, Judge, accept, quiet_input


class NoteModal(Dialog[str]):
    """Returns the note's text, or None when cancelled; an empty note is refused here."""

    ENTER = "saves the note (journaled before it shows)"

    def __init__(self, phase_label: str, judge: Judge = accept):
        super().__init__()
        self.phase_label, self.judge = phase_label, judge

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Note — {self.phase_label}", id="dialog-title")
            yield quiet_input(placeholder="what happened, what was decided, who was called…", id="note-text")
            yield Static("", classes="problem", id="problem")
            yield self.keys_line()
            yield from self.compose_buttons("Save note")

    def submit(self) -> None:
        text = self.query_one("#note-text", Input).value.strip()
        problem = self.judge(text)
        if problem:
            self.query_one("#problem", Static).update(problem)
            return
        self.dismiss(text)
