"""Add a note: one line of text that goes to the journal and the record."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from golive.screens.dialog import Dialog, quiet_input


class NoteModal(Dialog[str]):
    """Returns the note's text, or None when cancelled; an empty note is refused here."""

    ENTER = "saves the note (journaled before it shows)"

    def __init__(self, phase_label: str):
        super().__init__()
        self.phase_label = phase_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Note — {self.phase_label}", id="dialog-title")
            yield quiet_input(placeholder="what happened, what was decided, who was called…", id="note-text")
            yield Static("", classes="problem", id="problem")
            yield self.keys_line()
            yield from self.compose_buttons("Save note")

    def submit(self) -> None:
        text = self.query_one("#note-text", Input).value.strip()
        if not text:
            self.query_one("#problem", Static).update("a note needs text")
            return
        self.dismiss(text)
