"""Rollback plans: ordered steps, then verification that the rollback worked.

The outcome is ROLLED BACK only when every verify check passes (held for the plan's
``hold``) after the last step; a verify check that does not within the plan's
``timeout`` ends the go-live NO-GO "rollback unverified" — a rollback nobody can show
worked is not a rollback.
"""

from __future__ import annotations

from typing import Any

from golive.console import events as ev
from golive.console.state import NO_GO, PASS, ROLLED_BACK
from golive.console.units import format_duration, format_number


def step_name(runbook: Any, plan: Any, index: int) -> str:
    """``rollback`` for a single [rollback] table (as before), ``rollback:<plan>:<n>`` for plan steps."""
    if not isinstance(runbook.rollback, list):
        return "rollback"
    return f"rollback:{plan.id}:{index + 1}"


def active_plan(engine: Any) -> Any:
    return engine.runbook.rollback_plan(engine.state.rollback_plan or None)


def is_step(name: str) -> bool:
    """A rollback's action: the single [rollback] table, or a plan's step."""
    return name == "rollback" or name.startswith("rollback:")


def step_done(engine: Any, name: str) -> bool:
    """Whether this step already ran to exit 0 (a go-live has one rollback: a resume goes on after its done steps)."""
    return any(a["action"] == name and a.get("exit_code") == 0 and not a.get("interrupted")
               for a in engine.state.actions)


def interrupted_step(engine: Any) -> Any:
    """The step whose driver died while it ran (its Action), or None."""
    last = next((a for a in reversed(engine.state.actions) if is_step(a["action"])), None)
    plan = active_plan(engine)
    if last is None or not last.get("interrupted") or plan is None:
        return None
    for i, step in enumerate(plan.steps):
        if step_name(engine.runbook, plan, i) == last["action"]:
            return step
    return None


def on_action_finished(engine: Any, e: ev.ActionFinished) -> None:
    """Fold: the last step of a plan with verify checks done → verification starts."""
    if not e.action.startswith("rollback:"):
        return
    plan = active_plan(engine)
    ok = e.dry_run or e.exit_code == 0
    if plan is None or not ok:
        return
    if e.action == step_name(engine.runbook, plan, len(plan.steps) - 1) and plan.verify and not e.dry_run:
        engine.state.verifying_since = e.at


def verify_checks_now(engine: Any) -> list[Any]:
    plan = active_plan(engine)
    if plan is None or engine.state.verifying_since is None:
        return []
    return list(plan.verify)


def _why(engine: Any) -> str:
    decision: dict[str, Any] = next((d for d in reversed(engine.state.decisions) if d["kind"] == "rollback"), {})
    return f"trigger {decision['trigger']} fired" if decision.get("trigger") else (decision.get("reason") or "")


def verification_events(engine: Any, now: float) -> list[ev.Event]:
    """ROLLED BACK when every verify check has held; NO-GO "rollback unverified" at the plan's timeout."""
    st = engine.state
    since = st.verifying_since
    plan = active_plan(engine)
    if since is None or plan is None or st.outcome is not None:
        return []
    waiting: list[str] = []
    for check in plan.verify:
        cs = st.checks[check.id]
        if cs.verdict != PASS or cs.pass_since is None:
            value = f"{format_number(cs.value)}{' ' + check.unit if check.unit else ''}, " if cs.value is not None \
                and getattr(check, "pass_", None) else ""
            need = f"needs {check.pass_}" if getattr(check, "pass_", None) else cs.detail
            waiting.append(f"{check.label} {cs.verdict}" + (f" ({value}{need})" if value or need else ""))
        elif now - max(cs.pass_since, since) < plan.hold:
            waiting.append(f"{check.label} held {format_duration(now - max(cs.pass_since, since))} "
                           f"of {format_duration(plan.hold)}")
    phase = engine.active_phase()
    why = _why(engine)
    if not waiting:
        verified = ", ".join(c.label for c in plan.verify)
        reason = "; ".join(x for x in (why, f"rollback {plan.label} verified: {verified}") if x)
        return [ev.PhaseEnded(at=now, phase=phase.id, status="rolled_back", reason=why),
                ev.Outcome(at=now, outcome=ROLLED_BACK, reason=reason)]
    if now - since >= plan.timeout:
        reason = f"rollback unverified after {format_duration(plan.timeout)}: " + "; ".join(waiting)
        reason += f"; {why}" if why else ""
        return [ev.PhaseEnded(at=now, phase=phase.id, status="failed", reason=reason),
                ev.Outcome(at=now, outcome=NO_GO, reason=reason)]
    return []


def plan_choices(runbook: Any) -> list[tuple[str, str, list[str]]]:
    """(id, label, each step's command) for every plan, for the rollback modal."""
    return [(p.id, p.label, [s.display() for s in p.steps]) for p in runbook.rollback_plans]


def record_section(engine: Any, check_row: Any) -> list[dict[str, Any]]:
    """The plan that ran, for the record: its steps and its verify checks with their evidence."""
    st = engine.state
    decision = next((d for d in reversed(st.decisions) if d["kind"] == "rollback"), None)
    plan = active_plan(engine) if decision is not None else None
    if plan is None or not isinstance(engine.runbook.rollback, list):
        return []
    return [{"plan": plan.id, "title": plan.label, "hold": format_duration(plan.hold),
             "timeout": format_duration(plan.timeout), "steps": [s.display() for s in plan.steps],
             "verify": [check_row(c) for c in plan.verify]}]


def markdown_lines(record: dict[str, Any], row: Any) -> list[str]:
    """record.md: the rollback plan's verification, as a table of its checks."""
    lines: list[str] = []
    for plan in record.get("rollback", []):
        lines += ["", f"## Rollback: {plan.get('title', plan.get('plan'))}", ""]
        lines += [f"{i}. `{s}`" for i, s in enumerate(plan.get("steps", []), start=1)]
        if plan.get("verify"):
            lines += ["", f"Verified by (each held {plan.get('hold')} within {plan.get('timeout')}):", "",
                      "| Check | Value | Target | Status |", "|---|---|---|---|"]
            lines += [row(c) for c in plan["verify"]]
    return lines


def asks_confirm(runbook: Any, step: Any) -> bool:
    """A [[rollback]] plan's step written with ``confirm = true`` waits for its own confirmation before it runs
    (a single [rollback] table's confirm is the rollback dialog's, as before)."""
    return isinstance(runbook.rollback, list) and bool(step.confirm) and "confirm" in step.model_fields_set


def step_confirmed(engine: Any, name: str) -> bool:
    return any(d["kind"] == "confirm_step" and d.get("step") == name for d in engine.state.decisions)


def awaiting_confirm(engine: Any) -> tuple[str, str] | None:
    """(step name, its command) of the next plan step that waits for confirmation, or None."""
    plan = active_plan(engine)
    if plan is None or not engine.state.rollback_running or engine.state.outcome is not None:
        return None
    for i, step in enumerate(plan.steps):
        name = step_name(engine.runbook, plan, i)
        if step_done(engine, name):
            continue
        waits = asks_confirm(engine.runbook, step) and not step_confirmed(engine, name)
        return (name, step.display()) if waits else None
    return None


def cmd_confirm_step(engine: Any, name: str, by: str, note: str, now: float) -> list[ev.Event]:
    """Confirm the rollback step that waits for it (console.refusals refuses any other step)."""
    waiting = awaiting_confirm(engine)
    shown = waiting[1] if waiting is not None else name
    return [ev.Decision(at=now, kind="confirm_step", phase=engine.active_phase().id, by=by,
                        reason=note or f"confirmed {shown}", plan=engine.state.rollback_plan or "", step=name)]
