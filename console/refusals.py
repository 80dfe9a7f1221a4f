"""Why a command may not run now (None: it may) — one rule per decision, read by the engine's commands and by
the screens' keys, footer, help and palette alike."""

from __future__ import annotations

# A rule is asked with the arguments known so far: a screen asks before anything is typed (no reason, no role),
# the engine asks again with everything. An argument left out (None) is not judged.
from typing import Any, Callable

from golive.console import phase_rules, roles, trigger_scope

MIN_REASON = 3   # a written reason: "ok" is not one


class Refusal(str):
    """A refusal's text. ``shown``: the key stays on offer, and pressing it says why (a closed gate, a role,
    a rollback to answer first); otherwise the command is not on offer at all now (the go-live has ended, the
    phase has no action)."""

    shown = False


class Explained(Refusal):
    shown = True


def refusal(engine: Any, command: str, *, now: float, by: str = "", **args: Any) -> Refusal | None:
    """The reason ``command`` is refused at ``now``, or None."""
    rule = RULES.get(command)
    if rule is None:
        return None
    return rule(engine, by, now, **args)


def running(e: Any) -> Refusal | None:
    if e.state.outcome is not None:
        return Refusal(f"the go-live has ended ({e.state.outcome})")
    if e.active_phase() is None:
        return Refusal("the go-live has not started")
    return None


def _not_rolling_back(e: Any) -> Refusal | None:
    """A decided rollback is final: nothing proceeds and no phase action starts."""
    if e.state.rollback_decided:
        return Explained("a rollback was decided; the go-live can only end")
    return None


def _written(text: str | None, what: str) -> Refusal | None:
    if text is not None and len(text.strip()) < MIN_REASON:
        return Explained(what)
    return None


def _may_act(e: Any, role: str | None, by: str) -> Refusal | None:
    why = roles.refusal(e.runbook, role, by, e.state.operator) if by else None
    return Explained(why) if why else None


def _first(*checks: Callable[[], Refusal | None]) -> Refusal | None:
    for check in checks:
        why = check()
        if why:
            return why
    return None


def proceed(e: Any, by: str, now: float) -> Refusal | None:
    def gate() -> Refusal | None:
        shut = e.gate(now)
        if shut.open:
            return None
        return Explained("gate closed: " + "; ".join(shut.reasons[:3]) + (" …" if len(shut.reasons) > 3 else ""))
    return _first(lambda: running(e), lambda: _not_rolling_back(e), gate)


def override(e: Any, by: str, now: float, reason: str | None = None) -> Refusal | None:
    def paused() -> Refusal | None:
        if e.state.paused is not None:
            return Explained(f"{trigger_scope.pause_reason(e.state)} before anything proceeds")
        return None
    return _first(lambda: running(e), lambda: _not_rolling_back(e),
                  lambda: _written(reason, "an override needs a written reason"), paused)


def rollback(e: Any, by: str, now: float, trigger: str = "", plan: str | None = None) -> Refusal | None:
    def state() -> Refusal | None:
        if e.state.rollback_running:
            return Refusal("a rollback is already running")
        if e.state.rollback_decided and not e.state.rollback_interrupted:
            return Explained("a rollback was already decided")
        chosen = plan or (getattr(e.runbook.check(trigger), "plan", None) if trigger else None)
        if chosen and e.runbook.rollback_plan(chosen) is None:
            return Explained(f"no rollback plan {chosen!r}")
        return None
    return _first(lambda: running(e), state)


def decline_rollback(e: Any, by: str, now: float, reason: str | None = None) -> Refusal | None:
    def requested() -> Refusal | None:
        return None if e.state.rollback_request else Refusal("no rollback is requested")
    return _first(lambda: running(e), requested,
                  lambda: _written(reason, "declining a rollback needs a written reason"))


def abort(e: Any, by: str, now: float, reason: str | None = None) -> Refusal | None:
    return _first(lambda: running(e), lambda: _written(reason, "an abort needs a written reason"))


def tick(e: Any, by: str, now: float, check_id: str | None = None) -> Refusal | None:
    def item() -> Refusal | None:
        if check_id is None:
            return None
        phase = e.active_phase()
        ids = {c.id for c in phase.checks if c.source == "manual" or getattr(c, "confirm", False)}
        if check_id not in ids:
            return Explained(f"{check_id} is not a manual item of the active phase ({phase.id})")
        return _may_act(e, getattr(e.runbook.check(check_id), "role", None), by)
    return _first(lambda: running(e), item)


def note(e: Any, by: str, now: float, text: str | None = None, kind: str | None = None) -> Refusal | None:
    from golive.console.engine import NOTE_KINDS

    if e.state.outcome is not None:
        return Explained("the go-live has ended and its record is final")
    if text is not None and not text.strip():
        return Explained("a note needs text")
    if kind is not None and kind not in NOTE_KINDS:
        return Explained(f"a note is one of {', '.join(NOTE_KINDS)}, not {kind!r}")
    return None


def sign(e: Any, by: str, now: float, role: str | None = None, name: str | None = None) -> Refusal | None:
    """``by`` is not judged here: a sign-off is made in the ``name`` of the person signing."""
    st, wanted = e.state, e.runbook.meta.signoff
    if st.outcome is None:
        return Refusal("sign-off opens when the go-live has an outcome")
    if role is None:
        return None if e.missing_signoffs() else Refusal("every role has signed off")
    if wanted and role not in wanted:
        return Explained(f"unknown role {role!r} (the runbook asks for: {', '.join(wanted)})")
    if any(s["role"] == role for s in st.signoffs):
        return Explained(f"{role} has already signed off")
    if name is None:
        return None
    if not name.strip():
        return Explained("a sign-off needs a name")
    why = _may_act(e, role, name.strip())
    if why:
        return why
    same = next((s for s in st.signoffs if s["name"].casefold() == name.strip().casefold()), None)
    if same and e.runbook.meta.signoff_distinct:
        return Explained(f"{same['name']} has signed off as {same['role']}: one person signs one role "
                         "(the runbook may allow more with signoff_distinct = false)")
    return None


def approve_role(e: Any, by: str, phase: Any) -> str:
    """The role ``by`` approves when they name none: the first awaited one they may approve ("" for none)."""
    awaited = [r for r in roles.awaited(e.runbook, e.state, phase)
               if by not in roles.approvals_of(e.state, phase.id, r)]
    return next((r for r in awaited if roles.refusal(e.runbook, r, by, e.state.operator) is None),
                awaited[0] if awaited else "")


def approve(e: Any, by: str, now: float, role: str = "") -> Refusal | None:
    def approval() -> Refusal | None:
        phase = e.active_phase()
        if not phase.approve:
            return Refusal(f"phase {phase.label} needs no approval")
        if role and role not in phase.approve:
            return Explained(f"phase {phase.label} awaits no {role!r} approval "
                             f"(it asks for: {', '.join(phase.approve)})")
        chosen = role or approve_role(e, by, phase)
        if not chosen:
            return Explained(f"phase {phase.label} has every approval it needs")
        return _first(lambda: _may_act(e, chosen, by), lambda: _approved(e, by, phase, chosen))
    return _first(lambda: running(e), approval)


def _approved(e: Any, by: str, phase: Any, role: str) -> Refusal | None:
    if by in roles.approvals_of(e.state, phase.id, role):
        return Explained(f"{by} has already approved {phase.label} as {role}")
    if role not in roles.awaited(e.runbook, e.state, phase):
        return Explained(f"{role} has already approved {phase.label}")
    return None


def run_action(e: Any, by: str, now: float) -> Refusal | None:
    def action() -> Refusal | None:
        phase, st = e.active_phase(), e.state
        if phase.action is None:
            return Refusal(f"phase {phase.label} has no action")
        if st.phases[st.active].action_done is not None:
            return Refusal(f"the action of {phase.label} has already run")
        decided = _not_rolling_back(e)
        if decided:
            return decided
        if st.rollback_request:
            return Explained("a rollback is requested: confirm or decline it first")
        if any(a["action"].startswith("phase:") and "finished" not in a for a in st.actions):
            return Explained("the action is running")
        waiting = phase_rules.waiting_reason(e, phase, now)
        return Explained(f"{phase.label}: {waiting}") if waiting else None
    return _first(lambda: running(e), action)


def fireable(e: Any, now: float) -> list[Any]:
    """The manual triggers that may be fired now (in scope, not firing)."""
    return [t for t in e.runbook.triggers if t.source == "manual" and e.state.triggers[t.id].state != "firing"
            and not trigger_scope.scope_reason(e, t, now)]


def fire(e: Any, by: str, now: float, trigger_id: str | None = None, reason: str | None = None) -> Refusal | None:
    def trigger() -> Refusal | None:
        if trigger_id is None:
            return None if fireable(e, now) else Refusal("no trigger can be fired by hand now")
        try:
            trig = e.runbook.check(trigger_id)
        except KeyError:
            trig = None
        if trig is None or trigger_id not in e.state.triggers:
            return Explained(f"no trigger {trigger_id!r}")
        return _first(lambda: _may_act(e, getattr(trig, "role", None), by), lambda: _fire(e, trig, now, reason))
    return _first(lambda: running(e), trigger)


def _fire(e: Any, trig: Any, now: float, reason: str | None) -> Refusal | None:
    if trig.source != "manual":
        return Explained(f"{trig.label} is watched by its {trig.source} source, not fired by hand")
    written = _written(reason, "firing a trigger needs a written reason")
    if written:
        return written
    why = trigger_scope.scope_reason(e, trig, now)
    if why:
        return Explained(f"{trig.label}: {why}")
    if e.state.triggers[trig.id].state == "firing":
        return Explained(f"{trig.label} has already fired")
    return None


def resume(e: Any, by: str, now: float, note: str | None = None) -> Refusal | None:
    def paused() -> Refusal | None:
        return None if e.state.paused is not None else Refusal("the go-live is not paused")
    return _first(lambda: running(e), paused,
                  lambda: _written(note, "resuming a paused go-live needs a written note"))


def confirm_step(e: Any, by: str, now: float, step: str | None = None) -> Refusal | None:
    from golive.console.rollback_plans import awaiting_confirm

    def waiting() -> Refusal | None:
        asked = awaiting_confirm(e)
        if asked is None:
            return Refusal("no rollback step is waiting for a confirmation")
        if step is not None and asked[0] != step:
            return Explained(f"rollback step {step} is not waiting for a confirmation")
        return None
    return _first(lambda: running(e), waiting)


RULES: dict[str, Callable[..., Refusal | None]] = {
    "proceed": proceed, "override": override, "rollback": rollback, "decline_rollback": decline_rollback,
    "abort": abort, "tick": tick, "note": note, "sign": sign, "approve": approve, "run_action": run_action,
    "fire": fire, "resume": resume, "confirm_step": confirm_step,
}
