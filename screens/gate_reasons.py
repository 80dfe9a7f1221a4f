"""The gate's reasons as the screen words them: each names the key that removes it, and checks that wait for
the phase action say so instead of alarming with the ERROR of a deployment that has not started."""

from __future__ import annotations

from typing import Any

from golive.console.view import SessionView

ACTION_NOT_RUN = "the phase action has not run"
PRESS_A = " — press a to run it"


def active_phase(view: SessionView, runbook: Any) -> Any:
    """The runbook's phase the snapshot has active, or None."""
    return runbook.phases[view.active] if 0 <= view.active < len(runbook.phases) else None


def action_pending(view: SessionView, runbook: Any) -> bool:
    """True while the active phase has an action that nobody has started yet."""
    phase, ps = active_phase(view, runbook), view.active_phase
    return (view.outcome is None and phase is not None and phase.action is not None and ps is not None
            and ps.action_started is None and ps.action_done is None)


def waits_for_action(view: SessionView, runbook: Any, check: Any) -> bool:
    """True for an automated check of the active phase while that phase's action has not been started: what it
    measures (the new version's pods, its error rate) does not exist yet, so its verdict means nothing."""
    return (check.source != "manual" and action_pending(view, runbook)
            and runbook.phase_of(check.id) is active_phase(view, runbook))


def with_next_key(text: str, read_only: bool) -> str:
    """``text`` (a gate reason or a refusal) with the key that helps, for a seat that can press it."""
    if read_only or ACTION_NOT_RUN not in text or PRESS_A in text:
        return text
    return text.replace(ACTION_NOT_RUN, ACTION_NOT_RUN + PRESS_A, 1)


def shown_reasons(view: SessionView, runbook: Any, reasons: list[str], read_only: bool) -> list[str]:
    """The gate's reasons for the gate line: while the action waits, the checks' own reasons fold into one."""
    if not action_pending(view, runbook):
        return reasons
    phase = active_phase(view, runbook)
    labels = [f"{c.label}: " for c in phase.checks if c.source != "manual" and c.required]
    waiting = [r for r in reasons if any(r.startswith(label) for label in labels)]
    out = [with_next_key(r, read_only) for r in reasons if r not in waiting]
    if waiting:
        out.append(f"{len(waiting)} checks wait for the action" if len(waiting) > 1 else "1 check waits for the action")
    return out
