"""Run the phase action: shows the exact argv (or shell line) first, and says when it is a dry run."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from golive.screens.dialog import Dialog


class ActionModal(Dialog[bool]):
    """Returns True to run, None when cancelled."""

    def __init__(self, phase_label: str, command: str, *, shell: bool, dry_run: bool, title: str = ""):
        super().__init__()
        self.phase_label, self.command, self.shell, self.dry_run = phase_label, command, shell, dry_run
        self.title_text = title
        self.ENTER = "records the dry run" if dry_run else "runs it"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Run the action of {self.phase_label}" + (f": {self.title_text}" if self.title_text
                                                                       else ""), id="dialog-title", markup=False)
            how = "through /bin/sh (the runbook says shell = true)" if self.shell else "as this argv, no shell"
            yield Static(f"Runs {how}:", classes="hint")
            yield Static(f"$ {self.command}", classes="command", markup=False, id="action-command")
            if self.dry_run:
                yield Static("DRY RUN: the command is shown and recorded, not run.", classes="problem")
            yield Static("Its output streams to the event log; the exit code and a digest go to the record.",
                         classes="hint")
            yield self.keys_line()
            yield from self.compose_buttons("Dry run" if self.dry_run else "Run")

    def submit(self) -> None:
        self.dismiss(True)
