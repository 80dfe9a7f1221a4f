"""Which mission keys work now, and why not: Textual's ``check_action`` backed by the engine's rule for each
command (Engine.why_not), so the footer, a key, the palette and the refusal toast say one thing."""

from __future__ import annotations

from typing import Any

from golive.console.refusals import Explained, Refusal, fireable
from golive.screens import keymap
from golive.screens.actions import BY_NAME

READ_ONLY = "read-only: golive watch cannot act; drive from the lead's seat (golive run or golive attach)"
# The mission actions that are engine commands: their rule is the engine's (Engine.why_not).
ENGINE_RULES = ("tick", "proceed", "run_action", "note", "override", "rollback", "fire", "resume", "sign",
                "approve", "abort")
REFUSAL_TITLES = {"run_action": "action", "sign": "sign off"}
KEY_ACTIONS = {key: name for name, keys in keymap.KEYMAP.items() for key in keys}


class MissionRulesMixin:
    """Mixed into MissionScreen; relies on its session, engine, panes, viewed, now(), shown_gate() and refuse()."""

    session: Any
    engine: Any
    panes: Any
    viewed: int
    now: Any
    shown_gate: Any
    refuse: Any

    def refusal(self, name: str) -> Refusal | None:
        """Why the key for ``name`` does nothing now (None: it works): the engine's rule for a command
        (console/refusals.py), read-only, or what only this screen knows (the phase shown, the row highlighted)."""
        action = BY_NAME.get(name)
        if action is None:
            return Refusal(f"no action {name!r}")
        if self.session.read_only and not action.read_only:
            return Refusal(READ_ONLY)
        if name in ENGINE_RULES:
            return self._engine_refusal(name)
        st = self.engine.state
        if name == "active_phase" and not (st.active >= 0 and self.viewed != st.active):
            return Refusal("this is the active phase")
        if name == "detach" and not hasattr(self.session, "after_screen"):   # only a seat has a driver to leave
            return Refusal("no driver to leave running: this screen drives the session itself")
        return None

    def _engine_refusal(self, name: str) -> Refusal | None:
        by, now = self.session.operator, self.now()
        why = self.engine.why_not(name, by=by, now=now)
        if why is not None or name != "tick":
            if name == "proceed" and why is not None and why.startswith("gate closed: "):
                # the engine lists every check's ERROR; the lead needs the key that helps
                reasons = self.shown_gate(now).reasons
                return Explained("gate closed: " + "; ".join(reasons[:3]) + (" …" if len(reasons) > 3 else ""))
            return why
        if self.viewed != self.engine.state.active:
            return Refusal("only the active phase's items can be ticked (this is another phase)")
        check_id = self.panes.checklist.highlighted_check() if self.panes else None
        if check_id is None:
            return Refusal("this phase has no manual items")
        return self.engine.why_not("tick", by=by, now=now, check_id=check_id)

    def why_not(self, command: str, **args: Any) -> str | None:
        """The engine's rule for ``command`` with what a dialog has so far (Engine.why_not), as this seat's person."""
        return self.engine.why_not(command, by=self.session.operator, now=self.now(), **args)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Textual asks before a key runs and for what is on offer: True works now; None is on offer but refused
        (pressing it says why); False is not on offer now. The footer shows the first two."""
        if action not in BY_NAME:
            return True
        why = self.refusal(action)
        return True if why is None else (None if why.shown else False)

    def action_available(self, name: str) -> bool:
        """Whether the footer offers the key for ``name`` now."""
        return self.check_action(name, ()) is not False

    def on_key(self, event: Any) -> None:
        """A key Textual will not run (refused now) goes to its action all the same, which says why."""
        name = KEY_ACTIONS.get(event.key)
        if name is not None and self.check_action(name, ()) is not True:
            event.stop()
            getattr(self, f"action_{name}")()

    def refused(self, name: str) -> bool:
        """True (after saying why, for a command) when ``name`` may not run now: the rule the footer reads."""
        why = self.refusal(name)
        if why is None:
            return False
        if name != "active_phase":
            self.refuse(REFUSAL_TITLES.get(name, name.replace("_", " ")), why)
        return True

    def _fireable(self) -> list[tuple[str, str, str]]:
        """(id, label, response) of the manual triggers that may be fired now."""
        return [(t.id, t.label, t.then) for t in fireable(self.engine, self.now())]
