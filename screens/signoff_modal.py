"""Sign off the outcome for a role: pick the role, type the name; the record is signed when a key is at hand."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Select, Static

from golive.screens.dialog import Dialog, quiet_input


@dataclass(frozen=True)
class SignoffChoice:
    role: str
    name: str


class SignoffModal(Dialog[SignoffChoice]):
    """Returns the role and name, or None when cancelled."""

    ENTER = "signs off"
    ESC = "cancels · Tab moves between role, name and Sign off"

    def __init__(self, outcome: str, roles: list[str], name: str, key_note: str):
        super().__init__()
        self.outcome, self.roles, self.default_name, self.key_note = outcome, roles, name, key_note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Sign off — outcome {self.outcome}", id="dialog-title", markup=False)
            yield Static("Role:", classes="hint")
            yield Select([(r, r) for r in self.roles], value=self.roles[0], allow_blank=False, id="signoff-role")
            yield Static("Name:", classes="hint")
            yield quiet_input(value=self.default_name, placeholder="your name", id="signoff-name")
            yield Static(self.key_note, classes="hint", markup=False)
            yield Static("", classes="problem", id="problem")
            yield self.keys_line()
            yield from self.compose_buttons("Sign off")

    def submit(self) -> None:
        name = self.query_one("#signoff-name", Input).value.strip()
        if not name:
            self.query_one("#problem", Static).update("a sign-off needs a name")
            return
        role = self.query_one("#signoff-role", Select).value
        self.dismiss(SignoffChoice(role=str(role), name=name))
