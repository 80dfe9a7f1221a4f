"""Words and symbols for what the engine decides: the screens, the headless reporter and the record share them."""

from __future__ import annotations

from typing import Any

from golive.console.state import ERROR, FAIL, PASS, PENDING, WARN, Blocker
from golive.console.units import format_duration, format_number


def verdict_symbol(verdict: str) -> str:
    """Status is shown by symbol as well as colour."""
    return {PASS: "✓", WARN: "!", FAIL: "✗", ERROR: "⚠", PENDING: "…"}.get(verdict, "?")


_FIXED = {
    "not_running": "the go-live is not running",
    "rollback_interrupted": "the rollback was interrupted (exit unknown): run it again (r) or abort",
    "rollback_decided": "a rollback was decided; the go-live ends when it has run",
    "action_interrupted": "the phase action was interrupted (exit unknown) and has to run again",
    "action_not_run": "the phase action has not run",
}


def blocker_text(engine: Any, b: Blocker) -> str:
    """One gate reason in words. A failing check is quoted with the figures this reader has: the driver's
    latest sample, a follower's last journaled value."""
    if b.code in _FIXED:
        return _FIXED[b.code]
    if b.code == "action_failed":
        return f"the phase action failed ({b.detail})"
    if not b.subject or b.code in ("paused", "not_before", "soak", "approval"):
        return b.detail
    label = engine.runbook.check(b.subject).label
    if b.code == "rollback_requested":
        return f"trigger {label} fired: confirm or decline the rollback"
    if b.code == "trigger_pending":
        return f"{label} pending {format_duration(b.held)} of {format_duration(b.need)}"
    if b.code == "trigger_blind":
        return f"{label} cannot see: {b.detail or 'no data'}"
    if b.code == "trigger_firing":
        return f"trigger {label} is firing"
    if b.code == "unconfirmed":
        return f"{label}: not confirmed"
    if b.code == "holding":
        return f"{label}: held {format_duration(b.held)} of {format_duration(b.need)}"
    if b.code == "verdict":
        return f"{label}: {b.verdict}" + _verdict_why(engine, b)
    return b.detail or b.code


def _verdict_why(engine: Any, b: Blocker) -> str:
    check, cs = engine.runbook.check(b.subject), engine.state.checks[b.subject]
    why = cs.detail
    if b.verdict in (WARN, FAIL) and cs.value is not None and getattr(check, "pass_", None):
        unit = f" {check.unit}" if check.unit else ""
        why = f"{format_number(cs.value)}{unit}, needs {check.pass_}" + (f"; {why}" if why else "")
    return f" — {why}" if why else ""


_VERDICT_LEVEL = {PASS: "info", WARN: "warning", FAIL: "error", ERROR: "error"}


def log_entry(runbook: Any, e: Any) -> tuple[str, str] | None:
    """(level, text) of the event log's line for a folded event; None for an event the log does not show."""
    with_reason = f": {e.reason}" if getattr(e, "reason", "") else ""
    kind = e.type
    if kind == "resumed":
        return "info", f"resumed by {e.operator} on {e.host}"
    if kind == "phase_started":
        return "info", f"phase {runbook.phases[runbook.phase_index(e.phase)].label} started"
    if kind == "phase_ended":
        return "info", f"phase {e.phase} {e.status}{with_reason}"
    if kind == "verdict":
        return _VERDICT_LEVEL.get(e.verdict, "info"), f"{e.check} → {e.verdict}" + (f": {e.detail}" if e.detail else "")
    if kind == "trigger":
        level = "error" if e.state == "firing" else "warning" if e.state in ("pending", "error") else "info"
        return level, f"trigger {runbook.check(e.trigger).label}: {e.state}" + (f" — {e.detail}" if e.detail else "")
    if kind == "trigger_fired":
        return "error", f"trigger {runbook.check(e.trigger).label}: fired by {e.by} — {e.reason}"
    if kind == "tick":
        return "info", f"{'✓' if e.checked else '✗'} {e.check} by {e.by}" + (f": {e.note}" if e.note else "")
    if kind == "note":
        return "info", f"{e.kind or 'note'} by {e.by}: {e.text}"
    if kind == "decision":
        return ("warning" if e.kind != "proceed" else "info"), f"decision {e.kind} by {e.by}{with_reason}"
    if kind == "action_started":
        return "info", f"action {e.action}{' (dry run)' if e.dry_run else ''}: {' '.join(e.argv)}"
    if kind == "action_finished":
        ok = not e.interrupted and (e.dry_run or e.exit_code == 0)
        how = "dry run" if e.dry_run else (e.error or f"exit {e.exit_code}")
        return ("info" if ok else "error"), f"action {e.action} finished: {how}"
    if kind == "outcome":
        return "info", f"outcome {e.outcome}{with_reason}"
    if kind == "signoff":
        return "info", f"signed off as {e.role} by {e.name}"
    if kind == "approval":
        return "info", f"approved as {e.role} by {e.by}" + (f": {e.note}" if e.note else "")
    if kind == "change" and e.window == "bypassed":
        return "warning", f"change window bypassed by {e.by}: {e.bypass_reason}"
    if kind == "notify_failed":
        return "warning", f"notification {e.target} ({e.event}) not delivered: {e.error}"
    return None
