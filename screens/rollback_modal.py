"""Roll back: shows the exact rollback command (and the trigger that asked for it); cancel or confirm."""

from __future__ import annotations

# Confirming takes two deliberate steps (Enter in the reason moves to the button, Enter there confirms), so a
# dialog that pops up when a trigger fires cannot be confirmed by a stray keystroke.

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from screens.dialog import Dialog, quiet_input


@dataclass(frozen=True)
class RollbackChoice:
    reason: str
    trigger: str


class RollbackModal(Dialog[RollbackChoice]):
    """Returns a RollbackChoice, or None when cancelled."""

    def __init__(self, command: str | None, *, dry_run: bool, trigger: str = "", trigger_label: str = "",
                 phase_label: str = ""):
        super().__init__()
        self.command, self.dry_run = command, dry_run
        self.trigger, self.trigger_label, self.phase_label = trigger, trigger_label, phase_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="danger"):
            if self.trigger:
                yield Static(f"⚑ Trigger fired: {self.trigger_label} — roll back?", id="dialog-title", markup=False)
            else:
                yield Static(f"Roll back {self.phase_label}?", id="dialog-title", markup=False)
            if self.command:
                yield Static("This command will run" + (" — DRY RUN: it is shown and recorded, not run:"
                                                        if self.dry_run else ":"), classes="hint")
                yield Static(f"$ {self.command}", classes="command", markup=False, id="rollback-command")
            else:
                yield Static("The runbook has no [rollback] command: the go-live ends ROLLED BACK and the "
                             "rollback is yours to do by hand.", classes="hint")
            yield Static("Reason (journaled with the decision):", classes="hint")
            default = f"trigger {self.trigger_label} fired" if self.trigger else ""
            yield quiet_input(value=default, placeholder="why roll back", id="rollback-reason")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Roll back", id="confirm", variant="error")

    @on(Input.Submitted)
    def to_button(self) -> None:
        self.query_one("#confirm", Button).focus()

    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        reason = self.query_one("#rollback-reason", Input).value.strip()
        self.dismiss(RollbackChoice(reason=reason, trigger=self.trigger))

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
