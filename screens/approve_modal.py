"""Approve the active phase for a role (``approve`` in the runbook), with an optional note."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from golive.screens.dialog import Dialog, quiet_input


class ApproveModal(Dialog[str]):
    """Returns the note (possibly empty), or None when cancelled."""

    def __init__(self, phase_label: str, awaiting: str):
        super().__init__()
        self.phase_label, self.awaiting = phase_label, awaiting

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Approve — {self.phase_label}", id="dialog-title")
            yield Static(self.awaiting)
            yield quiet_input(placeholder="a note (optional): what you checked", id="approve-note")
            yield Static("Enter approves as you (journaled with your login name), Esc cancels.", classes="hint")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Approve", id="save", variant="primary")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        self.dismiss(self.query_one("#approve-note", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
