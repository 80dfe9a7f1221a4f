"""The command palette (: or Ctrl+P): every action of the mission screen, jump to a phase or a check, switch
theme, write a record draft."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from golive.screens.actions import ACTIONS
from golive.screens.keymap import key_display, keys_for
from golive.themes import THEMES


class MissionCommands(Provider):
    """Commands of the mission screen the palette was opened on."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        screen: Any = self.screen
        if not hasattr(screen, "view_phase"):
            return []
        runbook = screen.session.runbook
        out: list[tuple[str, Callable[[], Any], str]] = []
        for action in ACTIONS:   # an action that cannot run now says why here, and again when chosen (one rule)
            if action.command and (action.read_only or not screen.session.read_only):
                keys = " ".join(key_display(k) for k in keys_for(action.name))
                why = screen.refusal(action.name) if action.name != "active_phase" else None
                out.append((f"{action.command} ({keys})", getattr(screen, f"action_{action.name}"),
                            f"not now: {why}" if why else action.help))
        for i, phase in enumerate(runbook.phases):
            out.append((f"Phase: {phase.label}", partial(screen.view_phase, i, True), "show this phase's checks"))
        for phase, check in runbook.iter_checks():
            out.append((f"Check: {check.label}", partial(screen.jump_to_check, check.id),
                        f"in {phase.label} ({check.source})"))
        for trigger in runbook.triggers:
            out.append((f"Trigger: {trigger.label}", partial(screen.jump_to_check, trigger.id), "show the triggers"))
        for name in THEMES:
            out.append((f"Theme: {name}", partial(setattr, self.app, "theme", name), "switch the colours"))
        if not screen.session.read_only:
            out.append(("Write a record draft", screen.write_draft,
                        "record.toml and record.md as they stand now (outcome IN PROGRESS)"))
        return out

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands():
            if not text.startswith("Check: "):
                yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)
