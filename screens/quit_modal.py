"""Quit: confirm, and say how to come back (the session stays resumable from its journal)."""

from __future__ import annotations

import shlex

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from golive.screens.dialog import Dialog


class QuitModal(Dialog[bool]):
    """Returns True to quit; y/Enter confirm, n/Esc cancel."""

    BINDINGS = [Binding("y", "confirm", show=False), Binding("n", "cancel", show=False)]
    ENTER, ESC = "or y quits", "or n stays"

    def __init__(self, folder: str, *, read_only: bool, outcome: str | None):
        super().__init__()
        self.folder, self.read_only, self.outcome = folder, read_only, outcome

    def compose(self) -> ComposeResult:
        folder = shlex.quote(self.folder)
        with Vertical(id="dialog"):
            yield Static("Stop watching?" if self.read_only else "Quit the mission screen?", id="dialog-title")
            if self.read_only:
                yield Static("The session goes on; watch it again with:", classes="hint")
                yield Static(f"$ golive watch {folder}", classes="command", markup=False)
            elif self.outcome:
                yield Static(f"The go-live ended {self.outcome}; the record is in the session folder. "
                             "Sign it later with:", classes="hint", markup=False)
                yield Static(f"$ golive sign {folder}/record.toml --role ROLE", classes="command", markup=False)
            else:
                yield Static("Checks stop and the journal is closed; nothing is lost. Carry on later with:",
                             classes="hint")
                yield Static(f"$ golive resume {folder}", classes="command", markup=False)
            yield self.keys_line()
            yield from self.compose_buttons("Quit (y)", cancel="Stay (n)")

    def submit(self) -> None:
        self.dismiss(True)

    def action_confirm(self) -> None:
        self.dismiss(True)
