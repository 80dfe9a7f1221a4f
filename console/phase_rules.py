"""Phases in time and by path: ``not_before = "T+4h"``, soaks (``duration``), several actions, ``when``.

Time comes from the journal (the session's start, the phase's start), so a resume
cannot make a checkpoint start early or a soak end early.
"""

from __future__ import annotations

from typing import Any

from golive.console import events as ev
from golive.console.runbook_rules import evaluate_when
from golive.console.state import FAIL, GO, PARTIAL, PASS
from golive.console.units import format_duration


def not_before_at(engine: Any, phase: Any) -> float | None:
    st = engine.state
    if phase.not_before is None or st.started is None:
        return None
    return st.started + phase.not_before


def waiting_reason(engine: Any, phase: Any, now: float) -> str:
    """"" when the phase may start its work; else the countdown to its ``not_before``."""
    at = not_before_at(engine, phase)
    if at is None or now >= at:
        return ""
    return f"not before T+{format_duration(phase.not_before)} (in {format_duration(at - now)})"


def soak_start(engine: Any, phase: Any, ps: Any) -> float | None:
    """A soak is counted from the phase's start, its not_before and its actions, whichever is last."""
    if ps.started is None or (phase.all_actions and ps.action_done is None):
        return None
    times = [t for t in (ps.started, not_before_at(engine, phase), ps.action_done) if t is not None]
    return max(times)


def soak_reasons(engine: Any, phase: Any, ps: Any, now: float) -> list[str]:
    """Why a soak's gate is closed: not over yet, broken by a FAIL, or a check interrupted."""
    if phase.duration is None:
        return []
    if ps.soak_broken:
        return [f"soak broken: {ps.soak_broken}"]
    start = soak_start(engine, phase, ps)
    if start is None:
        return []
    reasons = []
    if now - start < phase.duration:
        reasons.append(f"soak: {format_duration(now - start)} of {format_duration(phase.duration)}")
    for check in phase.checks:
        if check.source == "manual" or not check.required or check.id in engine.skipped:
            continue
        cs = engine.state.checks[check.id]
        first = ps.first_pass.get(check.id)
        if first is not None and cs.verdict == PASS and cs.pass_since is not None and cs.pass_since > first:
            reasons.append(f"{check.label}: interrupted during the soak (passing again since "
                           f"{format_duration(cs.pass_since - start)} in); a soak needs it unbroken")
    return reasons


def on_verdict(engine: Any, e: ev.Verdict) -> None:
    """Fold: a soak remembers each check's first PASS, and the FAIL that breaks it."""
    phase = engine.active_phase()
    ps = engine.state.active_phase
    if phase is None or ps is None or phase.duration is None:
        return
    if engine.runbook.phase_of(e.check) is not phase:
        return
    start = soak_start(engine, phase, ps)
    if start is None:
        return
    if e.verdict == PASS:
        ps.first_pass.setdefault(e.check, e.at)
    elif e.verdict == FAIL and not ps.soak_broken:
        ps.soak_broken = f"{engine.runbook.check(e.check).label} FAIL at +{format_duration(e.at - start)}" \
                         + (f" ({e.detail})" if e.detail else "")


def skipped_checks(runbook: Any, variables: dict[str, str]) -> dict[str, str]:
    """Check id → the reason it does not apply, for checks whose ``when`` is false."""
    out = {}
    for _, check in runbook.iter_checks():
        holds, why = evaluate_when(check.when, variables)
        if not holds:
            out[check.id] = f"skipped: {why}"
    return out


def enter_events(engine: Any, index: int, now: float, overridden: bool) -> list[ev.Event]:
    """Start the phase at ``index`` or the next one whose ``when`` holds; skipped ones end "skipped"."""
    rb = engine.runbook
    out: list[ev.Event] = []
    for phase in rb.phases[index:]:
        holds, why = evaluate_when(phase.when, rb.variables)
        if holds:
            out.append(ev.PhaseStarted(at=now, phase=phase.id))
            return out
        out.append(ev.PhaseEnded(at=now, phase=phase.id, status="skipped", reason=why))
    out.append(ev.Outcome(at=now, outcome=PARTIAL if overridden else GO,
                          reason="completed with overrides" if overridden else "every phase passed"))
    return out


def action_name(phase: Any, index: int) -> str:
    return f"phase:{phase.id}" if index == 0 else f"phase:{phase.id}#{index + 1}"


def phase_of_action(name: str) -> str:
    """``phase:canary#2`` → ``canary``."""
    return name[6:].split("#", 1)[0]
