"""Keys → mission actions (see ``actions.py``); the screen's bindings, footer and help come from here."""

from __future__ import annotations

from textual.binding import Binding

from golive.screens.actions import ACTIONS, BY_NAME

KEYMAP: dict[str, tuple[str, ...]] = {
    "tick": ("space",),
    "proceed": ("p",),
    "run_action": ("a",),
    "note": ("n",),
    "override": ("o",),
    "rollback": ("r",),
    "fire": ("f",),
    "resume": ("u",),
    "sign": ("s",),
    "approve": ("A",),
    "abort": ("X",),
    "active_phase": ("escape",),
    "next_pane": ("tab",),
    "previous_pane": ("shift+tab",),
    "help": ("question_mark", "f1"),
    "palette": ("colon", "ctrl+p"),   # ":" as in k9s and vim
    "detach": ("d",),
    "quit": ("q",),
}

_DISPLAY = {"space": "space", "question_mark": "?", "shift+tab": "⇧tab", "ctrl+p": "^p", "f1": "F1", "colon": ":",
            "escape": "esc"}


def key_display(key: str) -> str:
    """How a key is written on screen: ``?`` for question_mark, ``^p`` for ctrl+p."""
    return _DISPLAY.get(key, key)


def keys_for(action: str) -> tuple[str, ...]:
    return KEYMAP.get(action, ())


def bindings() -> list[Binding]:
    """Bindings for the mission screen, all hidden from Textual's footer (ours is generated from the tables)."""
    out = []
    for action in ACTIONS:
        for key in KEYMAP.get(action.name, ()):
            out.append(Binding(key, action.name, action.label, show=False, priority=key in ("tab", "shift+tab")))
    return out


def check_tables() -> list[str]:
    """Problems in the tables (an action without a key, a key for no action); empty when they agree."""
    problems = [f"action {a.name} has no key" for a in ACTIONS if not KEYMAP.get(a.name)]
    problems += [f"key for unknown action {name}" for name in KEYMAP if name not in BY_NAME]
    return problems
