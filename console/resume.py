"""What a crash left due, derived from a replayed state: actions it interrupted and transitions it had decided.

Pure, like the engine: the session journals what these return and acts on ``rollback_stage``.
"""

from __future__ import annotations

from console import events as ev
from console.engine import Engine
from console.state import NO_GO

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
    last = next((a for a in reversed(st.actions) if a["action"] == "rollback"), None)
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
        rec = next(a for a in reversed(st.actions) if a["action"] == "rollback") if rb.rollback else {}
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
