"""Help: every key and what it does, generated from the action and key tables."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from screens.actions import ACTIONS, NAVIGATION
from screens.dialog import Dialog
from screens.keymap import key_display, keys_for


def help_content(read_only: bool) -> Content:
    """Two columns: keys, then what they do (and whether `golive watch` allows it)."""
    rows: list[tuple[str, str, bool]] = []
    for action in ACTIONS:
        keys = " ".join(key_display(k) for k in keys_for(action.name))
        rows.append((keys, action.help, read_only and not action.read_only))
    rows += [(keys, text, False) for keys, text in NAVIGATION]
    width = max(len(k) for k, _, _ in rows) + 2
    lines = []
    for keys, text, disabled in rows:
        style = "dim strike" if disabled else ""
        lines.append(Content.assemble((f"{keys:<{width}}", "bold $accent"), (text, style)))
    if read_only:
        lines.append(Content.assemble(("\nREAD-ONLY: ", "bold $badge-read-only"),
                                      ("golive watch follows the journal; struck-out keys are disabled.", "")))
    return Content("\n").join(lines)


class HelpScreen(Dialog[None]):
    BINDINGS = [Binding("question_mark", "cancel", show=False), Binding("f1", "cancel", show=False),
                Binding("q", "cancel", show=False)]

    def __init__(self, read_only: bool = False):
        super().__init__()
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Keys", id="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(help_content(self.read_only), id="help-keys")
            yield Static("Esc, ? or q closes this help.", classes="hint")
