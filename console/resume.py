"""What a crash left due: actions it interrupted and transitions it had decided, and the session's first step.

The derivations are pure, like the engine; ``carry_on`` is the driver's part, called as ``Session.run`` begins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from golive.console import events as ev
from golive.console.engine import Engine
from golive.console.rollback_plans import interrupted_step, is_step
from golive.console.state import NO_GO

if TYPE_CHECKING:
    from golive.console.session import Session

INTERRUPTED = "interrupted: the driver stopped while it ran (exit unknown)"


def interrupted_actions(engine: Engine, now: float) -> list[ev.Event]:
    """One finish for every action the journal shows started and never finished: interrupted, exit unknown."""
    out: list[ev.Event] = []
    for rec in engine.state.actions:
        if "finished" in rec:
            continue
        if rec["dry_run"]:  # a dry run ran nothing, so nothing was interrupted
            out.append(ev.ActionFinished(at=now, action=rec["action"], dry_run=True,
                                         output_tail="dry run: shown, not run"))
        else:
            out.append(ev.ActionFinished(at=now, action=rec["action"], exit_code=None, error=INTERRUPTED,
                                         interrupted=True))
    return out


def rollback_stage(engine: Engine) -> str:
    """none | due (decided, not yet started) | running | interrupted | done (ran; its outcome not yet written)."""
    st = engine.state
    if not st.rollback_decided:
        return "none"
    if st.rollback_interrupted:
        return "interrupted"
    if not st.rollback_running:
        return "done"
    last = next((a for a in reversed(st.actions) if is_step(a["action"])), None)
    return "running" if last is not None and "finished" not in last else "due"


def last_rollback_decision(engine: Engine) -> dict:
    return next((d for d in reversed(engine.state.decisions) if d["kind"] == "rollback"), {})


def due_transitions(engine: Engine, now: float) -> list[ev.Event]:
    """The events a stopped run had decided but not yet written.

    The first phase after the start; a journaled proceed, override or abort whose phase end is missing;
    the next phase or the outcome after a phase end; the outcome of a rollback that ran to its end.
    """
    st, rb = engine.state, engine.runbook
    if st.outcome is not None or st.started is None:
        return []
    if st.active < 0:
        return [ev.PhaseStarted(at=now, phase=rb.phases[0].id)]
    phase, ps = rb.phases[st.active], st.phases[st.active]
    if rollback_stage(engine) == "done":
        rec: dict = next((a for a in reversed(st.actions) if is_step(a["action"])), {}) if rb.rollback else {}
        out = engine.rollback_finished(rec.get("exit_code", 0), rec.get("dry_run", st.dry_run),
                                       rec.get("error", ""), now=now)
        return [e for e in out if not (isinstance(e, ev.PhaseEnded) and ps.status == "rolled_back")]
    if st.rollback_decided:
        return []
    if ps.status == "active":
        decided = [d for d in st.decisions if d["phase"] == phase.id and d["kind"] in ("proceed", "override", "abort")]
        if not decided:
            return []
        d = decided[-1]
        if d["kind"] == "proceed":
            return engine._advance(now, "passed")
        if d["kind"] == "override":
            return engine._advance(now, "overridden", d["reason"].split(" [gate was closed")[0])
        return [ev.PhaseEnded(at=now, phase=phase.id, status="aborted", reason=d["reason"]),
                ev.Outcome(at=now, outcome=NO_GO, reason=f"aborted by {d['by']}" +
                           (f": {d['reason']}" if d["reason"] else ""))]
    if ps.status in ("passed", "overridden"):
        return engine.next_phase(now)
    if ps.status == "aborted":
        d = next((d for d in reversed(st.decisions) if d["kind"] == "abort"), {"by": "?", "reason": ps.reason})
        return [ev.Outcome(at=now, outcome=NO_GO, reason=f"aborted by {d['by']}" +
                           (f": {d['reason']}" if d["reason"] else ""))]
    return [ev.Outcome(at=now, outcome=NO_GO, reason=ps.reason or f"phase {phase.label} {ps.status}")]


def end_no_go(engine: Engine, reason: str, now: float) -> list[ev.Event]:
    """End the active phase failed and the go-live NO-GO, e.g. when an interrupted command may not be repeated."""
    phase = engine.active_phase()
    return [ev.PhaseEnded(at=now, phase=phase.id, status="failed", reason=reason),
            ev.Outcome(at=now, outcome=NO_GO, reason=reason)]


def carry_on(session: "Session") -> None:
    """The session's first step in ``run``: what the journal shows was due when the driver stopped.

    A resume marks interrupted actions (exit unknown), writes the transitions already decided, finishes or
    re-runs a decided rollback (never proceeds past it), applies answers and starts a due phase action.
    """
    eng, st = session.engine, session.engine.state
    if st.outcome is not None:
        session._sign_from_answers()
        session.write_record()
        return
    if session._resumed:
        session._resumed = False
        session.submit(interrupted_actions(eng, session.clock()))
    session.submit(due_transitions(eng, session.clock()))
    if st.outcome is not None:
        return
    stage = rollback_stage(eng)
    if stage != "none":
        decision = last_rollback_decision(eng)
        if stage == "due":
            session._spawn(session._perform_rollback(decision.get("by") or session.operator))
        elif stage == "interrupted" and (step := interrupted_step(eng)) is not None:
            if step.repeat_safe:  # a plan goes on from its interrupted step; the steps before it stay done
                session._spawn(session.rollback("golive", reason="re-run of the interrupted rollback (repeat_safe)",
                                                trigger=decision.get("trigger", ""), plan=st.rollback_plan))
            elif session.headless:
                session.submit(end_no_go(eng, f"rollback interrupted: `{step.display()}` "
                                              "(exit unknown; not marked repeat_safe)", session.clock()))
        return  # interactive: the gate says the rollback was interrupted; r runs it again
    if st.rollback_request:
        trig = session.runbook.check(st.rollback_request)
        if session.headless or trig.auto:
            session._spawn(session.rollback("golive", reason=f"trigger {trig.label} fired", trigger=trig.id))
        return
    phase, ps = eng.active_phase(), st.active_phase
    if session.headless:
        session._apply_answers()
    if phase is None or ps is None or phase.action is None or ps.action_done is not None:
        return
    if ps.action_interrupted:
        if phase.action.repeat_safe:
            session._spawn(session.run_action(session.operator))
        elif session.headless:
            session.submit(end_no_go(eng, f"the action of phase {phase.label} was {INTERRUPTED}; it is not "
                                          "marked repeat_safe", session.clock()))
    elif session.headless and ps.action_started is None:
        session._spawn(session.run_action(session.operator))
