"""The rollback and alert triggers: disarmed, armed, pending 2m of 5m, FIRING, or error (blind)."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from golive.console.units import format_duration
from golive.console.view import SessionView
from golive.screens.check_cells import value_text
from golive.screens.quiet_static import QuietStatic

# trigger state → (symbol, theme variable)
TRIGGER_SYMBOLS = {
    "disarmed": ("○", "status-pending"),
    "armed": ("●", "status-pass"),
    "pending": ("◔", "status-warn"),
    "firing": ("✗", "status-fail"),
    "error": ("⚠", "status-error"),
    "idle": ("◌", "status-pending"),    # out of its scope: not watched, and it says why
}


def declined_text(view: SessionView, trigger_id: str, fired_at: float | None) -> str:
    """`` · rollback declined by dana: …`` when the lead declined the rollback this firing requested."""
    for d in reversed(view.decisions):
        if d["kind"] == "decline_rollback" and d.get("trigger") == trigger_id and (fired_at or 0) <= d["at"]:
            return f" · rollback declined by {d['by']}: {d['reason']}"
    return ""


def trigger_line(view: SessionView, trigger: Any, now: float) -> Content:
    """Two lines for ``trigger`` as ``view`` (the screen's snapshot, taken at ``now``) has it."""
    ts = view.triggers[trigger.id]
    symbol, variable = TRIGGER_SYMBOLS.get(ts.state, ("?", "status-pending"))
    if ts.state == "pending" and ts.pending_since is not None:
        held = max(0.0, view.proven - ts.pending_since)   # a follower counts only what the journal proves
        state = f"pending {format_duration(int(held))} of {format_duration(trigger.for_)}"
    elif ts.state == "firing":
        state = "FIRING" + declined_text(view, trigger.id, ts.fired_at)
    elif ts.state == "error":
        state = "error (blind)"
    elif ts.state == "disarmed":
        state = "disarmed until the first action"
    elif ts.state == "idle":
        state = ts.detail or "not watched now"
    elif trigger.source == "manual":
        state = f"fired by {trigger.role or 'a person'}, with a reason"
    else:
        state = "armed"
    then = "→ rollback (auto)" if trigger.then == "rollback" and trigger.auto else f"→ {trigger.then}"
    # The value is the latest sample's, not the one of the last state change; an old one carries its age.
    live = view.checks[trigger.id]
    value = f" · {value_text(trigger, live, now, old=ts.state == 'error')}" if live.value is not None else ""
    parts: list = [(f"{symbol} ", f"bold ${variable}"), (trigger.label, "bold"), (f" {then}", "dim"), ("\n  ", ""),
                   (state, f"bold ${variable}" if ts.state in ("firing", "pending") else f"${variable}"),
                   (value, "")]
    if ts.state == "error" and ts.detail:
        parts += [("\n  ", ""), (ts.detail[:120], "$status-error")]
    return Content.assemble(*parts)


class TriggerPanel(QuietStatic):
    """Two lines per trigger; redrawn only when a line changed."""

    DEFAULT_CSS = """
    TriggerPanel { height: auto; }
    """

    def __init__(self, runbook: Any, **kw: Any):
        super().__init__(**kw)
        self.runbook = runbook

    def show(self, view: SessionView, now: float) -> None:
        triggers = self.runbook.triggers
        if triggers:
            content = Content("\n").join(trigger_line(view, t, now) for t in triggers)
        else:
            content = Content.assemble(("no triggers in this runbook", "dim"))
        self.show_content(content)
