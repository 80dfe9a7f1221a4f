"""Roll back: shows the exact rollback command (and the trigger that asked for it); cancel or confirm."""

from __future__ import annotations

# Confirming takes two deliberate steps (Enter in the reason moves to the button, Enter there confirms), so a
# dialog that pops up when a trigger fires cannot be confirmed by a stray keystroke.

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from screens.dialog import Dialog, quiet_input


@dataclass(frozen=True)
class RollbackChoice:
    reason: str
    trigger: str
    plan: str = ""      # the [[rollback]] plan chosen ("" for the runbook's default)


class RollbackModal(Dialog[RollbackChoice]):
    """Returns a RollbackChoice, or None when cancelled."""

    def __init__(self, command: str | None, *, dry_run: bool, trigger: str = "", trigger_label: str = "",
                 phase_label: str = "", plans: list[tuple[str, str, list[str]]] | None = None, plan: str = ""):
        """``plans``: (id, label, each step's command) when the runbook has several; ``plan`` is preselected."""
        super().__init__()
        self.command, self.dry_run = command, dry_run
        self.trigger, self.trigger_label, self.phase_label = trigger, trigger_label, phase_label
        self.plans, self.plan = plans or [], plan

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="danger"):
            if self.trigger:
                yield Static(f"⚑ Trigger fired: {self.trigger_label} — roll back?", id="dialog-title", markup=False)
            else:
                yield Static(f"Roll back {self.phase_label}?", id="dialog-title", markup=False)
            if len(self.plans) > 1:
                yield Static("Plan (↑ ↓ to choose; its steps are shown below):", classes="hint")
                ids = [p[0] for p in self.plans]
                options = OptionList(*[Option(label, id=pid) for pid, label, _ in self.plans], id="rollback-plan")
                options.highlighted = ids.index(self.plan) if self.plan in ids else 0
                yield options
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

    @on(OptionList.OptionHighlighted, "#rollback-plan")
    def show_plan(self, event: OptionList.OptionHighlighted) -> None:
        steps = self.plans[event.option_index][2]
        self.plan = self.plans[event.option_index][0]
        self.query_one("#rollback-command", Static).update("$ " + "\n$ ".join(steps))

    @on(Input.Submitted)
    def to_button(self) -> None:
        self.query_one("#confirm", Button).focus()

    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        reason = self.query_one("#rollback-reason", Input).value.strip()
        self.dismiss(RollbackChoice(reason=reason, trigger=self.trigger, plan=self.plan))

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)
