"""The shape every Golive dialog shares: a centred box, a title, one key rule (Enter submits, Esc cancels)."""

from __future__ import annotations

# One rule for every dialog, written on it: Enter submits (from a field or a button), Esc cancels. The Cancel
# button takes no focus, so Tab never lands on it and Tab-type-Enter cannot cancel by surprise; Esc does that.
# Notifications are not drawn over a dialog (the mission screen holds them until it is back on top).
from typing import Any, Callable, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

T = TypeVar("T")

# What a dialog asks before it sends what was typed: the engine's rule for its command (Engine.why_not, given by
# the mission screen), so a dialog says the same reason the command would be refused with. None: it may be sent.
Judge = Callable[..., "str | None"]


def accept(*_: Any) -> None:
    """A judge that lets everything through (the engine still judges the command itself)."""
    return None


class Dialog(ModalScreen[T]):
    """Dismisses with None on Esc; subclasses compose a ``#dialog`` container and implement ``submit``."""

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
    Dialog #dialog-keys { color: $text; text-style: bold; height: auto; }
    Dialog #buttons { height: auto; align-horizontal: right; padding-top: 1; }
    Dialog #buttons Button { margin-left: 2; }
    Dialog Input { margin-bottom: 1; }
    """

    # What Enter and Esc do here, in a few words each ("Enter rolls back · Esc declines").
    ENTER = "submits"
    ESC = "cancels"

    def keys_line(self) -> Static:
        """The dialog's key rule, shown on it."""
        return Static(f"Enter {self.ENTER} · Esc {self.ESC}", id="dialog-keys", markup=False)

    def on_mount(self) -> None:
        # Without a toast rack the app has nowhere to draw notifications on this screen (the rack sets its own
        # display, so CSS cannot hide it); they show again on the mission screen.
        for rack in self.query_children("ToastRack"):
            rack.remove()
        for button in self.query("#cancel").results(Button):
            button.can_focus = False
        self.focus_first()

    def focus_first(self) -> None:
        """Focus the first field, or the confirming button when there is none."""
        fields = list(self.query(Input))
        target = fields[0] if fields else next(iter(self.query("#confirm")), None)
        if target is not None:
            target.focus()

    def submit(self) -> None:
        """What Enter does; subclasses dismiss with their result or say what is missing (a dialog without a
        result, such as help, does nothing)."""

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _submitted(self, event: Any) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Any) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def compose_buttons(self, confirm: str, variant: Any = "primary", cancel: str = "Cancel (Esc)") -> ComposeResult:
        from textual.containers import Horizontal

        with Horizontal(id="buttons"):
            yield Button(cancel, id="cancel")
            yield Button(confirm, id="confirm", variant=variant)


def quiet_input(**kw: Any) -> Input:
    """An Input without a blinking cursor (steady on a slow link, stable in snapshots)."""
    field = Input(**kw)
    field.cursor_blink = False
    return field
