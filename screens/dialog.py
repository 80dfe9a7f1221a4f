"""The shape every Golive dialog shares: a centred box, a title, Esc to cancel, no blinking cursor."""

from __future__ import annotations

from typing import Any, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    """Dismisses with None on Esc; subclasses compose a ``#dialog`` container."""

    BINDINGS = [Binding("escape", "cancel", "cancel", show=False)]

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > #dialog {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    Dialog #dialog-title { text-style: bold; padding-bottom: 1; }
    Dialog .command {
        background: $panel; color: $text; padding: 0 1; margin-bottom: 1; text-style: bold;
    }
    Dialog .problem { color: $status-fail; text-style: bold; height: auto; }
    Dialog .hint { color: $text-muted; height: auto; }
    Dialog #buttons { height: auto; align-horizontal: right; padding-top: 1; }
    Dialog #buttons Button { margin-left: 2; }
    Dialog Input { margin-bottom: 1; }
    """

    def action_cancel(self) -> None:
        self.dismiss(None)


def quiet_input(**kw: Any) -> Input:
    """An Input without a blinking cursor (steady on a slow link, stable in snapshots)."""
    field = Input(**kw)
    field.cursor_blink = False
    return field
