"""Help: every key and what it does, generated from the action and key tables."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Static

from golive.screens.actions import ACTIONS, NAVIGATION
from golive.screens.dialog import Dialog
from golive.screens.keymap import key_display, keys_for


def help_rows(read_only: bool) -> list[tuple[str, str, bool]]:
    """(keys, what they do, disabled) for every action, then the moves inside panes; `golive watch` disables
    the actions that change the go-live."""
    rows = [(" ".join(key_display(k) for k in keys_for(a.name)), a.help, read_only and not a.read_only)
            for a in ACTIONS]
    return rows + [(keys, text, False) for keys, text in NAVIGATION]


class HelpScreen(Dialog[None]):
    BINDINGS = [Binding("question_mark", "cancel", show=False), Binding("f1", "cancel", show=False),
                Binding("q", "cancel", show=False)]

    DEFAULT_CSS = """
    HelpScreen #help-keys { grid-size: 2; grid-columns: auto 1fr; grid-rows: auto; grid-gutter: 0 2; height: auto; }
    HelpScreen .key { text-style: bold; color: $accent; }
    HelpScreen .disabled { color: $text-disabled; text-style: strike; }
    HelpScreen #help-body { height: auto; max-height: 70vh; }
    HelpScreen #read-only-note { color: $badge-read-only; text-style: bold; padding-top: 1; }
    """

    def __init__(self, read_only: bool = False):
        super().__init__()
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Keys", id="dialog-title")
            with VerticalScroll(id="help-body"):
                with Grid(id="help-keys"):
                    for keys, text, disabled in help_rows(self.read_only):
                        yield Static(keys, classes="key", markup=False)
                        yield Static(text, classes="disabled" if disabled else "", markup=False)
                if self.read_only:
                    yield Static("READ-ONLY: golive watch follows the journal; struck-out keys are disabled.",
                                 id="read-only-note")
            yield Static("Esc, ? or q closes this help.", classes="hint")
