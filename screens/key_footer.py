"""The footer: the keys that work now, generated from the action and key tables; cut to fit, help kept last."""

from __future__ import annotations

from typing import Callable

from textual.content import Content

from golive.screens.actions import ACTIONS
from golive.screens.keymap import key_display, keys_for
from golive.screens.quiet_static import QuietStatic

ALWAYS = ("help", "quit")


def footer_content(available: Callable[[str], bool], width: int) -> Content:
    """``key label`` pairs for every footer action available now, dropping the last ones that do not fit."""
    def pair(name: str, label: str) -> Content:
        return Content.assemble((f" {key_display(keys_for(name)[0])} ", "bold $status-text on $primary"),
                                (f" {label} ", ""))

    wanted = [a for a in ACTIONS if a.footer and a.name not in ALWAYS and available(a.name)]
    tail = [pair(a.name, a.label) for a in ACTIONS if a.name in ALWAYS]
    pairs = [pair(a.name, a.label) for a in wanted]
    budget = width - sum(p.cell_length for p in tail)
    shown: list[Content] = []
    for p in pairs:
        if sum(x.cell_length for x in shown) + p.cell_length > budget:
            break
        shown.append(p)
    return Content.assemble(*shown, *tail)


class KeyFooter(QuietStatic):
    DEFAULT_CSS = """
    KeyFooter { height: 1; background: $panel; }
    """

    def show(self, available: Callable[[str], bool]) -> None:
        self.show_content(footer_content(available, self.size.width or 80))
