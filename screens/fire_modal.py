"""Fire a manual trigger: a condition only a person can see ("data corruption detected"), with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from golive.screens.dialog import Dialog, Judge, accept, quiet_input


@dataclass(frozen=True)
class FireChoice:
    trigger: str
    reason: str


class FireModal(Dialog[FireChoice]):
    """Returns the trigger and the reason, or None when cancelled. ``triggers``: (id, label, response)."""

    ENTER = "fires it"

    def __init__(self, triggers: list[tuple[str, str, str]], judge: Judge = accept):
        """``judge(trigger_id, reason)``: why it may not be fired (None: it may)."""
        super().__init__()
        self.triggers, self.judge = triggers, judge

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="danger"):
            yield Static("Fire a trigger — what did you see?", id="dialog-title")
            yield OptionList(*[Option(f"{label}  → {then}", id=tid) for tid, label, then in self.triggers],
                             id="fire-trigger")
            yield Static("Reason (journaled before anyone sees it; its response follows):", classes="hint")
            yield quiet_input(placeholder="what you saw, where", id="fire-reason")
            yield Static("", classes="problem", id="problem")
            yield self.keys_line()
            yield from self.compose_buttons("Fire", "error")

    def on_mount(self) -> None:
        self.query_one("#fire-trigger", OptionList).highlighted = 0
        self.query_one("#fire-reason", Input).focus()   # one trigger is the common case: type the reason

    @on(OptionList.OptionSelected)
    def to_reason(self) -> None:
        self.query_one("#fire-reason", Input).focus()

    def submit(self) -> None:
        reason = self.query_one("#fire-reason", Input).value.strip()
        index = self.query_one("#fire-trigger", OptionList).highlighted
        problem = "pick the trigger" if index is None else self.judge(self.triggers[index][0], reason)
        if problem or index is None:
            self.query_one("#problem", Static).update(problem)
            self.query_one("#fire-reason", Input).focus()
            return
        self.dismiss(FireChoice(self.triggers[index][0], reason))
