"""Roll back: shows the exact rollback command (and the trigger that asked for it); Enter rolls back."""

from __future__ import annotations

# The reason is required, and a dialog a trigger opens starts with it empty: a stray Enter from the lead's last
# keystroke is answered with "a rollback needs a reason", never with a rollback. Esc on a trigger's request is
# a decision too (decline, with a reason), so it returns DECLINE and the screen asks why.
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from golive.screens.dialog import Dialog, Judge, accept, quiet_input


@dataclass(frozen=True)
class RollbackChoice:
    reason: str
    trigger: str
    plan: str = ""      # the [[rollback]] plan chosen ("" for the runbook's default)
    decline: bool = False   # the lead declined a trigger's rollback request (the reason comes next)


class RollbackModal(Dialog[RollbackChoice]):
    """Returns a RollbackChoice; None when a lead's own rollback is cancelled; ``decline=True`` on Esc when a
    trigger asked."""

    ENTER = "rolls back"

    def __init__(self, command: str | None, *, dry_run: bool, trigger: str = "", trigger_label: str = "",
                 phase_label: str = "", plans: list[tuple[str, str, list[str]]] | None = None, plan: str = ""):
        """``plans``: (id, label, each step's command) when the runbook has several; ``plan`` is preselected."""
        super().__init__()
        self.command, self.dry_run = command, dry_run
        self.trigger, self.trigger_label, self.phase_label = trigger, trigger_label, phase_label
        self.plans, self.plan = plans or [], plan
        if trigger:
            self.ESC = "declines the rollback (asks why)"

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
            yield Static("Reason (required; journaled with the decision):", classes="hint")
            hint = f"e.g. {self.trigger_label} fired" if self.trigger else "why roll back"
            yield quiet_input(placeholder=hint, id="rollback-reason")
            yield Static("", classes="problem", id="problem")
            yield self.keys_line()
            yield from self.compose_buttons("Roll back", "error",
                                            cancel="Decline (Esc)" if self.trigger else "Cancel (Esc)")

    @on(OptionList.OptionHighlighted, "#rollback-plan")
    def show_plan(self, event: OptionList.OptionHighlighted) -> None:
        steps = self.plans[event.option_index][2]
        self.plan = self.plans[event.option_index][0]
        self.query_one("#rollback-command", Static).update("$ " + "\n$ ".join(steps))

    def focus_first(self) -> None:
        if len(self.plans) > 1:   # the plan comes first: ↑ ↓ choose it, Tab goes on to the reason
            self.query_one("#rollback-plan", OptionList).focus()
        else:
            super().focus_first()

    def submit(self) -> None:
        reason = self.query_one("#rollback-reason", Input).value.strip()
        if not reason:
            self.query_one("#problem", Static).update("a rollback needs a reason: type why, then Enter")
            self.query_one("#rollback-reason", Input).focus()
            return
        self.dismiss(RollbackChoice(reason=reason, trigger=self.trigger, plan=self.plan))

    def action_cancel(self) -> None:
        self.dismiss(RollbackChoice(reason="", trigger=self.trigger, decline=True) if self.trigger else None)


class DeclineModal(Dialog[str]):
    """A trigger asked for a rollback and the lead says no: the reason is required and journaled. Returns the
    reason, or None to look at the screen first (the request stays open; r answers it)."""

    ENTER = "declines the rollback"
    ESC = "decides later (the request stays open; r answers it)"

    def __init__(self, trigger_label: str, judge: Judge = accept):
        super().__init__()
        self.trigger_label, self.judge = trigger_label, judge

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Decline the rollback {self.trigger_label} asked for?", id="dialog-title", markup=False)
            yield Static("The go-live carries on; the decision and its reason are journaled and shown in the "
                         "record. r rolls back later.", classes="hint")
            yield quiet_input(placeholder="why not roll back (required)", id="decline-reason")
            yield Static("", classes="problem", id="problem")
            yield self.keys_line()
            yield from self.compose_buttons("Decline the rollback", "warning", cancel="Later (Esc)")

    def submit(self) -> None:
        reason = self.query_one("#decline-reason", Input).value.strip()
        problem = self.judge(reason)
        if problem:
            self.query_one("#problem", Static).update(problem)
            self.query_one("#decline-reason", Input).focus()
            return
        self.dismiss(reason)
