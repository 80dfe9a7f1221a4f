"""Triggers as teams write them: scoped (``during``, ``for_after_action``), kept firing, fired by a person.

A trigger outside its scope is not sampled and not judged; it shows ``idle`` with the
reason ("not watched in canary-5: only during canary-25, full"), so nobody mistakes a
trigger nobody watches for a quiet one.
"""

from __future__ import annotations

from typing import Any

from golive.console import events as ev
from golive.console.units import format_duration


def last_phase_action(state: Any) -> float | None:
    """When the most recent phase action started (the change a ``for_after_action`` window follows)."""
    for rec in reversed(state.actions):
        if rec["action"].startswith("phase:"):
            return rec["started"]
    return None


def scope_reason(engine: Any, trig: Any, now: float) -> str:
    """"" when the trigger is watched now; else why not, in words."""
    if not getattr(trig, "scoped", False):
        return ""
    phase = engine.active_phase()
    if trig.during and (phase is None or phase.id not in trig.during):
        where = phase.id if phase is not None else "this phase"
        return f"not watched in {where}: only during {', '.join(trig.during)}"
    if trig.for_after_action is not None:
        window = format_duration(trig.for_after_action)
        last = last_phase_action(engine.state)
        if last is None:
            return f"not watched yet: only for {window} after a phase action"
        if now - last > trig.for_after_action:
            return f"not watched: only for {window} after a phase action (the last started " \
                   f"{format_duration(now - last)} ago)"
    return ""


def scope_events(engine: Any, now: float) -> list[ev.Event]:
    """A trigger leaving its scope goes idle (saying why); one entering it is armed again."""
    out: list[ev.Event] = []
    for ts in engine.state.triggers.values():
        if ts.state == "disarmed":
            continue
        trig = engine.runbook.check(ts.id)
        reason = scope_reason(engine, trig, now)
        if reason and ts.state != "idle":
            out.append(ev.TriggerState(at=now, trigger=ts.id, state="idle", detail=reason))
        elif not reason and ts.state == "idle":
            out.append(ev.TriggerState(at=now, trigger=ts.id, state="armed", detail="in scope: watched from now"))
    return out


def keep_firing_events(engine: Any, now: float) -> list[ev.Event]:
    """A firing trigger clean for its ``keep_firing_for`` resolves (Prometheus's keep_firing_for)."""
    out: list[ev.Event] = []
    for ts in engine.state.triggers.values():
        if ts.state == "firing" and ts.clear_since is not None:
            keep = engine.runbook.check(ts.id).keep_firing_for
            if now - ts.clear_since >= keep:
                out.append(ev.TriggerState(at=now, trigger=ts.id, state="resolved", value=ts.value,
                                           detail=f"clean for {format_duration(now - ts.clear_since)}"))
    return out


def watched_triggers(engine: Any, now: float) -> list[Any]:
    """The triggers a scheduler samples now: armed, in scope, and not fired by people."""
    return [t for t in engine.runbook.triggers
            if t.source != "manual" and engine.state.triggers[t.id].state != "idle"
            and not scope_reason(engine, t, now)]


def cmd_fire(engine: Any, trigger_id: str, by: str, reason: str, now: float) -> list[ev.Event]:
    """A person fires a manual trigger (the engine has asked console.refusals whether they may)."""
    return [ev.TriggerFired(at=now, trigger=trigger_id, by=by, reason=reason.strip())]


def cmd_resume(engine: Any, by: str, note: str, now: float) -> list[ev.Event]:
    """Resume a paused go-live (the engine has asked console.refusals whether it may); the note goes into the
    record."""
    paused = engine.state.paused
    phase = engine.active_phase()
    return [ev.Decision(at=now, kind="resume", phase=phase.id if phase else "", by=by, reason=note.strip(),
                        trigger=paused.get("trigger", ""))]


def pause_reason(state: Any) -> str:
    paused = state.paused
    if paused is None:
        return ""
    return f"paused by {paused['reason']}: the lead resumes with a note"
