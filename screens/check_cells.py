"""What the checks table shows for one check: verdict, value with unit, target, hold progress — as Rich text."""

from __future__ import annotations

from typing import Any

from golive.console.state import ERROR, PASS, PENDING, WARN
from golive.console.units import format_age, format_duration, format_number
from golive.console.view import CheckView, SessionView
from golive.console.wording import verdict_symbol
from golive.screens.gate_reasons import waits_for_action
from golive.screens.live_table import cell
from golive.screens.palette import Palette


def target_text(check: Any) -> str:
    """The pass threshold as the runbook wrote it (``< 0.5, warn < 1``), or what the source judges."""
    parts = []
    if getattr(check, "pass_", None) is not None:
        parts.append(str(check.pass_))
    if getattr(check, "warn", None) is not None:
        parts.append(f"warn {check.warn}")
    if parts:
        return ", ".join(parts)
    source = getattr(check, "source", "")
    if source == "kubernetes":
        return check.expect
    if source == "http":
        return f"status {check.status}"
    if source == "alertmanager":
        return "no alerts"
    if source == "command":
        return "exit 0"
    return ""


def value_is_old(check: Any, cs: Any, now: float) -> bool:
    """A value is old when the check errors since it was measured, or when it is well past its next sample
    (a follower sees values only as verdicts change)."""
    if cs.value is None:
        return False
    if cs.verdict == ERROR or cs.value_at is None:
        return True
    every = getattr(check, "every", 0.0) or 15.0
    return now - cs.value_at > max(3 * every, 30.0)


def number_text(check: Any, value: float) -> str:
    unit = f" {check.unit}" if getattr(check, "unit", "") else ""
    return f"{format_number(value)}{unit}"


def value_text(check: Any, cs: Any, now: float | None = None, old: bool = False) -> str:
    """The last value with its unit (``0.1405 % · 2m ago`` when old — or ``old`` —, given ``now``), or the
    source's own short detail when it judges without a number."""
    if cs.value is not None:
        if now is not None and (old or value_is_old(check, cs, now)):
            age = format_age(now - cs.value_at) if cs.value_at is not None else "old"
            return f"{number_text(check, cs.value)} · {age}"
        return number_text(check, cs.value)
    if cs.verdict == PENDING:
        return "…"
    # Without a number the source's own judgement is the value; a long why belongs in the hold column.
    detail = cs.detail or ""
    if cs.verdict == PASS:
        return detail if detail and len(detail) <= 14 else "ok"
    return "—"


def hold_text(shown: CheckView, check: Any, now: float, active: bool, read_only: bool = False) -> str:
    """``held 3m12s / 5m`` while passing in the active phase, otherwise why it is not passing; after the
    outcome, what the check reads now when that differs from its recorded verdict."""
    cs = shown.recorded or shown
    if cs is not shown and shown.verdict != cs.verdict:
        return f"now {verdict_symbol(shown.verdict)} {shown.verdict} · {hold_text(cs, check, now, active)}"
    if not cs.confirmed:
        return "waiting for a tick" if read_only else "waiting for your tick (space)"
    if cs.verdict == PASS:
        if not active:
            return "passed"
        held, hold = shown.held, shown.hold
        if hold <= 0:
            return "held"
        if held >= hold:
            return f"held ✓ {format_duration(hold)}"
        return f"held {format_duration(int(held))} / {format_duration(hold)}"
    if cs.verdict == PENDING:
        return "waiting for a sample" if active else ""
    if cs.detail:
        return cs.detail
    threshold = getattr(check, "pass_", None)
    if threshold is not None and cs.value is not None:   # say why from the figures when the source did not
        return f"{'in the warn band' if cs.verdict == WARN else 'fails'}: pass {threshold}"
    return cs.verdict.lower()


def table_value_text(check: Any, cs: Any, now: float) -> str:
    """The value cell: an old value leads with its age, so a narrow column cuts the number, not the age."""
    if cs.value is not None and value_is_old(check, cs, now):
        age = format_age(now - cs.value_at) if cs.value_at is not None else "old"
        return f"{age}: {number_text(check, cs.value)}"
    return value_text(check, cs)


def check_cells(view: SessionView, runbook: Any, check: Any, now: float, active: bool, palette: Palette,
                read_only: bool = False) -> tuple:
    """(verdict, title, value, target, hold) for one row of the checks table; the value is live (after the
    outcome too), the verdict the recorded one."""
    live = view.checks[check.id]
    cs = live.recorded or live
    style = palette.verdict(cs.verdict, bold=True)
    verdict = cell(f"{verdict_symbol(cs.verdict)} {cs.verdict}", style)
    title = cell(check.label)
    if not getattr(check, "required", True):
        title.append(" (optional)", style="dim")
    old = value_is_old(check, live, now)
    value = cell(table_value_text(check, live, now),
                 "dim" if old else palette.verdict(live.verdict) if live.value is not None else "")
    hold = hold_text(live, check, now, active, read_only)
    hold_style = palette.style("status-pass") if hold.startswith("held ✓") else (
        "" if cs.verdict in (PASS, PENDING) else palette.verdict(cs.verdict))
    if active and waits_for_action(view, runbook, check):   # what it measures is not there yet: not an ERROR
        return waiting_cells(check, palette)
    return verdict, title, value, cell(target_text(check), "dim"), cell(hold, hold_style)


def waiting_cells(check: Any, palette: Palette) -> tuple:
    """A check of a phase whose action has not run: waiting, not failing (what it measures is not there yet)."""
    title = cell(check.label)
    if not getattr(check, "required", True):
        title.append(" (optional)", style="dim")
    return (cell("◌ WAITING", palette.verdict(PENDING, bold=True)), title, cell("—", "dim"),
            cell(target_text(check), "dim"), cell("waits for the phase action", "dim"))
