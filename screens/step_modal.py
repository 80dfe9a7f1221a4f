"""Confirm one rollback step written with ``confirm = true``: its exact argv, shown before it runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from golive.screens.dialog import Dialog


class StepConfirmModal(Dialog[bool]):
    """Returns True to run the step, None when cancelled (the step keeps waiting; r asks again)."""

    ENTER = "runs this step"

    def __init__(self, step: str, command: str):
        super().__init__()
        self.step, self.command = step, command

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Rollback step {self.step} asks for its confirmation", id="dialog-title", markup=False)
            yield Static("The steps before it ran; this one runs when you confirm:", classes="hint")
            yield Static(f"$ {self.command}", classes="command", markup=False, id="step-command")
            yield self.keys_line()
            yield from self.compose_buttons("Run this step", variant="error")

    def submit(self) -> None:
        self.dismiss(True)
